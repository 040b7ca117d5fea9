"""Dates and years in Swedish text."""

from __future__ import annotations

import re

MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
          "november", "december")
MONTH_NUMBERS = {month: number for number, month in enumerate(MONTHS, start=1)}

# "2023-05-12" or "12 maj 2023".
DATE_RE = re.compile(rf"\b(19|20)\d\d-\d\d-\d\d\b|\b\d{{1,2}} ({'|'.join(MONTHS)}) (19|20)\d\d")
YEAR_RANGE_RE = re.compile(r"\b20\d\d\s*(?:–|-|till)\s*20\d\d\b")


def month_written_as_date(month: str, text: str) -> bool:
    """``text`` holds a numeric date in ``month`` ("2023-05-12" for "maj")."""
    return bool(re.search(rf"\b\d{{4}}-0?{MONTH_NUMBERS[month]}-\d\d\b", text))
# How often something happens: "årligen", "vartannat år", "två gånger per år", "varje månad".
FREQUENCY_RE = re.compile(r"\b(årligen|vartannat år|varje år|gånger per år|vart \w+ år|per kvartal|varje månad)\b")
