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
from collections.abc import Sequence
from dataclasses import dataclass, field

from swedish.language import looks_english
from swedish.tokens import STOPWORDS, SwedishAnalyzer, stem, words

# Words that carry the question's form, not its topic.
QUESTION_WORDS = frozenset({
    "vad", "vilka", "vilken", "vilket", "hur", "varför", "när", "vem", "vems", "var", "kan", "kunna", "ska",
    "skall",
    "finns", "står", "betyder", "innebär", "säger", "sägs", "enligt", "dokumenten", "dokumentet", "dokument",
    "berätta", "förklara", "beskriv", "beskriver", "jag", "vi", "min", "mitt", "mina", "vår", "gäller", "menas",
    "handlar", "får", "göra", "gör", "någon", "några", "något", "mer", "mest", "ut", "egentligen", "snälla",
    "tack", "hej", "ni", "era", "väl", "bra", "typ", "sägas", "skriver", "skrivs", "nämns", "nämner", "tas",
})
_FOLLOWUP_STARTS = ("och ", "men ", "än ", "samma ", "hur är det med", "vad gäller", "gäller det", "också ",
                    "då ", "även ", "och?", "sen ", "sedan ")
_ANAPHORA = {"det", "den", "dem", "dessa", "detta", "där", "samma", "sådan", "sådana", "då", "också", "de", "dit"}
_COMPARE_WORDS = ("skillnad", "skiljer", "jämför", "jämfört", "jämförelse", "likheter", "olika mellan", "versus",
                  " vs ")


@dataclass
class DocumentAliases:
    """Word prefixes that name a document in a question (from catalog metadata)."""

    by_doc: dict[str, list[str]]

    def mentioned(self, text: str) -> list[str]:
        lowered = " " + " ".join(words(text)) + " "
        found = []
        for doc_id, aliases in self.by_doc.items():
            if any(f" {alias}" in lowered for alias in aliases):
                found.append(doc_id)
        return found

    def naming_words(self, text: str) -> list[str]:
        """The words of ``text`` that only name a document ("Lindesbergs", "regionala strategin")."""
        tokens = words(text)
        found: list[str] = []
        for aliases in self.by_doc.values():
            for alias in aliases:
                parts = alias.split()
                for i in range(len(tokens) - len(parts) + 1):
                    if all(tokens[i + j].startswith(p) for j, p in enumerate(parts)):
                        found.extend(tokens[i:i + len(parts)])
        return found


def build_aliases(documents: dict[str, dict], extra: dict[str, list[str]] | None = None) -> DocumentAliases:
    """Distinctive words of each document's title, publisher and id, plus catalog aliases."""
    vocab: dict[str, set[str]] = {}
    for doc_id, meta in documents.items():
        text = " ".join(str(meta.get(k, "")) for k in ("title", "publisher")) + " " + doc_id.replace("-", " ")
        vocab[doc_id] = {stem(w) for w in words(text) if w not in STOPWORDS and len(w) >= 4 and not w.isdigit()}
        vocab[doc_id] |= {w for w in words(text) if re.fullmatch(r"(19|20)\d\d", w)}
    by_doc: dict[str, list[str]] = {}
    for doc_id, stems in vocab.items():
        others = set().union(*(v for d, v in vocab.items() if d != doc_id)) if len(vocab) > 1 else set()
        distinctive = sorted(s for s in stems - others if s not in GENERIC_DOMAIN_STEMS)
        by_doc[doc_id] = distinctive + [" ".join(words(a)) for a in (extra or {}).get(doc_id, [])]
    return DocumentAliases(by_doc)


# Words too common in this domain to name a document or to count as the question's key topic.
GENERIC_DOMAIN_STEMS = frozenset({
    "föräldraskapsstöd", "föräldraskap", "strategi", "regional", "region", "län", "kommun", "stöd", "för", "svar",
    "stärkt", "rapport", "handbok", "dokument", "remissversion", "remiss",
})


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
    followup: bool = False
    naming_tokens: list[str] = field(default_factory=list)  # stems of words that only name a document
    foreign: bool = False  # not Swedish: words cannot match, meaning must


class QueryPlanner:
    def __init__(self, analyzer: SwedishAnalyzer, abbreviations: dict[str, str], aliases: DocumentAliases) -> None:
        self.analyzer = analyzer
        self.abbreviations = {k.lower(): v for k, v in abbreviations.items()}
        self._expansion_index = [(set(self.analyzer.tokens(v)), k) for k, v in abbreviations.items()]
        self.aliases = aliases

    def content_words(self, text: str) -> list[str]:
        return [w for w in words(text) if w not in STOPWORDS and w not in QUESTION_WORDS]

    def is_followup(self, question: str) -> bool:
        lowered = question.strip().lower()
        if lowered.startswith(_FOLLOWUP_STARTS) or "samma sak" in lowered or lowered.endswith(" då?"):
            return True
        content = self.content_words(question)
        return len(content) <= 2 and any(w in _ANAPHORA for w in words(lowered))

    def plan(self, question: str, previous: QueryPlan | None = None) -> QueryPlan:
        followup = previous is not None and self.is_followup(question)
        effective = f"{previous.effective} {question}" if followup and previous else question
        doc_ids = self.aliases.mentioned(question)
        if followup and previous and not doc_ids:
            doc_ids = list(previous.doc_ids)
        lowered = f" {question.lower()} "
        compare = any(w in lowered for w in _COMPARE_WORDS) or len(doc_ids) >= 2

        expansions = self._expand(effective)
        content = self.content_words(effective)
        lexical_text = " ".join(content + expansions)
        dense = effective if not expansions else f"{effective} ({'; '.join(expansions)})"
        naming = self.analyzer.tokens(" ".join(self.aliases.naming_words(effective)))
        return QueryPlan(
            question=question, effective=effective, lexical_tokens=self.analyzer.tokens(lexical_text),
            dense_text=dense, content_words=content, expansions=expansions, doc_ids=doc_ids,
            compare=compare, followup=followup, naming_tokens=naming, foreign=looks_english(question),
        )

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
        return found
