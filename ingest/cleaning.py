"""Swedish text cleaning for PDF text extractions.

No library does this part: join words hyphenated across line breaks while keeping
Swedish compound ellipses ("hälso- och sjukvård"), recover page numbers from running
headers, bare page-number lines and page-start markers, drop headers, footers, table
of contents leaders and bullet glyphs, and reflow wrapped lines into paragraphs.

The output is a list of ``RawUnit`` (one paragraph, heading candidate, list item …)
with the pages it spans; ``structure.py`` turns them into a ``ParsedDocument``.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from dataclasses import dataclass, field

from index.model import BlockKind
from swedish.sentences import field_label

# --- character level -------------------------------------------------------------

BULLET_GLYPHS = "\uf0b7\uf0a7\uf076\uf0d8\uf0fc•●▪■◦‣∙·√✓✔➢►"  # "·": a Word bullet saved as text
_BULLET_START_RE = re.compile(rf"^[{BULLET_GLYPHS}]+\s*")
_ONLY_GLYPHS_RE = re.compile(rf"^[\s{BULLET_GLYPHS}]+$")
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"), None)

# Words after which a trailing hyphen is a Swedish compound ellipsis, not a line break:
# "hälso- och sjukvård", "barn- eller ungdomsgrupp", "kommun- samt regionnivå".
ELLIPSIS_FOLLOWERS = {"och", "eller", "samt", "respektive", "resp", "liksom", "som", "till", "&"}


_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def normalize_characters(text: str) -> str:
    """NFC, unified line ends and spaces, no soft hyphens, zero-width characters or halves of UTF-16 pairs
    (which no index can store)."""
    text = unicodedata.normalize("NFC", _SURROGATE_RE.sub("", text)).translate(_INVISIBLE)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\u00a0", " ").replace("\u2009", " ").replace("\t", " ")


def strip_bullet(line: str) -> tuple[str, bool]:
    """Remove a leading bullet glyph; report whether there was one."""
    stripped = _BULLET_START_RE.sub("", line)
    return stripped, stripped != line


def join_hyphenated(left: str, right: str) -> str | None:
    """Join ``left`` (ending in a hyphen) and ``right`` across a line break.

    Returns the joined text, or None when the hyphen is not a line-break hyphen
    (compound ellipsis like "hälso- och", or ``right`` does not start a word part).
    """
    left = left.rstrip()
    if not left.endswith("-") or len(left) < 2 or not left[-2].isalnum():
        return None
    right = right.lstrip()
    first = re.match(r"[\w&]+", right)
    if not first or not right[0].islower():
        return None
    if first.group(0).lower() in ELLIPSIS_FOLLOWERS:
        return None
    stem = re.search(r"([\w/]+)-$", left)
    prefix = stem.group(1) if stem else ""
    if prefix and (prefix.isupper() or prefix.isdigit() or any(c.isdigit() for c in prefix)):
        return left + right  # ANDTS-förebyggande, 2024-talet: a real hyphen
    return left[:-1] + right


def collapse_spaces(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# --- line classification -----------------------------------------------------------

_RUNNING_HEADER_RES = (
    re.compile(r"^\s*(\d{1,3})\s*\|.+\|"),  # "10 | Regional strategi … | REMISS"
    re.compile(r"\|.+\|\s*(\d{1,3})\s*$"),  # "REMISS | 3. Föräldraskapsstödets … | 11"
)
_BARE_NUMBER_RE = re.compile(r"^\s*(\d{1,3})\s*$")
_TOC_LEADER_RE = re.compile(r"(\.\s?){4,}\s*\d*\s*$|\.{4,}\s*\d+")
_PAGE_START_RE = re.compile(r"^ {1,2}\S")
_TERMINAL_RE = re.compile(r"[.!?:;”\"»)]$")
CAPTION_RE = re.compile(r"^(Figur|Figure|Bild|Diagram|Tabell|Table)\s+\d+(?:[.:]|\s+[A-ZÅÄÖ]|$)")
TABLE_CAPTION_RE = re.compile(r"^(Tabell|Table)\s+\d+(?:[.:]|\s+[A-ZÅÄÖ])")
FOOTNOTE_RE = re.compile(r"^\d{1,2} [A-ZÅÄÖ]")
# A glossary entry: "BVC - Barnavårdscentral", "Familjecentralsliknande verksamhet - En …".
DEFINITION_ENTRY_RE = re.compile(r"^[A-ZÅÄÖ][\w'/]{1,40}(?: [\w']{2,30})? [-–] [A-ZÅÄÖ]")


def running_header_page(line: str) -> int | None:
    if line.count("|") < 2:
        return None
    for pattern in _RUNNING_HEADER_RES:
        m = pattern.search(line)
        if m:
            return int(m.group(1))
    return None


def is_toc_line(line: str) -> bool:
    return bool(_TOC_LEADER_RE.search(line))


_CONTENTS_TITLE_RE = re.compile(r"^(?:innehåll|innehållsförteckning)\s*:?$", re.I)
# "2.1 Information till den enskilde<TAB>8": a table of contents saved from Word, a tab before each page number.
_TABBED_TOC_RE = re.compile(r"^(?=[^\t\n]*[^\W\d_])[^\t\n]{2,150}\t+(\d{1,3})[ \t]*$")


def _without_tabbed_contents(text: str, min_entries: int = 3) -> str:
    """``text`` with its tabbed table of contents blanked: a run of at least ``min_entries`` lines that end in a
    tab and a page number, the numbers never going down (a table's rows with one number each would)."""
    lines = text.split("\n")
    run: list[int] = []
    last = 0

    def close() -> None:
        if len(run) >= min_entries:
            for i in run:
                lines[i] = ""
            above = next((j for j in range(run[0] - 1, max(-1, run[0] - 4), -1) if lines[j].strip()), None)
            if above is not None and _CONTENTS_TITLE_RE.match(lines[above].strip()):
                lines[above] = ""  # "Innehåll" titles the contents, not the text after them

    for i, line in enumerate(lines):
        match = _TABBED_TOC_RE.match(line)
        if match and (not run or int(match.group(1)) >= last):
            run.append(i)
            last = int(match.group(1))
            continue
        close()
        run, last = ([i], int(match.group(1))) if match else ([], 0)
    close()
    return "\n".join(lines)


# --- the parser for extracted text -------------------------------------------------


@dataclass
class RawUnit:
    """One reflowed unit of text before structure is assigned."""

    kind: BlockKind
    text: str
    # (offset within text, page index) where a new page begins inside the unit;
    # the first entry is at offset 0. Page *indexes* are mapped to numbers later.
    page_marks: list[tuple[int, int]] = field(default_factory=list)
    level: int = 0
    cells: tuple[str, ...] = ()
    starts_page: bool = False


# A paragraph that goes on in lower case ("beslutade den 4 april 2025.", "samt …"), not a list's marker ("a) …").
_GOES_ON_RE = re.compile(r"^[a-zåäöéü]{2,}(?:[\s,]|$)")
_SIDE_NOTE_WORDS = 8


def join_interrupted_sentences(units: list[RawUnit]) -> list[RawUnit]:
    """A sentence that a layout cut in two is one paragraph again. A unit ending in ";" or "," has not ended
    its sentence; when the next paragraph begins in lower case, it is the rest of it (a statute's title
    "Boverkets föreskrifter om regionplan;" over "beslutade den 4 april 2025.", set apart by space or type).
    A short note printed between the two in a margin ("Utkom från trycket den 4 april 2025", no sentence of
    its own) is kept after the joined sentence."""
    out: list[RawUnit] = []
    i = 0
    while i < len(units):
        unit = units[i]
        if unit.kind in ("paragraph", "heading") and unit.text.rstrip().endswith((";", ",")):
            rest = _continuation(units, i + 1)
            if rest is not None:
                between = units[i + 1:rest]
                out.append(_joined(unit, units[rest]))
                out.extend(between)
                i = rest + 1
                continue
        out.append(unit)
        i += 1
    return out


def _continuation(units: list[RawUnit], start: int) -> int | None:
    for j in (start, start + 1):
        if j >= len(units):
            return None
        candidate = units[j]
        if candidate.kind == "paragraph" and _GOES_ON_RE.match(candidate.text):
            return j
        note = candidate.kind == "paragraph" and len(candidate.text.split()) <= _SIDE_NOTE_WORDS \
            and not candidate.text.rstrip().endswith((".", ";", ":", ",", "?", "!"))
        if not note:
            return None
    return None


def _joined(left: RawUnit, right: RawUnit) -> RawUnit:
    head, tail = left.text.rstrip(), right.text.lstrip()
    shift = len(head) + 1 - (len(right.text) - len(tail))  # where right's offsets fall in the joined text
    marks = list(left.page_marks)
    for offset, page in right.page_marks:
        if not marks or marks[-1][1] != page:
            marks.append((max(len(head) + 1, offset + shift), page))
    return RawUnit("paragraph", f"{head} {tail}", marks, starts_page=left.starts_page)


@dataclass
class _Line:
    text: str  # stripped, bullet removed
    page: int  # page index
    blanks_before: int
    trailing_space: bool
    page_break_before: bool
    bullet: bool


@dataclass
class _Page:
    anchor: int | None = None
    has_content: bool = False


@dataclass
class ExtractedText:
    """Result of parsing a text extraction: units plus page index -> page number."""

    units: list[RawUnit]
    page_numbers: list[int | None]


def parse_extracted_text(
    raw: str,
    page_number_position: str = "top",
    known_page_numbers: list[int] | None = None,
) -> ExtractedText:
    """Clean a PDF-style text extraction into units with pages.

    ``known_page_numbers`` is given when pages are known (a PDF read page by page,
    pages separated by form feeds); otherwise pages are inferred from the markers
    the extraction left behind.
    """
    text = normalize_characters(_without_tabbed_contents(raw))
    lines, pages = _scan_lines(text, page_number_position, known_page_numbers)
    units = _reflow(lines)
    numbers = known_page_numbers if known_page_numbers else _number_pages(pages)
    return ExtractedText(units=units, page_numbers=list(numbers))


def _scan_lines(
    text: str, position: str, known: list[int] | None
) -> tuple[list[_Line], list[_Page]]:
    pages = [_Page()]
    lines: list[_Line] = []
    blanks = 0
    page_break_pending = False  # a page boundary was seen since the last content line
    force_new_page = False  # a page footer closed the current page
    raw_lines = text.replace("\f", "\n\f\n").split("\n")

    def start_page(anchor: int | None = None) -> None:
        nonlocal page_break_pending, force_new_page
        current = pages[-1]
        if not current.has_content and not force_new_page:
            if anchor is not None and current.anchor is None:
                current.anchor = anchor
            if anchor is None or current.anchor == anchor:
                page_break_pending = page_break_pending or len(lines) > 0
                return
        pages.append(_Page(anchor=anchor))
        force_new_page = False
        page_break_pending = len(lines) > 0

    for i, raw_line in enumerate(raw_lines):
        if raw_line == "\f":  # explicit page break from the extractor
            pages.append(_Page())
            page_break_pending = len(lines) > 0
            continue
        if not raw_line.strip():
            blanks += 1
            continue
        prev_blank = i == 0 or not raw_lines[i - 1].strip()
        next_blank = i + 1 >= len(raw_lines) or not raw_lines[i + 1].strip()

        header_page = running_header_page(raw_line)
        if header_page is not None:
            if not known:
                start_page(header_page)
            continue
        bare = _BARE_NUMBER_RE.match(raw_line)
        if bare and prev_blank and next_blank:
            if not known:
                number = int(bare.group(1))
                if position == "bottom":
                    current = pages[-1]
                    if force_new_page or (current.anchor is not None and not current.has_content):
                        pages.append(_Page(anchor=number))
                    else:
                        current.anchor = number
                    force_new_page = True
                    page_break_pending = True
                else:
                    start_page(number)
            continue
        if is_toc_line(raw_line):
            continue
        if _ONLY_GLYPHS_RE.match(raw_line):
            continue
        leading_space = bool(_PAGE_START_RE.match(raw_line))
        # A heading wrapped over two lines keeps the page-start space on both lines.
        continues_start = leading_space and i > 0 and bool(_PAGE_START_RE.match(raw_lines[i - 1]))
        if not known and ((leading_space and not continues_start) or force_new_page):
            start_page()
        content, bullet = strip_bullet(collapse_spaces(raw_line))
        if not content:
            continue
        pages[-1].has_content = True
        lines.append(
            _Line(
                text=content,
                page=len(pages) - 1,
                blanks_before=blanks,
                trailing_space=raw_line != raw_line.rstrip(),
                page_break_before=page_break_pending,
                bullet=bullet,
            )
        )
        blanks = 0
        page_break_pending = False
    if known:
        # With known pages the page list is one entry per form-feed separated page.
        pages = [_Page(anchor=n) for n in known]
    return lines, pages


def _number_pages(pages: list[_Page]) -> list[int | None]:
    """Give every page a number from the anchors, counting page starts between them."""
    n = len(pages)
    anchors = [(k, p.anchor) for k, p in enumerate(pages) if p.anchor is not None]
    if not anchors:
        return list(range(1, n + 1))
    numbers: list[int | None] = []
    for k in range(n):
        if pages[k].anchor is not None:
            numbers.append(pages[k].anchor)
            continue
        before = [(j, a) for j, a in anchors if j < k]
        after = [(j, a) for j, a in anchors if j > k]
        forward = before[-1][1] + (k - before[-1][0]) if before else None
        backward = after[0][1] - (after[0][0] - k) if after else None
        if forward is not None and backward is not None:
            # Too many detected page starts between two anchors: trust the later anchor.
            numbers.append(min(forward, backward))
        else:
            numbers.append(max(1, forward if forward is not None else backward))  # type: ignore[arg-type]
    # Keep numbers non-decreasing.
    for k in range(1, n):
        if numbers[k] is not None and numbers[k - 1] is not None and numbers[k] < numbers[k - 1]:
            numbers[k] = numbers[k - 1]
    return numbers


@dataclass
class _Layout:
    wrap_blanks: int  # blank lines between wrapped lines of one paragraph (0 or 1 seen)
    width: float  # typical length of a wrapped line
    trailing_space_informative: bool
    wrap_trailing_rate: float  # share of wrapped lines that end with a space
    # Hardly a line goes on in lower case on the next, few beside the lines of over 150 characters that no
    # wrapped text has: one paragraph a line (a Word document saved as text), so a line break ends the
    # paragraph unless the next line starts in lower case.
    lines_are_paragraphs: bool = False


def _measure_layout(lines: list[_Line]) -> _Layout:
    wrap_blanks: list[int] = []
    widths: list[int] = []
    trailing_wraps = trailing_ends = wraps = ends = 0
    for left, right in zip(lines, lines[1:]):
        if right.page_break_before or right.bullet:
            continue
        if right.text[0].islower() and not _TERMINAL_RE.search(left.text):
            wrap_blanks.append(right.blanks_before)
            widths.append(len(left.text))
            if not left.text.endswith("-"):
                wraps += 1
                trailing_wraps += left.trailing_space
        elif left.text.endswith("."):
            ends += 1
            trailing_ends += left.trailing_space
    blanks = statistics.mode(wrap_blanks) if wrap_blanks else 0
    width = statistics.median(widths) if widths else 60.0
    informative = wraps > 5 and ends > 5 and (trailing_wraps / wraps) - (trailing_ends / ends) > 0.3
    rate = trailing_wraps / wraps if wraps else 0.0
    long_lines = sum(1 for line in lines if len(line.text) > 150)
    return _Layout(min(blanks, 1), float(width), informative, rate,
                   lines_are_paragraphs=long_lines >= 3 and len(widths) < max(5, long_lines // 4))


def _starts_upper(text: str) -> bool:
    return bool(text) and (text[0].isupper() or text[0].isdigit() or text[0] in "”\"»«(")


def _is_hard_break(left: _Line, right: _Line, layout: _Layout) -> bool:
    if right.bullet or DEFINITION_ENTRY_RE.match(right.text):
        return True
    if field_label(left.text) and field_label(right.text):
        return True  # "Dokumentet är beslutat av: Fritidsnämnden" over "Dokumentansvarig är: …": fields of their own
    if layout.lines_are_paragraphs:
        return not right.text[0].islower()
    if re.search(r"\s[–-]$", left.text):
        return False  # "läs rapporten – " goes on on the next line
    if right.page_break_before:
        # Text flows across pages: a lowercase start continues the paragraph.
        return not right.text[0].islower()
    if right.blanks_before > layout.wrap_blanks:
        return True
    if right.blanks_before < layout.wrap_blanks:
        return _starts_upper(right.text)
    if right.text[0].islower():
        return False
    if left.text.endswith("”"):
        return True  # a quotation ends; the text after it is a new paragraph
    if not left.trailing_space and layout.wrap_trailing_rate > 0.8:
        return True  # wrapped lines end with a space here; this one does not
    ends_sentence = bool(_TERMINAL_RE.search(left.text))
    if ends_sentence and layout.trailing_space_informative and not left.trailing_space:
        return True
    if ends_sentence and len(left.text) < 0.8 * layout.width:
        return True
    return len(left.text) < 0.55 * layout.width


def _heading_lines(lines: list[_Line], layout: _Layout) -> set[int]:
    """Short lines set tighter to the next line than wrapped lines are: headings."""
    found = set()
    for k in range(len(lines) - 1):
        line, nxt = lines[k], lines[k + 1]
        if (nxt.blanks_before < layout.wrap_blanks and not nxt.page_break_before
                and _starts_upper(line.text) and _starts_upper(nxt.text)
                and len(line.text) < 0.8 * layout.width and not line.text.endswith((".", ","))):
            found.add(k)
    return found


def _reflow(lines: list[_Line]) -> list[RawUnit]:
    if not lines:
        return []
    layout = _measure_layout(lines)
    headings = _heading_lines(lines, layout)
    units: list[RawUnit] = []
    current: RawUnit | None = None
    prev: _Line | None = None
    for k, line in enumerate(lines):
        joined = None
        if current is not None and prev is not None:
            joined = join_hyphenated(current.text, line.text)
            if k in headings or (k - 1) in headings:
                current = None
            elif joined is None and _is_hard_break(prev, line, layout):
                current = None
        if current is None:
            current = RawUnit(
                kind="list_item" if line.bullet else "paragraph",
                text=line.text,
                page_marks=[(0, line.page)],
                starts_page=line.page_break_before or not units,
            )
            units.append(current)
        else:
            current.text = joined if joined is not None else f"{current.text} {line.text}"
            if line.page != current.page_marks[-1][1]:
                offset = len(current.text) - len(line.text)
                current.page_marks.append((max(offset, 0), line.page))
        prev = line
    return units
