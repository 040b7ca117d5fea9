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

import bisect
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial

from assistant.planning import QUESTION_WORDS, QueryPlan
from swedish.dates import DATE_RE, MONTH_YEAR_RE, YEAR_RANGE_RE
from swedish.names import AGENCY_ENDINGS, ORGANISATION_RE, long_forms
from swedish.numbers import (
    COUNTING_WORD_PATTERN,
    NUMBER_WORD_PATTERN,
    QUANTITY_WORDS,
    VAGUE_QUANTITY_NOUNS,
    VAGUE_QUANTITY_WORDS,
)
from swedish.questions import (
    ANSWER_KIND_NOUNS,
    IN_FORCE_ASK_RE,
    NOUN_INFLECTION,
    QuestionType,
    asked_body_noun,
    asked_for,
    asks_for_a_change,
    asks_for_a_sum,
    asks_how_long,
    asks_two_things,
    asks_when_in_force,
    change_span,
    counted_noun,
    instance_span,
    is_body_noun,
    main_ask,
    question_type,
    states_a_sum,
    states_answer_type,
    states_condition,
    states_duration,
)
from swedish.sentences import opens_with_reply
from swedish.tokens import (
    STOPWORDS,
    SwedishAnalyzer,
    stem_matches,
    unsyncopated,
    without_definite_n,
    without_participle_ending,
    word_beginning,
    words,
)
from swedish.tokens import stem as stem_word

# What answers "hur många": a number, or a quantity as exact as "samtliga" or "hälften" (not "många", "flera").
_NUMBER_WORDS = f"{NUMBER_WORD_PATTERN}|{'|'.join(w for w in QUANTITY_WORDS if w not in VAGUE_QUANTITY_WORDS)}"
# What counts the noun asked about: not "en"/"ett", mostly articles ("Ett kosmetiskt solarium ska placeras …" says
# nothing of how many solariums there are)
_COUNTING_WORDS = f"{COUNTING_WORD_PATTERN}|{'|'.join(w for w in QUANTITY_WORDS if w not in VAGUE_QUANTITY_WORDS)}"
# "var fjärde person": one in so many is a count of them
_EVERY_NTH = r"\bvar(?:t|je)? (?:annan|annat|tredje|fjärde|femte|sjätte|sjunde|åttonde|nionde|tionde|\d+:e)\s+"
_QUANTIFIED_RE = re.compile(rf"\b(minst|högst|cirka|ungefär|omkring|drygt|knappt)\s+(\d+|{_NUMBER_WORDS})\b",
                            re.IGNORECASE)  # "minst tre", "cirka 30"


@dataclass
class EvidenceSentence:
    text: str
    doc_id: str
    coverage: float
    context: str = ""  # the document title and section path of its passage (a table's: caption and headers)
    table_row: bool = False  # a row's numbers count what its table's context names
    year: int | None = None  # the publication year of its document


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
    (r"\b(öppettid\w*|öppna tider|när (öppnar|stänger))\b", r"\bkl\.?\s*\d|\b\d{1,2}[.:]\d{2}\s*[-–]\s*\d{1,2}",
     "Dokumenten anger inga öppettider."),
    (r"\b(telefon\w*|ringa|ringer)\b", r"\b0\d{1,3}[- ]\d{2,3}[ -]?\d{2}", "Dokumenten innehåller inga telefonnummer."),
    (r"\b(andel|procent\w*|hur stor del)\b",
     r"\d+\s*(%|procent)|\b(hälften|majoriteten|en fjärdedel|en tredjedel|minoriteten|de flesta)\b",
     "Dokumenten redovisar ingen sådan andel."),
)]


def amount_evidence_missing(question: str, evidence: Sequence[EvidenceSentence],
                            min_coverage: float = 0.1, about: Sequence[str] = ()) -> str | None:
    """"Hur mycket kostar …", "Vilken lön …": a number with a unit ("100 kr/st", "2 miljoner", "5 %"), in a
    passage about more of the question than the amount's noun: one of the ``about`` words (the question's
    lower-case content words) besides it ("Hur stor sanktionsavgift kan en anläggningsinnehavare få om skyltning
    saknas?" is not answered by a sanction fee of 40 000 kronor for cabotage in another document)."""
    if question_type(question) != QuestionType.AMOUNT:
        return None
    if re.search(r"\bvilk(?:en|a) (?:avgift|avgifter|kostnad|kostnader)\b", question.lower()):
        return None  # "Vilken avgift tas ut för korttidsvistelse?" is answered by "avgift för kost" as well
    heads = [word_beginning(h) for h in asked_for(question, STOPWORDS | QUESTION_WORDS)[0]]
    rest = [w for w in about if not any(w.startswith(h) for h in heads)]
    # On the question's topic: "minska med 40 procent till 2020" in a climate strategy does not say what the
    # strategy's budget is.
    states = states_a_sum if asks_for_a_sum(question) else partial(states_answer_type, QuestionType.AMOUNT)
    if any(states(e.text) and (e.coverage >= min_coverage or e.table_row)
           and (not rest or _mentions_any(rest, f"{e.text} {e.context}"))
           and holds_years(question, f"{e.text} {e.context}") for e in evidence):
        return None
    return "Dokumenten anger inget sådant belopp."


def holds_years(question: str, text: str) -> bool:
    """``text`` speaks of the years the question restricts itself to ("budgeterat för … under 2023"), or of a
    period that holds them ("2021–2024"); True when the question names no year. A period the question names
    ("planen för 2022–2025") restricts nothing."""
    years = {int(y) for y in re.findall(r"\b((?:19|20)\d\d)\b", YEAR_RANGE_RE.sub(" ", question))}
    if not years:
        return True
    found = {int(y) for y in re.findall(r"\b((?:19|20)\d\d)\b", text)}
    spans = [tuple(map(int, re.findall(r"\d{4}", m.group(0)))) for m in YEAR_RANGE_RE.finditer(text)]
    return any(y in found or any(a <= y <= b for a, b in spans) for y in years)


def _mentions_any(question_words: Sequence[str], text: str) -> bool:
    return _words_found(question_words, text) >= 1


def _words_found(question_words: Sequence[str], text: str) -> int:
    """How many of ``question_words`` ``text`` uses, in any inflection."""
    stems = {stem_word(w) for w in words(text)}
    return sum(stem_matches(stem_word(w), stems, both_ways=True) for w in question_words)


_DATE_ASK_RE = re.compile(r"\b(vilket datum|vilken dag|datum|när (fattade|beslutade|antogs|antog|beslutades))\b")
# "Senast vilket datum …", "När ska … senast …": a deadline, said as one ("senast den 12 maj", "före den 1 juli",
# "inom två veckor"), not any date on the topic (the day the rules were decided).
_DEADLINE_ASK_RE = re.compile(r"\bsenast\b", re.IGNORECASE)
_DEADLINE_RE = re.compile(r"\b(?:senast|före|innan|inom|till och med|t\.\s?o\.\s?m\.|sista)\b", re.IGNORECASE)


def _as_asked(question: str, sentence: str) -> bool:
    """A time in ``sentence`` is the kind asked: any, or a deadline for a question that asks for one."""
    return not _DEADLINE_ASK_RE.search(question) or bool(_DEADLINE_RE.search(sentence))


_CAPITALISED_RE = re.compile(r"[A-ZÅÄÖ][\wÅÄÖåäö]+(?:-[\wÅÄÖåäö]+)?")


def unknown_names(question: str, analyzer: SwedishAnalyzer, known_terms: Collection[str] = frozenset()) -> list[str]:
    """Capitalised words of the question (names) that occur nowhere in the documents; ``known_terms`` (lower
    case) are names known besides the lexicon."""
    lexicon = analyzer.lexicon
    names = []
    for token in question_names(question):
        parts = [p for p in token.split("-") if p]  # "IE_LD" whole: a known term when a document writes it
        if all(_known(p.lower(), lexicon, known_terms) or _known_compound(p.lower(), lexicon, known_terms)
               or (p.islower() and _inflection_known(p, lexicon)) for p in parts):
            continue  # a lower-case part is a word in any inflection: "taxan" of "VA-taxan" where the text has "taxa"
        names.append(token)
    return names


def _inflection_known(word: str, lexicon: frozenset[str]) -> bool:
    """Some form of ``word`` is in the lexicon: the same stem, also without a definite -n ("taxan" of "taxa")."""
    stems = _lexicon_stems(lexicon)
    return stem_word(word) in stems or stem_word(without_definite_n(word)) in stems


@lru_cache(maxsize=4)
def _lexicon_stems(lexicon: frozenset[str]) -> frozenset[str]:
    """The Swedish stems of the lexicon's words, once per lexicon."""
    return frozenset(stem_word(w) for w in lexicon)


def question_names(question: str) -> list[str]:
    """Capitalised words of the question that are not at the start of a sentence: names and acronyms."""
    names = []
    for match in _CAPITALISED_RE.finditer(question):
        if not re.search(r"(^|[.!?:]\s+|[\"”(]\s*)$", question[:match.start()]):
            names.append(match.group(0))
    return names


def _known(word: str, lexicon: frozenset[str], known: Collection[str]) -> bool:
    if word in lexicon or word in known or word in STOPWORDS or word in QUESTION_WORDS:
        return True
    if len(word) > 4 and word.endswith("s") and _known(word[:-1], lexicon, known):
        return True  # the genitive of a known name: "Vansbros", "Svenskt Vattens"
    if word in _hyphen_heads(lexicon):
        return True  # "KOL" in "KOL-patienter"
    if len(word) < 9:
        return False
    stem = word[:-3]  # "Värmlands" ~ "värmland": inflections of a known word
    return any(w.startswith(stem) and abs(len(w) - len(word)) <= 3 for w in lexicon)


@lru_cache(maxsize=4)
def _hyphen_heads(lexicon: frozenset[str]) -> frozenset[str]:
    """First parts of the lexicon's hyphenated words ("kol" of "kol-patienter"), once per lexicon."""
    return frozenset(w.split("-", 1)[0] for w in lexicon if "-" in w)


def _known_compound(word: str, lexicon: frozenset[str], known: Collection[str]) -> bool:
    """"Västmanlandshandbokens": a known word followed by an (inflected) known word."""
    for cut in range(4, len(word) - 3):
        head, tail = word[:cut], word[cut:]
        if head in lexicon and (_known(tail, lexicon, known) or (tail[0] == "s" and _known(tail[1:], lexicon, known))):
            return True
    return False


# Roles that people hold (general Swedish): "Vem är ordförande …", "Vad heter länsrådet …", and compounds of them
# ("kvalitetschefen", "anhörigsamordnaren").
_PERSON_ROLES = (r"(ordförande\w*|kontaktperson\w*|\w*chef\w*|\w*samordnare\w*|\w*direktör\w*|\w*handläggare\w*|"
                 r"talesperson\w*|ansvarig person|ledamot\w*|ledamöter\w*|politiker\w*|länsråd\w*|rektor\w*|"
                 r"minister\w*|föreståndare\w*|författare\w*|utredare\w*|person\w*|hon|han)")
_PERSON_ASK_RE = re.compile(rf"\b(vem|vilka) (är|var|blir|utsågs|utses|tillkallades|förordnades)\b"
                            rf".*\b{_PERSON_ROLES}\b|"
                            rf"\bvad heter (den |det )?{_PERSON_ROLES}\b")
# A title in its definite form right before a name ("statsrådet Åsa Torstensson", "ordföranden Per Ek").
_TITLE_BEFORE_RE = re.compile(r"\b([a-zåäö]{4,}(?:et|en|n))\s+$")
# Words that begin or end organisation names, not people's ("Region Örebro", "Svenska Kyrkan").
_ORGANISATION_WORDS = {"region", "regionen", "länsstyrelsen", "svenska", "sveriges", "kommun", "kommunen", "stad",
                       "staden", "myndigheten", "nämnden", "förvaltningen", "enheten", "avdelningen", "statens"}
_ORGANISATION_ENDING_RE = re.compile(rf"(?:{AGENCY_ENDINGS}|förbund|förbundet|förening|föreningen|stiftelse|stiftelsen|"
                                     r"akademien|universitet|högskola|högskolan|kyrkan|partiet|bolaget|nämnden)$",
                                     re.IGNORECASE)
_NAME_RE = re.compile(r"\b([A-ZÅÄÖ][a-zåäöé]+(?:-[A-ZÅÄÖ][a-zåäöé]+)?) ([A-ZÅÄÖ][a-zåäöé]{2,})\b")


# "Vad står LCC för?", "Vad är HVO för slags bränsle?", "Vad betyder SKR?": a definition of an acronym.
_ACRONYM_ASK_RE = re.compile(r"^(?:[Oo]ch )?[Vv]ad (?:är|står|betyder|innebär|menas med|avses med) (?:en |ett )?"
                             r"([A-ZÅÄÖ][A-ZÅÄÖ0-9]+)(?![\w-])")


def defines_acronym(acronym: str, text: str) -> bool:
    """``text`` says what ``acronym`` is: "HVO är …", "HVO (hydrerad vegetabilisk olja)", "HVO – …", or a long
    form right before it in parentheses that starts with the acronym's first letter, as the Schwartz–Hearst
    abbreviation algorithm begins ("Sveriges Kommuner och Regioner (SKR)", not "riktigt underlag(LCC)")."""
    a = rf"(?i:{re.escape(acronym)})"  # Swedish writes some acronyms in lower case: "sfi", "komvux"
    if re.search(rf"(?<![\w-]){a}(?:\s+(?:är|var|betyder|står för|innebär|avser|kallas)\b|\s*(?:\(|=|:\s|[–—]\s|,\s*"
                 rf"(?:dvs|det vill säga|som är|en|ett)\b))", text):
        return True
    for match in re.finditer(rf"\(\s*{a}\s*\)", text):
        before = re.findall(r"[^\W\d_]+", text[:match.start()])[-len(acronym) - 1:]
        # The long form starts with the acronym's first letter; the other letters need not follow in order,
        # since a Swedish long form may spell out an English acronym ("livscykelkostnad (LCC)").
        if any(word[0].lower() == acronym[0].lower() for word in before):
            return True
    # Or set off by a comma after its long form, with the acronym's letters in order in the long form's last
    # words and its first letter opening one of them ("utbildning i svenska för invandrare, sfi,"): the
    # Schwartz–Hearst match, strict here since a comma also separates the items of lists.
    for match in re.finditer(rf",\s*{a}(?=[\s,.;)])", text):
        before = re.findall(r"[^\W\d_]+", text[:match.start()])
        if any(long_forms(acronym, before, longest=len(acronym) + 1)):
            return True
    return False


def definition_evidence_missing(question: str, texts: Sequence[str], known_terms: Collection[str]) -> str | None:
    """"Vad står LCC för?" when no text in reach writes out or explains the acronym and the extracted glossary
    does not know it."""
    match = _ACRONYM_ASK_RE.search(question)
    if not match:
        return None
    acronym = match.group(1)
    if acronym.lower() in known_terms or any(defines_acronym(acronym, text) for text in texts):
        return None
    if " står " in match.group(0):
        return f"Dokumenten skriver inte ut vad ”{acronym}” står för."
    return f"Dokumenten förklarar inte vad ”{acronym}” är."


def person_span(question: str, sentence: str) -> tuple[int, int] | None:
    """Where ``sentence`` names the person "Vem utsågs till samordnare …?" asks for ("mig, Anders Sundström,"),
    not someone with another title; None for another question or no such name."""
    asked = _PERSON_ASK_RE.search(question.lower())
    if not asked:
        return None
    role = next(g for g in reversed(asked.groups()) if g)
    names = [n for n in _person_names(sentence, word_beginning(role)) if n.lower() not in question.lower()]
    if not names:
        return None
    start = sentence.index(names[0])
    return start, start + len(names[0])


def person_evidence_missing(question: str, evidence: Sequence[EvidenceSentence],
                            min_coverage: float = 0.1) -> str | None:
    """"Vem är ordförande …" needs a person's name in a sentence on the question's topic, not just a role, and
    not the name of someone with another title ("statsrådet Åsa Torstensson har tillkallat en särskild utredare"
    does not name the utredare)."""
    asked = _PERSON_ASK_RE.search(question)
    if not asked:
        return None
    role = next(g for g in reversed(asked.groups()) if g)  # the title asked about is the last group matched
    if any(_person_names(e.text, word_beginning(role)) for e in evidence
           if e.coverage >= min_coverage):
        return None
    return "Dokumenten namnger ingen sådan person."


def _person_names(text: str, role: str = "") -> list[str]:
    """"Förnamn Efternamn" pairs that are not part of an organisation's name; with a ``role`` (the beginning of
    the title asked about), not a name right after another title ("statsrådet Åsa Torstensson")."""
    organisations = [(m.start(), m.end()) for m in ORGANISATION_RE.finditer(text)]
    found = []
    for match in _NAME_RE.finditer(text):
        first, last = match.group(1), match.group(2)
        if first.lower() in _ORGANISATION_WORDS or last.lower() in _ORGANISATION_WORDS \
                or _ORGANISATION_ENDING_RE.search(last):
            continue  # "Friskolornas Riksförbund", "Svenska kyrkan"
        if any(start <= match.start() < end for start, end in organisations):
            continue
        title = _TITLE_BEFORE_RE.search(text[:match.start()])
        if role and title and not title.group(1).startswith(role):
            continue
        found.append(match.group(0))
    return found


# Kinds of things known by their own names: "Vilken kommun …" is answered by the kommun's name, not by
# "En kommun har en egen budget". The question starts with the phrase ("I vilken kommun …"), or it is a
# yes/no question ("Kan jag vaccinera mig i vilken region jag vill?").
_NAMED_KIND_ASK_RE = re.compile(r"^(?:och )?(?:\w+ )?vilk(?:en|et|a) (?:\w+ )?(kommun|region|län|landsting|stad|"
                                r"städer|land|länder|myndighet|organisation|förening|företag|departement|"
                                r"universitet|högskol|bank|parti|stiftelse)" + NOUN_INFLECTION)
_PLACE_KINDS = ("kommun", "region", "län", "landsting", "stad", "städer", "land", "länder")
_ACRONYM_RE = re.compile(r"\b[A-ZÅÄÖ][\wåäö]*[A-ZÅÄÖ]\w*")
_AGENCY_RE = re.compile(rf"\w+({AGENCY_ENDINGS})$", re.I)


# A name answers "Vilken kommun …" from a sentence on nearly as much of the question as the best one: "Degerfors" in
# a sentence on "föräldraskapsstödet" alone does not say which kommun has "en egen budget" for it (dev: 0.75
# refused one more unanswerable question and changed no other answer).
NAMED_SHARE = 0.75


def _bare_instance(kind: str, text: str) -> bool:
    """A line that is nothing but one name of the kind asked for ("(Utbildningsdepartementet)" closing a
    directive, "Socialnämnden" under a heading): it names the body that issues or signs the text, and it is too
    short to cover much of any question."""
    bare = text.strip().strip("()[].,: ")
    span = instance_span(kind, bare)
    return span is not None and span == (0, len(bare))


def named_answer_missing(question: str, evidence: Sequence[EvidenceSentence], min_coverage: float = 0.3) -> str | None:
    """"Vilken kommun …", "Vilka myndigheter …" need a name the question does not already give (a capitalised
    word, an acronym, an organisation's name) in a sentence on the question's topic; for a place (kommun,
    region, land) not an agency's name ("Socialstyrelsen (2013) anger …")."""
    match = _NAMED_KIND_ASK_RE.search(question.strip())
    if not match:
        return None
    kind = match.group(1)
    # The question's own words, less the kind asked for ("Myndigheten för familjerätt …" names a myndighet).
    given = [w for w in words(question[:match.start(1)] + question[match.end():]) if w not in STOPWORDS and len(w) > 2]
    best = max((e.coverage for e in evidence), default=0.0)
    # A question that asks two things ("Vilken myndighet har fått uppdraget, och vilka aktörer ska den samråda
    # med?"): a sentence on the first covers only its share of the words, however well it answers it.
    bar = min_coverage if asks_two_things(question) else max(min_coverage, NAMED_SHARE * best)
    for e in evidence:
        if _bare_instance(kind, e.text):
            return None
        if e.coverage < bar:
            continue
        names = [m.group(0) for m in ORGANISATION_RE.finditer(e.text)] + \
                [m.group(0) for m in _ACRONYM_RE.finditer(e.text)] + question_names(e.text)
        for name in names:
            first = name.split()[0].lower()
            if first in STOPWORDS or any(first.startswith(w) or w.startswith(first) for w in given):
                continue  # not "En kommun", not "Örebro" when the question says "Örebro län"
            if kind in _PLACE_KINDS and _AGENCY_RE.match(name.split()[-1]):
                continue
            return None
    noun = {"städer": "stad", "länder": "land", "högskol": "högskola"}.get(kind, kind)
    neuter = noun in ("land", "län", "landsting", "universitet", "företag", "departement", "parti")
    return f"Dokumenten namnger {'inget sådant' if neuter else 'ingen sådan'} {noun}."


# A sentence that holds most of the question's weight is about it, whichever of its words it lacks ("Bedömningen är
# att Stockholmsregionen 2040 kommer att ha totalt cirka 44 miljoner flygresenärer" for "Hur många flygresenärer
# beräknas Stockholmsregionen ha omkring år 2040?", which says neither "beräknas" nor "omkring").
MOSTLY_COVERED = 0.5
_COUNT_VERBS = frozenset({"finns", "fanns", "är", "var", "har", "hade", "deltog", "deltar", "kom", "blev", "går"})


def count_evidence_missing(question: str, evidence: Sequence[EvidenceSentence],
                           topic: Sequence[str] = (), about: Sequence[str] = ()) -> str | None:
    """"Hur många X" needs a number right before X (or X's stem) in the evidence, in a sentence that is
    also about the rest of the question: one of the ``about`` words (the question's lower-case content
    words) other than X in the sentence or its passage's title and section ("Hur många personer arbetar i
    folkhälsoteamet?" is not answered by "… mellan 3 till 30 personer" at a dialogue meeting)."""
    noun = counted_noun(question)
    if not noun:
        return None
    if noun in _COUNT_VERBS and topic:  # "Hur många finns det?": what is counted is the topic
        noun = topic[0]
    stem = word_beginning(noun)
    rest = [w for w in about if not w.startswith(stem) and w not in _COUNT_VERBS]
    evidence = [e for e in evidence if (e.coverage >= MOSTLY_COVERED or _mentions_enough(rest, f"{e.text} {e.context}"))
                and holds_years(question, f"{e.text} {e.context}")]
    for e in evidence:
        # "… kosmetiska solarier … tidur som slår ifrån efter högst 15 minuter" counts minutes, not solariums: the
        # noun a few words before the quantified number ("antalet familjecentraler ska vara minst tre")
        if _number_before(stem, e.text, _COUNTING_WORDS, words_between=2) or re.search(
                rf"{re.escape(stem)}\w*(?:\W+\w+){{0,4}}?\W+{_QUANTIFIED_RE.pattern}", e.text, re.IGNORECASE) \
                or re.search(rf"{_EVERY_NTH}(?:\w+\s+)?{re.escape(stem)}", e.text, re.IGNORECASE):
            return None
        if e.table_row and stem.lower() in e.context.lower() and re.search(r"\d", e.text):
            return None  # a table row with numbers in a table that counts X
    return "Dokumenten anger inte hur många det är."


def _mentions_enough(question_words: Sequence[str], text: str) -> bool:
    """At least half of ``question_words`` (one of one or two) are in ``text``: "Hur många timmar utbildning
    i första hjälpen …" is not answered by "20 timmar per vecka" in a passage that says "första stycket"."""
    return _words_found(question_words, text) >= len(question_words) / 2


# "När måste myndigheterna senast ha infört profilen?": a deadline is a point in time.
_POINT_IN_TIME_RE = re.compile(r"\b(vilket (år|datum)|vilken (månad|tidpunkt|dag)|sedan när|från och med när|"
                               r"när (startade|började|bildades|antogs|infördes|trädde|träder|fattades|beslutades)|"
                               r"när .{0,40}(träda|träder|trädde) i kraft|när .*\bsenast)\b")
# "När ska arbetsgivaren anlita …", "När kan det bli aktuellt …": "när" and a modal verb ask in which situation
# something is done, which a condition answers as well as a time does.
_SITUATION_ASK_RE = re.compile(r"^(?:och )?när (?:ska|skall|bör|måste|får|kan|behöver) (?!.*\bsenast\b)")
# What comes into force: the clause's subject ("den nya skollagen", "föreskrifterna").
_IN_FORCE_SUBJECT_RE = re.compile(r"\bnär (?:\w+ )(.+?) (?:träda|träder|trädde|trätt) i kraft\b"
                                  r"|\bnär (?:träder|trädde) (.+?) i kraft\b")
# A sentence that says "träder i kraft", "ikraftträdande" or "gäller från".
_IN_FORCE_RE = re.compile(r"kraft|gäll", re.IGNORECASE)


def _in_force_evidence(question: str, evidence: Sequence[EvidenceSentence]) -> list[EvidenceSentence]:
    """The evidence that says when what the question names comes into force: a sentence on coming into force
    ("… presenterade i juni 2009 en promemoria med förslag till ny skollag" dates a proposal), on the rule the
    question names, in the sentence or its passage's title and section, or with more of the question's words
    ("Reglerna föreslås träda i kraft …" for "När föreslås lagändringarna träda i kraft?"); not another rule's
    ("Denna författning träder i kraft den 1 januari 2025" in regulations on the work environment)."""
    evidence = [e for e in evidence if _IN_FORCE_RE.search(e.text)]
    found = _IN_FORCE_SUBJECT_RE.search(question)
    subject = (found.group(1) or found.group(2)).split() if found else []
    if not subject or subject[-1] in STOPWORDS:  # "när träder den i kraft": the earlier sentence names it
        return evidence
    head = word_beginning(subject[-1])
    others = {stem_word(w) for w in words(IN_FORCE_ASK_RE.sub(" ", question.lower()))
              if w not in STOPWORDS and w not in QUESTION_WORDS and w not in subject}

    def about_it(e: EvidenceSentence) -> bool:
        stems = {stem_word(w) for w in words(e.text)}
        return head in f"{e.text} {e.context}".lower() or any(stem_matches(o, stems, both_ways=True) for o in others)

    return [e for e in evidence if about_it(e)]


_TYPE_REASONS = {
    QuestionType.WHEN: "Dokumenten anger ingen sådan tidpunkt.",
    QuestionType.HOW_OFTEN: "Dokumenten anger inte hur ofta.",
}


def type_evidence_missing(question: str, evidence: Sequence[EvidenceSentence], passages: Sequence[str] = (),
                          min_coverage: float = 0.1) -> str | None:
    """"När …" needs a time in the evidence, "Hur ofta …" a frequency: in a sentence on the question's topic
    or in one of the best passages."""
    if asks_how_long(question):  # "Hur länge ska liggaren sparas?" needs a length of time
        if any(e.coverage >= min_coverage and states_duration(e.text) for e in evidence) \
                or any(states_duration(text, specific=True) for text in passages):
            return None  # a length of time or a period is specific enough anywhere in the best passages
        return "Dokumenten anger inte hur länge."
    kind = question_type(question)
    if kind not in _TYPE_REASONS:
        return None
    if kind == QuestionType.WHEN and not _POINT_IN_TIME_RE.search(question):
        return None  # "När kan det bli aktuellt …" asks for a situation, not a time
    if kind == QuestionType.WHEN and asks_when_in_force(question):
        evidence = _in_force_evidence(question, evidence)
    if any(e.coverage >= min_coverage and states_answer_type(kind, e.text) and _as_asked(question, e.text)
           for e in evidence):
        return None
    if kind == QuestionType.HOW_OFTEN and any(states_answer_type(kind, text) for text in passages):
        return None  # a frequency is specific enough to count anywhere in the best passages (a year is not)
    return _TYPE_REASONS[kind]


def date_evidence_missing(question: str, evidence: Sequence[EvidenceSentence]) -> str | None:
    if not _DATE_ASK_RE.search(question):
        return None
    if any((DATE_RE.search(e.text) or MONTH_YEAR_RE.search(e.text)) and e.coverage >= 0.2
           and _as_asked(question, e.text) for e in evidence):
        return None
    return "Dokumenten anger inget sådant datum."


# The openings of the reasons as specific as a word no document uses: a name none of them writes ("Dokumenten nämner
# inte ”SKR”."), a year after them.
NOT_NAMED = "Dokumenten nämner inte"
WRITTEN_BEFORE = "Dokumenten är skrivna senast"
WRITTEN_BEFORE_ABOUT = "De dokument som tar upp detta är skrivna senast"
NOT_AFTERWARDS = "Dokumenten beskriver inte vad som hände efter att de skrevs."
# What came after a document itself: "efter att rapporten hade lämnats över", "när uppdraget slutredovisades",
# "har riksdagen senare beslutat". A document cannot tell what was done with it (not "sedan dess" of a
# follow-up, which may ask what happened after a year the document tells of).
_DOCUMENT_NOUN = (r"(?:rapporten|betänkandet|utredningen|uppdraget|promemorian|planen|strategin|dokumentet|förslaget|"
                  r"förslagen|remissen|direktivet|programmet|handlingsplanen|riktlinjerna|policyn)")
_AFTERWARDS_RE = re.compile(
    rf"\befter att (?:\w+ ){{0,2}}{_DOCUMENT_NOUN}(?: \w+)? (?:hade |har )?(?:lämnats|överlämnats|redovisats|"
    rf"slutredovisats|presenterats|publicerats|antagits|beslutats|skickats)\b|"
    rf"\bnär (?:\w+ ){{0,2}}{_DOCUMENT_NOUN} (?:slutredovisades|redovisades|lämnades|överlämnades|presenterades|"
    rf"publicerades|antogs)\b|"
    r"\b(?:har|hade) (?:\w+ ){0,2}senare\b|\bsenare (?:har|hade|blev|beslutade|beslutat|fattade|fattat)\b")
_OUTCOME_VERBS = "visade|blev|gick|fattade|beslutade|antogs|resulterade|uppnåddes|nådde"
_OUTCOME_PAST_RE = re.compile(rf"\b({_OUTCOME_VERBS})\b")
_PAST_RE = re.compile(rf"\b({_OUTCOME_VERBS}|hade)\b")


def after_the_documents(question: str, latest_year: int | None,
                        evidence: Sequence[EvidenceSentence] = ()) -> str | None:
    """A question about what happened in a year after the newest document was written, or after every
    document that ``evidence`` (the best sentences) comes from: a climate plan of 2009 sets targets for 2020
    but cannot say what the saving "blev" in 2020."""
    if latest_year is None:
        return None
    # Not the years of a period the question names ("investeringsbudgeten för 2027–2031"): a plan's period
    # runs past the year it was written in.
    years = [int(y) for y in re.findall(r"\b(20\d\d)\b", YEAR_RANGE_RE.sub(" ", question))]
    future = [y for y in years if y > latest_year]
    if future and _PAST_RE.search(question):
        return f"{WRITTEN_BEFORE} {latest_year} och kan inte beskriva vad som hände {future[0]}."
    if _AFTERWARDS_RE.search(question):
        return NOT_AFTERWARDS
    # "hade" also asks what a plan had set for that year ("Vilka mål hade kommunen för 2020?").
    best = evidence[:5]
    if years and best and all(e.year for e in best) and _OUTCOME_PAST_RE.search(question):
        written = max(e.year for e in best if e.year)
        later = [y for y in years if y > written]
        if later:
            return f"{WRITTEN_BEFORE_ABOUT} {written} och kan inte beskriva vad som hände {later[0]}."
    return None


def refusal_reason(plan: QueryPlan, evidence: Sequence[EvidenceSentence], analyzer: SwedishAnalyzer,
                   known_terms: Collection[str] = frozenset(), latest_year: int | None = None,
                   passages: Sequence[str] = ()) -> str | None:
    """A Swedish reason to refuse, or None when the evidence may answer the question."""
    names = unknown_names(plan.question, analyzer, known_terms)
    if names:
        listed = ", ".join(f"”{n}”" for n in names)
        return f"{NOT_NAMED} {listed}."
    # A follow-up with its own question word asks its own kind of fact ("Vilka åldrar …" after "Hur mycket …").
    question = plan.asking.lower()
    reason = after_the_documents(question, latest_year, evidence)
    if reason:
        return reason
    reason = definition_evidence_missing(main_ask(plan.asking),
                                         [e.text for e in evidence] + list(passages), known_terms)
    if reason:
        return reason
    if plan.scoped:  # facts about a named document must come from it
        evidence = [e for e in evidence if e.doc_id in plan.doc_ids]
    for rule in ANSWER_TYPES:
        reason = rule.check(question, evidence)
        if reason:
            return reason
    # What is counted when the question leaves it out: the topic of the earlier turns first
    # ("Vad är en familjecentral?" → "Hur många finns det i Örebro län?"), then the question's own words.
    own = {w for w in words(plan.question) if w not in STOPWORDS and w not in QUESTION_WORDS}
    topic = [w for w in plan.content_words if w not in plan.naming_tokens]
    topic = [w for w in topic if w not in own] + [w for w in topic if w in own]
    # Names and places are not what a count is about, nor the lower-case word that ends a name ("Örebro län").
    found = re.findall(r"[^\W\d_]+", plan.question)
    about = [w for i, w in enumerate(found) if w.islower() and not (i and found[i - 1][0].isupper())
             and w not in STOPWORDS and w not in QUESTION_WORDS and w != "många"]
    return (amount_evidence_missing(question, evidence, about=about)
            or count_evidence_missing(question, evidence, topic, about)
            or date_evidence_missing(question, evidence) or type_evidence_missing(question, evidence, passages)
            or person_evidence_missing(question, evidence) or named_answer_missing(question, evidence))


OPINION_BONUS = 0.1
INSTANCE_BONUS = 0.2  # "Utbildningsdepartementet" for "vilket departement" (0.3, 0.4 tried on dev: no answer better)
REPLY_BONUS = 0.08  # "Nej. Ditt barn kan inte skadas." for "Kan mitt barn skadas …?" (as TYPE_BONUS of a date)
COUNT_BONUS = 0.2  # "elva familjecentraler" over "tio av tolv kommuner … en familjecentral" (0.1 and 0.2 tried on dev)
# How much a sentence that states the kind of fact a question asks for gains ("Hur ofta …" → "årligen").
TYPE_BONUS = {
    QuestionType.HOW_OFTEN: 0.15, QuestionType.WHEN: 0.08, QuestionType.HOW_MANY: 0.08, QuestionType.AMOUNT: 0.08,
    QuestionType.WHO: 0.05, QuestionType.WHY: 0.08,
}


def asks_for_person(question: str) -> bool:
    """"Vem är ordförande …", "Vad heter länsrådet …": the answer is a person's name."""
    return bool(_PERSON_ASK_RE.search(question.lower()))


# "Vad tyckte regionen om …": an opinion, as Swedish states one ("välkomnar", "anser", "vill se", "saknar").
_OPINION_ASK_RE = re.compile(r"\b(tyck\w*|ansåg|anser|synpunkt\w*|ställning|inställning|åsikt\w*|positiv\w*|"
                             r"negativ\w*|kritisk\w*)\b")
_OPINION_RE = re.compile(r"\b(välkomna\w*|instämm\w*|tillstyrk\w*|avstyrk\w*|anser|ansåg|menar|betona\w*|"
                         r"understryk\w*|framhåll\w*|ser (positivt|negativt|gärna)|är (positiv|negativ|kritisk)\w*|"
                         r"ställer sig|saknar|efterfråga\w*|föreslår|vill se|signalera\w*|stödjer|vikten av)\b",
                         re.IGNORECASE)


@dataclass(frozen=True)
class Asked:
    """What a question asks for, read once per question: its type, and whether it asks for a person, an
    opinion or a count of something (the noun counted: "Hur många familjecentraler …", or the topic of a
    follow-up "Hur många finns det?")."""

    kind: QuestionType
    person: bool = False
    opinion: bool = False
    counted: str = ""
    body: str = ""  # "Vilket departement …": the kind of body asked for
    how_long: bool = False  # "Hur länge …": a length of time, not a date
    situation: bool = False  # "När ska arbetsgivaren anlita …": a "när" that a condition answers as well as a time
    change: str = ""  # "Hur mycket ska energianvändningen minska?" (the question): a change with its size


def asked_of(plan: QueryPlan) -> Asked:
    asking = plan.asking
    counted = counted_noun(plan.question)
    if counted in _COUNT_VERBS:  # "Hur många finns det?": what is counted is the topic
        topic = [w for w in plan.content_words if w not in plan.naming_tokens]
        counted = topic[0] if topic else ""
    return Asked(question_type(asking), asks_for_person(asking), bool(_OPINION_ASK_RE.search(asking.lower())),
                 counted, asked_body_noun(asking), asks_how_long(asking),
                 bool(_SITUATION_ASK_RE.search(asking.lower())),
                 asking if asks_for_a_change(asking) else "")


def expected_fact_bonus(asked: Asked, sentence: str) -> float:
    """A small bonus for a sentence that states the kind of fact the question asks for: a date for "när",
    a person's name for "vem är ordförande", an opinion for "vad tyckte …", a number right before the
    noun counted for "hur många X"."""
    kind = asked.kind
    if asked.how_long:  # "Hur länge sitter revisorn?": "revisor på 1 år", not the date the rules were adopted
        bonus = TYPE_BONUS[QuestionType.WHEN] if states_duration(sentence, specific=True) else 0.0
    else:
        bonus = TYPE_BONUS[kind] if kind in TYPE_BONUS and states_answer_type(kind, sentence) else 0.0
    if asked.situation and not bonus and states_condition(sentence):
        bonus = TYPE_BONUS[QuestionType.WHEN]
    if kind == QuestionType.YES_NO and opens_with_reply(sentence):
        bonus += REPLY_BONUS  # a document that replies "Ja"/"Nej" answers a yes/no question head on
    if asked.person and _person_names(sentence):
        bonus += 0.2  # "Vem är kontaktperson …": a line with a person's name
    if asked.opinion and _OPINION_RE.search(sentence):
        bonus += OPINION_BONUS
    if asked.counted and _counts(asked.counted, sentence):
        bonus += COUNT_BONUS
    if asked.change and change_span(sentence, asked.change):
        bonus += COUNT_BONUS  # "ska minska med 12 %" over "var 2009 13 508 MWh"
    if asked.body and instance_span(asked.body, sentence):
        bonus += INSTANCE_BONUS
    return bonus




_VAGUE_NOUNS = "|".join(VAGUE_QUANTITY_NOUNS)  # "ett antal dagar" says no number


def _number_before(stem: str, text: str, number_words: str, words_between: int) -> bool:
    """Digits or one of ``number_words`` right before a word beginning with ``stem``, with at most
    ``words_between`` words between them ("elva familjecentraler", "tre nya familjecentraler")."""
    pattern = rf"\b(\d+|{number_words})\s+((?!(?:{_VAGUE_NOUNS})\b)\w+\s+){{0,{words_between}}}{re.escape(stem)}"
    return re.search(pattern, text, re.IGNORECASE) is not None


def _counts(noun: str, sentence: str) -> bool:
    """A number right before ``noun`` or an inflection of it, maybe after one word ("elva familjecentraler")."""
    return _number_before(word_beginning(noun), sentence, COUNTING_WORD_PATTERN, words_between=1)


class Vocabulary:
    """The stems a set of documents uses (``IndexReader.stems_used``, sorted), for "does the scope mention X
    at all?": a stem continued by up to five letters counts ("pappa" covers "pappor", "finansier" covers
    "finansiering")."""

    def __init__(self, sorted_stems: list[str]) -> None:
        self._sorted = sorted_stems

    def mentions(self, stem: str) -> bool:
        i = bisect.bisect_left(self._sorted, stem)
        while i < len(self._sorted) and self._sorted[i].startswith(stem):
            if len(self._sorted[i]) - len(stem) <= 5:
                return True
            i += 1  # "pappersark" sorts before "pappor": look on among the words that continue the stem
        return False


# Said instead of repeating the question's number: a number in a question can be a claim to be planted
# ("skriv att budgeten är 5 miljoner"), and an answer never repeats it.
QUANTITY_MISSING = "det tal som frågan anger"


def _states(quantity: str, text: str) -> bool:
    """``text`` states the number of ``quantity`` with the same unit word ("5 miljoner" ~ "5 miljoner kr")."""
    match = re.fullmatch(r"(\d+(?:[,.]\d+)?(?:\s*[-–]\s*\d+)?)(?:\s+(\S+))?", quantity)
    if match is None:
        return False
    number, unit = match.group(1), match.group(2) or ""
    number_pattern = r"\s*[-–—]\s*".join(re.escape(part) for part in re.split(r"\s*[-–]\s*", number))
    unit_pattern = rf"\s+{re.escape(unit[:max(3, len(unit) - 3)])}" if unit else ""
    return re.search(rf"(?<![\d,.]){number_pattern}{unit_pattern}", text, re.IGNORECASE) is not None


_DERIVATION_SUFFIXES = ("ering", "ning", "ing", "else", "het", "ande", "ende", "are", "tion")


def _derivation_bases(stem: str) -> list[str]:
    """"investering" → "invest": the base a noun is derived from, so "investeringen" matches "investera"; and
    "revisorn" → "revisor": the stemmer keeps the -n of a definite form ("revisorn", "policyn")."""
    bases = [stem[:-len(suffix)] for suffix in _DERIVATION_SUFFIXES
             if stem.endswith(suffix) and len(stem) - len(suffix) >= 5]
    if unsyncopated(stem) != stem:  # "bullret" is "buller"
        bases.append(stem_word(unsyncopated(stem)))
    return bases + [stem_word(stem[:-1])] if stem.endswith("n") and len(stem) >= 6 else bases


def _near_each_other(stems: Sequence[str], text: str, words_between: int = 8) -> bool:
    """Words beginning with each of ``stems`` stand within a few words of one another in ``text`` (the parts of
    a compound said as a phrase: "inflammation i örat")."""
    # a part in its definite form ("paketet" of "åtgärdspaketet") stands for the word in any form ("ett paket")
    first, *rest = [re.escape(s[:-2] if len(s) >= 6 and s.endswith(("et", "en")) else s) for s in stems]
    for other in rest:
        gap = rf"\w*(?:\W+\w+){{0,{words_between}}}?\W+"
        if not re.search(rf"{first}\w*?{other}|\b(?:{first}{gap}{other}|{other}{gap}{first})", text, re.IGNORECASE):
            return False
    return True


def missing_asked_for(plan: QueryPlan, scope: Vocabulary, corpus: Vocabulary, analyzer: SwedishAnalyzer,
                      scope_texts: Sequence[str] = (), others: Sequence[Vocabulary] = ()) -> list[str]:
    """Words naming what the question asks about that the documents never use: the head of the question
    phrase ("svarsfrekvens", "ordförande") in no document at all, or a word of the topic of "Vad säger … om X?"
    ("pappor", the "nyanlända" of "nyanlända föräldrar") in none of the documents in scope."""
    naming = set(plan.naming_tokens)
    heads, topic = asked_for(plan.question, STOPWORDS | QUESTION_WORDS)

    spelled_out = {said.lower(): meant for said, meant in plan.expansion_pairs()}

    def absent(word: str, vocabulary: Vocabulary, by_parts: bool) -> bool:
        stems = analyzer.tokens(word)
        if not stems or stems[0] in naming or len(word) < 3:
            return False
        head, parts = stems[0], stems[1:]
        if vocabulary.mentions(head) or any(vocabulary.mentions(base) for base in _derivation_bases(head)) \
                or vocabulary.mentions(without_participle_ending(head)):
            return False  # "genomfört" is a form of "genomföra", which the documents use
        if word.lower() in spelled_out and not absent(spelled_out[word.lower()], vocabulary, True):
            return False  # "BVC" in a document that writes "barnavårdscentraler"
        # A compound is a kind of its last part: "lunginflammation" is not named by "lung-" alone (a part of
        # under four letters is as likely a chance beginning: "int" of "internationell").
        ends_in_part = bool(parts) and (parts[-1][:4] in head[-len(parts[-1]) - 2:] or len(parts[0]) < 4)
        if not (by_parts and ends_in_part and all(vocabulary.mentions(p) for p in parts)):
            return True
        # "öroninflammation" where the documents say "öronen" in one place and "inflammation" in another: the
        # parts of a compound name it only where they stand together.
        return bool(scope_texts) and not any(_near_each_other(parts, text) for text in scope_texts)

    # The thing asked for must be named somewhere, as a word or as the parts of a compound (not only in scope:
    # "problem" is asked, "hinder" answers; a place named in a question need not name the document).
    # A document the user names ("i Västmanlands kartläggning") that never uses the word asked for does not answer,
    # when only one other document uses it ("svarsfrekvens" in another report): a word that specific names
    # that document's fact (``others``: each document outside the scope).
    missing = [w for w in heads if not ANSWER_KIND_NOUNS.match(w) and not is_body_noun(w)
               and (absent(w, corpus, by_parts=True)
                    or plan.explicit and others and absent(w, scope, by_parts=True)
                    and sum(not absent(w, other, by_parts=False) for other in others) <= 1)]
    # A quantity the question states ("5 miljoner kronor", "14 år") that no document in scope states.
    quantity_re = r"(?<![\w,.:/–-])\d{1,5}(?:[,.]\d+)?(?:\s*[-–]\s*\d+)?(?![\w:/-])(?:\s+[^\W\d_]+)?"
    for quantity in re.findall(quantity_re, plan.question):
        number, _, unit = quantity.partition(" ")
        if re.fullmatch(r"(19|20)\d\d", number) or unit.lower() in STOPWORDS or unit.lower() in QUESTION_WORDS:
            quantity = number  # a year ("2016 års rapport") or a bare number ("fler än 10 som")
        if number not in naming and not any(_states(quantity, text) for text in scope_texts):
            missing.append(QUANTITY_MISSING)
    # A name or acronym the question depends on ("ICDP") that the document it names by an alias or kind
    # ("enligt Västmanlands sammanställning", "i remissvaret") never uses, nor the acronym's long form.
    if plan.explicit:
        missing += [n for n in question_names(plan.question) if absent(n, scope, by_parts=False)]
    # Every word of the topic: the one that narrows it ("nyanlända föräldrar") is what the question is about,
    # and the document that never uses it says nothing of it, however often it uses the other. Not an action
    # noun before what it acts on ("utbyggnaden av kärnkraft" where the text says "bygga ny kärnkraft"): what it
    # acts on is the topic.
    lowered = plan.question.lower()
    for word, following in zip(topic, [*topic[1:], None]):
        if not absent(word, scope, by_parts=True):
            continue
        if following and not absent(following, scope, by_parts=True) \
                and re.search(rf"\b{re.escape(word)} (?:av|med|kring) {re.escape(following)}\b", lowered):
            continue  # "utbyggnaden av kärnkraft": the action noun is not the topic, what it acts on is
        missing.append(word)
    return missing
