"""Does the evidence answer the question at all? The refusal rules.

Similarity scores alone do not separate answerable from unanswerable questions (a
question about a budget is close in meaning to every passage about resources). The
rules below look for what an answer would have to contain instead:

* a name the question depends on (a place, a programme, an organisation) that occurs
  nowhere in the documents ("Uppsala", "Familjeverkstan");
* a kind of fact the question asks for — an amount of money, opening hours, a phone
  number, a count of something, a share, a date — that the best passages do not contain.

Each rule returns a Swedish reason shown to the user, or None.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from assistant.planning import QUESTION_WORDS, QueryPlan
from swedish.dates import DATE_RE, FREQUENCY_RE
from swedish.numbers import NUMBER_WORD_PATTERN, QUANTITY_WORDS
from swedish.tokens import STOPWORDS, SwedishAnalyzer

_NUMBER_WORDS = f"{NUMBER_WORD_PATTERN}|{'|'.join(QUANTITY_WORDS)}"


@dataclass
class EvidenceSentence:
    text: str
    doc_id: str
    coverage: float
    table_context: str = ""  # for a table row: its caption and column headers (what its numbers count)


@dataclass
class AnswerTypeRule:
    asks: re.Pattern
    evidence: re.Pattern
    reason: str

    def check(self, question: str, evidence: Sequence[EvidenceSentence]) -> str | None:
        if self.asks.search(question) and not any(self.evidence.search(e.text.lower()) for e in evidence):
            return self.reason
        return None


# (what the question asks for, what evidence of it looks like, the reason given when it is missing)
ANSWER_TYPES = [AnswerTypeRule(re.compile(asks), re.compile(evidence), reason) for asks, evidence, reason in (
    (r"\b(kronor|kr\b|budget\w*|kost(ar|nad|naden|nader)|belopp\w*|pengar\w*|avsatt|anslag\w*|lön\w*|arvode\w*|"
     r"avgift\w*)", r"\d[\d  ]*(kr\b|kronor|miljon|mnkr|tkr|mkr)|\bkostnadsfri|\bgratis\b|\bavgiftsfri",
     "Dokumenten anger inga belopp för detta."),
    (r"\b(öppettid\w*|öppet|öppna tider|öppnar|stänger|klockan)\b", r"\bkl\.?\s*\d|\b\d{1,2}[.:]\d{2}\s*[-–]\s*\d{1,2}",
     "Dokumenten anger inga öppettider."),
    (r"\b(telefon\w*|ringa|ringer)\b", r"\b0\d{1,3}[- ]\d{2,3}[ -]?\d{2}", "Dokumenten innehåller inga telefonnummer."),
    (r"\b(andel|procent\w*|hur stor del)\b",
     r"\d+\s*(%|procent)|\b(hälften|majoriteten|en fjärdedel|en tredjedel|minoriteten|de flesta)\b",
     "Dokumenten redovisar ingen sådan andel."),
)]

_COUNT_RE = re.compile(r"\bhur många (\w+)(?: \w+)?")
_DATE_ASK_RE = re.compile(r"\b(vilket datum|vilken dag|datum|när (fattade|beslutade|antogs|antog|beslutades))\b")


def unknown_names(question: str, analyzer: SwedishAnalyzer, known_terms: Iterable[str] = ()) -> list[str]:
    """Capitalised words of the question (names) that occur nowhere in the documents."""
    lexicon = analyzer.lexicon
    known = {t.lower() for t in known_terms}
    names = []
    for match in re.finditer(r"[A-ZÅÄÖ][\wÅÄÖåäö]+(?:-[\wÅÄÖåäö]+)?", question):
        token = match.group(0)
        if re.search(r"(^|[.!?:]\s+|[\"”(]\s*)$", question[:match.start()]):
            continue  # a capital at the start of a sentence is not a name
        parts = [p for p in token.lower().split("-") if p]
        if all(_known(p, lexicon, known) or _known_compound(p, lexicon, known) for p in parts):
            continue
        names.append(token)
    return names


def _known(word: str, lexicon: frozenset[str], known: set[str]) -> bool:
    if word in lexicon or word in known or word in STOPWORDS or word in QUESTION_WORDS:
        return True
    if len(word) < 9:
        return False
    stem = word[:-3]  # "Värmlands" ~ "värmland": inflections of a known word
    return any(w.startswith(stem) and abs(len(w) - len(word)) <= 3 for w in lexicon)


def _known_compound(word: str, lexicon: frozenset[str], known: set[str]) -> bool:
    """"Västmanlandshandbokens": a known word followed by an (inflected) known word."""
    for cut in range(4, len(word) - 3):
        head, tail = word[:cut], word[cut:]
        if head in lexicon and (_known(tail, lexicon, known) or (tail[0] == "s" and _known(tail[1:], lexicon, known))):
            return True
    return False


_PERSON_ASK_RE = re.compile(
    r"\b(vem|vilka) (är|var|blir)\b.*\b(ordförande|kontaktperson\w*|chef\w*|samordnare\w*|direktör\w*|"
    r"handläggare\w*|talesperson\w*|ansvarig person|ledamot\w*|politiker)|\bvad heter\b")
_ORGANISATION_WORDS = {"region", "länsstyrelsen", "svenska", "örebro", "västmanland", "lindesbergs", "lindesberg",
                       "kommun", "kommunfullmäktige", "socialnämnden", "folkhälsoteamet", "myndigheten"}
_NAME_RE = re.compile(r"\b([A-ZÅÄÖ][a-zåäöé]+(?:-[A-ZÅÄÖ][a-zåäöé]+)?) ([A-ZÅÄÖ][a-zåäöé]{2,})\b")


def person_evidence_missing(question: str, evidence: Sequence[EvidenceSentence]) -> str | None:
    """"Vem är ordförande …" needs a person's name in the evidence, not just a role."""
    if not _PERSON_ASK_RE.search(question):
        return None
    for e in evidence:
        for first, last in _NAME_RE.findall(e.text):
            if first.lower() not in _ORGANISATION_WORDS and last.lower() not in _ORGANISATION_WORDS:
                return None
    return "Dokumenten namnger ingen sådan person."


def count_evidence_missing(question: str, evidence: Sequence[EvidenceSentence]) -> str | None:
    """"Hur många X" needs a number right before X (or X's stem) in the evidence."""
    match = _COUNT_RE.search(question)
    if not match:
        return None
    noun = match.group(1)
    stem = noun[: max(4, len(noun) - 3)]
    number = rf"(\d+|{_NUMBER_WORDS})"
    before_noun = re.compile(rf"\b{number}\s+(\w+\s+){{0,2}}{re.escape(stem)}\w*", re.IGNORECASE)
    quantified = re.compile(rf"\b(minst|högst|cirka|ungefär|omkring|drygt|knappt)\s+{number}\b", re.IGNORECASE)
    for e in evidence:
        if before_noun.search(e.text) or (quantified.search(e.text) and stem.lower() in e.text.lower()):
            return None
        if e.table_context and stem.lower() in e.table_context.lower() and re.search(r"\d", e.text):
            return None  # a table row with numbers in a table that counts X
    return "Dokumenten anger inte hur många det är."


def date_evidence_missing(question: str, evidence: Sequence[EvidenceSentence]) -> str | None:
    if not _DATE_ASK_RE.search(question):
        return None
    if any(DATE_RE.search(e.text) and e.coverage >= 0.2 for e in evidence):
        return None
    return "Dokumenten anger inget sådant datum."


_PAST_RE = re.compile(r"\b(visade|blev|gick|hade|fattade|beslutade|antogs|resulterade|uppnåddes|nådde)\b")


def after_the_documents(question: str, latest_year: int | None) -> str | None:
    """A question about what happened in a year after the newest document was written."""
    if latest_year is None:
        return None
    years = [int(y) for y in re.findall(r"\b(20\d\d)\b", question)]
    future = [y for y in years if y > latest_year]
    if future and _PAST_RE.search(question):
        return f"Dokumenten är skrivna senast {latest_year} och kan inte beskriva vad som hände {future[0]}."
    return None


def refusal_reason(plan: QueryPlan, evidence: Sequence[EvidenceSentence], analyzer: SwedishAnalyzer,
                   known_terms: Iterable[str] = (), latest_year: int | None = None) -> str | None:
    """A Swedish reason to refuse, or None when the evidence may answer the question."""
    names = unknown_names(plan.question, analyzer, known_terms)
    if names:
        listed = ", ".join(f"”{n}”" for n in names)
        return f"Dokumenten nämner inte {listed}."
    question = plan.effective.lower()
    reason = after_the_documents(question, latest_year)
    if reason:
        return reason
    if plan.doc_ids and not plan.compare:  # facts about a named place must come from its documents
        evidence = [e for e in evidence if e.doc_id in plan.doc_ids]
    for rule in ANSWER_TYPES:
        reason = rule.check(question, evidence)
        if reason:
            return reason
    return (count_evidence_missing(question, evidence) or date_evidence_missing(question, evidence)
            or person_evidence_missing(question, evidence))


# What kind of fact a question asks for, and what a sentence that states one looks like.
EXPECTED_FACTS: list[tuple[re.Pattern, re.Pattern, float]] = [
    (re.compile(r"\b(hur ofta|hur regelbundet|oftare|sällan)\b"),
     re.compile(rf"{FREQUENCY_RE.pattern}|\blöpande\b"), 0.15),
    (re.compile(r"\b(när|vilket datum|vilket år|senast|hur länge|vilken period)\b"),
     re.compile(r"\b(19|20)\d\d\b|\bsenast\b"), 0.08),
    (re.compile(r"\b(hur många|hur stor|antal)\b"),
     re.compile(rf"\b(\d+|{_NUMBER_WORDS})\b"), 0.08),
    (re.compile(r"^\s*vem\b|\bvilka (ansvarar|beslutar|leder)\b"),
     re.compile(r"\b(ansvar\w*|uppdrag|leds av|beslut\w*|fastställ\w*)\b"), 0.05),
]


def expected_fact_bonus(question: str, sentence: str) -> float:
    """A small bonus for a sentence that states the kind of fact the question asks for."""
    q, text = question.lower(), sentence.lower()
    bonus = sum(b for asks, states, b in EXPECTED_FACTS if asks.search(q) and states.search(text))
    if _PERSON_ASK_RE.search(q) and any(first.lower() not in _ORGANISATION_WORDS
                                        for first, _ in _NAME_RE.findall(sentence)):
        bonus += 0.2  # "Vem är kontaktperson …": a line with a person's name
    return bonus

