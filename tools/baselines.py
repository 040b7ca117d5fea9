"""Baselines the assistant's retrieval is compared with: plain Swedish BM25 over fixed 200-word chunks
of the documents' raw text (bm25s, PyStemmer's Swedish stemmer, bm25s's Swedish stop words; nothing of
ours), and a plain llama-index dense index (see ``tools.evaluate``)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import bm25s
import Stemmer

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
_WORD_RE = re.compile(r"\S+")


@dataclass(frozen=True)
class FixedChunk:
    doc_id: str
    text: str


def fixed_word_chunks(doc_id: str, text: str, words: int = 200) -> list[FixedChunk]:
    """Consecutive, non-overlapping chunks of ``words`` whitespace-separated words; each chunk is the
    original text from its first word to its last (line breaks kept)."""
    spans = [m.span() for m in _WORD_RE.finditer(text)]
    return [FixedChunk(doc_id, text[spans[i][0]:spans[min(i + words, len(spans)) - 1][1]])
            for i in range(0, len(spans), words)]


class FixedChunkBM25:
    """BM25 (bm25s defaults) over fixed word chunks, Swedish stems and stop words."""

    def __init__(self, documents: Iterable[tuple[str, str]], words: int = 200) -> None:
        self.chunks = [c for doc_id, text in documents for c in fixed_word_chunks(doc_id, text, words)]
        if not self.chunks:
            raise ValueError("no text to index")
        self._stemmer = Stemmer.Stemmer("swedish")
        tokens = bm25s.tokenize([c.text for c in self.chunks], stopwords="sv", stemmer=self._stemmer,
                                show_progress=False)
        self._index = bm25s.BM25()
        self._index.index(tokens, show_progress=False)

    def search(self, query: str, k: int = 10) -> list[FixedChunk]:
        """The top ``k`` chunks for ``query`` (fewer when the query shares no word with any chunk)."""
        tokens = bm25s.tokenize([query], stopwords="sv", stemmer=self._stemmer, show_progress=False)
        if not tokens.ids or not tokens.ids[0]:
            return []
        k = min(k, len(self.chunks))
        ids, scores = self._index.retrieve(tokens, k=k, show_progress=False)
        return [self.chunks[int(i)] for i, s in zip(ids[0], scores[0]) if s > 0]


def raw_document_text(path: Path, parsed_text: str = "") -> str:
    """A document's raw text: the file itself for text formats; for PDF and DOCX, where there is no raw
    text, the text the ingest extracted."""
    if path.suffix.lower() in TEXT_SUFFIXES and path.is_file():
        return path.read_text(encoding="utf-8", errors="replace")
    return parsed_text
