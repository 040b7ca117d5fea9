"""Bounds on what a caller sends, applied before any model (embedding or language model) sees it.

The embedding model is shared by every user of a process, so one request with a huge question or
history would hold everyone else's questions. ``Assistant.ask``, ``stream`` and ``plan`` call
``bound_history`` and ``bound_question`` first, so the API, the chat and the CLIs are all covered;
the limits are settings (``question_max_chars``, ``history_max_turns``, ``history_turn_chars``,
``history_total_chars``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from assistant.messages import QUESTION_CUT
from assistant.types import Answer
from common.settings import Settings

# Whitespace runs shrink when a text is normalised; a text longer than this many times its limit is cut
# anyway, so only that much of it is read (a 60 MB question costs no more than a 2,000-character one).
_READ_FACTOR = 4


def _normalised_head(text: str, limit: int) -> tuple[str, bool]:
    """``text`` with whitespace runs made single spaces, cut to ``limit`` characters; and whether it was cut."""
    head = text[: limit * _READ_FACTOR + 1]
    normalised = " ".join(head.split())
    cut = len(normalised) > limit or (len(text) > len(head) and not text[len(head):].isspace())
    return normalised[:limit].rstrip(), cut


def bound_question(question: str | None, limit: int) -> tuple[str, bool]:
    """The question with normalised whitespace and at most ``limit`` characters; and whether it was cut."""
    if not isinstance(question, str):
        question = "" if question is None else str(question)
    return _normalised_head(question, limit)


def bound_history(history: Sequence[str] | None, max_turns: int, turn_chars: int, total_chars: int) -> list[str]:
    """The last ``max_turns`` earlier questions, each cut to ``turn_chars`` characters and all together to
    ``total_chars`` (the latest turns first: they matter most to a follow-up). Empty and non-text items
    are dropped."""
    if not history or max_turns <= 0 or total_chars <= 0:
        return []
    if isinstance(history, str):  # one question sent where a list was expected
        history = [history]
    kept: list[str] = []
    budget = total_chars
    for item in reversed(list(history[-max_turns:])):
        if not isinstance(item, str):
            continue
        text, _ = _normalised_head(item, min(turn_chars, budget))
        if not text:
            continue
        kept.append(text)
        budget -= len(text)
        if budget <= 0:
            break
    return kept[::-1]


def bound_request(question: str | None, history: Sequence[str] | None,
                  settings: Settings) -> tuple[str, list[str], bool]:
    """``bound_question`` and ``bound_history`` with the limits of ``settings``: (question, history, cut)."""
    text, cut = bound_question(question, settings.question_max_chars)
    turns = bound_history(history, settings.history_max_turns, settings.history_turn_chars,
                          settings.history_total_chars)
    return text, turns, cut


def question_cut_notice(limit: int) -> str:
    """The Swedish notice shown with an answer to a question that was cut."""
    return QUESTION_CUT.format(limit=limit)


def with_cut_notice(answer: Answer, limit: int) -> Answer:
    """``answer`` with the notice that its question was cut (once)."""
    notice = question_cut_notice(limit)
    if notice in answer.notices:
        return answer
    return replace(answer, notices=[*answer.notices, notice])
