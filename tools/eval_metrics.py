"""What the evaluation measures on one question: does a passage support the answer, where is the first
supporting passage, does an answer text hold the key facts, are its citations valid."""

from __future__ import annotations

import re
import statistics
from collections.abc import Mapping, Sequence
from functools import lru_cache

from swedish.tokens import SwedishAnalyzer

_MARKER_RE = re.compile(r"\[\d+\]")


def normalize(text: str) -> str:
    """Case, whitespace, soft hyphens, typographic apostrophes and line-break hyphenation made alike."""
    text = text.replace("\u00ad", "").replace("’", "'")
    text = re.sub(r"(\w)-\s*\n\s*([a-zåäö])", r"\1\2", text)
    return re.sub(r"\s+", " ", text).strip().casefold()


def supports(text: str, quotes: Sequence[str]) -> bool:
    """A passage supports when it contains one of the quotes (after normalisation)."""
    norm = normalize(text)
    return any(normalize(q) in norm for q in quotes)


def quote_supports(quote: str, support: Sequence[str]) -> bool:
    """A cited sentence supports the answer when it contains a support quote or lies inside one."""
    nq = normalize(quote)
    for s in support:
        ns = normalize(s)
        if ns in nq or (len(nq) > 20 and nq in ns):
            return True
    return False


def first_hit_rank(texts: Sequence[str], quotes: Sequence[str], k: int = 10) -> int | None:
    """1-based rank of the first of the top ``k`` passages that supports, or None."""
    for rank, text in enumerate(texts[:k], start=1):
        if supports(text, quotes):
            return rank
    return None


@lru_cache(maxsize=1)
def _analyzer() -> SwedishAnalyzer:
    return SwedishAnalyzer()  # no lexicon: content-word stems, no compound parts


def stems(text: str) -> list[str]:
    """Stems of the content words of ``text`` (``swedish.tokens``: stop words dropped)."""
    return _analyzer().tokens(text)


def answer_text(answer_markdown: str) -> str:
    """The answer as plain text: citation markers and Markdown emphasis removed."""
    return re.sub(r"[*_`>#]+", " ", _MARKER_RE.sub(" ", answer_markdown))


def fact_covered(fact: str, text: str, text_stems: set[str] | None = None) -> bool:
    """A key fact is covered when one of its " | " alternatives occurs in the normalised text (as whole
    words), or when all content-word stems of an alternative occur among the text's stems."""
    norm = normalize(text)
    if text_stems is None:
        text_stems = set(stems(text))
    for alternative in (a.strip() for a in fact.split(" | ")):
        if not alternative:
            continue
        if re.search(r"(?<!\w)" + re.escape(normalize(alternative)) + r"(?!\w)", norm):
            return True
        wanted = stems(alternative)
        if wanted and all(s in text_stems for s in wanted):
            return True
    return False


def key_fact_share(facts: Sequence[str], text: str) -> float:
    """The share of ``facts`` that ``text`` covers (1.0 when there are none)."""
    if not facts:
        return 1.0
    text_stems = set(stems(text))
    return sum(fact_covered(f, text, text_stems) for f in facts) / len(facts)


def citations_valid(answer, documents: Mapping[str, str]) -> bool:
    """Every marker [n] resolves to a citation, and every citation's quote is the document's text at its
    offsets."""
    markers = {int(m) for m in re.findall(r"\[(\d+)\]", answer.answer)}
    numbers = {c.n for c in answer.citations}
    if not markers <= numbers:
        return False
    for c in answer.citations:
        text = documents.get(c.doc_id, "")
        if text[c.start:c.end] != c.quote or not c.quote:
            return False
    return True


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank ``q`` quantile (0..1) of ``values``; 0.0 when empty."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def mean(values: Sequence[float]) -> float | None:
    return statistics.mean(values) if values else None
