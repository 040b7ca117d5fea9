"""The default answer engine: extractive and fully grounded.

It scores every sentence of the retrieved passages against the question (meaning,
from precomputed sentence vectors; and words, as the share of the question's topic
words the sentence covers, weighted by rarity), decides whether the evidence answers
the question at all, picks the best non-redundant sentences, orders them by document
and position, and writes them out verbatim with a marker [n] after each. Every [n]
is a verbatim quote at known offsets in the cleaned document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from assistant.answerability import EvidenceSentence, expected_fact_bonus, refusal_reason
from assistant.query import QueryPlan
from assistant.retrieval import RetrievalResult, RetrievedChunk
from assistant.types import Citation
from ingest.index import IndexReader
from ingest.model import Chunk

REFUSAL = "Det framgår inte av dokumenten."

@dataclass
class Sentence:
    chunk: Chunk
    start: int
    end: int
    text: str
    vector: np.ndarray
    dense: float = 0.0
    coverage: float = 0.0
    score: float = 0.0
    chunk_rank: int = 0


@dataclass
class Ranking:
    chunks: list[RetrievedChunk]  # re-ranked by their best sentence
    sentences: list[Sentence]  # best first


@dataclass
class Draft:
    """The engine's decision before it is rendered."""

    refused: bool
    sentences: list[Sentence] = field(default_factory=list)
    closest: list[Sentence] = field(default_factory=list)
    reason: str = ""
    best_score: float = 0.0
    coverage: float = 0.0


@dataclass
class Thresholds:
    """Tuned on the project's evaluation set (python -m assistant eval)."""

    min_best_score: float = 0.30
    min_coverage: float = 0.0
    dense_floor: float = 0.80  # e5 cosine similarities of unrelated Swedish text sit around here
    dense_ceiling: float = 0.92
    keep_ratio: float = 0.65  # further sentences must score this close to the best one
    redundancy: float = 0.93  # cosine above which two sentences say the same


class ExtractiveEngine:
    def __init__(self, index: IndexReader, max_sentences: int = 4, thresholds: Thresholds | None = None,
                 known_terms: tuple[str, ...] = ()) -> None:
        self.index = index
        self.diverse_passages = 2  # passages whose best sentence is always considered
        self.known_terms = known_terms  # glossary terms: names the documents define
        self.max_sentences = max_sentences
        self.t = thresholds or Thresholds()

    # --- scoring --------------------------------------------------------------------

    def _query_weights(self, plan: QueryPlan) -> dict[str, float]:
        lexical = self.index.lexical
        weights: dict[str, float] = {}
        naming = set(plan.naming_tokens)  # "Lindesbergs", "länsstrategin" choose documents, not sentences
        for token in plan.lexical_tokens:
            if token in lexical.doc_freq and token not in naming:  # words the documents never use cannot count
                weights[token] = max(weights.get(token, 0.0), lexical.idf(token))
        return weights

    def rank(self, plan: QueryPlan, retrieval: RetrievalResult, query_vector: np.ndarray) -> Ranking:
        """Score every sentence of the candidate chunks; re-rank chunks by their best sentence."""
        weights = self._query_weights(plan)
        total = sum(weights.values())
        analyzer = self.index.lexical.analyzer
        t = self.t
        lists_wanted = bool(_LIST_QUESTION_RE.search(plan.question))
        sentences: list[Sentence] = []
        best_by_chunk: dict[str, float] = {}
        top_fused = max((c.score for c in retrieval.chunks), default=0.0) or 1.0
        for item in retrieval.chunks:
            chunk = item.chunk
            doc = self.index.documents[chunk.doc_id]
            spans, vectors = self.index.sentence_vectors(chunk.doc_id, chunk.start, chunk.end)
            context_tokens = set(analyzer.tokens(chunk.context))
            for (start, end), vector in zip(spans, vectors):
                text = doc.text[start:end]
                tokens = set(analyzer.tokens(text))
                covered = sum(w for tok, w in weights.items() if _matches(tok, tokens))
                covered += 0.5 * sum(w for tok, w in weights.items()
                                     if not _matches(tok, tokens) and _matches(tok, context_tokens))
                s = Sentence(chunk, start, end, text, vector, chunk_rank=item.rank)
                s.dense = float(np.dot(vector, query_vector))
                s.coverage = covered / total if total else 0.0
                dense_norm = min(1.0, max(0.0, (s.dense - t.dense_floor) / (t.dense_ceiling - t.dense_floor)))
                short = 0.1 if len(text) < 25 else 0.0
                s.score = (0.3 * dense_norm + 0.7 * s.coverage + 0.4 * item.score / top_fused - short) / 1.4
                s.score += expected_fact_bonus(plan.effective, text)
                if lists_wanted and text.rstrip().endswith(":"):
                    s.score += 0.1  # a lead-in to a list answers a "which …" question with the list
                sentences.append(s)
                best_by_chunk[chunk.chunk_id] = max(best_by_chunk.get(chunk.chunk_id, -1.0), s.score)
        fused = {c.chunk.chunk_id: c.score / top_fused for c in retrieval.chunks}
        order = sorted(
            retrieval.chunks,
            key=lambda c: -(0.2 * best_by_chunk.get(c.chunk.chunk_id, 0.0) + 0.8 * fused[c.chunk.chunk_id]),
        )
        for rank, item in enumerate(order):
            item.rank = rank
        ranked_sentences = sorted(sentences, key=lambda s: -s.score)
        return Ranking(chunks=order, sentences=ranked_sentences)

    # --- deciding -------------------------------------------------------------------

    def draft(self, plan: QueryPlan, ranking: Ranking, top_chunks: int = 8) -> Draft:
        allowed = {c.chunk.chunk_id for c in ranking.chunks[:top_chunks * max(1, len(plan.doc_ids))]}
        ranked = [s for s in ranking.sentences if s.chunk.chunk_id in allowed]
        if plan.doc_ids and not plan.compare:
            # "Vad säger Lindesberg om …": answer from the named document (and documents about it).
            scope = set(plan.doc_ids) | {d for d, e in self.index.entries.items() if e.about in plan.doc_ids}
            scoped = [s for s in ranking.sentences if s.chunk.doc_id in scope]
            if scoped and ranked and scoped[0].score >= 0.6 * ranked[0].score:
                ranked = scoped
        if not ranked:
            return Draft(refused=True, reason="")
        best = ranked[0]
        closest = _dedupe(ranked, 3)
        evidence = [EvidenceSentence(x.text, x.chunk.doc_id, x.coverage) for x in ranked[:10]]
        latest = max((e.year for e in self.index.entries.values() if e.year), default=None)
        reason = refusal_reason(plan, evidence, self.index.lexical.analyzer, self.known_terms, latest)
        weak = best.score < self.t.min_best_score or max(x.coverage for x in ranked[:5]) < self.t.min_coverage
        if plan.foreign:  # words of another language cannot match Swedish text; judge by meaning alone
            weak = max(x.dense for x in ranked[:5]) < self.t.dense_floor
        if reason or weak:
            return Draft(True, closest=closest, reason=reason or "", best_score=best.score, coverage=best.coverage)
        chosen = self._select(plan, ranked)
        return Draft(False, sentences=chosen, closest=closest, best_score=best.score, coverage=best.coverage)

    def _select(self, plan: QueryPlan, ranked: list[Sentence]) -> list[Sentence]:
        best = ranked[0].score
        chosen: list[Sentence] = []
        if plan.compare and len(plan.doc_ids) >= 2:
            for doc_id in plan.doc_ids:  # the best sentence of each named document first
                top = next((s for s in ranked if s.chunk.doc_id == doc_id), None)
                if top is not None and top.score >= 0.6 * best:
                    chosen.append(top)
        limit = self.max_sentences + (len(chosen) if plan.compare else 0)
        # The best sentence of each of the top passages, so one passage cannot crowd out the others.
        top_chunks: list[str] = []
        for s in ranked:
            if s.chunk.chunk_id not in top_chunks:
                top_chunks.append(s.chunk.chunk_id)
        for s in ranked:
            if len(chosen) >= min(limit, self.diverse_passages):
                break
            if s.chunk.chunk_id in top_chunks[: self.diverse_passages] and s.score >= self.t.keep_ratio * best \
                    and all(c.chunk.chunk_id != s.chunk.chunk_id for c in chosen) \
                    and not any(_redundant(s, c, self.t.redundancy) for c in chosen):
                chosen.append(s)
        for s in ranked:
            if len(chosen) >= limit:
                break
            if s in chosen or s.score < self.t.keep_ratio * best:
                continue
            if any(_redundant(s, c, self.t.redundancy) for c in chosen):
                continue
            chosen.append(s)
        order = {doc_id: i for i, doc_id in enumerate(dict.fromkeys(s.chunk.doc_id for s in chosen))}
        return sorted(chosen, key=lambda s: (order[s.chunk.doc_id], s.start))

    # --- writing --------------------------------------------------------------------

    def citation(self, n: int, sentence: Sentence) -> Citation:
        return self.span_citation(n, sentence.chunk.doc_id, sentence.start, sentence.end)

    def span_citation(self, n: int, doc_id: str, start: int, end: int) -> Citation:
        """Citation [n] of ``document.text[start:end]`` with its page and section."""
        doc = self.index.documents[doc_id]
        entry = self.index.entries[doc_id]
        chunk = self.index.chunk_at(doc_id, start)
        return Citation(
            n=n, doc_id=doc_id, source_file=entry.source_file, title=entry.title,
            publisher=entry.publisher, year=entry.year, page=doc.page_at(start),
            section=" › ".join(doc.section_at(start)), quote=doc.text[start:end],
            start=start, end=end, chunk_id=chunk.chunk_id if chunk else "",
        )

    def render(self, draft: Draft) -> tuple[str, list[Citation]]:
        citations: list[Citation] = []
        if draft.refused:
            lines = [REFUSAL + (f" {draft.reason}" if draft.reason else "")]
            if draft.closest:
                lines.append("")
                lines.append("Det närmaste jag hittade i dokumenten:")
                for s in draft.closest:
                    citations.append(self.citation(len(citations) + 1, s))
                    shown = display_text(s).strip("”\"“ ")
                    lines.append(f"- *{self.short_label(s.chunk.doc_id)}:* ”{shown}” [{len(citations)}]")
            return "\n".join(lines), citations
        by_doc: dict[str, list[str]] = {}
        cited: set[tuple[str, int]] = set()
        for s in draft.sentences:
            if (s.chunk.doc_id, s.start) in cited:
                continue
            cited.add((s.chunk.doc_id, s.start))
            citations.append(self.citation(len(citations) + 1, s))
            part = f"{display_text(s)} [{len(citations)}]"
            for item in self.list_items_after(s):
                if (item.chunk.doc_id, item.start) in cited:
                    continue
                cited.add((item.chunk.doc_id, item.start))
                citations.append(self.citation(len(citations) + 1, item))
                part += f"\n- {display_text(item)} [{len(citations)}]"
            by_doc.setdefault(s.chunk.doc_id, []).append(part)
        if len(by_doc) == 1:
            return _join_parts(next(iter(by_doc.values()))), citations
        lines = []
        for doc_id, parts in by_doc.items():
            lines.append(f"**{self.short_label(doc_id)}:** " + _join_parts(parts))
        return "\n\n".join(lines), citations

    def list_items_after(self, sentence: Sentence, limit: int = 16) -> list[Sentence]:
        """The items of a list that ``sentence`` introduces ("… följande:", "Det ska", a lead-in)."""
        doc = self.index.documents[sentence.chunk.doc_id]
        blocks = doc.blocks
        position = next((i for i, b in enumerate(blocks) if b.start <= sentence.start < b.end), None)
        if position is None or doc.text[sentence.end:blocks[position].end].strip():
            return []  # only the last sentence of a block can introduce a list
        items: list[Sentence] = []
        for block in blocks[position + 1:]:
            text = doc.text[block.start:block.end]
            is_item = block.kind == "list_item" or (block.kind == "paragraph" and (
                text[:1].islower() or re.match(r"\d{1,2}\.\s", text)))
            if not is_item or len(items) >= limit:
                break
            chunk = self.index.chunk_at(doc.info.doc_id, block.start) or sentence.chunk
            items.append(Sentence(chunk, block.start, block.end, text, sentence.vector))
        lead_in = sentence.text.rstrip().endswith((":", "ska", "genom att")) or blocks[position].kind == "heading"
        return items if items and (lead_in or blocks[position + 1].kind == "list_item") else []

    def short_label(self, doc_id: str) -> str:
        entry = self.index.entries[doc_id]
        kind = entry.doc_type or "dokument"
        year = f" {entry.year}" if entry.year else ""
        return f"{entry.publisher or entry.title} ({kind}{year})"


_DOC_REFERENCE_RE = re.compile(r"\s*\[\d+(?:\s*[,–-]\s*\d+)*\]")


def display_text(sentence: Sentence, capitalize: bool = True) -> str:
    """The sentence as shown in an answer: the document's own reference numbers ("[5]") are
    dropped so they cannot be mistaken for citation markers; table rows get column names."""
    text = _DOC_REFERENCE_RE.sub("", sentence.text)
    if sentence.chunk.kind == "table_row":
        cells = [c.strip() for c in text.split(" | ")]
        labels = ["typ", "målgrupp", "form", "effekt"]
        if len(cells) == 5:
            return f"{cells[0]} – " + "; ".join(f"{lab}: {cell}" for lab, cell in zip(labels, cells[1:]))
    return text[0].upper() + text[1:] if capitalize and text[:1].islower() else text


_LIST_QUESTION_RE = re.compile(r"^\s*(vilka|vad ingår|vad består|vilket|vad innehåller|vad har)\b", re.I)


def _matches(token: str, tokens: set[str]) -> bool:
    """A query stem matches a sentence stem exactly or as a derivation ("revider" ~ "revidering")."""
    if token in tokens:
        return True
    return len(token) >= 5 and any(t.startswith(token) and len(t) - len(token) <= 5 for t in tokens)


def _join_parts(parts: list[str]) -> str:
    """Sentences run on as prose; a part that carries a list starts on its own line."""
    text = ""
    for part in parts:
        separator = "\n\n" if text and ("\n- " in part or "\n- " in text.rsplit("\n\n", 1)[-1]) else " "
        text = f"{text}{separator}{part}" if text else part
    return text


def _redundant(a: Sentence, b: Sentence, threshold: float) -> bool:
    if a.chunk.doc_id == b.chunk.doc_id and not (a.end <= b.start or b.end <= a.start):
        return True
    return float(np.dot(a.vector, b.vector)) > threshold


def _dedupe(ranked: list[Sentence], n: int) -> list[Sentence]:
    result: list[Sentence] = []
    for s in ranked:
        if all(s.chunk.chunk_id != r.chunk.chunk_id for r in result):
            result.append(s)
        if len(result) == n:
            break
    return result
