"""Numbers in Swedish text: digits with Swedish grouping and decimals ("10 000", "2,5") and
number words ("tre", "tolv")."""

from __future__ import annotations

import re

NUMBER_WORDS = {
    "en": 1, "ett": 1, "två": 2, "tre": 3, "fyra": 4, "fem": 5, "sex": 6, "sju": 7, "åtta": 8, "nio": 9, "tio": 10,
    "elva": 11, "tolv": 12, "femton": 15, "tjugo": 20, "hundra": 100, "tusen": 1000,
}
# Words that state a quantity without a number.
QUANTITY_WORDS = ("samtliga", "alla", "hälften", "majoriteten", "flera", "några", "många", "få")
VAGUE_QUANTITY_WORDS = ("flera", "några", "många", "få")  # they do not say how many
VAGUE_QUANTITY_NOUNS = ("antal", "flertal", "fåtal", "mängd", "rad")  # "ett antal dagar", "en rad åtgärder"
NUMBER_WORD_PATTERN = "|".join(NUMBER_WORDS)  # for regular expressions: "en|ett|två|…"
# Number words that count, not the articles "en"/"ett" ("minst en familjecentral" counts nothing).
COUNTING_WORD_PATTERN = "|".join(w for w in NUMBER_WORDS if w not in ("en", "ett"))

_NUMBER_RE = re.compile(r"(?<![\d,.])\d{1,3}(?:[ \u00a0]\d{3})+(?![\d,])|\d+(?:[.,]\d+)?")


def numbers_in(text: str) -> set[str]:
    """Numbers written with digits, normalised ("10 000" → "10000", "05" → "5", "2.5" → "2,5")."""
    found = set()
    for match in _NUMBER_RE.finditer(text):
        token = re.sub(r"[ \u00a0]", "", match.group(0)).replace(".", ",")
        if "," in token:
            whole, frac = token.split(",", 1)
            found.add(f"{int(whole)},{frac}")
        else:
            found.add(str(int(token)))
    return found


def number_words_in(text: str, smallest: int = 2) -> set[str]:
    """The values of the number words of ``text`` (from ``smallest``: "en"/"ett" are articles too)."""
    return {str(value) for word, value in NUMBER_WORDS.items()
            if value >= smallest and re.search(rf"\b{word}\b", text, re.I)}


# "den andra", "det tredje": an ordinal after a determiner points at the n-th of a numbered series (a bare
# "andra" is mostly "other": "andra kommuner").
_ORDINALS = {"första": 1, "andra": 2, "tredje": 3, "fjärde": 4, "femte": 5, "sjätte": 6, "sjunde": 7,
             "åttonde": 8, "nionde": 9, "tionde": 10}
_ORDINAL_RE = re.compile(rf"\b(?:den|det|de)\s+({'|'.join(_ORDINALS)})\b", re.IGNORECASE)


def ordinal_reference(text: str) -> int | None:
    """The number an ordinal with a determiner points at ("Vad ska göras inom det andra?" → 2), or None."""
    match = _ORDINAL_RE.search(text)
    return _ORDINALS[match.group(1).lower()] if match else None
