"""The default answerer: extractive and fully grounded.

plan the question → retrieve passages → rank their sentences → decide whether the evidence
answers at all (``answerability``) → answer from the structured knowledge when it covers the
question (``knowledge``), else pick the best non-redundant sentences, order them by document and
position, and write them out verbatim with a marker [n] after each. Every [n] is a verbatim quote
at known offsets in the cleaned document.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant import messages
from assistant.answerability import (
    NOT_AFTERWARDS,
    NOT_NAMED,
    QUANTITY_MISSING,
    WRITTEN_BEFORE,
    WRITTEN_BEFORE_ABOUT,
    EvidenceSentence,
    Vocabulary,
    missing_asked_for,
    person_span,
    refusal_reason,
)
from assistant.answerers.base import Answerer
from assistant.citations import CitationList, display_text
from assistant.components import Components, LiveIndex
from assistant.planning import QUESTION_WORDS, QueryPlan
from assistant.ranking import Ranking, Sentence, Thresholds, field_leans_on, list_lead_in, redundant
from assistant.retrieval import RetrievedChunk, documents_matching
from assistant.types import Answer, Citation, Filters, Passage
from common.settings import Settings
from index.model import Block
from swedish.questions import (
    QuestionType,
    answer_span,
    asked_situation,
    asks_for_a_change,
    asks_for_a_list,
    asks_two_things,
    asks_what_has,
    change_span,
    compared_terms,
    leans_on_previous,
    question_type,
)
from swedish.tokens import STOPWORDS, matched_stems, stem_matches

# How many lines back a chain of sentences that lean on the one before is followed.
_LEANING_STEPS = 2


@dataclass
class Draft:
    """The decision before it is written out."""

    refused: bool
    sentences: list[Sentence] = field(default_factory=list)
    closest: list[Sentence] = field(default_factory=list)
    reason: str = ""
    best_score: float = 0.0
    coverage: float = 0.0
    question: str = ""  # the question as planned (its type decides whether the answer opens with a short span)
    not_mentioned: bool = False  # refused because what is asked about is in no document in scope


class ExtractiveAnswerer(Answerer):
    name = "extractive"

    def __init__(self, live: LiveIndex, settings: Settings, thresholds: Thresholds | None = None) -> None:
        self.live = live
        self.settings = settings
        self.max_sentences = settings.answer_max_sentences
        self.diverse_passages = 2  # passages whose best sentence is always considered
        self.t = thresholds or Thresholds()

    def components(self) -> Components:
        """The parts answers are made with, for the index as it is now."""
        return self.live.current()

    def warm_up(self) -> None:
        self.components()

    # --- answering --------------------------------------------------------------------

    def ask(self, question: str, history: Sequence[str] = (), filters: Filters | None = None) -> Answer:
        timings: dict[str, float] = {}
        started = time.perf_counter()
        question = " ".join((question or "").split())
        notices: list[str] = []
        if not question:
            return Answer(question="", answer=messages.EMPTY_QUESTION, refused=True)
        c = self.components()
        plan = c.planner.plan_conversation(question, history)  # bounded by Assistant (assistant/limits.py)
        if plan.foreign:
            notices.append(messages.FOREIGN_QUESTION)
        timings["analyze"] = _ms(started)

        t = time.perf_counter()
        query_vector = c.index.embed_query(plan.dense_text)
        timings["embed"] = _ms(t)

        t = time.perf_counter()
        allowed = documents_matching(c.index, filters)
        if allowed is not None and not allowed:
            return Answer(question, messages.NO_DOCUMENTS_MATCH_FILTERS, True, notices=notices,
                          effective_question=plan.effective, timings_ms=timings)
        retrieval = c.retriever.retrieve(plan, query_vector, allowed)
        timings["retrieve"] = _ms(t)
        if retrieval.dense_failed:
            notices.append(messages.DENSE_SEARCH_DOWN)

        t = time.perf_counter()
        ranking = c.ranker.rank(plan, retrieval, query_vector)
        draft = self.draft(c, plan, ranking)
        structured = None if (draft.refused and draft.reason and not draft.not_mentioned) \
            else c.knowledge.route(plan, query_vector, allowed)
        if structured is not None and draft.not_mentioned and not structured.refused:
            structured = None  # the documents do not mention what is asked about: no list of what they do
        if structured is not None:
            text, citations, refused, kind = structured.text, structured.citations, structured.refused, structured.kind
            ranked = self._cited_first(c, structured.spans, ranking.chunks)
        else:
            text, citations = self.render(c, draft)
            refused, kind, ranked = draft.refused, "search", ranking.chunks
        timings["answer"] = _ms(t)
        timings["total"] = _ms(started)
        return Answer(
            question=question, answer=text, refused=refused, citations=citations,
            passages=_passages(c, ranked[: self.settings.retrieve_top_k]), timings_ms=timings,
            notices=notices, effective_question=plan.effective, kind=kind, engine=self.name,
        )

    # --- deciding -------------------------------------------------------------------

    def draft(self, c: Components, plan: QueryPlan, ranking: Ranking, top_chunks: int = 8) -> Draft:
        allowed = {x.chunk.chunk_id for x in ranking.chunks[:top_chunks * max(1, len(plan.doc_ids))]}
        ranked = [s for s in ranking.sentences if s.chunk.chunk_id in allowed]
        if plan.scoped:
            # "Vad säger Lindesberg om …": answer from the named document (and documents about it).
            scope = {r for d in plan.doc_ids for r in c.index.related_documents(d)}
            scoped = [s for s in ranking.sentences if s.chunk.doc_id in scope]
            if scoped and ranked and scoped[0].score >= 0.6 * ranked[0].score:
                ranked = scoped
        if not ranked:
            return Draft(refused=True, reason="")
        best = ranked[0]
        closest = _one_per_passage([s for s in ranked if s.statement] or ranked, 3)  # no header lines
        evidence = [EvidenceSentence(x.text, x.chunk.doc_id, x.coverage, x.chunk.context, x.chunk.kind == "table_row",
                                     _year(c, x.chunk.doc_id)) for x in ranked[:10]]
        passages = [x.chunk.text for x in ranking.chunks[:3] if not plan.scoped or x.chunk.doc_id in plan.doc_ids]
        reason = refusal_reason(plan, evidence, c.index.lexical.analyzer, c.known_terms, c.index.latest_year,
                                passages) or ""
        # What the question asks about that no document in scope names is the most specific reason ("nämner
        # inte ”årskort”" rather than "anger inget sådant belopp"), so it goes first.
        # Not over a name the documents never use or a year after them, which are as specific; nor with a number
        # the question states, which says less than the kind of fact missing.
        specific = reason.startswith((NOT_NAMED, WRITTEN_BEFORE, WRITTEN_BEFORE_ABOUT, NOT_AFTERWARDS))
        absent = "" if specific else self._not_mentioned(c, plan)
        if reason and QUANTITY_MISSING in absent:
            absent = ""
        not_mentioned = bool(absent)
        reason = absent or reason
        weak = best.score < self.t.min_best_score or max(x.coverage for x in ranked[:5]) < self.t.min_coverage
        if plan.foreign:  # words of another language cannot match Swedish text; judge by meaning alone
            weak = max(x.dense for x in ranked[:5]) < self.t.dense_floor
        if reason or weak:
            return Draft(True, closest=closest, reason=reason or "", best_score=best.score, coverage=best.coverage,
                         not_mentioned=not_mentioned)
        chosen = self._select(plan, ranked)
        chosen = _reading_order(chosen + self._compared_sides(c, plan, ranked, chosen))
        chosen, off_topic = self._on_topic(c, plan, chosen)
        if off_topic:
            return Draft(True, closest=closest, reason=off_topic, best_score=best.score, coverage=best.coverage)
        chosen = _with_lead_ins(c, chosen, ranked)
        return Draft(False, sentences=chosen, closest=closest, best_score=best.score, coverage=best.coverage,
                     question=plan.question)

    @staticmethod
    def _on_topic(c: Components, plan: QueryPlan, chosen: list[Sentence]) -> tuple[list[Sentence], str]:
        """The chosen sentences from passages that hold the situation the question is about (after "vid", or
        what has the side effects: ``asked_situation``), and a refusal when none does: "Vad är
        förstahandsval vid smärta?" is not answered by "Förstahandsval är enureslarm" under "Sängvätning"."""
        analyzer = c.index.lexical.analyzer
        naming = set(plan.naming_tokens)
        topic = asked_situation(plan.question, STOPWORDS | QUESTION_WORDS)
        stems = [t[0] for t in map(analyzer.tokens, topic) if t and t[0] not in naming]
        if not stems or not chosen:
            return chosen, ""
        held: dict[str, bool] = {}
        for s in chosen:
            if s.chunk.chunk_id not in held:
                tokens = set(analyzer.tokens(f"{s.chunk.context} {s.chunk.text}"))
                # both ways: Snowball takes the -s off "byggplats" but not off "byggplatserna" ("byggplat",
                # "byggplats"), so the passage's word may be the shorter
                held[s.chunk.chunk_id] = any(stem_matches(stem, tokens, both_ways=True) for stem in stems)
        on_topic = [s for s in chosen if held[s.chunk.chunk_id]]
        if not on_topic:
            return chosen, f"De avsnitt som ligger närmast frågan nämner inte ”{' '.join(topic)}”."
        return on_topic, ""

    def _not_mentioned(self, c: Components, plan: QueryPlan) -> str:
        """"Lindesbergs kommun (strategi 2023) nämner inte pappor.": what the question asks about is in
        no document in scope (the named ones, else all)."""
        scoped = plan.scoped
        scope = sorted({r for d in plan.doc_ids for r in c.index.related_documents(d)}) if scoped \
            else sorted(c.index.documents)
        corpus = Vocabulary(c.index.stems_used(c.index.documents))
        others = [Vocabulary(c.index.stems_used([d])) for d in c.index.documents if d not in scope] \
            if plan.explicit else []
        missing = missing_asked_for(plan, Vocabulary(c.index.stems_used(scope)), corpus, c.index.lexical.analyzer,
                                    [c.index.documents[d].text for d in scope], others)
        if not missing:
            return ""
        unique = list({w.lower(): w for w in reversed(missing)}.values())[::-1]  # "ICDP", not also "icdp"
        listed = " eller ".join(w if w == QUANTITY_MISSING else f"”{w}”" for w in unique[:2])
        if scoped and len(plan.doc_ids) == 1:
            return f"{c.citer.short_label(plan.doc_ids[0])} nämner inte {listed}."
        if scoped:
            return f"De dokument frågan gäller nämner inte {listed}."
        return f"{NOT_NAMED} {listed}."

    def _compared_sides(self, c: Components, plan: QueryPlan, ranked: list[Sentence],
                        chosen: list[Sentence]) -> list[Sentence]:
        """"Vad är skillnaden mellan en arena och en mötesplats?": the best sentence on each side the chosen
        ones leave out, so that the answer says something about both."""
        analyzer = c.index.lexical.analyzer
        added: list[Sentence] = []
        for term in compared_terms(plan.asking):
            stems = {tokens[0] for tokens in map(analyzer.tokens, term.split()) if tokens}  # each word's own stem
            if not stems:
                continue

            def on_side(s: Sentence, stems: set[str] = stems) -> bool:
                return 2 * len(matched_stems(stems, analyzer.tokens(s.text))) >= len(stems)

            if any(on_side(s) for s in chosen + added):
                continue
            # Not held to the best sentence's score: the sides differ in how rare their words are.
            side = next((s for s in ranked if s.statement and on_side(s)), None)
            if side is not None:
                added.append(side)
        return added

    def _select(self, plan: QueryPlan, ranked: list[Sentence]) -> list[Sentence]:
        best = ranked[0].score
        chosen: list[Sentence] = []
        if plan.compare and len(plan.doc_ids) >= 2:
            for doc_id in plan.doc_ids:  # the best sentence of each named document first
                top = next((s for s in ranked if s.chunk.doc_id == doc_id), None)
                if top is not None and top.score >= 0.6 * best:
                    chosen.append(top)
        limit = self.max_sentences + (len(chosen) if plan.compare else 0)
        kind = question_type(plan.question)

        def says_again(s: Sentence) -> bool:
            # A sentence that says what a chosen one says, unless it adds the kind of fact asked for: the statute's
            # title line with "beslutade den 9 november 2021" is not the "1 §" that repeats its words.
            return any(redundant(s, c, self.t.redundancy) and not _adds_the_fact(kind, s, c, plan.question)
                       for c in chosen)

        # The best sentence of each of the top passages, so one passage cannot crowd out the others.
        top_chunks: list[str] = []
        for s in ranked:
            if s.chunk.chunk_id not in top_chunks:
                top_chunks.append(s.chunk.chunk_id)
        for s in ranked:
            if len(chosen) >= min(limit, self.diverse_passages):
                break
            if s.chunk.chunk_id in top_chunks[: self.diverse_passages] and s.score >= self.t.keep_ratio * best \
                    and all(c.chunk.chunk_id != s.chunk.chunk_id for c in chosen) and not says_again(s):
                chosen.append(s)
        for s in ranked:
            if len(chosen) >= limit:
                break
            if s in chosen or s.score < self.t.keep_ratio * best:
                continue
            if says_again(s):
                continue
            chosen.append(s)
        # The sentence after the best one in its paragraph: a topic sentence ("5 § Arbetsgivaren ska se till att
        # det finns rutiner …") is often followed by what it requires ("Arbetsgivare som har tio eller fler …").
        following = _next_in_block(ranked[0], ranked)
        if following is not None and following not in chosen:
            chosen.append(following)
        for s in list(chosen):  # "Nyckeltal: kWh från solenergi" above "2009- 0 kWh, 2014 – 15000 kWh, 2020- 40000 kWh"
            figures = _figures_below(s, ranked)
            if figures is not None and figures not in chosen:
                chosen.append(figures)
        # "Därför …", "Det kallas …", "Datum: …": the line before says what it points to. That line may lean on
        # its own line before ("Tillgång till skola ger … stabilitet …" ← "Det gäller barn som …" ← "Därför bör
        # rätten … utökas"), so the chain is followed, a bounded number of steps.
        leaning = [(s, 0) for s in chosen]
        while leaning:
            s, steps = leaning.pop()
            before = _previous_in_block(s, ranked) if leans_on_previous(s.text) else _field_above(s, ranked)
            if before is not None and before not in chosen:
                chosen.append(before)
                if steps + 1 < _LEANING_STEPS:
                    leaning.append((before, steps + 1))
        return _reading_order(chosen)

    # --- writing --------------------------------------------------------------------

    def render(self, c: Components, draft: Draft) -> tuple[str, list[Citation]]:
        cited = CitationList(c.citer)
        if draft.refused:
            lines = [messages.REFUSAL + (f" {draft.reason}" if draft.reason else "")]
            if draft.closest:
                lines += ["", messages.CLOSEST]
                for s in draft.closest:
                    n = cited.cite(s.chunk.doc_id, s.start, s.end)
                    shown = _shown(c, s).strip("”\"“ ")
                    lines.append(f"- *{c.citer.short_label(s.chunk.doc_id)}:* ”{shown}” [{n}]")
            return "\n".join(lines), cited.citations
        opening = self._short_answer(c, draft, cited)
        # "Vilka temaområden …", "Hur gick kartläggningen till?": a section's introduction brings its parts.
        wants_parts = asks_for_a_list(draft.question) or question_type(draft.question) == QuestionType.HOW
        parts: dict[tuple[str, int], list[Sentence]] = {}
        claimed: set[tuple[str, int]] = set()  # of two sentences of one introduction, the later leads
        for s in sorted(draft.sentences, key=lambda s: -s.start):
            found = section_parts(c, s) if wants_parts else []
            first = (s.chunk.doc_id, found[0].start) if found else None
            parts[(s.chunk.doc_id, s.start)] = found if first not in claimed else []
            claimed.add(first)
        by_doc: dict[str, list[str]] = {}
        seen: set[tuple[str, int]] = set()
        for s in draft.sentences:
            if (s.chunk.doc_id, s.start) in seen:
                continue
            seen.add((s.chunk.doc_id, s.start))
            part = f"{_shown(c, s)} [{cited.cite(s.chunk.doc_id, s.start, s.end)}]"
            for item in list_items_after(c, s) or parts[(s.chunk.doc_id, s.start)]:
                if (item.chunk.doc_id, item.start) in seen:
                    continue
                seen.add((item.chunk.doc_id, item.start))
                part += f"\n- {_shown(c, item)} [{cited.cite(item.chunk.doc_id, item.start, item.end)}]"
            by_doc.setdefault(s.chunk.doc_id, []).append(part)
        if len(by_doc) == 1:
            return opening + _join_parts(next(iter(by_doc.values()))), cited.citations
        lines = [f"**{c.citer.short_label(doc_id)}:** " + _join_parts(parts) for doc_id, parts in by_doc.items()]
        return opening + "\n\n".join(lines), cited.citations

    @staticmethod
    def _short_answer(c: Components, draft: Draft, cited: CitationList) -> str:
        """"**2023-05-12** [1]": for a question after a date, number, frequency or body, the answer's first
        line is that span of the best sentence, cited like the sentence it comes from; not for "vilka …",
        which asks for several ("Vilka verksamheter samverkar …" is not answered by one body's name)."""
        if asks_for_a_list(draft.question) or asks_what_has(draft.question) or asks_two_things(draft.question):
            return ""  # "Vilken roll har kommunerna?" is not answered by "Botkyrka kommun", nor two asks by one span
        kind = question_type(draft.question)
        best, span = None, None
        # The best sentence; for a name or a change, the best sentence that gives one ("går under namnet …", "ska
        # minska med 12 %"): such a phrase is specific enough to look further (a year or a body is not).
        candidates = sorted(draft.sentences, key=lambda s: -s.score)
        # Another kind's best sentence gives way to a near-equal one that states the kind asked for ("… ska årligen
        # …" under a definitions row that only names the species).
        near = [x for x in candidates if x.score >= 0.97 * candidates[0].score] if candidates else []
        change = asks_for_a_change(draft.question)  # "Hur mycket ska … minska?": "minska med 12 % till 2014"
        for sentence in candidates if kind == QuestionType.NAME or change else near:  # both are specific
            # "Vem utsågs till samordnare …?": the person's name ("mig, Anders Sundström,")
            span = change_span(sentence.text, draft.question) if change else \
                person_span(draft.question, sentence.text) or answer_span(kind, sentence.text, draft.question)
            if span is not None and not sentence.text[:span[0]].strip() \
                    and sentence.text[span[0]:span[1]].lower() in c.common_words:
                span = None  # "Centralmyndigheten på …": capitalised only because it opens the sentence
            if span is not None:
                best = sentence
                break
        if best is None or span is None:
            return ""
        if span[1] - span[0] >= 0.6 * len(best.text.strip()):
            return ""  # "Hälso- och sjukvårdsnämnden beslutar": the sentence is the short answer already
        number = cited.cite(best.chunk.doc_id, best.start, best.end)
        return f"**{best.text[span[0]:span[1]]}** [{number}]\n\n"

    def _cited_first(self, c: Components, spans: list[tuple[str, int, int]],
                     ranked: list[RetrievedChunk]) -> list[RetrievedChunk]:
        """Passages holding the cited spans first (in citation order), then the search results."""
        first: list[RetrievedChunk] = []
        seen: set[str] = set()
        for doc_id, start, _ in spans:
            chunk = c.index.chunk_at(doc_id, start)
            if chunk is not None and chunk.chunk_id not in seen:
                seen.add(chunk.chunk_id)
                first.append(RetrievedChunk(chunk, 1.0, len(first)))
        rest = [x for x in ranked if x.chunk.chunk_id not in seen]
        return first + rest


_DASH_CELL_RE = re.compile(r"[−–•·-]\s*\|")


_FACT_KINDS = (QuestionType.WHEN, QuestionType.HOW_MANY, QuestionType.AMOUNT, QuestionType.WHO)


def _adds_the_fact(kind: QuestionType, sentence: Sentence, chosen: Sentence, question: str) -> bool:
    """``sentence`` states the date, number or body asked for, and the chosen sentence like it does not."""
    return kind in _FACT_KINDS and answer_span(kind, sentence.text, question) is not None \
        and answer_span(kind, chosen.text, question) is None


def list_items_after(c: Components, sentence: Sentence, limit: int = 16) -> list[Sentence]:
    """The items of a list that ``sentence`` introduces ("… följande:", "Det ska", a lead-in)."""
    doc = c.index.documents[sentence.chunk.doc_id]
    blocks = doc.blocks
    position = doc.block_index(sentence.start)
    if position is None or doc.text[sentence.end:blocks[position].end].strip():
        return []  # only the last sentence of a block can introduce a list
    items: list[Sentence] = []

    def add(block: Block) -> str:  # the block as a sentence of the answer
        items.append(_sentence_at(c, block.start, block.end, sentence))
        return items[-1].text

    # An enumeration the page or a column cut ("…, Malmö tingsrätt,"); not a row of a table of definitions,
    # each of which ends in a comma ("driftrum | ett rum … på grund av el,"), unless its first column is only a
    # dash: a checklist set out like a table ("− | åror, linor och skrov … är hela,").
    row = blocks[position].kind == "table_row" and not _DASH_CELL_RE.match(doc.text[blocks[position].start:])
    if sentence.text.rstrip().endswith(",") and not row:
        for block in blocks[position + 1:]:
            if block.kind == "heading" or len(items) >= limit:
                break
            if not add(block).rstrip().endswith(","):
                break  # the enumeration ends with the first block that does not end in a comma
        return items
    for block in blocks[position + 1:]:
        text = doc.text[block.start:block.end]
        is_item = block.kind == "list_item" or (block.kind == "paragraph" and (
            text[:1].islower() or re.match(r"\d{1,2}\.\s", text)))
        if not is_item or len(items) >= limit:
            break
        add(block)
    lead_in = sentence.text.rstrip().endswith((":", "ska", "genom att")) or blocks[position].kind == "heading"
    return items if items and (lead_in or blocks[position + 1].kind == "list_item") else []


def _with_lead_ins(c: Components, chosen: list[Sentence], ranked: list[Sentence]) -> list[Sentence]:
    """The best sentence, when it is a list item, is shown under its lead-in ("3 § Medlem blir den:" before
    "a) ställer upp på …"): without it the item is half a sentence. The lead-in brings its list
    (``list_items_after``). Lesser items stay as they are: each would bring a whole list."""
    best = ranked[0] if ranked else None
    if best is None or best not in chosen:
        return chosen
    span = list_lead_in(c.index.documents[best.chunk.doc_id], best.start)
    if span is None or any(x.chunk.doc_id == best.chunk.doc_id and x.start == span[0] for x in chosen):
        return chosen
    lead = next((x for x in ranked if x.chunk.doc_id == best.chunk.doc_id and x.start == span[0]), None)
    return _reading_order([*chosen, lead or _sentence_at(c, span[0], span[1], best)])


def _sentence_at(c: Components, start: int, end: int, near: Sentence) -> Sentence:
    """The text at ``start``–``end`` of ``near``'s document as a sentence of the answer (a list item, a
    lead-in, a subsection's heading), in its own passage when it has one, with ``near``'s vector and score."""
    doc_id = near.chunk.doc_id
    chunk = c.index.chunk_at(doc_id, start) or near.chunk
    return Sentence(chunk, start, end, c.index.documents[doc_id].text[start:end], near.vector, score=near.score)


def section_parts(c: Components, sentence: Sentence, limit: int = 12) -> list[Sentence]:
    """The headings of the subsections of the section whose introduction ``sentence`` is in (the text
    before its first subsection): "Nedan sammanfattas resultaten … utifrån respektive temaområde" brings the
    temaområden; "Under 2020–2021 genomfördes en kartläggning …" brings "Del 1. Litteraturstudie" … A heading
    that leads into a list ("Kartläggningen bestod av fyra delar:") is not a part."""
    doc = c.index.documents[sentence.chunk.doc_id]
    blocks = doc.blocks
    position = doc.block_index(sentence.start)
    if position is None or blocks[position].kind not in ("paragraph", "list_item"):
        return []
    section = blocks[position].section
    if not section:
        return []
    parts: list[Sentence] = []
    for block in blocks[position + 1:]:
        if block.section[:len(section)] != section:
            break  # past the section
        if block.kind != "heading" or len(block.section) != len(section) + 1:
            continue
        if doc.text[block.start:block.end].rstrip().endswith(":"):
            continue
        parts.append(_sentence_at(c, block.start, block.end, sentence))
    # A block whose section is exactly ``section`` stands before its first subsection: the blocks after a
    # subsection's heading belong to the subsection.
    return parts if 2 <= len(parts) <= limit else []


def _reading_order(chosen: list[Sentence]) -> list[Sentence]:
    """Document by document (in the order they first appear), each in the order of its text."""
    order = {doc_id: i for i, doc_id in enumerate(dict.fromkeys(s.chunk.doc_id for s in chosen))}
    return sorted(chosen, key=lambda s: (order[s.chunk.doc_id], s.start))


def _previous_in_block(sentence: Sentence, candidates: list[Sentence]) -> Sentence | None:
    """The sentence right before ``sentence`` in the same paragraph, if it is among the candidates."""
    return _neighbour_in_block(sentence, candidates, after=False)


def _next_in_block(sentence: Sentence, candidates: list[Sentence]) -> Sentence | None:
    """The sentence right after ``sentence`` in the same paragraph, if it is among the candidates."""
    return _neighbour_in_block(sentence, candidates, after=True)


def _neighbour_in_block(sentence: Sentence, candidates: list[Sentence], after: bool) -> Sentence | None:
    found = _neighbour(sentence, candidates, after)
    if found is None:
        return None
    neighbour, between = found
    return neighbour if "\n\n" not in between and len(between.strip()) <= 3 else None


def _neighbour(sentence: Sentence, candidates: list[Sentence], after: bool) -> tuple[Sentence, str] | None:
    """The candidate right after (or before) ``sentence`` in its passage, and the text between them."""
    chunk = sentence.chunk
    same = [s for s in candidates if s.chunk.chunk_id == chunk.chunk_id
            and (s.start >= sentence.end if after else s.end <= sentence.start)]
    if not same:
        return None
    neighbour = min(same, key=lambda s: s.start) if after else max(same, key=lambda s: s.end)
    first, second = (sentence, neighbour) if after else (neighbour, sentence)
    return neighbour, chunk.text[first.end - chunk.start:second.start - chunk.start]


# A line of figures: numbers with their units, years and dashes, and few words ("2009- 0 kWh, 2014 – 15000 kWh").
_FIGURE_RE = re.compile(r"\d[\d\s.,]*")
_WORD_RE = re.compile(r"[^\W\d_]{4,}")


def _figures_below(sentence: Sentence, candidates: list[Sentence]) -> Sentence | None:
    """The line of figures right below a line that ends without a full stop (a label over a table row flattened
    to lines), if it is among the candidates: the figures are what the label names."""
    found = _neighbour(sentence, candidates, after=True)
    if sentence.text.rstrip().endswith((".", "!", "?")) or found is None or found[1].strip():
        return None
    below = found[0]
    figures = _FIGURE_RE.findall(below.text)
    return below if len(figures) >= 2 and len(_WORD_RE.findall(below.text)) <= len(figures) else None


def _field_above(sentence: Sentence, candidates: list[Sentence]) -> Sentence | None:
    """The field line a one-word-label field line leans on ("Fastställt av: …" above "Datum: …"), if it is
    among the candidates (``field_leans_on``)."""
    chunk = sentence.chunk
    before = [s for s in candidates if s.chunk.chunk_id == chunk.chunk_id and s.end <= sentence.start]
    if not before:
        return None
    previous = max(before, key=lambda s: s.end)
    spans = [(previous.start - chunk.start, previous.end - chunk.start),
             (sentence.start - chunk.start, sentence.end - chunk.start)]
    return previous if field_leans_on(chunk.text, spans)[1] == 0 else None


def _shown(c: Components, sentence: Sentence) -> str:
    return display_text(sentence.text, c.citer.columns(sentence.chunk.doc_id, sentence.start))


def _join_parts(parts: list[str]) -> str:
    """Sentences run on as prose; a part that carries a list starts on its own line."""
    text = ""
    for part in parts:
        separator = "\n\n" if text and ("\n- " in part or "\n- " in text.rsplit("\n\n", 1)[-1]) else " "
        text = f"{text}{separator}{part}" if text else part
    return text


def _one_per_passage(ranked: list[Sentence], n: int) -> list[Sentence]:
    """The best sentence of each of the first ``n`` passages, once: a text the document repeats word for word
    (a summary and its chapter) is shown one time."""
    result: list[Sentence] = []
    for s in ranked:
        if all(s.chunk.chunk_id != r.chunk.chunk_id and " ".join(s.text.split()) != " ".join(r.text.split())
               for r in result):
            result.append(s)
        if len(result) == n:
            break
    return result


def _passages(c: Components, ranked: list[RetrievedChunk]) -> list[Passage]:
    passages = []
    for item in ranked:
        chunk = item.chunk
        entry = c.index.entries[chunk.doc_id]
        passages.append(Passage(
            doc_id=chunk.doc_id, source_file=entry.source_file, title=entry.title, page=chunk.page_start,
            section=chunk.section_path, text=chunk.text, score=round(item.score, 5), chunk_id=chunk.chunk_id,
            start=chunk.start, end=chunk.end,
            page_label=c.index.documents[chunk.doc_id].page_label(chunk.page_start),
        ))
    return passages


def _year(c: Components, doc_id: str) -> int | None:
    entry = c.index.entries.get(doc_id)
    return entry.year if entry is not None else None


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 1)
