"""The parts an answer is made with, built once per loaded index and rebuilt when an ingest
commits a newer one.

One answer uses one generation: ``LiveIndex.snapshot()`` pins the components current when a
question arrives, and every ``current()`` inside it (in that thread or context) returns them, even
when an ingest commits a newer generation meanwhile. The next question gets the newer one.
"""

from __future__ import annotations

import contextvars
import logging
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import TypeVar

from assistant.citations import SourceCiter
from assistant.knowledge import KnowledgeRouter
from assistant.planning import QueryPlanner, build_mentions, lower_case_words, proper_words
from assistant.ranking import SentenceRanker
from assistant.retrieval import HybridRetriever
from assistant.types import Answer
from common.settings import Settings
from index.check import VectorStatus
from index.reader import IndexNotReadyError, IndexReader
from swedish.names import initialisms

log = logging.getLogger(__name__)

# Shown with every answer while the vector store lacks vectors of the loaded index.
VECTORS_MISSING = ("Vektorsökningen är inte tillgänglig just nu; svaret bygger bara på ordsökning. "
                   "Kör python -m ingest för att reparera.")
VECTORS_INCOMPLETE = ("Vektorsökningen saknar {missing} av {total} textavsnitt just nu, så svaret kan bygga mest "
                      "på ordsökning. Kör python -m ingest för att reparera.")


def vector_notice(status: VectorStatus) -> str:
    """The Swedish notice for answers while vectors are missing ("" when all are there or the store cannot be
    reached: a failed search has its own notice)."""
    if status.error or status.ok:
        return ""
    if status.found == 0:
        return VECTORS_MISSING
    return VECTORS_INCOMPLETE.format(missing=status.missing, total=status.expected)


def with_vector_notice(answer: Answer, components: Components) -> Answer:
    """``answer`` with the notice of missing vectors when the store of its generation lacks some."""
    notice = vector_notice(components.index.vector_status())
    if not notice or notice in answer.notices:
        return answer
    return replace(answer, notices=[*answer.notices, notice])


Item = TypeVar("Item")


@dataclass(frozen=True)
class Components:
    index: IndexReader
    planner: QueryPlanner  # plan: the question with the conversation, expansions, named documents
    retriever: HybridRetriever  # retrieve: BM25 and dense, fused
    ranker: SentenceRanker  # rank: every sentence of the candidates against the question
    knowledge: KnowledgeRouter  # structured answers: terms, programmes, commitments, comparisons
    citer: SourceCiter  # cite: spans as citations
    # lower case: glossary terms (names the documents define), short words (fn, eu), the initialisms of the
    # documents' publishers and titles ("msb" of "Myndigheten för samhällsskydd och beredskap")
    known_terms: frozenset[str]
    common_words: frozenset[str]  # words the documents write in lower case somewhere: no names

    @classmethod
    def build(cls, index: IndexReader, settings: Settings) -> Components:
        glossary = [g for k in index.knowledge.values() for g in k.glossary]
        abbreviations: dict[str, str] = {}
        for entry in glossary:
            if entry.kind == "abbreviation":
                abbreviations.setdefault(entry.term, entry.definition)
        metadata = {d: {"title": e.title, "publisher": e.publisher, "doc_type": e.doc_type, "year": e.year,
                        "about": e.about}
                    for d, e in index.entries.items()}
        common = lower_case_words(doc.text for doc in index.documents.values())
        written = proper_words(doc.text for doc in index.documents.values())
        aliases = build_mentions(metadata, {d: e.aliases for d, e in index.entries.items()}, common, written)
        synonyms: dict[str, list[str]] = {}
        for entry in index.entries.values():  # the catalog's everyday words for the documents' own words
            for document_word, everyday_words in entry.synonyms.items():
                for everyday in everyday_words:
                    synonyms.setdefault(everyday, []).append(document_word)
        planner = QueryPlanner(index.lexical.analyzer, abbreviations, aliases, synonyms)
        retriever = HybridRetriever(index, k=settings.retrieve_top_k)
        ranker = SentenceRanker(index)
        citer = SourceCiter(index)
        knowledge = KnowledgeRouter(index, ranker, retriever, citer)
        short_words = {w for doc in index.documents.values() for w in re.findall(r"\b\w{1,2}\b", doc.text.lower())}
        # identifiers written with an underscore ("IE_LD"), which the word lists split and never hold whole
        identifiers = {w for doc in index.documents.values() for w in re.findall(r"\b\w+_\w+\b", doc.text.lower())}
        named = {i for e in index.entries.values() for name in (e.publisher, e.title) for i in initialisms(name)}
        known = frozenset(g.term.lower() for g in glossary) | short_words | identifiers | named
        return cls(index, planner, retriever, ranker, knowledge, citer, known, common)


class LiveIndex:
    """The current index and its components: loaded on first use, reloaded when an ingest of any process
    has committed a newer generation."""

    def __init__(self, settings: Settings, index: IndexReader | None = None) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._components = Components.build(index, settings) if index is not None else None
        self._pinned: contextvars.ContextVar[Components | None] = contextvars.ContextVar("pinned", default=None)

    def current(self) -> Components:
        """The pinned components inside ``snapshot``/``pinned``; otherwise those of the newest committed index
        (raises ``IndexNotReadyError`` without one)."""
        pinned = self._pinned.get()
        return pinned if pinned is not None else self.latest()

    def latest(self) -> Components:
        """The components of the newest committed index, loading it when the loaded one is stale."""
        with self._lock:
            old = self._components
            if old is None or old.index.is_stale():
                self._components = self._load(old)
            return self._components

    def _load(self, old: Components | None) -> Components:
        embedder = old.index.embedder if old else None
        for attempt in range(3):
            signature = self._signature()
            try:
                index = IndexReader.open(self.settings, embedder)
                break
            except IndexNotReadyError as exc:
                # An ingest that commits while we read deletes the files of the generation being read.
                if attempt < 2 and self._signature() != signature:
                    continue
                if old is None:
                    raise
                log.warning("keeping generation %s: the newer index cannot be loaded (%s)", old.index.generation, exc)
                return old
        components = Components.build(index, self.settings)
        status = index.vector_status()
        if not status.ok:
            log.warning("generation %s: %s; run python -m ingest", index.generation, status.describe())
        return components

    def _signature(self) -> tuple[int, int, int] | None:
        from index.layout import DataLayout

        return DataLayout(self.settings.data_dir).manifest_signature()

    @contextmanager
    def snapshot(self) -> Iterator[Components]:
        """Pin the newest components for everything done inside (one question: one generation)."""
        with self.pinned(self.current()) as components:
            yield components

    @contextmanager
    def pinned(self, components: Components) -> Iterator[Components]:
        """Make ``current()`` return ``components`` inside (in this thread or context)."""
        token = self._pinned.set(components)
        try:
            yield components
        finally:
            self._pinned.reset(token)

    def iterate_pinned(self, make: Callable[[], Iterator[Item]]) -> Iterator[Item]:
        """The items of the iterator ``make`` returns, every step run with one snapshot pinned (a stream may be
        stepped from different threads); an ``Answer`` gets the notice of missing vectors."""
        components = self.current()
        with self.pinned(components):
            inner = make()
        while True:
            with self.pinned(components):
                try:
                    item = next(inner)
                except StopIteration:
                    return
            yield with_vector_notice(item, components) if isinstance(item, Answer) else item  # type: ignore[misc]
