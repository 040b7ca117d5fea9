"""The answerer contract: a question (with the conversation so far and optional filters) in,
a typed ``Answer`` with citations out; ``stream`` gives text as it is written, then the Answer."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence

from assistant.types import Answer, Filters


class Answerer(ABC):
    name: str = ""

    def warm_up(self) -> None:  # noqa: B027 - optional: nothing to load by default
        """Load what is slow to load (an index, a model) before the first question; raises what a
        misconfiguration would raise then."""

    @abstractmethod
    def ask(self, question: str, history: Sequence[str] = (), filters: Filters | None = None) -> Answer:
        """The answer to ``question``; ``history`` holds the earlier questions of the conversation."""

    def stream(self, question: str, history: Sequence[str] = (),
               filters: Filters | None = None) -> Iterator[str | Answer]:
        """Text as it is written (none for an answerer that writes all at once), then the ``Answer``."""
        yield self.ask(question, history, filters)
