"""``Assistant``: load the index once, answer questions with citations."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from assistant.extractive import ExtractiveEngine
from assistant.knowledge import KnowledgeRouter
from assistant.query import QueryAnalyzer, QueryPlan, build_aliases, looks_foreign
from assistant.retrieval import HybridRetriever, RetrievedChunk
from assistant.types import Answer, DocumentSummary, Filters, Passage
from common.settings import Settings, get_settings
from ingest.index import IndexReader

if TYPE_CHECKING:
    from assistant.generative import GenerativeEngine

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 2000


class Assistant:
    """The Python API: ``Assistant().ask("Vad står BVC för?")`` returns an ``Answer``."""

    def __init__(self, settings: Settings | None = None, index: IndexReader | None = None) -> None:
        self.settings = settings or get_settings()
        self._lock = threading.Lock()
        self._index: IndexReader | None = None
        self._parts: tuple[QueryAnalyzer, HybridRetriever, ExtractiveEngine] | None = None
        self._generative: GenerativeEngine | None = None  # set when a language model answers (see ask)
        if index is not None:
            self._install(index)

    # --- loading ----------------------------------------------------------------------

    def _install(self, index: IndexReader) -> None:
        abbreviations = {}
        for knowledge in index.knowledge.values():
            for entry in knowledge.get("glossary", []):
                if entry["kind"] == "abbreviation":
                    abbreviations.setdefault(entry["term"], entry["definition"])
        metadata = {d: {"title": e.title, "publisher": e.publisher} for d, e in index.entries.items()}
        aliases = build_aliases(metadata, {d: e.aliases for d, e in index.entries.items()})
        analyzer = QueryAnalyzer(index.lexical.analyzer, abbreviations, aliases)
        retriever = HybridRetriever(index, k=self.settings.retrieve_top_k)
        glossary_terms = tuple(g["term"] for k in index.knowledge.values() for g in k.get("glossary", []))
        engine = ExtractiveEngine(index, max_sentences=self.settings.answer_max_sentences, known_terms=glossary_terms)
        self._router = KnowledgeRouter(index, engine, retriever)
        self._index, self._parts = index, (analyzer, retriever, engine)

    @property
    def index(self) -> IndexReader:
        """The loaded index; reloaded when an ingest has committed a newer one."""
        with self._lock:
            if self._index is None or self._index.is_stale():
                self._install(IndexReader.open(self.settings, self._index.embedder if self._index else None))
            assert self._index is not None
            return self._index

    # --- answering --------------------------------------------------------------------

    def plan(self, question: str, history: Sequence[str] = ()) -> QueryPlan:
        analyzer = self._components()[0]
        previous: QueryPlan | None = None
        for earlier in history[-3:]:
            previous = analyzer.plan(earlier, previous)
        return analyzer.plan(question, previous)

    def _components(self) -> tuple[QueryAnalyzer, HybridRetriever, ExtractiveEngine]:
        _ = self.index
        assert self._parts is not None
        return self._parts

    # --- generative answers (optional) -------------------------------------------------

    def ask(self, question: str, history: Sequence[str] = (), filters: Filters | None = None) -> Answer:
        """Answer with citations: extractively, or through the language model when one is configured
        (``settings.llm_backend``; see ``assistant/generative.py``), which falls back to the extractive answer."""
        generative = self.generative_engine()
        if generative is not None:
            return generative.ask(question, history, filters)
        return self.ask_extractive(question, history, filters)

    def generative_engine(self) -> GenerativeEngine | None:
        """The generative engine when a language model is configured or switched on, else None."""
        if self._generative is None and self.settings.llm_backend != "none":
            from assistant.generative import GenerativeEngine

            with self._lock:
                if self._generative is None:
                    self._generative = GenerativeEngine(self)
        return self._generative

    # --- extractive answers -----------------------------------------------------------

    def ask_extractive(self, question: str, history: Sequence[str] = (), filters: Filters | None = None) -> Answer:
        timings: dict[str, float] = {}
        started = time.perf_counter()
        question = " ".join((question or "").split())
        notices: list[str] = []
        if not question:
            return Answer(question="", answer="Skriv en fråga om föräldraskapsstöd, så söker jag i dokumenten.",
                          refused=True)
        if looks_foreign(question):
            notices.append("Dokumenten är på svenska, så svaret citerar dem på svenska. Ställ gärna frågan på svenska.")
        if len(question) > MAX_QUESTION_CHARS:
            question = question[:MAX_QUESTION_CHARS]
            notices.append(f"Frågan var längre än {MAX_QUESTION_CHARS} tecken; bara början användes.")

        index = self.index
        _, retriever, engine = self._components()
        plan = self.plan(question, history)
        timings["analyze"] = _ms(started)

        t = time.perf_counter()
        query_vector = index.embed_query(plan.dense_text)
        timings["embed"] = _ms(t)

        t = time.perf_counter()
        allowed = self._resolve_filters(filters)
        if allowed is not None and not allowed:
            return Answer(question, "Inga dokument matchar de valda filtren.", True, notices=notices,
                          effective_question=plan.effective, timings_ms=timings)
        retrieval = retriever.retrieve(plan, query_vector, allowed)
        timings["retrieve"] = _ms(t)
        if retrieval.dense_failed:
            notices.append("Vektorsökningen svarade inte; svaret bygger bara på ordsökning.")

        t = time.perf_counter()
        ranking = engine.rank(plan, retrieval, query_vector)
        draft = engine.draft(plan, ranking)
        structured = None if (draft.refused and draft.reason) else self._router.route(plan, query_vector, allowed)
        if structured is not None:
            text, citations, refused, kind = structured.text, structured.citations, structured.refused, structured.kind
            ranked = self._cited_first(structured.spans, ranking.chunks)
        else:
            text, citations = engine.render(draft)
            refused, kind, ranked = draft.refused, "search", ranking.chunks
        timings["answer"] = _ms(t)
        timings["total"] = _ms(started)
        return Answer(
            question=question, answer=text, refused=refused, citations=citations,
            passages=self._passages(ranked[: self.settings.retrieve_top_k]), timings_ms=timings,
            notices=notices, effective_question=plan.effective, kind=kind,
        )

    def _cited_first(self, spans: list[tuple[str, int, int]], ranked: list[RetrievedChunk]) -> list[RetrievedChunk]:
        """Passages holding the cited spans first (in citation order), then the search results."""
        index = self.index
        first: list[RetrievedChunk] = []
        seen: set[str] = set()
        for doc_id, start, _ in spans:
            chunk = index.chunk_at(doc_id, start)
            if chunk is not None and chunk.chunk_id not in seen:
                seen.add(chunk.chunk_id)
                first.append(RetrievedChunk(chunk, 1.0, len(first)))
        rest = [c for c in ranked if c.chunk.chunk_id not in seen]
        return first + rest

    def knowledge_tables(self) -> dict[str, list[dict]]:
        """Glossary, programmes and commitments as tables; each row has a ``source`` citation."""
        _ = self._components()
        return self._router.tables()

    def _passages(self, ranked: list[RetrievedChunk]) -> list[Passage]:
        index = self.index
        passages = []
        for item in ranked:
            chunk = item.chunk
            entry = index.entries[chunk.doc_id]
            passages.append(Passage(
                doc_id=chunk.doc_id, source_file=entry.source_file, title=entry.title, page=chunk.page_start,
                section=chunk.section_path, text=chunk.text, score=round(item.score, 5), chunk_id=chunk.chunk_id,
                start=chunk.start, end=chunk.end,
            ))
        return passages

    def _resolve_filters(self, filters: Filters | None) -> list[str] | None:
        if filters is None or filters.is_empty():
            return None
        entries = self.index.entries.values()
        return [
            e.doc_id for e in entries
            if (not filters.doc_ids or e.doc_id in filters.doc_ids)
            and (not filters.publishers or any(p.lower() in e.publisher.lower() for p in filters.publishers))
            and (not filters.doc_types or e.doc_type in filters.doc_types)
        ]

    # --- browsing ---------------------------------------------------------------------

    def documents(self) -> list[DocumentSummary]:
        index = self.index
        return [
            DocumentSummary(
                doc_id=e.doc_id, title=e.title, publisher=e.publisher, year=e.year, doc_type=e.doc_type,
                validity=f"{e.valid_from}–{e.valid_to}" if e.valid_from and e.valid_to else "",
                source_file=e.source_file, chunks=e.chunks, indexed_at=e.indexed_at, note=e.note,
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


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 1)
