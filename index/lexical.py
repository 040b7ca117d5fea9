"""The lexical index: BM25 (bm25s) over the Swedish stems and compound parts of every chunk
(``swedish.tokens.SwedishAnalyzer``, whose lexicon is the indexed text's own words, at index time
and at query time alike)."""

from __future__ import annotations

import bisect
import json
from collections import Counter
from functools import cached_property
from pathlib import Path

import bm25s
import numpy as np

from swedish.tokens import SwedishAnalyzer, build_lexicon, is_derivation

# Bump when tokenisation changes (stopwords, stemming, compounds): the next ingest rebuilds BM25.
LEXICAL_VERSION = "4"


class LexicalIndex:
    """BM25 over chunk texts; rows line up with ``chunk_ids``."""

    def __init__(self, bm25: bm25s.BM25, chunk_ids: list[str], analyzer: SwedishAnalyzer,
                 doc_freq: dict[str, int]) -> None:
        self.bm25 = bm25
        self.chunk_ids = chunk_ids
        self.analyzer = analyzer
        self.doc_freq = doc_freq  # token -> number of chunks containing it
        self._row = {cid: i for i, cid in enumerate(chunk_ids)}

    def idf(self, token: str) -> float:
        """Inverse chunk frequency (BM25's form); unknown tokens get the highest value."""
        n = max(1, len(self.chunk_ids))
        df = self.doc_freq.get(token, 0)
        return float(np.log(1 + (n - df + 0.5) / (df + 0.5)))

    def derivation_of(self, stem: str) -> str | None:
        """The chunks' most common token that continues ``stem`` by a few letters, for a stem they never use
        themselves ("upplös" of "upplöses" → "upplösning"; ``swedish.tokens.is_derivation``)."""
        keys = self._sorted_tokens
        i = bisect.bisect_left(keys, stem)
        found: list[str] = []
        while i < len(keys) and keys[i].startswith(stem):
            if is_derivation(stem, keys[i]):
                found.append(keys[i])
            i += 1
        return max(found, key=lambda t: self.doc_freq[t]) if found else None

    @cached_property
    def _sorted_tokens(self) -> list[str]:
        return sorted(self.doc_freq)

    def rarity(self, token: str) -> float:
        """``idf`` for a token the chunks hold, 0 for one they do not (it cannot mark what a passage is about)."""
        return self.idf(token) if token in self.doc_freq else 0.0

    @classmethod
    def build(cls, chunk_ids: list[str], texts: list[str]) -> LexicalIndex:
        analyzer = SwedishAnalyzer(build_lexicon(texts))
        corpus = [analyzer.tokens(t) or ["_"] for t in texts]
        bm25 = bm25s.BM25()
        bm25.index(corpus, show_progress=False)
        doc_freq = Counter(token for tokens in corpus for token in set(tokens))
        return cls(bm25, chunk_ids, analyzer, dict(doc_freq))

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.bm25.save(str(directory))
        (directory / "chunks.json").write_text(
            json.dumps({"chunk_ids": self.chunk_ids, "lexicon": sorted(self.analyzer.lexicon),
                        "doc_freq": self.doc_freq}, ensure_ascii=False),
            encoding="utf-8",
        )

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex:
        data = json.loads((directory / "chunks.json").read_text(encoding="utf-8"))
        return cls(bm25s.BM25.load(str(directory)), data["chunk_ids"], SwedishAnalyzer(data["lexicon"]),
                   data["doc_freq"])

    def search(self, query_tokens: list[str], k: int, allowed: set[str] | None = None) -> list[tuple[str, float]]:
        """(chunk id, score) best first; ``allowed`` restricts the result to those chunk ids."""
        vocab = self.bm25.vocab_dict
        known = [t for t in query_tokens if t in vocab]
        if not known or not self.chunk_ids:
            return []
        mask = None
        if allowed is not None:
            mask = np.zeros(len(self.chunk_ids), dtype=np.float32)
            for cid in allowed:
                row = self._row.get(cid)
                if row is not None:
                    mask[row] = 1.0
            if not mask.any():
                return []
        k = min(k, len(self.chunk_ids))
        docs, scores = self.bm25.retrieve([known], k=k, weight_mask=mask, show_progress=False)
        return [(self.chunk_ids[int(d)], float(s)) for d, s in zip(docs[0], scores[0]) if s > 0]
