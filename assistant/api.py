"""``Assistant``: the public API that the UI and the CLIs use.

It holds the live index (reloaded when an ingest commits a newer one) and the answerer the
settings ask for (``assistant/answerers``), and offers what the UI shows besides answers: the
documents, a quote in its context, and the extracted knowledge.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from assistant.answerers import Answerer, make_answerer
from assistant.components import LiveIndex, with_vector_notice
from assistant.limits import bound_request, with_cut_notice
from assistant.planning import QueryPlan
from assistant.types import Answer, DocumentSummary, Filters, KnowledgeTables
from common.settings import Settings, get_settings
from index.reader import IndexReader


class Assistant:
    """``Assistant().ask("Vad står BVC för?")`` returns an ``Answer`` with citations."""

    def __init__(self, settings: Settings | None = None, index: IndexReader | None = None,
                 answerer: Answerer | None = None) -> None:
        self.settings = settings or get_settings()
        self.live = LiveIndex(self.settings, index)
        self.answerer = answerer or make_answerer(self.settings, self.live)

    @property
    def index(self) -> IndexReader:
        """The loaded index (loaded on first use; raises ``IndexNotReadyError`` when there is none)."""
        return self.live.current().index

    def warm_up(self) -> None:
        """Load the index and the models before the first question."""
        self.answerer.warm_up()

    # --- answering --------------------------------------------------------------------

    def ask(self, question: str, history: Sequence[str] = (), filters: Filters | None = None) -> Answer:
        """Answer with citations; ``history`` holds the earlier questions of the conversation."""
        question, history, cut = bound_request(question, history, self.settings)
        with self.live.snapshot() as components:  # one question, one generation
            answer = with_vector_notice(self.answerer.ask(question, history, filters), components)
        return with_cut_notice(answer, self.settings.question_max_chars) if cut else answer

    def stream(self, question: str, history: Sequence[str] = (),
               filters: Filters | None = None) -> Iterator[str | Answer]:
        """Text as a language model writes it (nothing without one), then the checked ``Answer``."""
        question, history, cut = bound_request(question, history, self.settings)
        for item in self.live.iterate_pinned(lambda: self.answerer.stream(question, history, filters)):
            yield with_cut_notice(item, self.settings.question_max_chars) if cut and isinstance(item, Answer) else item

    def plan(self, question: str, history: Sequence[str] = ()) -> QueryPlan:
        """How the question is understood: topic words, expansions, named documents, follow-up."""
        question, history, _ = bound_request(question, history, self.settings)
        return self.live.current().planner.plan_conversation(question, history)

    # --- browsing ---------------------------------------------------------------------

    def knowledge(self) -> KnowledgeTables:
        """Glossary, programmes and commitments, each record with the citation of its source."""
        return self.live.current().knowledge.tables()

    def documents(self) -> list[DocumentSummary]:
        index = self.index
        return [
            DocumentSummary(
                doc_id=e.doc_id, title=e.title, publisher=e.publisher, year=e.year, doc_type=e.doc_type,
                validity=e.validity, source_file=e.source_file, chunks=e.chunks, indexed_at=e.indexed_at,
                note=e.note,
            )
            for e in sorted(index.entries.values(), key=lambda e: e.title)
        ]

    def document_text(self, doc_id: str) -> str:
        return self.index.documents[doc_id].text

    def surrounding(self, doc_id: str, start: int, end: int, margin: int = 400) -> tuple[str, str, str]:
        """The quote with the text around it, cut at block boundaries where possible."""
        text = self.index.documents[doc_id].text
        before_start = text.rfind("\n\n", 0, max(0, start - margin))
        before_start = 0 if before_start < 0 else before_start + 2
        after_end = text.find("\n\n", min(len(text), end + margin))
        after_end = len(text) if after_end < 0 else after_end
        return text[before_start:start], text[start:end], text[end:after_end]
