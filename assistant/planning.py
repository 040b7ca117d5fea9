"""Planning: understanding a Swedish question before searching (``QueryPlanner.plan`` → ``QueryPlan``).

* follow-ups ("Och för tonåringar då?", "Vad säger Lindesberg om samma sak?") are read
  together with the previous question;
* abbreviations are expanded from the documents' own definitions (BVC ↔ barnavårdscentral);
* question words and stop words are dropped for the lexical side (compound parts are
  added by the analyzer);
* documents the question names ("Lindesberg", "handboken från Västmanland", "2016")
  are recognised, so that each of them contributes evidence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from swedish.language import looks_english
from swedish.questions import (
    ANSWER_KIND_NOUNS,
    IN_FORCE_WORDS,
    QuestionType,
    asks_when_in_force,
    defined_term,
    degree_words_asked,
    question_type,
)
from swedish.sentences import record_aspects
from swedish.tokens import STOPWORDS, SwedishAnalyzer, words

# Words that carry the question's form, not its topic.
QUESTION_WORDS = frozenset({
    "vad", "vilka", "vilken", "vilket", "hur", "varför", "när", "vem", "vems", "var", "kan", "kunna", "ska",
    "skall",
    "finns", "står", "betyder", "innebär", "säger", "sägs", "enligt", "dokumenten", "dokumentet", "dokument",
    "berätta", "förklara", "beskriv", "beskriver", "jag", "vi", "min", "mitt", "mina", "vår", "gäller", "menas",
    "handlar", "får", "göra", "gör", "någon", "några", "något", "mer", "mest", "ut", "egentligen", "snälla",
    "tack", "hej", "ni", "era", "väl", "bra", "typ", "sägas", "skriver", "skrivs", "nämns", "nämner", "tas",
    "många", "mycket",
})
_FOLLOWUP_STARTS = ("och ", "men ", "än ", "samma ", "hur är det med", "vad gäller", "gäller det", "också ",
                    "då ", "även ", "och?", "sen ", "sedan ")
_PRONOUNS = {"det", "den", "dem", "dessa", "detta", "de"}
_ANAPHORA = {"det", "den", "dem", "dessa", "detta", "där", "samma", "sådan", "sådana", "då", "också", "de", "dit"}
# "Vad säger remissen om …": the question asks what one document says, so the answer comes from it.
_ASKS_WHAT_IT_SAYS_RE = re.compile(r"\b(säger|sägs|står det|står i|skriver|nämner|nämns|tar \w+ upp|enligt)\b")
_COMPARE_WORDS = ("skillnad", "skiljer", "jämför", "jämfört", "jämförelse", "likheter", "olika mellan", "versus",
                  " vs ")


# How Swedish names a kind of document (word beginnings), most specific first: the catalog's
# ``type`` (or the type the ingest derived) is matched against these.
DOCUMENT_TYPE_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("remissvar", ("remissvar", "remissyttrande", "yttrande")),
    ("remiss", ("remiss", "följebrev", "missiv")),
    ("handlingsplan", ("handlingsplan",)),
    ("strategi", ("strategi",)),
    ("rapport", ("rapport",)),
    ("handbok", ("handbok", "handboken", "handböcker", "vägledning")),
    ("policy", ("policy",)),
    ("riktlinje", ("riktlinje",)),
    ("plan", ("plan", "planen")),
    ("föreskrift", ("föreskrift",)),
    ("proposition", ("proposition", "prop")),
    ("direktiv", ("direktiv", "kommittédirektiv")),
)
# A steering document spoken of as a document ("planen", "länsstrategin", "styrdokumentet", "riktlinjerna",
# "policyn"), in any inflection. Not the kinds above that record no adoption or validity of their own (a referral,
# its answer, a bill, a directive): "Vilket datum fattade nämnden sitt beslut om remissvaret?" is about a decision
# in the text, and reading it as one about a record brought a strategy's "Datum:" line among the nearest passages.
_DOCUMENT_NOUN_RE = re.compile(
    r"\b\w*(?:plan|strategi|policy|riktlinje|program|föreskrift|handbok|handböcker|rapport|dokument|reglemente|"
    r"rutin|vägledning)(?:en|n|er|erna|r|rna|et|met|men|ens|ets|ns|ernas|rnas|na|s)?\b")


def speaks_of_a_document(text: str) -> bool:
    """``text`` speaks of a document as a document: a question about its record ("När antogs planen?") is about
    the document itself."""
    return _DOCUMENT_NOUN_RE.search(text.lower()) is not None
# Words that make up organisation names without naming one ("Region", "kommun", "Länsstyrelsen i").
_ORGANISATION_PARTS = frozenset({
    "region", "regionen", "kommun", "kommuns", "kommunen", "kommuner", "länsstyrelsen", "länsstyrelse", "stad",
    "staden", "stads", "län", "läns", "landsting", "landstinget", "och", "i", "för", "nämnden", "förvaltning",
    "förvaltningen", "samt", "med",
})


def _name_stem(word: str) -> str:
    """"Lindesbergs" → "lindesberg": a name as it may be inflected in a question (genitive -s)."""
    word = word.lower()
    return word[:-1] if len(word) > 4 and word.endswith("s") and not word.endswith("ss") else word


def _names_in(text: str, inflected: frozenset[str], proper_words: frozenset[str] | None) -> set[str]:
    """Capitalised words of a title or publisher that the documents never write in lower case, in any
    inflection a question would match (``inflected``: ``_beginnings`` of the lower-case words): the places and
    organisations it names ("Örebro", "Lindesbergs"), not "Regional", "Svar" or the "FÖRENING" of a title in
    capitals ("föreningen" is in the text). A word in capitals is a name only if the text writes it as one
    (``proper_words``, when known)."""
    found = set()
    for match in re.finditer(r"[A-ZÅÄÖ][\wåäöéü]+", text):
        word = match.group(0).lower()
        stem = _name_stem(word)
        if word in _ORGANISATION_PARTS or stem in inflected or len(word) < 3:
            continue
        if proper_words is not None and len(word) > 3 and match.group(0).isupper() and word not in proper_words:
            continue  # a title in capitals ("STADGAR … BESLUTAD") shows no name unless the text writes it as one
        found.add(stem)
    return found


def _beginnings(common_words: frozenset[str]) -> frozenset[str]:
    """Each word without its last 0–3 letters: what a name stem may be for a question to match the word."""
    return frozenset(w[:len(w) - k] for w in common_words for k in range(4) if len(w) - k >= 3)


# "Vad tyckte regionen om remissen?": an opinion on a referral is found in the answers to it.
_OPINION_WORDS = ("tyckte", "tycker", "ansåg", "anser", "synpunkt", "ställning", "yttra", "svarade", "invänd",
                  "positiv", "negativ", "kritisk", "välkomna", "instämm")


def proper_words(texts: Iterable[str]) -> frozenset[str]:
    """Words written capitalised after a lower-case word somewhere in ``texts`` ("i Örebro", "för Klimatbyrån"):
    names, lower-cased."""
    found: set[str] = set()
    for text in texts:
        found.update(w.lower() for w in re.findall(r"(?<=[a-zåäö] )[A-ZÅÄÖ][a-zåäöéü]+", text))
    return frozenset(found)


def lower_case_words(texts: Iterable[str]) -> frozenset[str]:
    """Words written in lower case somewhere in ``texts`` (so not proper names)."""
    found: set[str] = set()
    for text in texts:
        found.update(re.findall(r"(?<![\wÅÄÖåäö])[a-zåäö][a-zåäöéü]+", text))
    return frozenset(found)


def document_type_named(token: str) -> str | None:
    """The kind of document a question word names ("remissvaret" → remissvar), or None."""
    for doc_type, beginnings in DOCUMENT_TYPE_WORDS:
        if any(token.startswith(b) for b in beginnings):
            if doc_type == "plan" and token not in ("plan", "planen", "planens", "planer"):
                return None  # "planering", "planerar" are not documents
            return doc_type
    return None


@dataclass
class Mention:
    """What a question says about documents (``DocumentMentions.resolve``)."""

    doc_ids: list[str]
    naming_words: list[str]  # the words that only name a document ("Lindesbergs", "strategin", "2016")
    several: bool  # several documents named one by one ("Lindesberg och länsstrategin")
    by_name: bool  # named by an alias, publisher or place, not only by kind or year
    explicit: bool = False  # named by a catalog alias or its kind ("remissvaret"), not only by a place or year


@dataclass
class DocumentMentions:
    """How people name a document in a question: only what is written about it (catalog aliases,
    its publisher's and places' names, its kind, its year), never words mined from its title."""

    aliases: dict[str, list[str]]  # doc_id → catalog aliases (lowercase word beginnings, may be phrases)
    names: dict[str, set[str]]  # doc_id → name stems of its publisher and places
    types: dict[str, str]  # doc_id → its kind ("strategi", "remissvar" …)
    years: dict[str, int]
    about: dict[str, str] = field(default_factory=dict)  # doc_id → the document it answers or refers to

    def _alias_hits(self, tokens: list[str]) -> tuple[dict[str, list[int]], set[str]]:
        """Token positions of each document's aliases in ``tokens``, and the documents named by an alias
        that is a name rather than a kind of document ("lindesberg", not "remissvar")."""
        hits: dict[str, list[int]] = {}
        by_name: set[str] = set()
        for doc_id, aliases in self.aliases.items():
            for alias in aliases:
                parts = alias.split()
                for i in range(len(tokens) - len(parts) + 1):
                    if all(tokens[i + j].startswith(p) for j, p in enumerate(parts)):
                        hits.setdefault(doc_id, []).extend(range(i, i + len(parts)))
                        if document_type_named(parts[0]) is None:
                            by_name.add(doc_id)
        return hits, by_name

    def resolve(self, text: str) -> Mention:
        """The documents ``text`` names, the words that name them, whether it names several of them one by
        one, and whether it names them by name (an alias, a publisher or place), not only by kind or year."""
        tokens = words(text)
        used: set[int] = set()
        alias_docs, by_name = self._alias_hits(tokens)
        opinion = any(t.startswith(_OPINION_WORDS) for t in tokens)
        if opinion:  # the referral's own aliases ("remissen") then point at the answers to it
            alias_docs = {d: p for d, p in alias_docs.items() if self.types.get(d) != "remiss"}
        for positions in alias_docs.values():
            used.update(positions)
        by_place: set[str] = set()
        by_type: set[str] = set()
        by_year: set[str] = set()
        singles: set[str] = {d for d in alias_docs}  # documents a single mention points to on its own
        for i, token in enumerate(tokens):
            if i in used:
                continue  # part of a catalog alias ("regionala strategin")
            named = {d for d, names in self.names.items()
                     if any(token.startswith(n) and len(token) - len(n) <= 3 for n in names)}
            if named:
                by_place |= named
                used.add(i)
                singles |= named if len(named) == 1 else set()
            kind = document_type_named(token)
            if kind == "remiss" and opinion:
                kind = "remissvar"
            owner = tokens[i - 1] if i > 0 else ""
            if kind and owner.endswith("s") and len(owner) > 4 and i - 1 not in used and owner not in STOPWORDS:
                kind = None  # "regeringens strategi": someone's document that is not among these
            if kind:
                matching = {d for d, t in self.types.items() if t == kind}
                if matching:
                    by_type |= matching
                    used.add(i)
                    singles |= matching if len(matching) == 1 else set()
            if re.fullmatch(r"(19|20)\d\d", token):
                matching = {d for d, y in self.years.items() if str(y) == token}
                if matching:
                    by_year |= matching
                    used.add(i)
        chosen: set[str] = set()
        for group in (by_place, by_type, by_year):  # each kind of mention narrows the others
            if group:
                chosen = (chosen & group) or (chosen if chosen else group)
        if len(singles) >= 2:
            chosen = set(singles)  # "planen och rapporten": each document named on its own
        everything = set(self.types) | set(self.names) | set(self.aliases)
        if chosen == everything and len(everything) > 1 and not chosen <= singles:
            chosen = set()  # a mention that fits every document does not choose one
        if alias_docs and len(chosen) > 1:
            chosen = set()  # a kind or place that fits several documents adds nothing to an explicit name
        docs = list(alias_docs) + sorted(chosen - set(alias_docs))
        if opinion:  # "Är regionen positiv till strategin?": the answers to a document hold the opinions on it
            answers = [d for d, about in self.about.items() if about in docs and self.types.get(d) == "remissvar"]
            docs = list(dict.fromkeys([d for d in docs if d not in {self.about[a] for a in answers}] + answers))
        # Several documents are asked about when each is named on its own ("Lindesberg och länsstrategin"),
        # not when one place fits several documents ("Örebro län").
        several = len(singles & set(docs)) >= 2
        naming = [tokens[i] for i in sorted(used)] if docs else []
        return Mention(docs, naming, several, bool(docs) and bool(by_name & set(docs) or by_place),
                       explicit=bool(set(alias_docs) & set(docs) or by_type & set(docs)))

    def mentioned(self, text: str) -> list[str]:
        """The documents ``text`` names."""
        return self.resolve(text).doc_ids


def build_mentions(documents: dict[str, dict], extra: dict[str, list[str]] | None = None,
                   common_words: frozenset[str] = frozenset(),
                   names_written: frozenset[str] | None = None) -> DocumentMentions:
    """``documents``: doc_id → {title, publisher, doc_type, year}; ``extra``: the catalog's aliases;
    ``common_words``: words the documents write in lower case (they are not names); ``names_written``:
    words they write as names (``proper_words``), when known."""
    inflected = _beginnings(common_words)
    names = {d: _names_in(f"{m.get('publisher') or ''} {m.get('title') or ''}", inflected, names_written)
             for d, m in documents.items()}
    types = {d: str(m.get("doc_type") or "").lower() for d, m in documents.items() if m.get("doc_type")}
    years = {d: int(m["year"]) for d, m in documents.items() if m.get("year")}
    aliases = {d: [" ".join(words(a)) for a in v if words(a)] for d, v in (extra or {}).items()}
    about = {d: str(m["about"]) for d, m in documents.items() if m.get("about")}
    return DocumentMentions(aliases, names, types, years, about)


# E-mail and web addresses, phone numbers and personal identity numbers are not what a question asks about.
_CONTACT_DETAILS_RE = re.compile(
    r"\S+@\S+\.\w+|https?://\S+|www\.\S+|\b(19|20)?\d{6}[-+]?\d{4}\b|\b0\d{1,3}[- ]?\d{2,3}[ -]?\d{2}[ -]?\d{2}\b")


def without_contact_details(text: str) -> str:
    """``text`` with e-mail and web addresses, phone numbers and personal identity numbers left out."""
    return " ".join(_CONTACT_DETAILS_RE.sub(" ", text).split())


@dataclass
class QueryPlan:
    question: str  # as asked
    effective: str  # with the conversation folded in
    lexical_tokens: list[str]
    dense_text: str
    content_words: list[str]  # the question's topic words (lowercase, no question/stop words)
    expansions: list[str] = field(default_factory=list)  # e.g. "BVC = barnavårdscentral"
    doc_ids: list[str] = field(default_factory=list)  # documents the question names
    compare: bool = False
    scoped: bool = False  # the question names one document by name: answer and refuse from it
    explicit: bool = False  # … by a catalog alias or its kind, not only by a place ("i Västra Götaland")
    followup: bool = False
    naming_tokens: list[str] = field(default_factory=list)  # stems of words that only name a document
    foreign: bool = False  # not Swedish: words cannot match, meaning must
    # What the question asks of a document's own record ("När antogs planen?": adopted), when it speaks of a
    # document: the information block of the documents in question answers it (``swedish.record_aspects``).
    record_aspects: frozenset[str] = frozenset()

    @property
    def asking(self) -> str:
        """The text whose question word says what is asked: a follow-up with its own ("Hur ofta träffas de?"
        after "Vilka sitter i styrgruppen?") asks its own kind of fact; an ellipsis ("Och om revidering?")
        asks what the conversation asked."""
        return self.question if question_type(self.question) != QuestionType.OTHER else self.effective

    def expansion_pairs(self) -> list[tuple[str, str]]:
        """The expansions as (what the question says, what the documents write): ("BVC", "barnavårdscentral"),
        ("bråkar", "utagerande")."""
        return [(said, meant) for said, _, meant in (e.partition(" = ") for e in self.expansions) if meant]


# "Och om revidering?", "Och vid högspänning?", "Och i Lindesberg?": an ellipsis that names another thing after
# the preposition the earlier question used.
# Not "Och om revidering?" after "… om uppföljning?": read with the earlier topic it kept what the two share
# (dev: "den revideras vid behov eller minst vart fjärde år" was lost when "om revidering" replaced it).
_ELLIPSIS_RE = re.compile(r"^(?:och|men|än) (i|vid|för|hos|på|inom) ([^?]+?)\s*\??$", re.IGNORECASE)
_PREPOSITIONS = ("om", "i", "vid", "för", "hos", "på", "inom", "med", "till", "enligt", "av", "från")


def _antecedent(earlier: str, question: str) -> str:
    """The noun of ``earlier`` that a pronoun of ``question`` stands for, by Swedish number: "de" or "dem" for
    the first definite plural, what the earlier question was about ("När började de gälla?" after "Vad säger
    föreskrifterna om skyltning …?" asks when the föreskrifter came into force, not when the signs did); "" when
    there is none."""
    said = words(question)
    if not any(w in ("de", "dem") for w in said):
        return ""
    # (not an indefinite plural in -er, which a verb in the present shares: "Vilka sitter i styrgruppen?")
    plurals = [w for w in words(earlier) if len(w) >= 6 and re.search(r"[^aeiouyåäö](?:er|or|ar|r)na$", w)
               and w not in STOPWORDS]
    return plurals[0] if plurals else ""


def _in_place_of(earlier: str, question: str) -> str | None:
    """The earlier question with what ``question`` names in place of what it said after the same preposition
    (a place or a situation, up to the next preposition), or None when ``question`` is no such ellipsis or the
    earlier question has no such phrase."""
    ellipsis = _ELLIPSIS_RE.match(question.strip())
    if ellipsis is None:
        return None
    preposition, named = ellipsis.group(1).lower(), ellipsis.group(2)
    found = list(re.finditer(rf"\b{preposition} ", earlier, re.IGNORECASE))
    if not found:
        return None
    start = found[-1].start()
    rest = earlier[found[-1].end():]
    end_mark = re.search(r"[?.!,;]", rest)
    end = found[-1].end() + (end_mark.start() if end_mark else len(rest))
    following = re.search(rf"\s(?:{'|'.join(_PREPOSITIONS)})\s", earlier[found[-1].end():end])
    if following:
        end = found[-1].end() + following.start()
    return f"{earlier[:start]}{preposition} {named}{earlier[end:]}"


class QueryPlanner:
    def __init__(self, analyzer: SwedishAnalyzer, abbreviations: dict[str, str], aliases: DocumentMentions,
                 synonyms: dict[str, list[str]] | None = None) -> None:
        """``synonyms``: everyday words (lowercase beginnings or phrases) → the documents' words for them, from
        the catalog ("bråk" → ["utagerande", "beteende"])."""
        self.analyzer = analyzer
        self.abbreviations = {k.lower(): v for k, v in abbreviations.items()}
        self._expansion_index = [(set(self.analyzer.tokens(v)), k) for k, v in abbreviations.items()]
        self.aliases = aliases
        self._synonyms = [(re.compile(rf"(?<!\w){re.escape(everyday)}\w*"), document_words)
                          for everyday, document_words in (synonyms or {}).items()]

    def content_words(self, text: str) -> list[str]:
        degree = degree_words_asked(text)
        return [w for i, w in enumerate(words(text)) if w not in STOPWORDS and w not in QUESTION_WORDS
                and i not in degree]

    def is_followup(self, question: str, naming_words: Sequence[str] = ()) -> bool:
        """``naming_words``: the words of the question that name a document ("Och i Örebro län?" names,
        it adds no topic)."""
        lowered = question.strip().lower()
        if lowered.startswith(_FOLLOWUP_STARTS) or "samma sak" in lowered or lowered.endswith(" då?"):
            return True
        content = [w for w in self.content_words(question) if w not in set(naming_words)]
        if all(ANSWER_KIND_NOUNS.match(w) for w in content):
            return True  # "Hur stor är skillnaden?", "Vilket år?": nothing to ask about but the conversation's topic
        return len(content) <= 2 and any(w in _ANAPHORA for w in words(lowered))

    def plan(self, question: str, previous: QueryPlan | None = None) -> QueryPlan:
        question = without_contact_details(question)
        mention = self.aliases.resolve(question)
        followup = previous is not None and self.is_followup(question, mention.naming_words)
        effective = f"{previous.effective} {question}" if followup and previous else question
        if followup and previous:
            # "Och vid högspänning?" after "Vad säger föreskrifterna om skyltning vid driftrum?": the same
            # preposition with another thing asks the earlier question of that thing, not of both.
            effective = _in_place_of(previous.effective, question) or effective
        if followup and previous and any(w in _PRONOUNS for w in words(question)):
            # "Vad betyder underrättelseskyldighet i direktivet om …?" → "Vad ska utredaren föreslå om den?": the
            # pronoun stands for the term just explained, not for everything the question said around it.
            defined = defined_term(previous.question) or _antecedent(previous.question, question) \
                or _antecedent(previous.effective, question)
            if defined:
                effective = f"{defined} {question}"
        doc_ids, several, by_name, explicit = mention.doc_ids, mention.several, mention.by_name, mention.explicit
        if followup and previous and not doc_ids:
            doc_ids, several, by_name, explicit = (list(previous.doc_ids), previous.compare, previous.scoped,
                                                   previous.explicit)
        lowered = f" {question.lower()} "
        compare = any(w in lowered for w in _COMPARE_WORDS) or several

        expansions = self._expand(effective)
        content = self.content_words(effective)
        lexical_text = " ".join(content + expansions)
        if asks_when_in_force(question):  # "Från vilket datum gäller …": a rule says "träder i kraft den …"
            lexical_text += f" {IN_FORCE_WORDS}"
        dense = effective if not expansions else f"{effective} ({'; '.join(expansions)})"
        naming_words = mention.naming_words if effective == question else self.aliases.resolve(effective).naming_words
        naming = self.analyzer.tokens(" ".join(naming_words))
        scoped = (by_name or (len(doc_ids) == 1 and bool(_ASKS_WHAT_IT_SAYS_RE.search(lowered)))) and not compare
        plan = QueryPlan(
            question=question, effective=effective, lexical_tokens=self.analyzer.tokens(lexical_text),
            dense_text=dense, content_words=content, expansions=expansions, doc_ids=doc_ids,
            compare=compare, followup=followup, naming_tokens=naming, scoped=scoped, explicit=scoped and explicit,
            foreign=looks_english(question),
        )
        if speaks_of_a_document(effective):
            plan.record_aspects = record_aspects(plan.asking)
        return plan

    def plan_conversation(self, question: str, history: Sequence[str] = ()) -> QueryPlan:
        """The plan of ``question`` read after the earlier questions of the conversation (the last three)."""
        previous: QueryPlan | None = None
        for earlier in history[-3:]:
            previous = self.plan(earlier, previous)
        return self.plan(question, previous)

    def _expand(self, text: str) -> list[str]:
        found: list[str] = []
        for token in re.findall(r"[A-Za-zÅÄÖåäö/]+", text):
            key = token.lower().removesuffix(":s")
            if key in self.abbreviations and (token.isupper() or len(token) > 3 or token[0].isupper()):
                found.append(f"{token} = {self.abbreviations[key]}")
        query_stems = set(self.analyzer.tokens(text))
        for stems, abbr in self._expansion_index:
            if stems and stems <= query_stems and not any(f.startswith(abbr) for f in found):
                found.append(f"{abbr} = {self.abbreviations[abbr.lower()]}")
        said = words(text)
        lowered = " ".join(said)
        for pattern, document_words in self._synonyms:
            match = pattern.search(lowered)
            if match:  # "bråkar" → "bråkar = utagerande": the documents' word for it, once
                found.extend(f"{match.group(0)} = {w}" for w in document_words
                             if w not in said and not any(f.endswith(f" = {w}") for f in found))
        return found
