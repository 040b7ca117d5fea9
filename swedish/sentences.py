"""Swedish sentence boundaries as offsets, so a sentence can be quoted and located.

A period ends a sentence unless it closes an abbreviation ("bl.a.", "t.ex.", "s."), a single
letter ("A. Andersson") or a list number on its own ("1."). Model answers put citation markers
after the period ("… tillsammans. [1] Styrgruppen …"); ``with_markers`` keeps them with the
sentence they follow.
"""

from __future__ import annotations

import re

from swedish.tokens import STOPWORDS

# Abbreviations after which a period does not end a Swedish sentence (lowercase, without the
# final period).
ABBREVIATIONS = frozenset({
    "bl.a", "t.ex", "m.m", "s.k", "dvs", "d.v.s", "osv", "o.s.v", "t.o.m", "fr.o.m", "resp",
    "ca", "nr", "kap", "jfr", "m.fl", "p.g.a", "pga", "etc", "st", "tel", "inkl", "exkl", "ev",
    "o.d", "f.d", "m.a.o", "e.d", "s", "sid", "kl", "prop", "skr", "dnr", "obs", "vs", "art",
    "fig", "tab", "avd", "enl", "förf", "red", "uppl", "jan", "feb", "aug", "sept", "okt", "nov",
    "dec", "mfl", "mm", "tex", "bla", "f", "ff", "o", "ang", "alt", "dr", "prof", "doc",
    # the references of Swedish law and government texts: "utg. omr. 13", "bet. 2013/14:AU7", "rskr. 2013/14:189"
    "utg", "omr", "bet", "rskr", "dir", "avsn", "mom", "bil", "anf",
})
# Words a finished Swedish title or sentence does not end on (conjunctions, subjunctions, articles,
# possessives; not prepositions, which may close a clause: "Vem föreskrifterna riktar sig till"): a line
# ending in one goes on in the next ("9. Välj i första hand fullkorn när").
OPEN_ENDINGS = frozenset({
    "och", "eller", "samt", "men", "att", "som", "när", "eftersom", "medan", "fast", "ifall", "innan",
    "vilket", "vilka", "vilken", "vars", "en", "ett", "dess", "deras", "sin", "sitt", "sina", "per", "än",
})
# Words a Swedish line that goes on in the next one ends with (prepositions, conjunctions, the infinitive marker,
# relative pronouns, articles and auxiliaries): no heading ends with one, and a sentence ending with one leads into
# what follows ("Den som tillhandahåller en telefonitjänst ska", "Anteckningarna ska innehålla uppgift om").
LEAD_IN_ENDINGS = frozenset({
    "om", "på", "för", "av", "till", "med", "från", "genom", "mellan", "enligt", "vid", "hos", "inom", "mot", "och",
    "eller", "samt", "att", "som", "där", "en", "ett", "den", "det", "de", "är", "ska", "skall", "kan", "bör", "får",
    "måste", "följande", "bland", "annat",
})
# The words that reply to a yes/no question. Alone before a period ("Nej. Ditt barn kan inte skadas.") such a word
# is no sentence of its own: it belongs to the sentence it introduces, which without it loses what it answers.
REPLY_WORDS = frozenset({"ja", "nej", "jo"})
_BOUNDARY_RE = re.compile(r"[.!?…]+[”\"’)\]]*(?=\s+[\"”(\[]?[A-ZÅÄÖ0-9])")
# With markers: "… tillsammans. [1] Styrgruppen", "… [2]." at the end of a line, "*Fetstil*" after.
_MARKED_BOUNDARY_RE = re.compile(r"[.!?…]+[”\"’)]*((?:\s*\[[^\[\]\n]{1,30}\])*)(?=\s+[\"”(*A-ZÅÄÖ0-9]|\s*$)")


# A short line without closing punctuation before a capitalised line: a heading ("Om oss\nVi är …").
_HEADING_LINE_RE = re.compile(r"(?m)^[^\n.!?:;,]{1,80}(?<![.!?:;,])(?=\n[ \t]*[\"”(]?[A-ZÅÄÖ])")
_MAX_HEADING_WORDS = 8


def sentence_spans(text: str, start: int = 0, end: int | None = None,
                   with_markers: bool = False) -> list[tuple[int, int]]:
    """Sentences of ``text[start:end]`` as (start, end) offsets into ``text``, trimmed of spaces.
    A heading line (short, no closing punctuation, the next line capitalised) is a sentence of its own."""
    end = len(text) if end is None else end
    boundary = _MARKED_BOUNDARY_RE if with_markers else _BOUNDARY_RE
    stops = [m.end() for m in _HEADING_LINE_RE.finditer(text, start, end) if _is_heading_line(m.group(0))]
    for match in boundary.finditer(text, start, end):
        opening = _line_or_sentence_start(text, start, match)
        if match.group(0).startswith(".") and _closes_abbreviation(text, opening, match.start()):
            continue
        if text[opening:match.start()].strip().lower() in REPLY_WORDS:
            continue
        stops.append(match.end())
    spans: list[tuple[int, int]] = []
    sentence_start = start
    for stop in sorted(set(stops)):
        if stop <= sentence_start:
            continue
        spans.append(_trimmed(text, sentence_start, stop))
        sentence_start = stop
    if text[sentence_start:end].strip():
        spans.append(_trimmed(text, sentence_start, end))
    return [s for s in spans if s[1] > s[0]]


def opens_with_reply(sentence: str) -> bool:
    """The sentence opens with a word that replies to a yes/no question ("Nej. Ditt barn …", "Ja, det går")."""
    first = re.match(r"\s*(\w+)[.,!]", sentence)
    return first is not None and first.group(1).lower() in REPLY_WORDS


def _is_heading_line(line: str) -> bool:
    found = line.split()
    last = found[-1].lower() if found else ""
    return 0 < len(found) <= _MAX_HEADING_WORDS and last not in OPEN_ENDINGS and last not in STOPWORDS


def _line_or_sentence_start(text: str, start: int, match: re.Match) -> int:
    """Where the sentence that ``match`` may close starts (for the abbreviation test)."""
    previous = max(text.rfind(". ", start, match.start()), text.rfind("\n", start, match.start()))
    return start if previous < 0 else previous + 1


def sentences(text: str, with_markers: bool = False) -> list[str]:
    """The sentences of ``text`` as strings."""
    return [text[s:e] for s, e in sentence_spans(text, with_markers=with_markers)]


def _closes_abbreviation(text: str, sentence_start: int, period: int) -> bool:
    token = re.search(r"(\S+)$", text[sentence_start:period + 1])
    word = token.group(1).rstrip(".").lower().lstrip("(\"”") if token else ""
    return (word in ABBREVIATIONS or (len(word) == 1 and word.isalpha())
            or (word.isdigit() and text[sentence_start:period].strip() == word))


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


# "Fastställt av: Kommunfullmäktige", "Datum: 2023-02-20", "Dnr: KS 2023/12": a label, a colon and a short
# value on one line. Consecutive field lines are one record (a document's information block, a contact
# card), and a one-word label ("Datum", "Dnr") says what the value is only with the field before it.
_FIELD_LINE_RE = re.compile(r"^(?P<label>[A-ZÅÄÖ][^\n:.!?;]{0,59}):[ \t]+\S[^\n]{0,149}$")
_MAX_LABEL_WORDS = 10


def field_label(line: str) -> str | None:
    """The label of a field line ("Fastställt av" of "Fastställt av: Kommunfullmäktige"), or None."""
    match = _FIELD_LINE_RE.match(line.strip())
    if not match or len(match.group("label").split()) > _MAX_LABEL_WORDS:
        return None
    return match.group("label").strip()


# What a document's information block records about the document itself, as Swedish says it in a field's label
# ("Fastställt av", "Giltighetstid", "För revidering ansvarar", "Dokumentet ersätter") and in a question about
# the document ("När antogs planen?", "Hur länge gäller strategin?", "Vem ansvarar för att revidera den?").
_RECORD_ASPECTS = (
    ("adopted", re.compile(r"\b(?:antag\w*|antog\w*|antas|fastställ\w*|godkän\w*|beslut\w*|beslöt)")),
    ("valid", re.compile(r"\bgiltig\w*|\bgäller\s+(?:\w+\s+){0,2}(?:till|t\.\s?o\.\s?m\.?|fram till|tills)\b|"
                         r"\b(?:hur länge|till när) gäller\b|\bupphör\w*|\blöper\s+(?:\w+\s+){0,2}ut\b")),
    ("replaces", re.compile(r"\bersät\w*")),
    ("revision", re.compile(r"\brevider\w*|\brevision\w*")),
    ("follow_up", re.compile(r"\bfölj\w*\s+(?:\w+\s+){0,2}upp\b|\buppfölj\w*")),
    ("responsible", re.compile(r"ansvar\w*|\bdokumentägare\b")),  # "Dokumentansvarig"
    # "Vem gäller planen för?", the label "Dokumentet gäller för" (not "gäller planen för klimat och energi")
    ("applies", re.compile(r"\bgäller\s+(?:\w+\s+){0,2}för\s*\??\s*$|\bomfatt\w*")),
)


def record_aspects(text: str) -> frozenset[str]:
    """What a field's label or a question says of a document's own record: when and by whom it was adopted, how
    long it is valid, what it replaces, who revises it or follows it up, whom it applies to."""
    lowered = text.lower()
    return frozenset(name for name, pattern in _RECORD_ASPECTS if pattern.search(lowered))


def share_recorded(asked: frozenset[str], recorded: frozenset[str]) -> float:
    """How much of what a question asks of a document (``asked``) a field whose label records ``recorded``
    (``record_aspects``) answers: the share of the things asked it records, 0 when it records something the
    question does not ask ("Dokumentet är beslutat av" answers half of "Vem har beslutat riktlinjerna och hur länge
    gäller de?"; "För uppföljning ansvarar" nothing of "Vem ansvarar för att revidera planen?"). Responsibility
    only says who: a bare "Vem ansvarar för planen?" takes any field of responsibility."""
    topics = asked - {"responsible"}
    if not topics:
        return 1.0 if "responsible" in recorded else 0.0
    if recorded - asked - {"responsible"}:
        return 0.0
    return len(recorded & topics) / len(topics)
