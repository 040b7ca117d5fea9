"""From cleaned units to a structured document: headings and section paths, captions,
tables as rows, and the final cleaned text with block offsets and page starts."""

from __future__ import annotations

import re

from index.model import Block, DocumentInfo, ParsedDocument
from ingest.cleaning import CAPTION_RE, FOOTNOTE_RE, TABLE_CAPTION_RE, RawUnit
from swedish.dates import dated_participle_line
from swedish.sentences import LEAD_IN_ENDINGS, field_label

_NUMBERED_HEADING_RE = re.compile(r"^\d{1,2}\.\s+[A-ZÅÄÖ]")
_LEVEL2_HEADING_RE = re.compile(r"^(Målområde|Övergripande mål|Del \d|Insatsområde)", re.I)
_LEVEL1_WORDS = {"bilaga", "referenser", "förord", "sammanfattning", "innehåll"}
_MAX_HEADING_CHARS = 90
_MAX_HEADING_WORDS = 12


def leads_into_next(text: str) -> bool:
    """A line of four words or more that goes on in what follows, so it is no heading: it ends with a colon
    ("Kartläggningen bestod av fyra delar:"; "Exempel:" may head) or with a word no heading ends with
    ("Anteckningarna ska innehålla uppgift om")."""
    found = text.split()
    return len(found) >= 4 and (text.rstrip()[-1:] == ":" or found[-1].lower() in LEAD_IN_ENDINGS)


def _looks_like_heading(text: str) -> bool:
    if len(text) > _MAX_HEADING_CHARS or len(text.split()) > _MAX_HEADING_WORDS:
        return False
    if not (text[0].isupper() or text[0].isdigit()):
        return False
    if text[-1] in ".,;" and not _NUMBERED_HEADING_RE.match(text):
        return False
    label = field_label(text)
    if leads_into_next(text) or dated_participle_line(text) or label and not re.search(r"\d", label):
        # "Beslutad december 2022", "Dokumentansvarig är: Anhörigsamordnare": a field of the document (not a
        # numbered title: "Målområde 1: Ett tillgängligt stöd")
        return False
    if CAPTION_RE.match(text) or FOOTNOTE_RE.match(text) or text.startswith(("”", '"', "»", "(")):
        return False
    return bool(re.search(r"[A-Za-zÅÄÖåäö]{2}", text))


def _heading_level(unit: RawUnit) -> int:
    text = unit.text
    if _LEVEL2_HEADING_RE.match(text):
        return 2
    if _NUMBERED_HEADING_RE.match(text) or text.lower().rstrip(":") in _LEVEL1_WORDS:
        return 1
    return 1 if unit.starts_page else 3


def classify_extracted_units(units: list[RawUnit]) -> list[RawUnit]:
    """Mark headings, captions (with their figure labels), pull quotes and footnotes."""
    for unit in units:
        if unit.kind != "paragraph":
            continue
        if CAPTION_RE.match(unit.text):
            unit.kind = "caption"
        elif unit.text.startswith(("”", '"', "»")):
            unit.kind = "quote"
        elif FOOTNOTE_RE.match(unit.text):
            unit.kind = "footnote"

    units = [u for u in units if re.search(r"\w", u.text)]
    units = _merge_around_pull_quotes(units)
    _mark_figure_labels(units)

    candidates = [u.kind == "paragraph" and _looks_like_heading(u.text) for u in units]
    i = 0
    while i < len(units):
        if not candidates[i]:
            i += 1
            continue
        run_end = i
        while run_end + 1 < len(units) and candidates[run_end + 1] and not units[run_end + 1].starts_page:
            run_end += 1
        run = list(range(i, run_end + 1))
        # A run of many short lines is a list or labels; only its page-opening line may head it.
        chosen = run if len(run) <= 2 else run[:1] if units[i].starts_page else []
        for k in run:
            nxt = units[k + 1] if k + 1 < len(units) else None
            numbered = bool(_NUMBERED_HEADING_RE.match(units[k].text))
            strong = bool(_LEVEL2_HEADING_RE.match(units[k].text)) or numbered and (
                units[k].starts_page or (nxt is not None and not candidates[k + 1]))
            continues = nxt is None or nxt.text[0].islower()
            if strong or (k in chosen and not continues):
                units[k].kind = "heading"
                units[k].level = _heading_level(units[k])
                # A footnote reference glued to the heading ("… organisation 4") is dropped.
                units[k].text = re.sub(r"(?<=[a-zåäö]{4}) \d{1,2}$", "", units[k].text)
        i = run_end + 1
    return units


def _ends_sentence(text: str) -> bool:
    return text.rstrip()[-1:] in ".!?:;”"


def _merge_around_pull_quotes(units: list[RawUnit]) -> list[RawUnit]:
    """Join a paragraph that a column break or a pull quote cut mid-sentence:
    "… Det stödet ges därför till" (”Quote”) "föräldrar som kan tillhöra …".
    A paragraph that itself starts in lowercase is a list item ("Det ska" lists) and is kept."""
    result: list[RawUnit] = []
    i = 0
    while i < len(units):
        unit = units[i]
        j = i + 1
        while j < len(units) and units[j].kind == "quote":
            j += 1
        if (unit.kind == "paragraph" and j < len(units) and units[j].kind == "paragraph"
                and units[j].text[:1].islower() and unit.text[:1].isupper() and len(unit.text) > 60
                and not _ends_sentence(unit.text)):
            tail = units[j]
            shift = len(unit.text) + 1
            unit.text = f"{unit.text} {tail.text}"
            unit.page_marks += [(o + shift, p) for o, p in tail.page_marks if p != unit.page_marks[-1][1]]
            result.append(unit)
            result.extend(units[i + 1:j])
            i = j + 1
            continue
        result.append(unit)
        i += 1
    return result


def _mark_figure_labels(units: list[RawUnit]) -> None:
    """Short lines around a figure caption are the figure's labels, not headings."""
    for i, unit in enumerate(units):
        if unit.kind != "caption" or TABLE_CAPTION_RE.match(unit.text):
            continue
        j = i - 1
        while j >= 0 and units[j].kind == "paragraph" and len(units[j].text) < 60:
            units[j].kind = "caption"
            j -= 1
        after = i + 1
        while after < len(units) and units[after].kind == "paragraph" and len(units[after].text) < 40:
            after += 1
        if after - (i + 1) >= 2:
            for k in range(i + 1, after):
                units[k].kind = "caption"


def assemble(
    info: DocumentInfo,
    units: list[RawUnit],
    page_numbers: list[int | None] | None,
) -> ParsedDocument:
    """Lay out units as cleaned text and record blocks, sections and page starts."""
    parts: list[str] = []
    blocks: list[Block] = []
    page_starts: list[tuple[int, int]] = []
    stack: list[tuple[int, str]] = []  # (level, heading text)
    offset = 0
    previous_kind = None
    for unit in units:
        text = unit.text.strip()
        if not text:
            continue
        if parts:
            tight = unit.kind == previous_kind and unit.kind in ("list_item", "table_row", "footnote")
            if unit.kind == "table_row" and previous_kind == "table_header":
                tight = True
            sep = "\n" if tight else "\n\n"
            parts.append(sep)
            offset += len(sep)
        if unit.kind == "heading" and unit.level > 0:  # level 0 is the document title
            while stack and stack[-1][0] >= unit.level:
                stack.pop()
            stack.append((unit.level, text))
        section = tuple(title for _, title in stack)
        blocks.append(
            Block(unit.kind, offset, offset + len(text), section, unit.level, unit.cells)
        )
        if page_numbers:
            for mark_offset, page_index in unit.page_marks:
                number = page_numbers[page_index] if page_index < len(page_numbers) else None
                if number is not None and (not page_starts or page_starts[-1][1] != number):
                    page_starts.append((offset + min(mark_offset, len(text)), number))
        parts.append(text)
        offset += len(text)
        previous_kind = unit.kind
    return ParsedDocument(info=info, text="".join(parts), blocks=blocks, page_starts=page_starts)


def first_heading_title(units: list[RawUnit]) -> str:
    """The document's title: its first unit when that is a heading or a short line that ends no sentence (a
    Word document's first line) nor is a field ("Antagen av: Kommunstyrelsen" opens an information block),
    else its first heading that leads into nothing ("Relaterade dokument:" is a field's label)."""
    first = next((u for u in units if u.text.strip()), None)
    if first is not None and (first.kind == "heading" or first.kind == "paragraph" and len(first.text) <= 150
                              and not first.text.rstrip().endswith((".", ":", ";", ","))
                              and field_label(first.text) is None):
        return first.text.strip()
    for unit in units:
        if unit.kind == "heading" and not unit.text.rstrip().endswith(":"):
            return unit.text
    for unit in units:
        if unit.text.strip():
            return unit.text.strip()[:120]
    return ""
