"""Is a text Swedish? The documents are Swedish; a question or a generated answer in English
(the one other language users are likely to write) is noticed by its function words."""

from __future__ import annotations

import re

SWEDISH_WORDS = frozenset(
    "och att det som är en ett av för med på till om har inte de den ska kan eller från vid också samt alla sina "
    "sitt sin detta dessa där när vilka vilken genom enligt hos mellan under efter barn föräldrar vara finns görs "
    "bland deras varje både inom mot utan än hur vad man sig i vem varför strategin".split())
ENGLISH_WORDS = frozenset(
    "the and of to is are in for with that this be on from it as an or not can should will which their they have "
    "has was were at about these those there what how every other year years parents children support strategy "
    "also been all its who would must each municipalities documents according into does do when why say says "
    "parenting".split())
_WORD_RE = re.compile(r"[a-zåäöéü]+")


def language_scores(text: str) -> tuple[int, int, int]:
    """(words, English function words, Swedish function words plus words with å, ä or ö) of ``text``."""
    tokens = _WORD_RE.findall(text.lower())
    english = sum(t in ENGLISH_WORDS for t in tokens)
    swedish = sum(t in SWEDISH_WORDS or bool(re.search("[åäö]", t)) for t in tokens)
    return len(tokens), english, swedish


def looks_english(text: str, min_english_words: int = 2) -> bool:
    """True for a text of three words or more that is clearly English, whatever Swedish names it quotes."""
    count, english, swedish = language_scores(text)
    return count >= 3 and english >= min_english_words and english > swedish
