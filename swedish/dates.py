"""Dates and years in Swedish text."""

from __future__ import annotations

import re

MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
          "november", "december")
MONTH_NUMBERS = {month: number for number, month in enumerate(MONTHS, start=1)}

# "2023-05-12" or "12 maj 2023".
DATE_RE = re.compile(rf"\b(19|20)\d\d-\d\d-\d\d\b|\b\d{{1,2}} ({'|'.join(MONTHS)}) (19|20)\d\d")
# A month and its year ("december 2022"), with or without a day.
MONTH_YEAR_RE = re.compile(rf"\b({'|'.join(MONTHS)}) (19|20)\d\d\b", re.I)
# "Beslutad december 2022", "Antagen av kommunfullmäktige 2019-05-20": a participle of what was done to the
# document and a date: a field of the document, whatever type it is set in.
DATED_PARTICIPLE_RE = re.compile(r"^[A-ZÅÄÖ][a-zåäö]+(?:ad|at|d|t|en|et)\b[^.!?]{0,60}\.?$")
YEAR_RANGE_RE = re.compile(r"\b20\d\d\s*(?:–|-|till)\s*20\d\d\b")


def month_written_as_date(month: str, text: str) -> bool:
    """``text`` holds a numeric date in ``month`` ("2023-05-12" for "maj")."""
    return bool(re.search(rf"\b\d{{4}}-0?{MONTH_NUMBERS[month]}-\d\d\b", text))
# How often something happens: "årligen", "vartannat år", "två gånger per år", "varje månad".
FREQUENCY_RE = re.compile(r"\b(årligen|vartannat år|varje år|gånger per år|vart \w+ år|per kvartal|varje månad)\b")


def dated_participle_line(line: str) -> bool:
    """A short line that says when something was done to the document: "Beslutad december 2022",
    "Reviderad 2021-03-01", "Antagen av kommunfullmäktige 12 maj 2019"."""
    text = line.strip()
    return len(text.split()) <= 8 and bool(DATED_PARTICIPLE_RE.match(text)) \
        and bool(DATE_RE.search(text) or MONTH_YEAR_RE.search(text))
