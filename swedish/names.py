"""Names of Swedish public organisations as they are written: "Region Örebro län", "Lindesbergs
kommun", "Göteborgs stad", "Länsstyrelsen i Västmanlands län", "Skolverket", "Socialstyrelsen",
"Folkhälsomyndigheten", "Regeringskansliet", "Statens skolverk" …"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

_CAP = r"[A-ZÅÄÖ][\wåäöéü-]+"
# The capitalised word an agency's ending closes: "Skatteverket", "E-hälsomyndigheten", and "Försäkrings-kassan"
# as a line break left it.
_AGENCY_WORD = r"[A-ZÅÄÖ](?:[a-zåäö]|-(?=[a-zåäö]))+?"
# How a Swedish agency's name ends: it says what kind of agency it is ("Transportstyrelsen", "Naturvårdsverket").
AGENCY_ENDINGS = "verket|styrelsen|myndigheten|inspektionen|kassan|rådet|institutet|ämbetet|makten"
# "Myndigheten för digital förvaltning", "Inspektionen för vård och omsorg", "Myndigheten för ungdoms- och
# civilsamhällesfrågor": a body named by what it is for (an adjective before the noun, or two nouns joined by "och").
_NAMED_FOR = (r"(?:Myndigheten|Inspektionen|Institutet|Rådet|Nämnden|Verket|Centrum) för "
              r"(?:[a-zåäö]+(?:al|ig|isk|ell|lig|iv|il)t?\s)?[a-zåäö]+(?:-? och [a-zåäö]+)?")
# How a state body named "Statens …" ends in lower case: "Statens räddningsverk", "Statens institutionsstyrelse".
_STATE_BODY = "verk|institut|styrelse|nämnd|råd"
_ORGANISATION = (rf"\b(?:Region {_CAP}(?: län)?|{_CAP} kommun|{_CAP} stad|Länsstyrelsen i {_CAP}(?: län)?|"
                 rf"Statens {_CAP}(?: {_CAP})?|Statens [a-zåäö]+(?:{_STATE_BODY}){{s}}|"
                 rf"Regeringskansliet|Regeringen|Sveriges riksdag|Riksdagen|"
                 rf"{_AGENCY_WORD}(?:{AGENCY_ENDINGS}|nämnden){{s}}|{_NAMED_FOR})\b")
ORGANISATION_RE = re.compile(_ORGANISATION.format(s=""))
# The same names, also in the genitive ("Boverkets föreskrifter"): for finding who publishes a document.
_ORGANISATION_OR_GENITIVE_RE = re.compile(_ORGANISATION.format(s="s?"))
# An agency's name: an instance of "myndighet" that never says "myndighet" ("Statens skolverk").
AGENCY_NAME_RE = re.compile(rf"\bLänsstyrelsen i [A-ZÅÄÖ][a-zåäö]+(?: län)?|\b{_AGENCY_WORD}(?:{AGENCY_ENDINGS})\b|"
                            rf"\bStatens [a-zåäö]+\b|\b{_NAMED_FOR}\b")


def organisations(text: str) -> list[str]:
    """Organisation names in ``text``, in order of first appearance, each once, in their base form: the
    genitive of a title ("Myndigheten för civilt försvars föreskrifter", "Statens räddningsverks allmänna
    råd") names the body without its "-s"."""
    found: list[str] = []
    for match in _ORGANISATION_OR_GENITIVE_RE.finditer(text):
        name = _base_form(match.group(0), text)
        if name not in found:
            found.append(name)
    return found


def _base_form(name: str, text: str) -> str:
    """``name`` without a genitive "-s" when it is one: the text writes the name without it too, or the name
    ends as an agency's does ("Boverkets", "Statens räddningsverks")."""
    base = name[:-1]
    if not name.endswith("s") or base.endswith("s") or not ORGANISATION_RE.fullmatch(base):
        return name
    agency = re.search(rf"(?:{AGENCY_ENDINGS}|nämnden|{_STATE_BODY})$", base)
    return base if agency or re.search(rf"\b{re.escape(base)}\b(?!s)", text) else name


# Words an organisation's initialism skips: "Myndigheten för samhällsskydd och beredskap" is MSB.
_NAME_CONNECTORS = frozenset({"för", "och", "i", "av", "med", "om", "på", "till", "vid", "samt", "&"})


def initialisms(name: str) -> set[str]:
    """The initialisms a name may go by, lower case: the first letters of its words but connectors, from a
    capitalised word on ("Myndigheten för samhällsskydd och beredskaps författningssamling" → "ms", "msb",
    "msbf"; "Sveriges Kommuner och Regioner" → "sk", "skr", "kr"). For names the documents give themselves (a
    publisher, a title), so that "MSB" is not a name the documents never mention."""
    words = [w for w in re.findall(r"[^\W\d_]+", name) if w.lower() not in _NAME_CONNECTORS]
    letters = "".join(w[0].lower() for w in words)
    return {letters[i:j] for i, word in enumerate(words) if word[0].isupper()
            for j in range(i + 2, min(len(letters), i + 6) + 1)}


def long_forms(acronym: str, words: Sequence[str], longest: int = 8) -> Iterator[int]:
    """The sizes of the trailing spans of ``words`` that can spell ``acronym`` out, shortest first: the span's
    first word opens with the acronym's first letter and all its letters follow in order (the match of the
    Schwartz–Hearst abbreviation algorithm: "svenska för invandrare" for "sfi")."""
    letters = [c.lower() for c in acronym if c.isalpha()]
    for size in range(1, min(longest, len(words)) + 1):
        span = words[-size:]
        if not letters or span[0][:1].lower() != letters[0]:
            continue
        joined = " ".join(span).lower()
        position = 0
        for letter in letters:
            position = joined.find(letter, position) + 1
            if not position:
                break
        else:
            yield size
