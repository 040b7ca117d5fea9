"""Retrieval: Swedish BM25 and dense vectors, fused by reciprocal rank.

Both sides are llama-index retrievers over the ``IndexReader``; llama-index's
``QueryFusionRetriever`` fuses them. A question that names several documents gets a
fused search per document and the results interleaved, so every named document
contributes evidence.
"""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass

from llama_index.core.llms import MockLLM
from llama_index.core.retrievers import BaseRetriever, QueryFusionRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

from assistant.planning import QueryPlan
from assistant.types import Filters
from index.model import Chunk
from index.reader import IndexReader
from index.vectorstore import StoreError

log = logging.getLogger(__name__)


def chunk_node(chunk: Chunk) -> TextNode:
    return TextNode(id_=chunk.chunk_id, text=chunk.text, metadata={"doc_id": chunk.doc_id})


class LexicalRetriever(BaseRetriever):
    """BM25 over the plan's Swedish tokens (stems and compound parts)."""

    def __init__(self, index: IndexReader, plan: QueryPlan, k: int, doc_ids: list[str] | None) -> None:
        super().__init__()
        self._index, self._plan, self._k, self._doc_ids = index, plan, k, doc_ids

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        hits = self._index.lexical_search(self._plan.lexical_tokens, self._k, self._doc_ids)
        return [NodeWithScore(node=chunk_node(c), score=s) for c, s in hits]


class DenseRetriever(BaseRetriever):
    """Nearest chunks to the question's embedding (computed once per question)."""

    def __init__(self, index: IndexReader, query_vector, k: int, doc_ids: list[str] | None,
                 failures: list[str]) -> None:
        super().__init__()
        self._index, self._vector, self._k, self._doc_ids = index, query_vector, k, doc_ids
        self._failures = failures

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        try:
            hits = self._index.dense_search(self._vector, self._k, self._doc_ids)
        except StoreError as exc:
            log.warning("dense search unavailable: %s", exc)
            self._failures.append(str(exc))
            return []
        return [NodeWithScore(node=chunk_node(c), score=s) for c, s in hits]


@dataclass
class RetrievedChunk:
    chunk: Chunk
    score: float  # fused (reciprocal rank) score
    rank: int


@dataclass
class RetrievalResult:
    chunks: list[RetrievedChunk]
    dense_failed: bool


class HybridRetriever:
    def __init__(self, index: IndexReader, k: int = 10, candidates: int = 30,
                 weights: tuple[float, float] = (0.4, 0.6), named_boost: float = 0.2) -> None:
        self.index = index
        self.k = k
        self.candidates = candidates
        self.weights = weights  # lexical, dense (min-max normalised scores, summed)
        self.named_boost = named_boost
        self._fusion_template: QueryFusionRetriever | None = None

    def _fusion(self, retrievers: list[BaseRetriever]) -> QueryFusionRetriever:
        """llama-index's fusion over this question's retrievers. Made once and copied per question: its
        constructor resolves the LLM, which tries to import langchain every time (~1.5 % of the server's CPU
        under load)."""
        if self._fusion_template is None:
            self._fusion_template = QueryFusionRetriever(
                retrievers, mode="relative_score", retriever_weights=list(self.weights),
                similarity_top_k=self.candidates, num_queries=1,
                use_async=False, llm=MockLLM(),  # one query, no generated variants: the LLM is never called
            )
        fusion = copy.copy(self._fusion_template)
        fusion._retrievers = retrievers
        return fusion

    def retrieve(self, plan: QueryPlan, query_vector, doc_ids: list[str] | None = None) -> RetrievalResult:
        """Fused candidates. A comparison of named documents gets one search per document,
        interleaved; otherwise chunks of a document the question names get a boost, and a document named by
        alias or kind a search of its own, interleaved with the search of all."""
        failures: list[str] = []
        named = [d for d in plan.doc_ids if not doc_ids or d in doc_ids]
        compare = plan.compare and len(named) >= 2
        groups: list[list[str] | None] = [[d] for d in named] if compare else [doc_ids]
        if named and not compare and plan.explicit:
            # A document named by alias or kind ("enligt länsstrategin") is also searched on its own, so its
            # best passages are candidates even when other documents fill the overall list.
            groups.append(named)
        per_group: list[list[NodeWithScore]] = []
        for group in groups:
            retrievers = [
                LexicalRetriever(self.index, plan, self.candidates, group),
                DenseRetriever(self.index, query_vector, self.candidates, group, failures),
            ]
            nodes = self._fusion(retrievers).retrieve(QueryBundle(plan.effective))
            if named and not compare:
                for node in nodes:
                    if node.node.metadata.get("doc_id") in named:
                        node.score = (node.score or 0.0) + self.named_boost
                nodes.sort(key=lambda n: -(n.score or 0.0))
            per_group.append(nodes)
        if plan.record_aspects:
            per_group.append(self._information_blocks(plan, named, per_group[0], doc_ids))
        fused = _interleave(per_group, self.candidates * len(per_group))
        chunks = [RetrievedChunk(self.index.chunks[n.node.node_id], float(n.score or 0.0), i)
                  for i, n in enumerate(fused) if n.node.node_id in self.index.chunks]
        return RetrievalResult(chunks, bool(failures))

    def _information_blocks(self, plan: QueryPlan, named: list[str], found: list[NodeWithScore],
                            doc_ids: list[str] | None, documents: int = 3) -> list[NodeWithScore]:
        """The information blocks of the documents a question about a document's record speaks of ("Hur länge
        gäller planen?"): the named ones, else those of the best passages found. Such a block is a few field
        lines that share hardly a word with the question ("Giltighetstid: 31 december 2026"), so neither search
        finds it; each comes with the score of the best passage."""
        chosen = named or list(dict.fromkeys(n.node.metadata.get("doc_id") for n in found))[:documents]
        top = max((n.score or 0.0 for n in found), default=0.0)
        return [NodeWithScore(node=chunk_node(c), score=top) for d in chosen if not doc_ids or d in doc_ids
                for c in self.index.information_chunks(d)]


def _interleave(groups: list[list[NodeWithScore]], limit: int) -> list[NodeWithScore]:
    seen: set[str] = set()
    result: list[NodeWithScore] = []
    for i in range(max((len(g) for g in groups), default=0)):
        for group in groups:
            if i < len(group) and group[i].node.node_id not in seen:
                seen.add(group[i].node.node_id)
                result.append(group[i])
    return result[:limit]


def documents_matching(index: IndexReader, filters: Filters | None) -> list[str] | None:
    """The ids of the documents the filters allow; None when there are no filters."""
    if filters is None or filters.is_empty():
        return None
    return [
        e.doc_id for e in index.entries.values()
        if (not filters.doc_ids or e.doc_id in filters.doc_ids)
        and (not filters.publishers or any(p.lower() in e.publisher.lower() for p in filters.publishers))
        and (not filters.doc_types or e.doc_type in filters.doc_types)
    ]
