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
_LETTER_MARKER_RE = re.compile(r"^(?:[a-zåäö]|[ivx]{1,4})[).]\s")


def column_label(header: str) -> str:
    """A column header as a label in running text: "Målgrupp, föräldrar med barn i åldrarna" → "målgrupp"."""
    label = header.split(",")[0].strip()
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


def display_text(text: str, columns: tuple[str, ...] = (), capitalize: bool = True) -> str:
    """A quote as shown in an answer: the document's own reference numbers ("[5]") are dropped so
    they cannot be mistaken for citation markers; a table row ("Årskurs 9 | 123 960 | 60 367") is
    written with its columns' names ("Årskurs 9 – totalt: 123 960; flickor: 60 367")."""
    text = _DOC_REFERENCE_RE.sub("", text)
    cells = [c.strip() for c in text.split(" | ")]
    if columns and len(cells) == len(columns) > 1:
        labelled = [f"{column_label(col)}: {cell}" for col, cell in zip(columns[1:], cells[1:]) if cell]
        return f"{cells[0]} – " + "; ".join(labelled)
    if _LETTER_MARKER_RE.match(text):
        return text  # "a) har namnet …": the letter of a list item is the document's, not a sentence's start
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
        page = doc.page_at(start)
        return Citation(
            n=n, doc_id=doc_id, source_file=entry.source_file, title=entry.title,
            publisher=entry.publisher, year=entry.year, page=page,
            section=SECTION_SEPARATOR.join(doc.section_at(start)), quote=doc.text[start:end],
            start=start, end=end, chunk_id=chunk.chunk_id if chunk else "", page_label=doc.page_label(page),
        )

    def shown(self, doc_id: str, start: int, end: int, capitalize: bool = True) -> str:
        """The span as an answer shows it (see ``display_text``)."""
        chunk = self.index.chunk_at(doc_id, start)
        text = self.index.documents[doc_id].text[start:end]
        return display_text(text, self.columns(doc_id, start), capitalize) if chunk else text

    def columns(self, doc_id: str, start: int) -> tuple[str, ...]:
        """The column headers when ``start`` is the start of a table row, else ()."""
        chunk = self.index.chunk_at(doc_id, start)
        if chunk is None or chunk.kind != "table_row" or chunk.start != start:
            return ()
        return self.index.documents[doc_id].table_header_before(start)

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
