"""Ages in Swedish questions: "3–12 år", "en fyraåring", "14-årige", and the words for stages of
childhood ("småbarn", "tonåringar", "mellanstadiet") with the ages Swedish usage gives them."""

from __future__ import annotations

import re

from swedish.numbers import NUMBER_WORDS

_STAGES = [
    (re.compile(r"\b(spädbarn|bebis\w*|nyfödd\w*|nyblivna)\b"), (0, 1)),
    (re.compile(r"\b(småbarn\w*|förskolebarn\w*|förskoleålder\w*|små barn)\b"), (1, 5)),
    (re.compile(r"\b(lågstadie\w*)\b"), (7, 9)),
    (re.compile(r"\b(mellanstadie\w*)\b"), (10, 12)),
    (re.compile(r"\b(högstadie\w*)\b"), (13, 15)),
    (re.compile(r"\b(gymnasie\w*)\b"), (16, 18)),
    (re.compile(r"\b(tonår\w*|tonåring\w*|ungdomar|ungdom)\b"), (13, 18)),
    (re.compile(r"\b(skolbarn\w*|skolåldern|skolålder)\b"), (6, 15)),
]
_WORD_AGE_RE = re.compile(rf"\b({'|'.join(w for w in NUMBER_WORDS if NUMBER_WORDS[w] <= 20)})(?:åring\w*|årig\w*)\b")


def asked_ages(question: str) -> tuple[int, int] | None:
    """The ages a question is about: a span ("3–12 år"), one age ("14-årige", "en fyraåring") or a stage of
    childhood ("tonåringar" → 13–18), or None."""
    q = question.lower()
    span = re.search(r"\b(\d{1,2})\s*[–-]\s*(\d{1,2})\s*år", q)
    if span:
        return int(span.group(1)), int(span.group(2))
    single = re.search(r"\b(\d{1,2})\s*[-–]?\s*(?:år\w*|åring\w*|årig\w*)", q)
    if single:
        age = int(single.group(1))
        return age, age
    word = _WORD_AGE_RE.search(q)
    if word:
        age = NUMBER_WORDS[word.group(1)]
        return age, age
    for pattern, ages in _STAGES:
        if pattern.search(q):
            return ages
    return None
