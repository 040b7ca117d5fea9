"""The parts an answer is made with, built once per loaded index and rebuilt when an ingest
commits a newer one."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from assistant.citations import SourceCiter
from assistant.knowledge import KnowledgeRouter
from assistant.planning import QueryPlanner, build_aliases
from assistant.ranking import SentenceRanker
from assistant.retrieval import HybridRetriever
from common.settings import Settings
from index.reader import IndexReader


@dataclass(frozen=True)
class Components:
    index: IndexReader
    planner: QueryPlanner  # plan: the question with the conversation, expansions, named documents
    retriever: HybridRetriever  # retrieve: BM25 and dense, fused
    ranker: SentenceRanker  # rank: every sentence of the candidates against the question
    knowledge: KnowledgeRouter  # structured answers: terms, programmes, commitments, comparisons
    citer: SourceCiter  # cite: spans as citations
    known_terms: tuple[str, ...]  # glossary terms: names the documents define

    @classmethod
    def build(cls, index: IndexReader, settings: Settings) -> Components:
        glossary = [g for k in index.knowledge.values() for g in k.glossary]
        abbreviations: dict[str, str] = {}
        for entry in glossary:
            if entry.kind == "abbreviation":
                abbreviations.setdefault(entry.term, entry.definition)
        metadata = {d: {"title": e.title, "publisher": e.publisher} for d, e in index.entries.items()}
        aliases = build_aliases(metadata, {d: e.aliases for d, e in index.entries.items()})
        planner = QueryPlanner(index.lexical.analyzer, abbreviations, aliases)
        retriever = HybridRetriever(index, k=settings.retrieve_top_k)
        ranker = SentenceRanker(index)
        citer = SourceCiter(index)
        knowledge = KnowledgeRouter(index, ranker, retriever, citer)
        return cls(index, planner, retriever, ranker, knowledge, citer, tuple(g.term for g in glossary))


class LiveIndex:
    """The current index and its components: loaded on first use, reloaded when stale."""

    def __init__(self, settings: Settings, index: IndexReader | None = None) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._components = Components.build(index, settings) if index is not None else None

    def current(self) -> Components:
        """The components of the newest committed index (raises ``IndexNotReadyError`` without one)."""
        with self._lock:
            old = self._components
            if old is None or old.index.is_stale():
                index = IndexReader.open(self.settings, old.index.embedder if old else None)
                self._components = Components.build(index, self.settings)
            return self._components
