"""Answers that know the field, built from the knowledge extracted at ingest time
(``ingest/knowledge.py``): terms and abbreviations, evaluated parenting programmes,
what a strategy commits to, and side-by-side comparisons of two documents.

Every sentence of these answers is a verbatim quote or a table row with its marker [n];
when the structured knowledge does not cover a question, ``route`` returns None and the
general extractive engine answers instead.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from math import fsum

from assistant.citations import CitationList, SourceCiter
from assistant.planning import QUESTION_WORDS, QueryPlan
from assistant.ranking import Sentence, SentenceRanker, redundant
from assistant.retrieval import HybridRetriever
from assistant.types import Citation, KnowledgeTables, Sourced
from index.knowledge import CommitmentItem, GlossaryEntry, HeadingNote, ProgramRecord
from index.reader import IndexReader
from swedish.ages import asked_ages
from swedish.dates import FREQUENCY_RE, YEAR_RANGE_RE
from swedish.numbers import number_words_in, numbers_in, ordinal_reference
from swedish.questions import QuestionType, compared_terms, question_type
from swedish.tokens import STOPWORDS, is_derivation, stem, word_beginning, words


@dataclass
class KnowledgeAnswer:
    kind: str  # glossary | programs | commitments | comparison
    text: str
    citations: list[Citation]
    refused: bool = False
    spans: list[tuple[str, int, int]] = field(default_factory=list)  # cited (doc, start, end), in order


# --- glossary --------------------------------------------------------------------------

_GLOSSARY_ASK_RE = re.compile(
    r"\b(vad (står|betyder|innebär|menas|är|heter|skiljer)|vad är skillnaden|skillnaden mellan|förklara|definition|"
    r"förkortning|står för)\b")

# Questions that say "vad är" but ask for another kind of fact ("Vad är syftet med …", "Vad är avgiften …").
_NOT_DEFINITIONS = frozenset({QuestionType.WHY, QuestionType.WHEN, QuestionType.HOW_OFTEN, QuestionType.HOW_MANY,
                              QuestionType.AMOUNT})


@lru_cache(maxsize=32)  # per glossary (the whole one, or a filtered one), not per question
def _generic_term_words(terms: tuple[str, ...]) -> frozenset[str]:
    """Words that tell no term from another: function words, the field's head nouns (in three or more
    of the glossary's terms: "insatser", "stöd") and compounds ending in one ("föräldraskapsstöd")."""
    counts = Counter(w for term in terms for w in set(words(term)))
    heads = {w for w, n in counts.items() if n >= 3 and w not in STOPWORDS}
    return frozenset(STOPWORDS | heads | {w for w in counts if any(w.endswith(h) for h in heads if len(h) >= 4)})


def _term_key(term: str, generic: frozenset[str] = frozenset()) -> list[str]:
    """The words a question must contain to ask about ``term`` (inflection tolerant prefixes); none for a
    term of function words only, which would match every question."""
    tokens = [w for w in words(term) if w not in generic] or [w for w in words(term) if w not in STOPWORDS][:1]
    return [w[:-2] if len(w) > 6 else w for w in tokens[:2]]


def _mentions(question_words: list[str], key: str) -> bool:
    return any(is_derivation(key, w, min_length=0) for w in question_words)


def _same_stems(term: str, question_stems: set[str], generic: frozenset[str]) -> bool:
    """The term's words, inflected otherwise in the question ("Arenor" for "en arena": both "aren")."""
    tokens = [w for w in words(term) if w not in generic][:2]
    return bool(tokens) and all(stem(w) in question_stems for w in tokens)


def match_glossary(question: str, glossary: list[GlossaryEntry]) -> list[GlossaryEntry]:
    q_words = words(question)
    q_raw = re.findall(r"[\wÅÄÖåäö/]+", question)
    q_stems = {stem(w) for w in q_words}
    generic = _generic_term_words(tuple(e.term for e in glossary if e.kind != "abbreviation"))
    found: list[GlossaryEntry] = []
    for entry in glossary:
        term = entry.term
        if entry.kind == "abbreviation":
            if any(t.lower().removesuffix(":s") == term.lower() for t in q_raw):
                found.append(entry)
            continue
        keys = _term_key(term, generic)
        if keys and all(_mentions(q_words, k) for k in keys) or _same_stems(term, q_stems, generic):
            found.append(entry)
    # Prefer the most specific terms: drop a term whose key words are a subset of a longer matched one.
    specific = []
    for entry in found:
        key = _term_key(entry.term, generic)
        longer = [o for o in found if o is not entry and len(_term_key(o.term, generic)) > len(key)
                  and set(key) <= set(_term_key(o.term, generic))]
        if not longer:
            specific.append(entry)
    return specific


# --- programs --------------------------------------------------------------------------

def _beginning(word: str) -> str:
    return word_beginning(word, shortest=5)  # "känslomässiga" → "känslomäss", "selektiv" → "selek"


def _mentions_word(text_words: list[str], word: str) -> bool:
    stem = _beginning(word)
    return any(w.startswith(stem) for w in text_words)


def problem_words(program: ProgramRecord) -> set[str]:
    """What a programme's problem column names, less the word for a problem itself: "beteende- eller
    känslomässiga problem" → {"beteende", "känslomässiga"}."""
    return {w for w in words(program.problem.replace("-", " ")) if len(w) >= 4 and w not in STOPWORDS
            and not w.startswith("problem")}


def asked_problem(text: str, programs: list[ProgramRecord]) -> set[str]:
    """The problems of the programmes' own problem column that ``text`` names (with the documents' words the
    catalog's synonyms give for everyday ones: "bråkar = utagerande")."""
    text_words = words(text)
    return {w for p in programs for w in problem_words(p) if _mentions_word(text_words, w)}


_CONDITION_RE = re.compile(r"\b(?:barn|ungdomar|tonåringar|föräldrar|familjer|elever|son|dotter|\w*åring\w*)\s+"
                           r"(?:som har|med)\s+([a-zåäöé-]{3,}(?:\s+[a-zåäöé-]{4,})?)")


def asked_condition(question: str) -> str | None:
    """"barn med autism", "föräldrar till barn som har ADHD": the condition a programme should be for."""
    match = _CONDITION_RE.search(question.lower())
    return match.group(1) if match else None


def asked_type(text: str, programs: list[ProgramRecord]) -> str | None:
    """The programme type (as the table writes it, "Universell") that ``text`` names ("universella")."""
    text_words = words(text)
    found = [(min(i for i, w in enumerate(text_words) if w.startswith(_beginning(t.lower()))), t)
             for t in {p.program_type for p in programs if p.program_type}
             if _mentions_word(text_words, t.lower())]
    return min(found)[1] if found else None


def named_programs(question: str, programs: list[ProgramRecord]) -> list[ProgramRecord]:
    q = question.lower()
    found = []
    for program in programs:
        name = program.name.lower()
        base = re.sub(r"\s*\(.*?\)|\s+nivå.*$", "", name).strip()
        if re.search(rf"\b{re.escape(base)}\b", q):
            found.append(program)
    return found


# --- commitments ----------------------------------------------------------------------

# How people ask what a document commits its readers to (general Swedish, not a document's words).
_COMMITMENT_WORDS = ("förbinder förbinda åtaganden åtagit åta kräver krav lovar lovat ska skall göra göras ske vad "
                     "innehåller står innebär insatsområden insatsområde målområde målområden oss vi arbetet "
                     "strategi strategin plan planen")
_COMMITMENT_ASK_RE = re.compile(
    r"\b(förbind\w*|förbund\w*|åtag\w*|åta sig|åtagit|lovar|lovat|utlov\w*|kräver|krav|insatsområde\w*|målområde\w*|"
    r"vad ska (kommun\w*|region\w*|länet|\w+ göra)|vad innehåller strategin|vad står i strategin|"
    r"ska göras|ska ske|vad innebär strategin)\b")
_COMPARE_ASK_RE = re.compile(r"\b(skillnad\w*|skiljer|jämför\w*|likheter|likadan\w*|samma|oftare|sällan|"
                             r"längre|kortare|respektive|mot varandra|versus)\b")
_FOLLOW_UP_ASK_RE = re.compile(r"\b(följ\w* upp|uppfölj\w*|utvärder\w*|revider\w*|ansvar\w*|vem)\b")


# --- comparison -----------------------------------------------------------------------


# What a comparison of two steering documents covers when the question names no topic of its own
# ("Hur skiljer sig Lindesbergs strategi från den regionala?"): general Swedish about any strategy or plan,
# each with the commitment kinds (ingest/knowledge.py) that state it.
ASPECTS = [
    ("Giltighetstid", re.compile(r"\b(gäller|giltig\w*|period\w*|lång tid|hur länge|tidsperiod\w*)"),
     "Under vilken period gäller strategin?", ("validity",)),
    ("Uppföljning", re.compile(r"\b(följ\w* upp|följs|uppfölj\w*|oftare|sällan|utvärder\w*)"),
     "Hur ofta följs strategin upp och av vem?", ("follow_up", "revision")),
    ("Organisation och ansvar", re.compile(r"\b(organis\w*|ansvar\w*|samordn\w*|\w*grupp\w*|leds|vem)\b"),
     "Vem ansvarar för och samordnar arbetet?", ("responsibility",)),
    ("Mål och inriktning", re.compile(r"\b(\w*mål\w*|fokus\w*|tyngdpunkt\w*|inriktning\w*|syfte\w*)"),
     "Vilka mål och vilken inriktning har strategin?", ()),
]


@dataclass
class KnowledgeBase:
    """The extracted knowledge of the indexed documents (see ingest/knowledge.py)."""

    glossary: list[GlossaryEntry]
    programs: list[ProgramRecord]
    caveats: list[tuple[str, int, int]]  # (doc_id, start, end) of sentences that qualify the programme table
    commitments: list[CommitmentItem]
    notes: list[tuple[str, HeadingNote]]
    # The words that name documents or stand in most of their commitments, by documents: computed once per
    # index generation and shared with the filtered views (``only``).
    document_words: dict[tuple[str, ...], frozenset[str]] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_index(cls, index: IndexReader) -> KnowledgeBase:
        k = index.knowledge
        return cls(
            glossary=[g for d in k.values() for g in d.glossary],
            programs=[p for d in k.values() for p in d.programs],
            caveats=[(doc, s, e) for doc, d in k.items() for s, e in d.program_caveats],
            commitments=[c for d in k.values() for c in d.commitments],
            notes=[(doc, n) for doc, d in k.items() for n in d.notes],
        )

    def only(self, doc_ids: list[str]) -> KnowledgeBase:
        keep = set(doc_ids)
        return KnowledgeBase(
            glossary=[g for g in self.glossary if g.doc_id in keep],
            programs=[p for p in self.programs if p.doc_id in keep],
            caveats=[c for c in self.caveats if c[0] in keep],
            commitments=[c for c in self.commitments if c.doc_id in keep],
            notes=[n for n in self.notes if n[0] in keep],
            document_words=self.document_words,
        )


class KnowledgeRouter:
    """Picks the structured answer for a question, or None for the general engine."""

    def __init__(self, index: IndexReader, ranker: SentenceRanker, retriever: HybridRetriever, citer: SourceCiter,
                 kb: KnowledgeBase | None = None) -> None:
        self.index, self.ranker, self.retriever, self.citer = index, ranker, retriever, citer
        self.kb = kb or KnowledgeBase.from_index(index)

    def route(self, plan: QueryPlan, query_vector, allowed: list[str] | None = None) -> KnowledgeAnswer | None:
        """The structured answer, using only knowledge from ``allowed`` documents (None = all)."""
        if allowed is not None:
            return KnowledgeRouter(self.index, self.ranker, self.retriever, self.citer, self.kb.only(allowed)).route(
                plan, query_vector)
        q = plan.effective.lower()
        question = plan.question.lower()
        # "Vad är syftet med korttidsvistelse?" asks a reason, not what korttidsvistelse is.
        glossary_ask = _GLOSSARY_ASK_RE.search(question) and question_type(question) not in _NOT_DEFINITIONS
        if plan.compare and len(plan.doc_ids) >= 2 and _COMPARE_ASK_RE.search(question) and (
                any(a[1].search(question) for a in ASPECTS) or len(plan.content_words) <= 6):
            return self.comparison(plan, query_vector)
        if glossary_ask:
            terms = match_glossary(plan.question, self.kb.glossary)
            if any(t.kind == "abbreviation" for t in terms):
                return self.glossary_answer(terms)
        if self.kb.programs:
            own, context = self._with_document_words(plan, plan.question), self._with_document_words(plan, q)
            programs = self.kb.programs
            # A programme named only earlier in the conversation ("Vad är Komet?") answers a follow-up from the
            # table when the follow-up asks what the table's columns hold ("Vilka åldrar …"), not "Hur mycket
            # används det?".
            named_here = named_programs(own, programs) or named_programs(context, programs) and (
                self._asks_table_columns(own) or asked_ages(own) or asked_problem(own, programs)
                or asked_type(own, programs))
            if named_here or self._names_table_rows(context) and (
                    asked_ages(context) or asked_problem(context, programs) or asked_type(context, programs)
                    or re.search(r"\b(vilka|vilket|finns det)\b", question)):
                answer = self.program_answer(own, context)
                if answer:
                    return answer
        if glossary_ask or len(words(question)) <= 4:
            compared = compared_terms(plan.question)
            if compared:
                # "Vad är skillnaden mellan selektivt och indikerat stöd?": each side's own entries; with only
                # one side in the glossary ("… hemtjänst och trygghetslarm?") the search answers about both.
                sides = [match_glossary(term, self.kb.glossary) for term in compared]
                terms = [entry for side in sides for entry in side] if all(sides) else []
            else:
                terms = match_glossary(plan.question, self.kb.glossary)
            if terms:
                return self.glossary_answer(terms)
        if _COMMITMENT_ASK_RE.search(q):
            return self.commitment_answer(plan, query_vector)
        return None

    # --- glossary ---------------------------------------------------------------------

    def glossary_answer(self, entries: list[GlossaryEntry]) -> KnowledgeAnswer:
        writer = CitationList(self.citer)
        lines: list[str] = []
        seen: set[tuple[str, int]] = set()
        for entry in entries:
            key = (entry.doc_id, entry.start)
            if key in seen:
                continue
            seen.add(key)
            lines.append(f"- {writer.quote(entry.doc_id, entry.start, entry.end)}")
        return KnowledgeAnswer("glossary", "\n".join(lines), writer.citations, spans=writer.spans())

    # --- programs ---------------------------------------------------------------------

    @staticmethod
    def _with_document_words(plan: QueryPlan, text: str) -> str:
        """``text`` (lower case) with the documents' words that the catalog's synonyms give for its everyday
        words ("bråkar = utagerande")."""
        text = text.lower()
        extra = [meant for said, meant in plan.expansion_pairs() if said.lower() in text]
        return " ".join([text, *extra]).lower()

    def _names_table_rows(self, text: str) -> bool:
        """``text`` names what the programme table's rows are: the words of its first column's header
        ("Program": "programmen", "föräldraprogram")."""
        rows, _ = self._header_stems
        return any(stem in w for w in words(text) for stem in rows)

    def _asks_table_columns(self, text: str) -> bool:
        """``text`` asks for what the table's other columns hold ("åldrar" ~ "… barn i åldrarna", "effekt")."""
        _, columns = self._header_stems
        return any(w.startswith(stem) for w in words(text) for stem in columns)

    @cached_property
    def _header_stems(self) -> tuple[list[str], list[str]]:
        """The stems of the programme table's first column header, and of its other headers' words (once per
        router: its documents do not change)."""
        header = self._table_block("table_header", before=True)
        cells = self.index.documents[header[0]].text[header[1]:header[2]].split("|") if header else [""]
        rows = [_beginning(w) for w in words(cells[0]) if w not in STOPWORDS]
        # A header's first and last words say what the column holds ("Målgrupp, föräldrar med barn i
        # åldrarna": målgrupp, åldrar), not the words between (föräldrar, barn: in every question).
        ends: list[str] = []
        for cell in cells[1:]:
            content = [w for w in words(cell) if w not in STOPWORDS]
            ends += content[:1] + content[-1:]
        columns = [_beginning(w) for w in dict.fromkeys(ends) if len(w) >= 3 and _beginning(w) not in rows]
        return rows, columns

    def program_answer(self, question: str, context: str = "") -> KnowledgeAnswer | None:
        """Programmes matching the age, problem and type asked for. A follow-up ("Och för
        tonåringar då?") takes what it says itself and the rest from the conversation."""
        writer = CitationList(self.citer)
        context = context or question
        programs = self.kb.programs
        named = named_programs(question, programs) or named_programs(context, programs)
        ages = asked_ages(question) or asked_ages(context)
        problem = asked_problem(question, programs) or asked_problem(context, programs)
        wanted_type = asked_type(question, programs) or asked_type(context, programs)
        caption = self._table_caption()
        source = self.citer.short_label(programs[0].doc_id)
        lines: list[str] = []
        overview = self._overview_sentence() if not (ages or problem or named) else None
        if overview:
            lines.append(writer.quote(*overview))
        if named:
            chosen, refused = named, False
        else:
            def fits_age(p: ProgramRecord) -> bool:
                return ages is None or any(lo <= ages[1] and ages[0] <= hi for lo, hi in p.age_ranges)

            candidates = [p for p in self.kb.programs if fits_age(p)]
            if wanted_type:
                candidates = [p for p in candidates if p.program_type == wanted_type]
            def for_problem(p: ProgramRecord) -> bool:
                return bool(problem_words(p) & problem)

            if problem:
                matching = [p for p in candidates if for_problem(p)]
                general = [p for p in candidates if not p.problem]
                chosen = matching or general  # programmes for the problem; else those for no problem in particular
                refused = not chosen
            else:
                chosen, refused = candidates, not candidates
            chosen.sort(key=lambda p: (not for_problem(p) if problem else 0, -p.effect_level))
        condition = None if (named or problem or ages) else asked_condition(question)
        rows = " ".join(self.index.documents[p.doc_id].text[p.start:p.end].lower() for p in self.kb.programs)
        if condition and not any(w[:max(4, len(w) - 2)] in rows for w in condition.split()):
            # "barn med autism": no programme in the table is for it; say so instead of listing them as a fit
            refused = True
            lines.insert(0, f"Inget av programmen i tabellen i {source} nämner ”{condition}”. "
                            "Så här ser tabellen ut:")
            chosen = self.kb.programs
        elif refused or not chosen:
            lines.insert(0, f"Inget av programmen i tabellen i {source} passar den beskrivningen. "
                            "Så här ser tabellen ut:")
            chosen = self.kb.programs
        for p in chosen:
            lines.append(f"- {writer.quote(p.doc_id, p.start, p.end)}")
        if caption:
            lines.append(f"Källa: {writer.quote(*caption)}")
        if self.kb.caveats:
            lines.append("")
            lines.append(f"Att tänka på enligt {source}:")
            for doc_id, s, e in self.kb.caveats[:4]:
                lines.append(f"- {writer.quote(doc_id, s, e)}")
        return KnowledgeAnswer("programs", "\n".join(lines), writer.citations, refused=refused or not chosen,
                               spans=writer.spans())

    def _overview_sentence(self) -> tuple[str, int, int] | None:
        """The sentence introducing the table's programmes ("Åtta utvärderade program …")."""
        doc_id = self.kb.programs[0].doc_id
        candidates = [(d, s, e) for d, s, e in self.kb.caveats if d == doc_id]
        doc = self.index.documents[doc_id]
        section = next((b.section for b in doc.blocks if b.start == self.kb.programs[0].start), ())
        for block in doc.blocks:
            if block.section == section and block.kind == "paragraph" and block.start < self.kb.programs[0].start:
                text = doc.text[block.start:block.end]
                if str(len(self.kb.programs)) in numbers_in(text) | number_words_in(text):  # "Åtta … program"
                    end = text.find(". ") + 1 if ". " in text else len(text)
                    return doc_id, block.start, block.start + end
        return candidates[0] if candidates else None

    def _table_caption(self) -> tuple[str, int, int] | None:
        return self._table_block("caption", before=False)

    def _table_block(self, kind: str, before: bool) -> tuple[str, int, int] | None:
        """The programme table's caption (after its rows) or header row (the last one before them)."""
        if not self.kb.programs:
            return None
        doc_id = self.kb.programs[0].doc_id
        doc = self.index.documents[doc_id]
        found = None
        for block in doc.blocks:
            if block.kind != kind:
                continue
            if before and block.start < self.kb.programs[0].start:
                found = (doc_id, block.start, block.end)
            elif not before and block.start > self.kb.programs[-1].start \
                    and doc.text[block.start:block.end].startswith(("Tabell", "Table")):
                return doc_id, block.start, block.end
        return found

    # --- commitments ------------------------------------------------------------------

    def commitment_answer(self, plan: QueryPlan, query_vector=None) -> KnowledgeAnswer | None:
        strategies = [d for d, e in self.index.entries.items() if e.doc_type == "strategi"]
        doc_ids = [d for d in plan.doc_ids if d in strategies] or [
            d for d in strategies if any(c.doc_id == d and c.kind == "commitment" for c in self.kb.commitments)]
        if not doc_ids:
            return None
        q = plan.effective.lower()
        topic = self._topic_tokens(plan, doc_ids)
        writer = CitationList(self.citer)
        lines: list[str] = []
        ordinal = ordinal_reference(plan.question)  # "inom det andra": the second of the numbered groups
        for doc_id in doc_ids:
            items = [c for c in self.kb.commitments if c.doc_id == doc_id and c.kind == "commitment"]
            if not items:
                continue
            numbered = [c for c in items if ordinal and re.search(rf"\b{ordinal}\b", c.group)]
            relevant = numbered or self._relevant(items, topic, query_vector)
            if relevant:
                items = relevant
            if len(doc_ids) > 1:
                lines.append(f"**{self.citer.short_label(doc_id)}**")
            group = None
            lead: tuple[int, int] | None = None
            for item in items:
                if item.group != group:
                    group, lead = item.group, None
                    if group:
                        lines.append(f"*{group}*")
                item_lead = item.lead
                if item_lead and item_lead != lead:
                    # "Det ska …": a lead-in is no statement of its own; each item below is cited with it.
                    lead_text = " ".join(self.index.documents[doc_id].text[item_lead[0]:item_lead[1]].split())
                    lines.append(f"{lead_text.rstrip(':')} …")
                lead = item_lead
                lines.append(f"- {writer.quote(doc_id, item.start, item.end, capitalize=not item_lead)}")
            follow = [c for c in self.kb.commitments
                      if c.doc_id == doc_id and c.kind in ("follow_up", "revision")]
            if follow and (not relevant or _FOLLOW_UP_ASK_RE.search(q)):
                lines.append("*Uppföljning*")
                for item in follow[:3]:
                    lines.append(f"- {writer.quote(doc_id, item.start, item.end)}")
            for note_doc, note in self.kb.notes:
                if note_doc == doc_id and not relevant:
                    heading = writer.cite(doc_id, *note.heading_span)
                    named = writer.cite(doc_id, *note.names_span)
                    lines.append(
                        f"\nObs: källan rubricerar en lista ”{note.heading}” [{heading}], men texten kallar "
                        f"målområde {note.number} ”{note.named}” [{named}]; svaret följer texten."
                    )
            lines.append("")
        if not writer.citations:
            return None
        return KnowledgeAnswer("commitments", "\n".join(lines).strip(), writer.citations, spans=writer.spans())

    def _topic_tokens(self, plan: QueryPlan, doc_ids: list[str]) -> set[str]:
        """What a question about commitments is about: its words less the ones that ask for commitments
        (general Swedish), name the documents (as the planner read them, and their catalog facts: title,
        publisher, type, aliases) or stand in most of their commitments (the field itself)."""
        analyzer = self.index.lexical.analyzer
        key = tuple(doc_ids)
        if key not in self.kb.document_words:
            self.kb.document_words[key] = self._document_words(doc_ids)
        generic = self.kb.document_words[key] | set(plan.naming_tokens)  # "Lindesbergs", "länsstrategin"

        def is_generic(token: str) -> bool:  # a compound of generic parts is generic: "länsstrategin"
            parts = [p for p in analyzer.tokens(token) if p != token]
            return token in generic or bool(parts) and all(p in generic for p in parts)

        return {t for t in plan.lexical_tokens if not is_generic(t)}

    def _document_words(self, doc_ids: list[str]) -> frozenset[str]:
        """Commitment-asking words, the documents' catalog facts, and the words in most of their commitments."""
        analyzer = self.index.lexical.analyzer
        found = set(analyzer.tokens(_COMMITMENT_WORDS))
        for doc_id in doc_ids:
            entry = self.index.entries[doc_id]
            found |= set(analyzer.tokens(" ".join([entry.title, entry.publisher, entry.doc_type, *entry.aliases])))
        items = [c for c in self.kb.commitments if c.doc_id in doc_ids and c.kind == "commitment"]
        counts = Counter(t for item in items for t in set(analyzer.tokens(item.text)))
        return frozenset(found | {t for t, n in counts.items() if n >= max(2, 0.5 * len(items))})

    def _relevant(self, items: list[CommitmentItem], topic: set[str], query_vector) -> list[CommitmentItem]:
        """The items a question with a topic asks about (by words and meaning); [] = all of them."""
        if not topic:
            return []
        analyzer = self.index.lexical.analyzer
        total = fsum(self.index.lexical.idf(t) for t in topic) or 1.0
        scored = []
        for item in items:
            tokens = set(analyzer.tokens(item.text + " " + item.group))
            lexical = fsum(self.index.lexical.idf(t) for t in topic if t in tokens) / total
            dense = 0.0
            if query_vector is not None:
                _, vectors = self.index.sentence_vectors(item.doc_id, item.start, item.end)
                if len(vectors):
                    dense = float(max(vectors @ query_vector))
            scored.append((0.5 * lexical + 0.5 * max(0.0, (dense - 0.8) / 0.12), item))
        best = max(s for s, _ in scored)
        if best <= 0.15:
            return []
        top = [item for s, item in sorted(scored, key=lambda pair: -pair[0]) if s >= 0.8 * best][:4]
        # An item stands in its group (a goal area's list of "Det ska …"): the whole group answers what the
        # strategy says on the topic, when the group is short enough to read.
        groups = Counter(item.group for item in items)
        shown = {item.group for item in top if item.group and groups[item.group] <= 6}
        return [item for item in items if item in top or item.group in shown]  # in the document's order

    # --- comparison -------------------------------------------------------------------

    def comparison(self, plan: QueryPlan, query_vector) -> KnowledgeAnswer | None:
        """Each named document's answer side by side: to the question itself when it has a topic of its own
        ("Lägger … tyngdpunkten på samma slags stöd?"), else on the general aspects of a strategy."""
        analyzer = self.index.lexical.analyzer
        naming = set(plan.naming_tokens)
        # The question without the words that name documents ("följebrevet" is no "följ upp").
        own = [w for w in words(plan.effective) if not set(analyzer.tokens(w)) & naming]
        q = " ".join(own)
        matched = [a for a in ASPECTS if a[1].search(q)]
        topic = [w for w in own if w not in STOPWORDS and w not in QUESTION_WORDS and not _COMPARE_ASK_RE.search(w)
                 and not any(a[1].search(w) for a in ASPECTS)]
        if topic:  # one section, searched with the question's own words and the kinds its aspects name
            kinds = tuple(k for a in matched for k in a[3])
            sections = [(matched[0][0] if len(matched) == 1 else "", plan.effective, kinds)]
        elif matched:  # the aspects it names, searched with its words too ("samma målområden")
            sections = [(title, f"{plan.effective} {aspect_question}", kinds) for title, _, aspect_question, kinds
                        in matched]
        else:
            sections = [(title, aspect_question, kinds) for title, _, aspect_question, kinds in ASPECTS]
        wants_frequency = bool(re.search(r"\b(hur ofta|oftare|sällan|frekvens)", q))
        writer = CitationList(self.citer)
        lines: list[str] = []
        for title, aspect_question, kinds in sections:
            rows = []
            for doc_id in plan.doc_ids:
                spans = self._aspect_evidence(doc_id, aspect_question, kinds, wants_frequency)
                if spans:
                    quotes = " ".join(writer.quote(*span) for span in spans)
                    rows.append(f"- *{self.citer.short_label(doc_id)}:* {quotes}")
            if rows:
                if title:
                    lines.append(f"**{title}**")
                lines.extend(rows)
                lines.append("")
        if not writer.citations:
            return None
        return KnowledgeAnswer("comparison", "\n".join(lines).strip(), writer.citations, spans=writer.spans())

    def _aspect_evidence(self, doc_id: str, question: str, kinds: tuple[str, ...],
                         wants_frequency: bool = False) -> list[tuple[str, int, int]]:
        """The best sentences (up to two) on one aspect from ``doc_id`` or the documents about it."""
        related = self.index.related_documents(doc_id)
        analyzer = self.index.lexical.analyzer
        plan = QueryPlan(question=question, effective=question, lexical_tokens=analyzer.tokens(question),
                         dense_text=question, content_words=[], doc_ids=[])
        vector = self.index.embed_query(question)
        retrieval = self.retriever.retrieve(plan, vector, related)
        ranking = self.ranker.rank(plan, retrieval, vector)
        preferred = {(c.doc_id, c.start) for c in self.kb.commitments if c.kind in kinds}
        scored = []
        for sentence in ranking.sentences[:30]:
            bonus = 0.3 if (sentence.chunk.doc_id, sentence.start) in preferred else 0.0
            bonus += 0.05 if sentence.chunk.doc_id == doc_id else 0.0
            if "validity" in kinds and YEAR_RANGE_RE.search(sentence.text):
                bonus += 0.3  # a validity period is a span of years
            if wants_frequency and FREQUENCY_RE.search(sentence.text):
                bonus += 0.3
            scored.append((sentence.score + bonus, sentence))
        scored.sort(key=lambda pair: -pair[0])
        distinct: list[tuple[float, Sentence]] = []
        for score, sentence in scored:  # a document about another may repeat its sentences almost word for word
            if not any(redundant(sentence, s, self.ranker.t.redundancy) for _, s in distinct):
                distinct.append((score, sentence))
        chosen = [s for score, s in distinct[:2] if score >= 0.8 * distinct[0][0]] if distinct else []
        chosen.sort(key=lambda s: (s.chunk.doc_id != doc_id, s.start))
        return [(s.chunk.doc_id, s.start, s.end) for s in chosen]

    # --- browsing ---------------------------------------------------------------------

    def tables(self) -> KnowledgeTables:
        """The knowledge for browsing; each record with the citation of the passage it comes from."""
        def sourced(record: GlossaryEntry | ProgramRecord | CommitmentItem) -> Sourced:
            return Sourced(record, self.citer.citation(0, record.doc_id, record.start, record.end))

        return KnowledgeTables(
            glossary=[sourced(g) for g in sorted(self.kb.glossary, key=lambda g: g.term.lower())],
            programs=[sourced(p) for p in self.kb.programs],
            commitments=[sourced(c) for c in self.kb.commitments],
        )
