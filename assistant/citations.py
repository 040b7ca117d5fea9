"""Citing: every quote in an answer is a span ``document.text[start:end]`` with a marker [n].

``SourceCiter`` turns a span into a ``Citation`` (title, publisher, year, page, section, quote);
``CitationList`` is the one place that numbers citations: [1], [2], … in order of first use,
the same span always with the same number.
"""

from __future__ import annotations

import re

from assistant.types import Citation
from index.model import SECTION_SEPARATOR
from index.reader import IndexReader

_DOC_REFERENCE_RE = re.compile(r"\s*\[\d+(?:\s*[,–-]\s*\d+)*\]")
_PROGRAM_ROW_LABELS = ("typ", "målgrupp", "form", "effekt")


def display_text(text: str, table_row: bool = False, capitalize: bool = True) -> str:
    """A quote as shown in an answer: the document's own reference numbers ("[5]") are dropped so
    they cannot be mistaken for citation markers; a programme-table row gets its column names."""
    text = _DOC_REFERENCE_RE.sub("", text)
    if table_row:
        cells = [c.strip() for c in text.split(" | ")]
        if len(cells) == 5:
            return f"{cells[0]} – " + "; ".join(f"{lab}: {cell}" for lab, cell in zip(_PROGRAM_ROW_LABELS, cells[1:]))
    return text[0].upper() + text[1:] if capitalize and text[:1].islower() else text


class SourceCiter:
    """Citations of spans of the indexed documents."""

    def __init__(self, index: IndexReader) -> None:
        self.index = index

    def citation(self, n: int, doc_id: str, start: int, end: int) -> Citation:
        """Citation [n] of ``document.text[start:end]`` with its page and section."""
        doc = self.index.documents[doc_id]
        entry = self.index.entries[doc_id]
        chunk = self.index.chunk_at(doc_id, start)
        return Citation(
            n=n, doc_id=doc_id, source_file=entry.source_file, title=entry.title,
            publisher=entry.publisher, year=entry.year, page=doc.page_at(start),
            section=SECTION_SEPARATOR.join(doc.section_at(start)), quote=doc.text[start:end],
            start=start, end=end, chunk_id=chunk.chunk_id if chunk else "",
        )

    def shown(self, doc_id: str, start: int, end: int, capitalize: bool = True) -> str:
        """The span as an answer shows it (see ``display_text``)."""
        chunk = self.index.chunk_at(doc_id, start)
        text = self.index.documents[doc_id].text[start:end]
        return display_text(text, chunk.kind == "table_row", capitalize) if chunk else text

    def short_label(self, doc_id: str) -> str:
        """"Lindesbergs kommun (strategi 2023)": who says it, in answers that quote several documents."""
        entry = self.index.entries[doc_id]
        kind = entry.doc_type or "dokument"
        year = f" {entry.year}" if entry.year else ""
        return f"{entry.publisher or entry.title} ({kind}{year})"


class CitationList:
    """The citations of one answer, numbered in order of first use."""

    def __init__(self, citer: SourceCiter) -> None:
        self.citer = citer
        self.citations: list[Citation] = []
        self._numbers: dict[tuple[str, int, int], int] = {}

    def cite(self, doc_id: str, start: int, end: int) -> int:
        """The marker number of the span (a new one the first time)."""
        key = (doc_id, start, end)
        if key not in self._numbers:
            self._numbers[key] = len(self.citations) + 1
            self.citations.append(self.citer.citation(self._numbers[key], doc_id, start, end))
        return self._numbers[key]

    def quote(self, doc_id: str, start: int, end: int, capitalize: bool = True) -> str:
        """The span as shown in an answer, followed by its marker."""
        return f"{self.citer.shown(doc_id, start, end, capitalize)} [{self.cite(doc_id, start, end)}]"

    def spans(self) -> list[tuple[str, int, int]]:
        return [(c.doc_id, c.start, c.end) for c in self.citations]
