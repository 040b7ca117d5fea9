"""Rebuild tables that a PDF text extraction flattened into lines.

A flattened table is found by its caption ("Tabell 1. …"): the units on the same page
before the caption are the table. Rows are recovered where the table's shape is
recognised; the one shape in this domain is a table of evaluated parenting programs
(program | type | ages | form | effect), whose rows can be split at the program type
(Universell/Selektiv/Indikerad), the age ranges and the effect phrase. Tables of any
other shape are left as the paragraphs the extraction gave.
"""

from __future__ import annotations

import re

from ingest.cleaning import CAPTION_RE, FOOTNOTE_RE, TABLE_CAPTION_RE, RawUnit, collapse_spaces

PROGRAM_COLUMNS = ["Program", "Typ av program", "Målgrupp, föräldrar med barn i åldrarna", "Tillämpning", "Effekt"]

_HEADER_RE = re.compile(
    r"^Program\s+Typ av program\s+Målgrupp,?\s+(?:föräldrar med barn\s+i åldrarna:?)?\s*Tillämpning\s+Effekt\s*",
    re.I,
)
_AGES = r"(?:Barn i alla åldrar|\d+\s*[–-]\s*\d+\s*år(?:\s*,\s*\d+\s*[–-]\s*\d+\s*år)*)(?:\s*\([^)]*\))?"
_EFFECT = (
    r"(?:Ingen|Liten|Små|Måttlig|Måttliga|Stor|Stora|Positiva|Negativa|Blandade)"
    r"(?:\s+(?:eller|till)\s+\w+)?\s+effekt(?:er)?(?:,\s*avtagande över tid)?"
)
_ROW_RE = re.compile(
    rf"(?P<name>.+?)\s+(?P<type>Universell|Selektiv|Indikerad)\s+(?P<ages>{_AGES})\s+"
    rf"(?P<form>.+?)\s+(?P<effect>{_EFFECT})(?=\s|$)"
)


def parse_program_rows(text: str) -> list[tuple[str, ...]] | None:
    """Split flattened program-table text (header optional) into rows of five cells."""
    body = _HEADER_RE.sub("", collapse_spaces(text))
    rows: list[tuple[str, ...]] = []
    position = 0
    for match in _ROW_RE.finditer(body):
        if body[position:match.start()].strip():
            return None  # text between rows that no cell explains: not this shape
        rows.append(tuple(collapse_spaces(match.group(g)) for g in ("name", "type", "ages", "form", "effect")))
        position = match.end()
    if len(rows) < 2 or body[position:].strip():
        return None
    return rows


def rebuild_tables(units: list[RawUnit]) -> tuple[list[RawUnit], dict[str, list[str]]]:
    """Replace flattened table regions (before heading classification) by header and row units."""
    columns_by_caption: dict[str, list[str]] = {}
    result: list[RawUnit] = []
    for unit in units:
        if unit.kind == "paragraph" and TABLE_CAPTION_RE.match(unit.text):
            region_start = _region_start(result)
            region = result[region_start:]
            rows = parse_program_rows(" ".join(u.text for u in region)) if region else None
            if rows:
                marks = region[0].page_marks[:1]
                del result[region_start:]
                result.append(
                    RawUnit("table_header", " | ".join(PROGRAM_COLUMNS), list(marks),
                            cells=tuple(PROGRAM_COLUMNS), starts_page=region[0].starts_page)
                )
                page = marks[0][1] if marks else 0
                for cells in rows:
                    result.append(RawUnit("table_row", " | ".join(cells), [(0, page)], cells=cells))
                columns_by_caption[unit.text] = list(PROGRAM_COLUMNS)
        result.append(unit)
    return result, columns_by_caption


def _region_start(units: list[RawUnit]) -> int:
    """Index of the first unit of the table: back to the page start or a heading."""
    i = len(units)
    while i > 0:
        unit = units[i - 1]
        if unit.kind != "paragraph" or FOOTNOTE_RE.match(unit.text) or CAPTION_RE.match(unit.text):
            break
        i -= 1
        if unit.starts_page:
            break
    return i
