"""Swedish lexical analysis and the BM25 index (bm25s + PyStemmer's Swedish stemmer).

Swedish writes compounds as one word ("föräldraskapsstödsprogram"), so a query for
"program för föräldraskapsstöd" would miss it with plain stemming. The analyzer also
emits the parts of compounds it can split with a lexicon of the corpus's own words,
at index time and at query time alike.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import bm25s
import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_SWEDISH

_WORD_RE = re.compile(r"[0-9]+(?:[–-][0-9]+)?|[^\W\d_]+(?:-[^\W\d_]+)*", re.UNICODE)
# bm25s's Swedish list plus common function words it lacks.
STOPWORDS = frozenset(STOPWORDS_SWEDISH) | {
    "ska", "samt", "även", "bland", "annat", "också", "hos", "genom", "enligt", "kring", "via", "trots", "inför",
    "mer", "mest", "bara", "just", "redan", "dock", "alltså", "sådan", "vilken", "första", "först", "hand",
    "bra", "mycket", "lite", "egen", "egna",
    "måste", "bör", "borde", "får", "fick", "vill", "ville", "kunna", "göra", "gör", "gjorde", "blir", "bli",
}
# Bump when tokenisation changes (stopwords, stemming, compounds): the next ingest rebuilds BM25.
LEXICAL_VERSION = "4"
_MIN_PART = 3
_HEAD_MIN = 4
_LINKS = ("s", "")  # Swedish linking morphemes between compound parts (föräldraskap-s-stöd)


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("swedish")


def words(text: str) -> list[str]:
    """Lowercase word tokens (hyphenated words are split into their parts as well)."""
    found: list[str] = []
    for token in _WORD_RE.findall(text.lower()):
        if "-" in token and not token[0].isdigit():
            found.extend(p for p in token.split("-") if p)
        else:
            found.append(token)
    return found


class SwedishAnalyzer:
    """Stopwords, compound parts and Swedish stems."""

    def __init__(self, lexicon: Iterable[str] = ()) -> None:
        self.lexicon = frozenset(w for w in lexicon if len(w) >= _MIN_PART and w not in STOPWORDS)
        self._splits: dict[str, tuple[str, ...]] = {}

    def split_compound(self, word: str) -> tuple[str, ...]:
        """Parts of ``word`` found in the lexicon, longest head first; () if none.

        A known head with an unknown tail of at least four letters still yields the head
        ("behovsinventering" → "behov"): a query for the head should find the compound.
        """
        if word in self._splits:
            return self._splits[word]
        parts: tuple[str, ...] = ()
        if len(word) >= 2 * _MIN_PART + 1:
            parts = self.split_known(word)
            if not parts:
                for cut in range(len(word) - 4, _HEAD_MIN - 1, -1):
                    head = word[:cut]
                    if head in self.lexicon and len(head) >= _HEAD_MIN:
                        parts = (head,)
                        break
        self._splits[word] = parts
        return parts

    def split_known(self, word: str) -> tuple[str, ...]:
        for cut in range(len(word) - _MIN_PART, _MIN_PART - 1, -1):
            head, rest = word[:cut], word[cut:]
            if head not in self.lexicon:
                continue
            for link in _LINKS:
                if not rest.startswith(link):
                    continue
                tail = rest[len(link):]
                if len(tail) < _MIN_PART:
                    continue
                if tail in self.lexicon:
                    return (head, tail)
                sub = self.split_known(tail)
                if sub:
                    return (head, *sub)
        return ()

    def tokens(self, text: str) -> list[str]:
        result: list[str] = []
        stem = _stemmer().stemWord
        for word in words(text):
            if word in STOPWORDS or (len(word) < 2 and not word.isdigit()):
                continue
            result.append(stem(word))
            result.extend(stem(part) for part in self.split_compound(word) if part not in STOPWORDS)
        return result


def build_lexicon(texts: Iterable[str], min_count: int = 1) -> list[str]:
    counts = Counter(w for text in texts for w in words(text) if not w.isdigit())
    return sorted(w for w, c in counts.items() if c >= min_count)


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
