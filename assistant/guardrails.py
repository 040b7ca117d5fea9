"""Guard rails for generated answers: pure functions of (model output, the passages it was given,
the analyzer), checked in code on every answer and testable without a model
(``tests/test_guardrails.py``).

1. every [n] refers to a passage that was given;
2. every sentence has a marker (a lead-in to a list excepted);
3. the cited passage shares the sentence's key terms;
4. the sentence's numbers, number words and month names occur in the cited passages;
5. the answer is Swedish;
6. no sentence echoes injected instructions;
7. every sentence tells something the question does not already say (a restatement is dropped), what
   it adds is what its cited passage must hold, and so is most of what it took from the question (its
   premise: "Det som oftast stoppar kommuner är att …");
8. every part of a question with several asks is answered, or the answer says which part is not
   (``parts_answered``); an answer holding fewer of the asked facts than the extractive draft is not
   shown (``facts_held``, applied by the generative answerer).

A failing sentence gets its marker moved to the passage that supports it or is dropped
(outcome "repaired"); an answer with nothing left gives the extractive answer instead
(outcome "fallback").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from math import fsum

from assistant.messages import REFUSAL
from assistant.planning import QUESTION_WORDS
from assistant.prompts import GivenPassage
from swedish.dates import MONTH_NUMBERS, month_written_as_date
from swedish.language import looks_english
from swedish.numbers import number_words_in, numbers_in
from swedish.questions import (
    QuestionType,
    asks_for_a_list,
    enumerates,
    evidence_spans,
    question_parts,
    question_type,
)
from swedish.sentences import sentences
from swedish.tokens import STOPWORDS, SwedishAnalyzer, inflects, stem, stem_matches, words

_MARKER_RE = re.compile(r"\[\s*(?:utdrag\s*|källa\s*)?(\d{1,3}(?:\s*(?:[,;]|och|–|-)\s*\d{1,3})*)\s*\]", re.I)
_BULLET_RE = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)])\s+")

def parse_markers(text: str) -> list[int]:
    """The passage numbers of all markers in ``text``, in order, once each ("[1, 3]", "[2–4]" too)."""
    found: list[int] = []
    for match in _MARKER_RE.finditer(text):
        for part in re.split(r"\s*(?:[,;]|och)\s*", match.group(1)):
            bounds = re.split(r"\s*[–-]\s*", part)
            if len(bounds) == 2 and bounds[0].isdigit() and bounds[1].isdigit():
                low, high = int(bounds[0]), int(bounds[1])
                numbers = list(range(low, high + 1)) if 0 < high - low <= 10 else [low, high]
            else:
                numbers = [int(b) for b in bounds if b.isdigit()]
            found.extend(n for n in numbers if n not in found)
    return found


_PLACEHOLDER_RE = re.compile(r"\s*\[(?:n|x|nr|nummer|k)\]", re.IGNORECASE)  # "[n]" copied from the instructions


def strip_markers(text: str) -> str:
    text = _PLACEHOLDER_RE.sub("", _MARKER_RE.sub("", text))
    text = re.sub(r"\s+([.,;:!?])", r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


@dataclass
class Unit:
    """One sentence (or list item) of a model answer."""

    text: str  # without markers
    markers: list[int]  # as the model wrote them
    bullet: str = ""  # "- " for a list item
    separator: str = " "  # what stands before it: "", " ", "\n" or "\n\n"


def split_units(answer: str) -> list[Unit]:
    """Sentences and list items of a model answer, each with the markers written in or right after it."""
    units: list[Unit] = []
    separator = ""
    for line in answer.replace("\r\n", "\n").split("\n"):
        if not line.strip():
            separator = "\n\n" if units else ""
            continue
        bullet = ""
        match = _BULLET_RE.match(line)
        if match:
            bullet, line = "- ", line[match.end():]
        pieces = sentences(line, with_markers=True) if not bullet else [line]
        for i, piece in enumerate(pieces):
            text = strip_markers(piece)
            markers = parse_markers(piece)
            if not text and markers and units:  # markers on a line of their own belong to the sentence before
                units[-1].markers += [m for m in markers if m not in units[-1].markers]
                continue
            if not text:
                continue
            if i == 0:
                sep = separator if separator else ("\n" if units else "")
            else:
                sep = " "
            units.append(Unit(text, markers, bullet if i == 0 else "", sep))
        separator = "\n"
    return units


def is_refusal(text: str) -> bool:
    return strip_markers(text).rstrip(".!").casefold() == REFUSAL.rstrip(".").casefold()


# --- (3) key terms ---------------------------------------------------------------------------

def key_terms(text: str, analyzer: SwedishAnalyzer) -> list[list[str]]:
    """The content words of ``text``, each as its stems (the word's own and its compound parts').

    Numbers are left to ``unsupported_numbers``; question words and stop words carry no claim."""
    terms: list[list[str]] = []
    seen: set[str] = set()
    for word in words(strip_markers(text)):
        if word.isdigit() or word[:1].isdigit() or word in STOPWORDS or word in QUESTION_WORDS or len(word) < 2:
            continue
        stems = analyzer.tokens(word)
        if stems and stems[0] not in seen:
            seen.add(stems[0])
            terms.append(stems)
    return terms


def term_support(sentence: str, passage_text: str, analyzer: SwedishAnalyzer,
                 weight: Callable[[str], float] | None = None, asked: frozenset[str] = frozenset()) -> float:
    """Share of the sentence's key terms (weighted, e.g. by rarity) that the passage contains; 1.0 without terms.

    With ``asked`` (the question's stems), only the terms the sentence adds to the question count."""
    terms = added_terms(sentence, asked, analyzer) if asked else key_terms(sentence, analyzer)

    def held(stems: list[str], tokens: set[str]) -> float:
        if stem_matches(stems[0], tokens, both_ways=True):
            return 1.0
        # a compound counts by the share of its parts the passage has
        return sum(stem_matches(p, tokens, both_ways=True) for p in stems[1:]) / (len(stems) - 1) \
            if len(stems) > 1 else 0.0

    return _share_held(terms, passage_text, analyzer, weight, held)


def _share_held(terms: list[list[str]], passage_text: str, analyzer: SwedishAnalyzer,
                weight: Callable[[str], float] | None, held: Callable[[list[str], set[str]], float]) -> float:
    """Weighted share of ``terms`` (each a word's stems) the passage holds, ``held`` saying how much of one
    word it holds (0–1); 1.0 without terms."""
    if not terms:
        return 1.0
    tokens = set(analyzer.tokens(passage_text))
    total = matched = 0.0
    for stems in terms:
        w = weight(stems[0]) if weight else 1.0
        total += w
        matched += w * held(stems, tokens)
    return matched / total if total else 1.0


# --- (7) information, not echo ----------------------------------------------------------------

# General Swedish words that claim nothing by themselves: "Det finns olika grupper" says no more than
# the question "Vilka grupper finns?".
CLAIMLESS_WORDS = frozenset({
    "finns", "fanns", "gäller", "handlar", "innebär", "sker", "görs", "ges", "olika", "viss", "vissa", "visst",
    "annan", "annat", "andra", "del", "delar", "sätt", "exempel", "bland", "viktig", "viktigt", "viktiga",
    "ja", "nej", "också", "främst", "framför", "allt", "därför", "både", "fråga", "frågan",
})


_CLAIMLESS_STEMS = frozenset(stem(w) for w in CLAIMLESS_WORDS)


def asked_stems(question: str, analyzer: SwedishAnalyzer) -> frozenset[str]:
    """The stems a sentence must go beyond to tell something: the question's and the claimless words'."""
    return frozenset(analyzer.tokens(question)) | _CLAIMLESS_STEMS


def _asked(stem_: str, asked: Collection[str]) -> bool:
    """The stem is one of ``asked``, a derivation or an inflection of one."""
    return stem_matches(stem_, asked, both_ways=True) or any(inflects(stem_, a) for a in asked)


def added_terms(sentence: str, asked: frozenset[str], analyzer: SwedishAnalyzer) -> list[list[str]]:
    """The key terms of ``sentence`` that the question (its stems ``asked``) does not already hold."""
    added = []
    for stems in key_terms(sentence, analyzer):
        if _asked(stems[0], asked):
            continue
        if len(stems) > 1 and all(_asked(part, asked) for part in stems[1:]):
            continue  # a compound of asked words ("BVC-grupperna" after "grupper på BVC")
        added.append(stems)
    return added


def premise_support(sentence: str, passage_text: str, asked: frozenset[str], analyzer: SwedishAnalyzer,
                    weight: Callable[[str], float] | None = None) -> float:
    """Share of the words a sentence took from the question (weighted) that the passage holds: "Det som
    oftast stoppar kommuner är att …" asserts the question's premise, which the passage must state too."""
    terms = [t for t in key_terms(sentence, analyzer) if t[0] not in _CLAIMLESS_STEMS and _asked(t[0], asked)]

    def held(stems: list[str], tokens: set[str]) -> float:
        whole = _asked(stems[0], tokens)
        return float(whole or (len(stems) > 1 and all(stem_matches(p, tokens, both_ways=True) for p in stems[1:])))

    return _share_held(terms, passage_text, analyzer, weight, held)


def restates_question(sentence: str, question: str, analyzer: SwedishAnalyzer,
                      asked: frozenset[str] | None = None) -> bool:
    """The sentence adds no content word, name or number to the question: an echo, not an answer."""
    if not question:
        return False
    asked = asked if asked is not None else asked_stems(question, analyzer)
    text = strip_markers(sentence)
    return not added_terms(text, asked, analyzer) and not (numbers_in(text) - numbers_in(question))


_GAP_RE = re.compile(r"^(det framgår inte|(utdragen|dokumenten|texten|källorna) (säger|nämner|besvarar|anger|"
                     r"beskriver|tar) (inte|inget|ingenting)|det står inte|(utdragen|dokumenten) saknar)", re.I)


def states_gap(text: str) -> bool:
    """The sentence says the documents do not answer (part of) the question."""
    return bool(_GAP_RE.match(strip_markers(text)))


# --- (8) every part answered, and no fewer facts than the extractive draft ---------------------

_BARE_ANSWER_WORDS = 6  # "MFoF", "Vartannat år", "Tio av tolv kommuner": an answer without a sentence around it

# Asks answered by a kind of fact: a date, a frequency, a count, an amount, a body or name, a reason.
_TYPED = (QuestionType.WHEN, QuestionType.HOW_OFTEN, QuestionType.HOW_MANY, QuestionType.AMOUNT, QuestionType.WHO,
          QuestionType.WHY)


def parts_answered(question: str, texts: Sequence[str], analyzer: SwedishAnalyzer, strict: bool = False,
                   weight: Callable[[str], float] | None = None, coverage: float = 0.25) -> list[tuple[str, bool]]:
    """Each ask of the question with whether one of ``texts`` answers it.

    A sentence that adds content to the question answers the asks whose own words it speaks of; its
    facts of other kinds (a date, a number, a frequency, a body) answer the asks still open that need
    them, one fact per ask ("MFoF" answers "vilken myndighet …", not also "vem … före"). A sentence
    about an open ask ("vilka tog initiativ …") gives all its facts to that ask. ``strict``: an ask for a
    date, number, frequency, amount or body is answered only by such a fact, not by speaking of it.

    A sentence "speaks of" an ask when it holds at least ``coverage`` of the ask's own words, weighted by
    rarity (``weight``, e.g. inverse document frequency; word length without): "Vad menar Lindesberg med
    en obruten kedja?" needs "obruten kedja", not just "Lindesberg"; a list answers "vilka …"."""
    parts = question_parts(question)
    asked = asked_stems(question, analyzer)
    stems = [set(analyzer.tokens(p)) for p in parts]
    own = [stems[i] - set().union(*(stems[j] for j in range(len(parts)) if j != i)) if len(parts) > 1 else stems[i]
           for i in range(len(parts))]
    rarity = weight or len
    kinds = [question_type(p) for p in parts]

    def speaks_of(i: int, found: set[str]) -> bool:
        total = fsum(rarity(s) for s in own[i])
        held = fsum(rarity(s) for s in own[i] if _asked(s, found))
        return total > 0 and held / total >= coverage

    informative = [t for t in texts if not states_gap(t) and not restates_question(t, question, analyzer, asked)]
    answered = [False] * len(parts)
    facts_left: list[tuple[str, list[int]]] = []  # sentences whose facts may answer asks, with what they are about
    for text in informative:
        found = set(analyzer.tokens(text))
        about = [i for i in range(len(parts))
                 if speaks_of(i, found) or (asks_for_a_list(parts[i]) and enumerates(text))]
        for i in about:
            answered[i] = answered[i] or not (strict and kinds[i] in _TYPED)
        # An open ask ("vilka tog initiativ") takes all its facts; a fact answers an ask when its sentence
        # speaks of that ask or is a bare answer ("MFoF", "Vartannat år"), not a fact said about something else.
        if all(kinds[i] in _TYPED for i in about) and (about or len(words(text)) <= _BARE_ANSWER_WORDS):
            facts_left.append((text, about))
    claimed: set[tuple[int, str]] = set()  # (sentence, fact): one fact answers one ask
    for i, kind in enumerate(kinds):
        if answered[i] or kind not in _TYPED:
            continue
        for n, (text, about) in enumerate(facts_left):
            if any(j != i and kinds[j] == kind for j in about):
                continue  # its fact of this kind answers the other ask it is about
            new = [f for f in evidence_spans(kind, text, question) if (n, f.lower()) not in claimed]
            if new:
                answered[i] = True
                claimed.add((n, new[0].lower()))
                break
    return list(zip(parts, answered, strict=True))


def facts_held(question: str, texts: Sequence[str], analyzer: SwedishAnalyzer, short_answer: str = "",
               weight: Callable[[str], float] | None = None) -> int:
    """How many of the asked facts ``texts`` hold: the asks answered (``parts_answered``, strict: a date for
    "när", a frequency for "hur ofta" …), and one more for
    ``short_answer`` (the span the extractive answer gives first, "vartannat år") written in them."""
    held = sum(answered for _, answered in parts_answered(question, texts, analyzer, strict=True, weight=weight))
    if short_answer:
        joined = " ".join(" ".join(strip_markers(t).lower().split()) for t in texts)
        held += " ".join(short_answer.lower().split()) in joined
    return held


_SHORT_ANSWER_RE = re.compile(r"^\*\*(.+?)\*\*\s*\[\d+\]\s*$")


def short_answer(markdown: str) -> str:
    """The short answer an extractive answer gives on its first line ("**vartannat år** [1]"), or ""."""
    match = _SHORT_ANSWER_RE.match(markdown.split("\n", 1)[0].strip())
    return match.group(1) if match else ""


def compare_with_draft(report: GuardrailReport, question: str, draft: str, analyzer: SwedishAnalyzer,
                       weight: Callable[[str], float] | None = None) -> list[str]:
    """Weigh a checked model answer against the extractive ``draft`` (Markdown) for the same question.

    Turns ``report`` into a fallback when the model refused a question the draft answers (issue
    ``refused_what_the_draft_answers``), its answer holds none of the asked facts (``answers_nothing_asked``:
    no number for "hur många", nothing about what is asked) or fewer than the draft
    (``fewer_facts_than_extractive``); otherwise returns the asks it leaves open that it does not itself
    say are open (the draft does not answer them either), and marks the answer repaired when there are
    any."""
    if report.refusal:
        # The draft's refusal rules passed this question; on the development split the 1.5B model's refusals
        # were wrong for 12 of 14 such questions, so its refusal does not overrule them.
        report.outcome, report.refusal = "fallback", False
        report.issues.append("refused_what_the_draft_answers")
        return []
    kept = [c.unit.text for c in report.kept if c.action != "exempt"]
    draft_lines = [unit.text for unit in split_units(draft)]
    short = short_answer(draft)
    ours = facts_held(question, kept, analyzer, short, weight)
    if ours == 0 or ours < facts_held(question, draft_lines, analyzer, short, weight):
        report.outcome = "fallback"
        report.issues.append("fewer_facts_than_extractive" if ours else "answers_nothing_asked")
        return []
    open_parts: list[str] = []
    if len(question_parts(question)) >= 2 and not any(states_gap(c.unit.text) for c in report.kept):
        open_parts = [part for part, answered in parts_answered(question, kept, analyzer, weight=weight)
                      if not answered]
    if open_parts:
        report.issues.append("part_unanswered")
        if report.outcome == "unrepaired":
            report.outcome = "repaired"
    held = draft_content_held(kept, question, draft, analyzer, weight) if report.outcome == "repaired" else 1.0
    if held < DRAFT_CONTENT_FLOOR:
        # An answer the guard rails had to mend that also leaves out most of what the draft says is not better
        # than the draft (on the development replay: both answers that held fewer facts, one that held more).
        report.outcome = "fallback"
        report.issues.append("drops_the_drafts_content")
        return []
    return open_parts


# The share of the draft's content (beyond the question's words) a repaired answer must keep.
DRAFT_CONTENT_FLOOR = 0.35


def draft_content_held(texts: Sequence[str], question: str, draft: str, analyzer: SwedishAnalyzer,
                       weight: Callable[[str], float] | None = None) -> float:
    """The share of what the extractive ``draft`` says beyond the question (its stems, weighted by
    ``weight``: rare words count most) that ``texts`` say too; 1.0 for a draft that adds nothing."""
    asked = set(analyzer.tokens(question))
    stems = {t for t in analyzer.tokens(strip_markers(draft)) if t not in asked}
    weights = {t: weight(t) if weight else 1.0 for t in stems}
    total = fsum(weights.values())
    if not total:
        return 1.0
    ours = set(analyzer.tokens(" ".join(strip_markers(t) for t in texts)))
    return fsum(w for t, w in weights.items() if t in ours) / total


# --- (4) numbers and dates -------------------------------------------------------------------

def unsupported_numbers(sentence: str, passage_texts: Sequence[str]) -> list[str]:
    """Numbers and month names of a sentence that none of the passages contains."""
    sentence = strip_markers(sentence)
    evidence = "\n".join(passage_texts)
    have = numbers_in(evidence) | number_words_in(evidence)
    missing = sorted(numbers_in(sentence) - have)
    lowered = evidence.lower()
    for month in MONTH_NUMBERS:
        if re.search(rf"\b{month}\b", sentence.lower()) and month not in lowered \
                and not month_written_as_date(month, lowered):
            missing.append(month)
    return missing


# --- (5) language, (6) instructions -------------------------------------------------------

def is_swedish(text: str) -> bool:
    """False for an answer that is clearly in English (function words), whatever Swedish names it quotes."""
    return not looks_english(strip_markers(text), min_english_words=3)


_INSTRUCTION_ECHO_RE = re.compile(
    r"ignore (all |the )?(previous|prior|above)|ignorera (alla |de )?(tidigare|ovanstående|föregående)|"
    r"(tidigare|föregående) instruktioner|systemprompt|system prompt|mina (regler|instruktioner)|"
    r"<\s*/?\s*(utdrag|fråga)\s*>|<\|im_(start|end)\|>|\bjailbreak|språkmodell|as an ai\b",
    re.IGNORECASE)


def echoes_instructions(text: str) -> bool:
    """A sentence about instructions or prompts, not about the documents' subject: an echoed injection."""
    return bool(_INSTRUCTION_ECHO_RE.search(text))


# --- the check ------------------------------------------------------------------------------

@dataclass
class CheckedUnit:
    unit: Unit
    markers: list[int]  # after the check (passage numbers)
    action: str  # kept | reattached | dropped | exempt
    issues: list[str] = field(default_factory=list)


@dataclass
class GuardrailReport:
    outcome: str  # unrepaired | repaired | fallback
    refusal: bool
    units: list[CheckedUnit]
    issues: list[str] = field(default_factory=list)  # answer-level: empty, not_swedish, nothing_supported

    @property
    def kept(self) -> list[CheckedUnit]:
        return [u for u in self.units if u.action != "dropped"]

    def all_issues(self) -> list[str]:
        return self.issues + [i for u in self.units for i in u.issues]


@dataclass(frozen=True)
class GuardrailConfig:
    min_support: float = 0.5  # share of a sentence's key terms its cited passages must contain
    min_each: float = 0.25  # … and each single cited passage
    better_by: float = 0.3  # a given passage supporting the sentence this much better takes over the marker
    min_premise: float = 0.5  # share of the words a sentence took from the question its cited passages must hold


def check_answer(answer: str, passages: Sequence[GivenPassage], analyzer: SwedishAnalyzer,
                 weight: Callable[[str], float] | None = None,
                 config: GuardrailConfig = GuardrailConfig(), question: str = "") -> GuardrailReport:
    """Check a model answer to ``question`` against the passages it was given; repair what can be repaired.

    outcome "fallback" means: show the extractive answer instead."""
    units = split_units(answer)
    if not units:
        return GuardrailReport("fallback", False, [], ["empty"])
    if not is_swedish(answer):
        return GuardrailReport("fallback", False, [CheckedUnit(u, u.markers, "dropped") for u in units],
                               ["not_swedish"])
    by_n = {p.n: p for p in passages}
    if any(is_refusal(u.text) for u in units) and not any(m in by_n for u in units for m in u.markers):
        checked = [CheckedUnit(u, [], "exempt" if is_refusal(u.text) else "dropped") for u in units]
        first = next(i for i, c in enumerate(checked) if c.action == "exempt")
        checked = [c if i == first else replace(c, action="dropped") for i, c in enumerate(checked)]
        repaired = len(units) > 1
        return GuardrailReport("repaired" if repaired else "unrepaired", True, checked)

    # A word of a passage the model misspelled ("jämstelt" for "jämställt") is written as the passage writes it.
    passage_words = frozenset(w for p in passages for w in words(p.searchable) if len(w) >= 5)
    respelled = [respell(u.text, passage_words, analyzer) for u in units]
    units = [replace(u, text=text) if n else u for u, (text, n) in zip(units, respelled, strict=True)]
    asked = asked_stems(question, analyzer) if question else frozenset()
    checked: list[CheckedUnit] = []
    for i, unit in enumerate(units):
        result = _check_unit(unit, units[i + 1] if i + 1 < len(units) else None, by_n, analyzer, weight, config,
                             question, asked)
        if asked and result.action in ("kept", "reattached") and premise_support(
                unit.text, "\n".join(by_n[m].searchable for m in result.markers), asked, analyzer,
                weight) < config.min_premise:
            result = CheckedUnit(unit, [], "dropped", [*result.issues, "premise_not_in_passage"])
        if respelled[i][1] and result.action != "dropped":
            result.issues.append("misspelling")
        checked.append(result)
    kept = [c for c in checked if c.action in ("kept", "reattached")]
    if not kept:
        restated = all("restatement" in c.issues for c in checked if c.action == "dropped")
        return GuardrailReport("fallback", False, checked, ["restatement_only" if restated else "nothing_supported"])
    changed = any(c.action in ("reattached", "dropped") or c.markers != c.unit.markers or "misspelling" in c.issues
                  for c in checked)
    return GuardrailReport("repaired" if changed else "unrepaired", False, checked)


def respell(text: str, passage_words: Collection[str], analyzer: SwedishAnalyzer) -> tuple[str, int]:
    """``text`` with each word the documents never write that is one letter (two in a word of eight or more)
    from exactly one nearest word of the passages (same first three letters, another stem: not an
    inflection) written as the passages write it, and how many words that was."""
    fixed = 0

    def fix(match: re.Match) -> str:
        nonlocal fixed
        word = match.group(0)
        low = word.lower()
        if len(low) < 5 or low in passage_words or low in analyzer.lexicon or low in STOPWORDS:
            return word
        near = sorted((_edit_distance(low, p), p) for p in passage_words
                      if p[:3] == low[:3] and abs(len(p) - len(low)) <= 2 and not _same_word(p, low))
        near = [(d, p) for d, p in near if d <= (2 if len(low) >= 8 else 1)]  # "framgår" is not "framåt"
        if not near or (len(near) > 1 and near[1][0] == near[0][0]):
            return word  # none, or no single nearest
        fixed += 1
        return near[0][1].capitalize() if word[0].isupper() else near[0][1]

    return re.sub(r"[^\W\d_]+", fix, text), fixed


def _same_word(a: str, b: str) -> bool:
    """Inflections of one word: the same stem, or apart only in the last two letters of the shorter one
    ("strategier" ~ "strategin")."""
    shared = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return stem(a) == stem(b) or shared >= min(len(a), len(b)) - 2


def _edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _check_unit(unit: Unit, following: Unit | None, by_n: dict[int, GivenPassage], analyzer: SwedishAnalyzer,
                weight: Callable[[str], float] | None, config: GuardrailConfig,
                question: str = "", asked: frozenset[str] = frozenset()) -> CheckedUnit:
    issues: list[str] = []
    if echoes_instructions(unit.text):
        return CheckedUnit(unit, [], "dropped", ["instruction_echo"])
    if is_refusal(unit.text) or (states_gap(unit.text) and not numbers_in(unit.text)):
        return CheckedUnit(unit, [], "exempt")
    if question and not states_gap(unit.text) and restates_question(unit.text, question, analyzer, asked):
        return CheckedUnit(unit, [], "dropped", ["restatement"])
    valid = [m for m in unit.markers if m in by_n]
    if len(valid) < len(unit.markers):
        issues.append("marker_out_of_range")
    if not unit.markers:
        if unit.text.endswith(":") and following is not None and following.bullet:
            # A lead-in to a list claims nothing of its own; its numbers must still be in the passages.
            if not unsupported_numbers(unit.text, [p.searchable for p in by_n.values()]):
                return CheckedUnit(unit, [], "exempt")
        issues.append("missing_marker")

    # The given passage that best supports the sentence: where a marker goes when the model's does not hold.
    best, best_score = None, 0.0
    for n, passage in by_n.items():
        if unsupported_numbers(unit.text, [passage.searchable]):
            continue
        score = term_support(unit.text, passage.searchable, analyzer, weight, asked)
        if score > best_score:
            best, best_score = n, score

    if valid and unsupported_numbers(unit.text, [by_n[m].searchable for m in valid]):
        issues.append("number_not_in_passage")
    supporting = [m for m in valid
                  if term_support(unit.text, by_n[m].searchable, analyzer, weight, asked) >= config.min_each]
    if supporting and "number_not_in_passage" not in issues:
        support = term_support(unit.text, "\n".join(by_n[m].searchable for m in supporting), analyzer, weight,
                               asked)
        if len(supporting) == len(valid) and support >= config.min_support \
                and not (best is not None and best not in supporting and best_score - support >= config.better_by):
            return CheckedUnit(unit, supporting, "kept", issues)
        if support >= config.min_support and not (best is not None and best_score - support >= config.better_by):
            return CheckedUnit(unit, supporting, "kept", issues + ["marker_unsupported"])  # one marker dropped
    if valid and "number_not_in_passage" not in issues:
        issues.append("marker_unsupported")  # too few of its terms, or another passage says it much better

    if best is not None and best_score >= config.min_support:
        return CheckedUnit(unit, [best], "reattached", issues)
    return CheckedUnit(unit, [], "dropped", issues or ["unsupported"])


def best_span(sentence: str, passage: GivenPassage, analyzer: SwedishAnalyzer,
              weight: Callable[[str], float] | None = None) -> tuple[int, int]:
    """The sentence of the passage (with a neighbour when that adds support) that best backs ``sentence``:
    the quote a citation shows. The whole passage when no single sentence shares its terms."""
    candidates = passage.sentence_texts()
    if not candidates:
        return passage.start, passage.end
    scores = [term_support(sentence, text, analyzer, weight) if key_terms(text, analyzer) else 0.0
              for _, _, text in candidates]
    i = max(range(len(candidates)), key=lambda k: (scores[k], -k))
    if scores[i] <= 0.0:
        return passage.start, passage.end
    low, high, score = i, i, scores[i]
    while True:  # widen by a neighbouring sentence while that adds clear support (a long copied answer)
        options = [(low - 1, high), (low, high + 1)]
        best = None
        for lo, hi in options:
            if 0 <= lo and hi < len(candidates):
                text = passage.text[candidates[lo][0] - passage.start:candidates[hi][1] - passage.start]
                gain = term_support(sentence, text, analyzer, weight) - score
                if gain >= 0.1 and (best is None or gain > best[0]):
                    best = (gain, lo, hi)
        if best is None:
            break
        score, low, high = score + best[0], best[1], best[2]
    return candidates[low][0], candidates[high][1]
