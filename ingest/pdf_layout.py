"""From a PDF's positioned text to the units ingest structures: the layout analysis.

Works on ``pdf_glyphs`` segments, by position and font, for documents it has never seen:

* running headers and footers: text in the top or bottom margin that repeats across pages (with
  its numbers masked), and page numbers there ("12", "Sid 8 av 103"), are removed; page numbers
  found there give printed page labels when the PDF has none; a chapter's name running in the margin
  starts that chapter where it is not printed as a heading, and ends it where it stops;
* footnotes: small text at the foot of a page that starts with a number is kept as footnotes;
  raised markers in the running text were already taken out (``pdf_glyphs``);
* reading order: a page whose lines fall into two columns on either side of a gutter is read
  column by column; full-width lines (headings, tables) separate the bands of a page;
* tables: lines of several cells whose columns line up become rows; the first row is the header
  whose cells label every row's cells;
* tables of contents: runs of lines that end in page numbers and name headings of the document;
* headings: larger or bold short lines; the level follows the numbering ("6.2" is level 2) or the
  size (the largest is level 1);
* paragraphs and list items: lines of one column joined while the spacing and font stay the same;
  a paragraph that goes on over a page (or column) break is joined;
* chart labels (lines of bare numbers outside tables) are dropped.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from ingest.cleaning import CAPTION_RE, RawUnit, join_hyphenated
from ingest.pdf_glyphs import BULLET, SOFT_HYPHEN, Line, PdfPage, Segment, SegmentGroup
from swedish.dates import dated_participle_line
from swedish.sentences import ABBREVIATIONS, OPEN_ENDINGS, field_label

MARGIN_BAND = 0.1  # the top and bottom tenth of a page is where running headers and footers sit
OUTER_BAND = 1 / 6  # … or, when the same text stands at the same height on several pages, its top and bottom sixth
DISPLAY_SIZE = 1.8  # text this many times the body size is display type (a cover's title, a divider)
# "12", "- 12 -", "Sid 8 av 103", "8 (103)", "s. 8", "8/103"
_PAGE_NUMBER_RE = re.compile(r"^[-–(]?\s*(?:sid(?:an|a)?\.?\s*|s\.\s*|page\s*)?(\d{1,4})\s*"
                             r"(?:(?:av|/|of|\()\s*\d{1,4}\)?)?\s*[-–)]?$", re.I)
_NUMBERING_RE = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})\.?\s+(?=\S)")
_LIST_RE = re.compile(rf"^(?:[{BULLET}\-–—▪■◦‣∙●*]\s+|\(?(?:\d{{1,2}}|[a-h])[.)]\s+)")
# A provision's number and its first word: "3 § Styrelsen …", "12 a § Den som …" starts a paragraph of its own.
_PROVISION_START_RE = re.compile(r"^\d{1,3}\s?[a-z]?\s?§\s+[A-ZÅÄÖ]")
_NUMERIC_RE = re.compile(r"^[\d\s%,.\-–+−:/()]+$")
_TERMINAL = ".!?:;”\")"
_TOC_TITLE_RE = re.compile(r"^(innehåll|innehållsförteckning|contents|table of contents)$", re.I)
_LEADER_RE = re.compile(r"\s*(?:\.\s?){3,}\s*")
_ADDRESS_RE = re.compile(r"https?://|www\.|@\w")


@dataclass
class Block(SegmentGroup):
    """A unit of one column of one page before paragraphs are joined."""

    kind: str  # line | row | footnote
    segments: list[Segment]
    page: int
    column: int = 0
    cells: tuple[str, ...] = ()
    header: bool = False  # a table's header row
    space_above: float = 1e9  # the gap to the line above in the same column (large when there is none)

    @property
    def size(self) -> float:
        return max((s.size for s in self.segments), key=lambda v: sum(len(s.text) for s in self.segments
                                                                      if s.size == v))

    @property
    def bold(self) -> bool:
        return all(s.bold for s in self.segments)

    @property
    def italic(self) -> bool:
        return all(s.italic for s in self.segments)


@dataclass
class Layout:
    """The result: units for ``structure.assemble``, printed page labels, and what was found."""

    units: list[RawUnit]
    page_labels: list[str]  # per page index: the printed label ("" = the physical number)
    title: str = ""  # the largest text of the first page
    removed_running: int = 0  # header and footer segments removed
    first_page_text: str = ""
    warnings: list[str] = field(default_factory=list)


def analyse(pages: list[PdfPage]) -> Layout:
    for page in pages:
        page.lines = [_join_numbering(line) for line in page.lines]
    segments = [s for p in pages for line in p.lines for s in line.segments]
    if not segments:
        return Layout([], ["" for _ in pages])
    body_size = _body_size(segments)
    running, numbers = _running_text(pages, body_size)
    labels = _page_labels(pages, numbers)
    titles, single, title_ends = _running_titles(pages, running)
    running |= single
    parts = {**titles, **_part_labels(pages, running)}
    printed_titles: dict[str, int] = {}  # a chapter's printed heading, by the page after its running name ends
    blocks: list[Block] = []
    footnotes: list[Block] = []
    kept = [[Line([s for s in line.segments if id(s) not in running], line.baseline) for line in page.lines]
            for page in pages]
    for position, (page, lines) in enumerate(zip(pages, kept)):
        near = kept[max(0, position - 2):position + 3]  # tables run on over pages
        first_cells = _first_cell_styles([line for near_lines in near for line in near_lines])
        lines = [line for line in lines if line.segments]
        body, notes = _split_footnotes(lines, body_size, page)
        page_blocks = _read_page(body, page, body_size, first_cells)
        label = parts.get(page.index)
        printed = label and _printed(label, blocks[-30:] + page_blocks[:5], body_size)  # here or just before
        if printed and label in title_ends:
            printed_titles[label] = title_ends[label]
        if label and not printed:
            first = page_blocks[0].segments[0] if page_blocks else None
            if first is not None:
                blocks.append(Block("part", [Segment(label, first.x0, first.x1, first.top, first.top, first.size,
                                                     True, page.index)], page.index))
        blocks.extend(page_blocks)
        footnotes.extend(notes)
    blocks = _drop_table_of_contents(blocks, body_size, len(pages))
    title = _title(pages, body_size)
    heading_levels = _heading_levels(blocks, body_size, title)
    units = _units(blocks, footnotes, heading_levels, body_size, title)
    _close_chapters(units, printed_titles)
    _cover_headings(units)
    first = " ".join(s.text for line in pages[0].lines for s in line.segments if id(s) not in running)[:2000]
    return Layout(units, labels, title, len(running), first)


# --- fonts ----------------------------------------------------------------------------------------


def _body_size(segments: list[Segment]) -> float:
    weights: Counter[float] = Counter()
    for s in segments:
        weights[round(s.size * 2) / 2] += len(s.text)
    return weights.most_common(1)[0][0]


# --- running headers and footers ----------------------------------------------------------------------


def _mask(text: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", " ", text.lower())).strip()


_PART_LABEL_RE = re.compile(r"(?:^|\s)((?:bilaga|appendix)\s+(?:\d{1,2}|[IVX]{1,4}|[A-Z]))$", re.I)


def _running_text(pages: list[PdfPage], body_size: float = 0.0) -> tuple[set[int], dict[int, int]]:
    """Ids of header and footer segments, and the page number printed on each page where found."""
    candidates: dict[str, set[int]] = defaultdict(set)
    placed: dict[tuple[str, int], set[int]] = defaultdict(set)  # the same text at the same place
    in_band: list[tuple[Segment, PdfPage]] = []
    # Headers set just inside the band ("NFS 2007:10" whose foot is at 11 % of the page, on the line of the first
    # table row): the same text at the same height in the outer sixth of the page on two pages in three or more.
    # A table's title and header printed again on the pages it runs over are on fewer, and a book's baseline
    # grid puts "Allmänna råd" at the same height only by chance.
    near_edge: dict[tuple[str, int], list[Segment]] = defaultdict(list)
    for page in pages:
        for line in page.lines:
            for s in line.segments:
                if s.bottom <= MARGIN_BAND * page.height or s.top >= (1 - MARGIN_BAND) * page.height:
                    in_band.append((s, page))
                    candidates[_mask(s.text)].add(page.index)
                    placed[(_mask(s.text), round(s.x0 / 2))].add(page.index)
                if s.bottom <= OUTER_BAND * page.height or s.top >= (1 - OUTER_BAND) * page.height:
                    near_edge[(_mask(s.text), round(s.top / 3))].append(s)
    repeat = 2 if len(pages) <= 4 else 3
    running: set[int] = set()
    numbers: dict[int, int] = {}
    for s, page in in_band:
        number = _PAGE_NUMBER_RE.match(s.text)
        if number:
            numbers.setdefault(page.index, int(number.group(1)))
            running.add(id(s))
        elif len(candidates[_mask(s.text)]) >= repeat or s.size <= 1.05 * body_size \
                and _on_next_page(placed[(_mask(s.text), round(s.x0 / 2))]):
            running.add(id(s))
            glued = re.search(r"(?:^|\s)(\d{1,4})$|^(\d{1,4})\s", s.text)  # "Rapport 2024 | 12"
            if glued and len(candidates[_mask(s.text)]) >= repeat:
                value = int(glued.group(1) or glued.group(2))
                numbers.setdefault(page.index, value)
    running |= _set_apart_edges(pages, repeat)
    running |= {id(s) for (text, _), found in near_edge.items()
                if len(text) >= 5 and len(found) >= max(repeat, 2 * len(pages) / 3) for s in found}
    running -= _going_on_below(pages, running)
    # A header set on the same line as the first line of text ("… för arbets- Prop. 2008/09:5"): the
    # repeated part is cut off the segment.
    repeated = [m for m, found in candidates.items() if len(found) >= repeat and len(m) >= 5]
    for s, _ in in_band:
        if id(s) in running:
            continue
        masked = _mask(s.text)
        for m in repeated:
            if masked.endswith(" " + m) or masked.startswith(m + " "):
                words = len(m.split())
                parts = s.text.split()
                s.text = " ".join(parts[:-words] if masked.endswith(" " + m) else parts[words:])
                break
    return running, numbers


def _going_on_below(pages: list[PdfPage], running: set[int]) -> set[int]:
    """Segments taken for running text that go on in the line below them, at the same place and size,
    outside the margin: the first line of a heading that starts high on a page ("Förslag till lag om
    upphävande av lagen (2009:657) om" / "försöksverksamhet …"), printed again on several pages."""
    kept: set[int] = set()
    for page in pages:
        lines = sorted(page.lines, key=lambda line: line.top)
        for k, line in enumerate(lines):
            for s in line.segments:
                if id(s) not in running or _PAGE_NUMBER_RE.match(s.text.strip()):
                    continue
                # The next line that starts where this one does (a header beside it may come between).
                below = next((b.segments[0] for b in lines[k + 1:k + 4] if abs(b.segments[0].x0 - s.x0) <= 2), None)
                if below is not None and id(below) not in running and abs(below.size - s.size) <= 0.5 \
                        and below.bold == s.bold and 0 <= below.top - s.bottom < 0.8 * s.size:
                    kept.add(id(s))
    return kept


def _part_labels(pages: list[PdfPage], running: set[int]) -> dict[int, str]:
    """Pages where a running header starts naming a new appendix ("Prop. 2008/09:5 / Bilaga 2"): the
    appendix begins there, though its label is printed only in the margin."""
    starts: dict[int, str] = {}
    current = ""
    for page in pages:
        labels = [m.group(1) for line in page.lines for s in line.segments if id(s) in running
                  for m in [_PART_LABEL_RE.search(s.text)] if m]
        label = labels[0] if labels else current
        if label and label.lower() != current.lower():
            starts[page.index] = label
        current = label
    return starts


def _cover_headings(units: list[RawUnit]) -> None:
    """Headings at the top of the first page are the cover's (title, subtitle, series: level 0, not
    sections), except the one right above the first page's text, which heads it."""
    leading: list[RawUnit] = []
    for unit in units:
        if not unit.page_marks or unit.page_marks[0][1] != 0 or unit.kind != "heading" \
                or _NUMBERING_RE.match(unit.text) or _TOP_LEVEL_RE.match(unit.text):
            if unit.page_marks and unit.page_marks[0][1] == 0 and leading:
                leading.pop()  # text follows on the first page: the last heading is its section
            break
        leading.append(unit)
    for unit in leading:
        unit.level = 0


def _printed(name: str, blocks: list[Block], body_size: float) -> bool:
    """Is a chapter's name printed as a line of these, or two ("KLIMAT-" / "HJÄLTAR" for "klimathjältar";
    not "Astma hos barn …" for "ASTMA")?"""
    key = _letters(name)
    texts = [_letters(b.text) for b in blocks]
    return any(key in (text, text + (texts[k + 1] if k + 1 < len(texts) else ""))
               or text.startswith(key) and _is_heading(blocks[k], body_size) for k, text in enumerate(texts))


def _close_chapters(units: list[RawUnit], ends: dict[str, int]) -> None:
    """A chapter whose name runs in the margin ends where its running name stops: the first heading
    after that is not inside it, however small (a brochure's divider page "KLIMAT- HJÄLTAR", then
    "Varifrån kommer Haparandas utsläpp?" on a page without the running name)."""
    for name, end in ends.items():
        chapter = next((u for u in reversed(units) if u.kind == "heading" and u.page_marks
                        and u.page_marks[0][1] < end and _letters(name) in _letters(u.text)
                        and len(_letters(name)) >= 0.6 * len(_letters(u.text))), None)
        following = next((u for u in units if u.kind == "heading" and u.page_marks and u.page_marks[0][1] >= end),
                         None)
        if chapter is None or following is None or following.level <= chapter.level:
            continue
        # The headings after it move up as a whole: the first to the chapter's level, the ones set like
        # it beside it, smaller ones below it, and a larger one (another divider) starts again at the top.
        top, shift = following.level, following.level - chapter.level
        for unit in units[units.index(following):]:
            if unit.kind != "heading" or unit.level == 0:
                continue
            if unit.level <= chapter.level:
                break
            if unit.level < top:
                top, shift = unit.level, unit.level - chapter.level
            unit.level = max(chapter.level, unit.level - shift)


def _running_titles(pages: list[PdfPage], running: set[int]) -> tuple[dict[int, str], set[int], dict[str, int]]:
    """Pages where a running header or footer starts naming a new chapter ("ALLERGI" over three pages,
    then "DIABETES"): the chapter begins there, though a booklet may print its name only in the margin.
    Text on pages all through the document (its name, "AFS 2023:2 | Kapitel #" with its numbers masked)
    and page numbers are not titles. A chapter of one page has its name at the same place and in the same
    font as the others, though it does not repeat (its segments are returned, to be left out of the text)."""
    on_pages: dict[str, set[int]] = defaultdict(set)
    by_page: dict[int, list[Segment]] = defaultdict(list)
    for page in pages:
        for line in page.lines:
            for s in line.segments:
                if id(s) in running and _chapter_name(s.text):
                    on_pages[_mask(s.text)].add(page.index)
                    by_page[page.index].append(s)
    for index, found in list(by_page.items()):
        by_page[index] = [s for s in found if max(on_pages[_mask(s.text)]) - min(on_pages[_mask(s.text)])
                          < 0.5 * len(pages)]
        if not by_page[index]:
            del by_page[index]
    places = Counter(place for index, found in by_page.items() for s in found if not _PART_LABEL_RE.search(s.text)
                     for place in _places(s, pages[index]))
    single: set[int] = set()
    for page in pages:
        if page.index in by_page:
            continue
        for line in page.lines:
            for s in line.segments:
                if id(s) not in running and max(places[p] for p in _places(s, page)) >= 3 \
                        and _chapter_name(s.text, printed_once=True) \
                        and _mask(s.text) not in on_pages:
                    by_page[page.index].append(s)
                    single.add(id(s))
    starts: dict[int, str] = {}
    ends: dict[str, int] = {}  # the page after a name's last page
    current = ""
    for page in pages:
        titles = by_page.get(page.index, [])
        if len(titles) != 1:
            continue  # none here, or two that change (left and right pages): not one chapter's name
        title = _clean(titles[0].text)
        if _mask(title) != _mask(current):
            starts[page.index] = title
        current = title
        ends[title] = page.index + 1
    return starts, single, {title: end for title, end in ends.items() if end < len(pages)}


def _chapter_name(text: str, printed_once: bool = False) -> bool:
    """A name, not a page number (``printed_once``: nor a line of the text at the top of a page)."""
    text = text.strip()
    if printed_once and not (text[:1].isupper() or text[:1].isdigit()) or text[-1:] in "-,;.":
        return False
    return len(text.split()) <= 8 and not _PAGE_NUMBER_RE.match(text) and bool(re.search(r"[^\W\d_]{3}", text))


def _places(s: Segment, page: PdfPage) -> list[tuple]:
    """Where and how a line in the margin is printed: its band, baseline, size, weight, and where it is
    aligned (its left edge, middle or right edge: a centred name has a middle at the same place)."""
    top = s.bottom <= MARGIN_BAND * page.height
    if not (top or s.top >= (1 - MARGIN_BAND) * page.height):
        return [()]
    style = (top, round(s.bottom), round(s.size * 2), s.bold)
    return [(*style, "left", round(s.x0 / 3)), (*style, "middle", round((s.x0 + s.x1) / 6)),
            (*style, "right", round(s.x1 / 3))]


def _on_next_page(pages: set[int]) -> bool:
    """Printed at the same place on two pages in a row: a chapter's running header (a book's chapters
    may be two pages long)."""
    return any(p + 1 in pages for p in pages)  # (not a larger title over a table that goes on)


def _set_apart_edges(pages: list[PdfPage], repeat: int) -> set[int]:
    """Headers and footers whose text changes ("Kapitel 8 · Obesitas", "Kapitel 9 · Osteoporos"): the
    first or last line of a page, in the margin, set apart from the text by a wide gap, at the same place
    and in the same font as on many other pages."""
    found: dict[tuple, list[Segment]] = defaultdict(list)
    for page in pages:
        if len(page.lines) < 3:
            continue
        for edge, neighbour in ((page.lines[0], page.lines[1]), (page.lines[-1], page.lines[-2])):
            top = edge is page.lines[0]
            in_band = edge.bottom <= MARGIN_BAND * page.height if top else edge.top >= (1 - MARGIN_BAND) * page.height
            gap = neighbour.top - edge.bottom if top else edge.top - neighbour.bottom
            size = max(s.size for s in edge.segments)
            if in_band and gap >= 1.5 * size and len(edge.text) <= 80:
                first = edge.segments[0]
                found[(top, round(first.x0 / 3), round(size), first.bold)].append(first)
                found[(top, round(first.x0 / 3), round(size), first.bold)].extend(edge.segments[1:])
    pages_with = {key: {s.page for s in segments} for key, segments in found.items()}
    threshold = max(repeat, 0.3 * len(pages))
    return {id(s) for key, segments in found.items() if len(pages_with[key]) >= threshold for s in segments}


def _page_labels(pages: list[PdfPage], numbers: dict[int, int]) -> list[str]:
    """The PDF's own labels; else the printed numbers when they follow the pages; else none."""
    labels = [p.label for p in pages]
    if any(label and label != str(p.index + 1) for label, p in zip(labels, pages)):
        return labels
    offsets = Counter(n - i for i, n in numbers.items())
    if offsets:
        offset, votes = offsets.most_common(1)[0]
        if offset != 1 and votes >= max(2, 0.5 * len(numbers)):
            return [str(i + offset) if i + offset >= 1 else "" for i in range(len(pages))]
    return ["" for _ in pages]


# --- footnotes ---------------------------------------------------------------------------------------


def _split_footnotes(lines: list[Line], body_size: float, page: PdfPage) -> tuple[list[Line], list[Block]]:
    """Small lines at the foot of the page that start with a number (its own raised marker or digits)."""
    start = None
    for i in range(len(lines) - 1, -1, -1):
        line = lines[i]
        first = line.segments[0]
        small = all(s.size <= 0.9 * body_size for s in line.segments)
        if not small or line.top < 0.45 * page.height:
            break
        if first.leading_marker or re.match(r"^\d{1,3}\s+\S", first.text):
            start = i
    if start is None:
        return lines, []
    notes: list[Block] = []
    for line in lines[start:]:
        first = line.segments[0]
        if first.leading_marker or re.match(r"^\d{1,3}\s+\S", first.text) or not notes:
            notes.append(Block("footnote", list(line.segments), page.index))
        else:
            notes[-1].segments.extend(line.segments)
    return lines[:start], notes


# --- reading order, columns and tables -----------------------------------------------------------------


# A heading's or a provision's number: "4.2", "IV.", "Bilaga 2", and "3 §", "12 a §", "2 kap." set in the margin
# of a Swedish statute ("1 §    Denna författning innehåller …" is one line of text, not two cells).
_SECTION_NUMBER_RE = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2}){0,3}\.?|[IVX]{1,4}\.|Bilaga \d{1,2}|Kapitel \d{1,2}|"
                                r"\d{1,3} ?[a-z]? ?§|\d{1,2} kap\.)$")


_MARKER_RE = re.compile(rf"^(?:[{BULLET}\-–—▪■◦‣∙●*o]|\(?(?:\d{{1,2}}|[a-h])[.)])$")


def _join_numbering(line: Line) -> Line:
    """A heading's number set apart from its title ("4.2    Ett krav på …") or a provision's from its text
    ("1 §    Denna …") belongs to it, and a list item's marker set apart by a tab ("-      Andel nya …",
    "10.   Välj …") to its text: neither is a cell."""
    segments = list(line.segments)
    k = 0
    while k + 1 < len(segments):
        first, second = segments[k], segments[k + 1]
        numbered = _SECTION_NUMBER_RE.match(first.text) and second.text[:1].isupper()
        marker = _MARKER_RE.match(first.text) and second.text[:1].isalnum()
        if (numbered or marker) and abs(first.size - second.size) <= 1.0 \
                and second.x0 - first.x1 < 6 * second.size:
            segments[k:k + 2] = [Segment(f"{first.text} {second.text}", first.x0, second.x1, min(first.top, second.top),
                                         max(first.bottom, second.bottom), second.size, first.bold and second.bold,
                                         second.page, second.italic, first.markers + second.markers,
                                         first.leading_marker)]
        k += 1
    return line if len(segments) == len(line.segments) else Line(segments, line.baseline)


def _split_leaders(line: Line) -> Line:
    """A run of dots between two pieces of text ("Benzidin ...... 92-87-5") separates two cells."""
    segments: list[Segment] = []
    for s in line.segments:
        parts = [p for p in _LEADER_RE.split(s.text) if p.strip()]
        if len(parts) < 2 or not _LEADER_RE.search(s.text):
            segments.append(s)
            continue
        step = s.width / max(1, len(s.text))
        position = 0
        for part in _LEADER_RE.split(s.text):
            start = s.text.index(part, position) if part else position
            position = start + len(part)
            if part.strip():
                segments.append(Segment(part.strip(), s.x0 + start * step, s.x0 + position * step, s.top, s.bottom,
                                        s.size, s.bold, s.page, s.italic, s.markers if start == 0 else []))
    return Line(segments, line.baseline)


def _read_page(lines: list[Line], page: PdfPage, body_size: float,
               first_cells: set[tuple[int, int, bool]] = frozenset()) -> list[Block]:
    """The page's lines as blocks in reading order: tables as rows, two columns column by column."""
    if not lines:
        return []
    lines = [_split_leaders(line) for line in lines]
    left = min(s.x0 for line in lines for s in line.segments)
    right = max(s.x1 for line in lines for s in line.segments)
    page_gutter = _gutter([s for line in lines for s in line.segments], left, right)
    tables, headers = _table_rows(lines, body_size, first_cells, page_gutter)
    gutter = page_gutter if not tables else \
        _gutter([s for i, line in enumerate(lines) if i not in tables for s in line.segments], left, right)
    blocks: list[Block] = []
    band: list[Block] = []

    def flush() -> None:
        blocks.extend(sorted(band, key=lambda b: (b.column, b.top)))
        band.clear()

    for i, line in enumerate(lines):
        if i in tables:
            flush()
            cells = tables[i]
            blocks.append(Block("row", list(line.segments), page.index, cells=cells, header=i in headers))
            continue
        if gutter is None:
            band.append(Block("line", list(line.segments), page.index))
            continue
        spanning = [s for s in line.segments if s.x0 < gutter < s.x1]
        if spanning:
            flush()
            blocks.append(Block("line", list(line.segments), page.index))
            continue
        for column in (0, 1):
            part = [s for s in line.segments if (s.x1 <= gutter) == (column == 0)]
            if part:
                band.append(Block("line", part, page.index, column=column))
    flush()
    above: dict[int, Block] = {}
    for block in blocks:  # the gap above each line, within its column
        if block.column in above:
            block.space_above = block.top - above[block.column].bottom
        above[block.column] = block
    return blocks


def _gutter(segments: list[Segment], left: float, right: float) -> float | None:
    """The x of a gap between two columns of text, when the page has two."""
    width = right - left
    if width <= 0:
        return None
    narrow = [s for s in segments if s.width < 0.55 * width and len(s.text) > 15]
    if len(narrow) < 8:
        return None
    best, best_score = None, 0
    edges = sorted({round(s.x1) for s in narrow} | {round(s.x0) for s in narrow})
    for x in edges:
        if not (left + 0.3 * width <= x <= left + 0.7 * width):
            continue
        g = x + 1
        on_left = sum(1 for s in narrow if s.x1 <= g)
        on_right = sum(1 for s in narrow if s.x0 >= g)
        # Lines above and below a two-column part may cross it; lines inside it may not.
        straddle = sum(1 for s in narrow if s.x0 < g - 2 < g + 2 < s.x1)
        score = min(on_left, on_right) - straddle  # the cleanest cut, not the first acceptable one
        if straddle <= 0.25 * len(narrow) and score >= 5 and score > best_score:
            best, best_score = g, score
    if best is None or best_score < 4:
        return None
    # The middle of the empty strip, not its edge: justified lines end a little unevenly.
    return (max(s.x1 for s in narrow if s.x1 <= best) + min(s.x0 for s in narrow if s.x0 >= best)) / 2


def _table_rows(lines: list[Line], body_size: float, first_cells: set[tuple[int, int, bool]],
                gutter: float | None = None) -> tuple[dict[int, tuple[str, ...]], set[int]]:
    """Lines that are rows of a table: runs of lines with several cells whose columns line up. Short runs
    split by labels between them ("Leukotrienantagonister" over a drug's row) are judged together when
    their cells start at the same places."""
    rows: dict[int, tuple[str, ...]] = {}
    headers: set[int] = set()
    runs: list[list[int]] = []
    i = 0
    while i < len(lines):
        if len(lines[i].segments) < 2:
            i += 1
            continue
        j = i
        while j + 1 < len(lines) and lines[j + 1].top - lines[j].bottom <= 2.5 * body_size \
                and (len(lines[j + 1].segments) >= 2 or _in_later_column(lines[j + 1], lines[i])
                     or _row_label(lines[j + 1], lines[i:j + 1], first_cells,
                                   lines[j + 2] if j + 2 < len(lines) else None)):
            j += 1
        while j > i and len(lines[j].segments) == 1 and lines[j].segments[0].bold \
                and not _in_later_column(lines[j], lines[i]):
            j -= 1  # a bold line after a table heads what follows it
        runs.append(list(range(i, j + 1)))
        i = j + 1
    groups: dict[tuple[int, ...], list[int]] = defaultdict(list)  # runs whose cells start at the same places
    for run in runs:
        slots = _column_slots([lines[k] for k in run])
        if _is_table([lines[k] for k in run], slots, len(lines)) \
                and not _prose_columns([lines[k] for k in run], gutter):
            rows.update({k: _cells(lines[k], slots) for k in run})
            headers.update(_header_rows([lines[k] for k in run], run, slots))
        groups[_starts(lines, run)].extend(run)
    for members in groups.values():
        members = sorted(members)
        if len(members) < 3 or not any(k not in rows for k in members):
            continue
        group = [lines[k] for k in members]
        slots = _column_slots(group)
        if _is_table(group, slots, len(lines)) and not _prose_columns(group, gutter):
            rows.update({k: _cells(lines[k], slots) for k in members})
    return rows, headers


def _prose_columns(run: list[Line], gutter: float | None) -> bool:
    """Lines of a page in two columns that happen to share baselines (the columns of a page printed from
    HTML do not line up): every cell lies on one side of the page's gutter, and both sides read as
    running text (several words a line, some lines going on in lowercase)."""
    if gutter is None:
        return False
    sides: dict[bool, list[Segment]] = {True: [], False: []}
    for line in run:
        for s in line.segments:
            if s.x0 < gutter < s.x1:
                return False
            sides[s.x1 <= gutter].append(s)
    if not sides[True] or not sides[False]:
        return False
    for cells in sides.values():
        if statistics.mean(len(s.text.split()) for s in cells) < 3:
            return False
    return any(s.text[:1].islower() for cells in sides.values() for s in cells)


def _starts(lines: list[Line], run: list[int]) -> tuple[int, ...]:
    """Where a run's cells start (to the nearest 4 points)."""
    return tuple(sorted({round(s.x0 / 4) for k in run for s in lines[k].segments}))


def _header_rows(run: list[Line], indexes: list[int], slots: list[tuple[float, float]]) -> set[int]:
    """The first row is a header when it has no figures, no cell of more than six words, and stands out from the
    rows below it: set in another weight or size, or over rows that hold figures. A list of names has no header."""
    first, rest = run[0], run[1:]
    if not rest or any(_NUMERIC_RE.match(s.text) for s in first.segments):
        return set()
    if any(len(s.text.split()) > 6 for s in first.segments):
        return set()  # a sentence ("Den tjänsteman på länsstyrelsen som förordnas att"), not a column's label
    styled = {(round(s.size), s.bold) for s in first.segments}
    body = {(round(s.size), s.bold) for line in rest if len(line.segments) >= 2 for s in line.segments}
    figures = any(_NUMERIC_RE.match(s.text) or re.search(r"\d", s.text) for line in rest for s in line.segments)
    return {indexes[0]} if not styled & body or figures else set()


def _in_later_column(line: Line, first_row: Line) -> bool:
    """A one-cell line that starts in a later column of the table above: a cell's second line."""
    return len(line.segments) == 1 and line.segments[0].x0 >= first_row.segments[1].x0 - 2


def _first_cell_styles(lines: list[Line]) -> set[tuple[int, int, bool]]:
    """Where and how the document sets the first cell of a line with several cells."""
    return {(round(line.segments[0].x0 / 2), round(line.segments[0].size), line.segments[0].bold)
            for line in lines if len(line.segments) >= 2}


def _row_label(line: Line, run: list[Line], first_cells: set[tuple[int, int, bool]],
               next_line: Line | None = None) -> bool:
    """A one-cell line in the first column, plain or set like the first cells on these pages: a row with
    nothing but its label ("Rabarber" in a table of limits). A bold label where no row starts in bold
    ("Leukotrienantagonister" over plain rows) heads the rows below it instead."""
    if len(line.segments) != 1:
        return False
    cell = line.segments[0]
    rows = [r for r in run if len(r.segments) >= 2]
    if not rows:
        return False
    left = min(r.segments[0].x0 for r in rows)
    styled = (round(cell.x0 / 2), round(cell.size), cell.bold) in first_cells
    # A group's label may reach over the next columns when the table goes on below it.
    between = styled and next_line is not None and len(next_line.segments) >= 2 \
        and abs(next_line.segments[0].x0 - cell.x0) <= 2
    within = left - 2 <= cell.x0 and (cell.x1 < min(r.segments[1].x0 for r in rows) or between)
    going_on = cell.text[:1].islower()  # the second line of the cell above ("… färska" / "örter")
    return within and (styled or going_on or not cell.bold)


def _column_slots(run: list[Line]) -> list[tuple[float, float]]:
    """Column extents of a run of lines: segments that overlap horizontally share a column."""
    spans = sorted((s.x0, s.x1) for line in run for s in line.segments)
    slots: list[list[float]] = []
    for x0, x1 in spans:
        if slots and x0 <= slots[-1][1] + 2:
            slots[-1][1] = max(slots[-1][1], x1)
        else:
            slots.append([x0, x1])
    return [(a, b) for a, b in slots]


def _is_table(run: list[Line], slots: list[tuple[float, float]], page_lines: int = 0) -> bool:
    """Rows with cells in at least two columns, unless the cells read as running text (a page in two
    columns)."""
    if len(run) < 2 or len(slots) < 2:
        return False
    filled = [sum(1 for a, b in slots if any(s.x0 < b and a < s.x1 for s in line.segments)) for line in run]
    labels = sum(f == 1 for f in filled)
    if sum(f >= 2 for f in filled) < 2 and not (max(filled) >= 3 and labels >= 2):
        return False  # two rows with cells, or one with three cells and rows that are only labels
    segments = [s for line in run for s in line.segments]
    numeric = sum(1 for s in segments if _NUMERIC_RE.match(s.text))
    if numeric >= 0.2 * len(segments):
        return True
    # Columns of running text (a page in two columns, with a list in one) are not a table; a table has
    # a column of short cells (terms beside their explanations, names, figures) or three columns.
    whole_page = len(run) >= 0.6 * page_lines
    fill = statistics.median(s.width / max(1.0, next(b - a for a, b in slots if s.x0 < b and a < s.x1))
                             for s in segments)
    words = [statistics.mean(len(s.text.split()) for s in segments if s.x0 < b and a < s.x1) for a, b in slots]
    # A page of terms beside their explanations is a table however full its explanations' column is (the second
    # page of a regulation's definitions: "högspänning | nominell spänning över 1 000 V …").
    if whole_page and fill >= 0.7 and statistics.mean(len(s.text.split()) for s in segments) >= 3 \
            and not (len(slots) == 2 and words[0] < 2 <= words[1]):
        return False
    if len(slots) >= 3:
        return True
    return min(words) < (2 if whole_page else 3)


def _cells(line: Line, slots: list[tuple[float, float]]) -> tuple[str, ...]:
    cells = []
    for a, b in slots:
        cells.append(" ".join(s.text for s in line.segments if s.x0 < b and a < s.x1))
    return tuple(cells)


# --- tables of contents ---------------------------------------------------------------------------------


_ENTRY_RE = re.compile(r"^(?P<title>.*?\D)(?:\s*(?:\.\s?){2,}\s*|\s+)(?P<page>\d{1,4})$")


def _toc_entry(block: Block, pages: int) -> str | None:
    """The title of a table-of-contents entry ("3.2 Metod ........ 14", "3.2 Metod | 14"), or None."""
    text = block.text if block.kind == "line" else " ".join(c for c in block.cells if c)
    match = _ENTRY_RE.match(text.strip())
    if not match or int(match.group("page")) > pages + 10:
        return None
    return _LEADER_RE.sub(" ", match.group("title")).strip()


def _drop_table_of_contents(blocks: list[Block], body_size: float, pages: int) -> list[Block]:
    """A table of contents is recognised by its structure: a run of entries that end in page numbers
    (entries of two lines allowed), under a title such as "Innehåll", or naming headings that the
    document has. Other runs of lines ending in numbers (an appendix table with leaders) are kept."""
    keys = {_title_key(b.text) for b in blocks if b.kind == "line" and _is_heading(b, body_size)}
    entries = [_toc_entry(b, pages) for b in blocks]
    keep = [True] * len(blocks)
    i, last_end = 0, -10
    while i < len(blocks):
        # Under a title, or right after another part of the table of contents.
        titled = bool(_TOC_TITLE_RE.match(blocks[i].text.strip())) or i - last_end <= 2
        if entries[i] is None and not titled:
            i += 1
            continue
        j, misses, found = i + (1 if titled else 0), 0, []
        while j < len(blocks) and misses < 4:
            if entries[j] is not None:
                found.append(entries[j])
                misses = 0
            elif len(blocks[j].text) > 160 or _TERMINAL_END_RE.search(blocks[j].text):
                break  # running text, not an entry's second line
            else:
                misses += 1
            j += 1
        end = j - misses
        named = sum(1 for title in found if _title_key(title) in keys)
        if len(found) >= 3 and (titled or named >= 0.5 * len(found)):
            for k in range(i, end):
                keep[k] = False
            i = last_end = end
        else:
            i += 1
    return [b for b, k in zip(blocks, keep) if k]


_TERMINAL_END_RE = re.compile(r"[.!?]$")
_LAW_PARAGRAPH_RE = re.compile(r"^(?:\d+\s?kap\.?\s?)?\d+\s?[a-z]?\s?§|§$")


def _letters(text: str) -> str:
    """Letters and digits only, lowercase: "KLIMAT- HJÄLTAR" is "klimathjältar"."""
    return "".join(c for c in text.lower() if c.isalnum())


def _title_key(text: str) -> str:
    """The first words of a title, without its number: how an entry is matched to a heading."""
    return " ".join(_norm_title(text).split()[:4])


def _norm_title(text: str) -> str:
    text = re.sub(r"^(?:bilaga|kapitel|avsnitt|appendix)\s+\d+\s*", "", text.strip(), flags=re.I)
    return re.sub(r"\s+", " ", _NUMBERING_RE.sub("", text)).lower()


# --- headings ----------------------------------------------------------------------------------------


def _is_heading(block: Block, body_size: float, label: bool = False) -> bool:
    """Short text set larger than the body, or in bold or italic at body size, not ending a sentence
    (``label``: a bold label ending in ":" may be one, "Vansbro kommuns byggnader:")."""
    text = block.text.strip()
    if block.kind != "line" or not text or len(text) > 150 or len(text.split()) > 16:
        return False
    display = block.size >= DISPLAY_SIZE * body_size and text[0].isalpha()  # may be lowercase ("hållbara")
    if not (text[0].isupper() or text[0].isdigit() or display) or _NUMERIC_RE.match(text) or CAPTION_RE.match(text):
        return False
    if _ADDRESS_RE.search(text):
        return False  # a web or e-mail address: a reference in the text, not a title
    if dated_participle_line(text):
        return False  # "Beslutad december 2022" under the title: a field of the document, not a section
    tokens = text.split()
    figures = sum(1 for t in tokens[1:] if re.search(r"\d", t) and len(re.findall(r"[^\W\d_]", t)) <= 2)
    if text[-1] in ",;" or figures >= 2 and figures > 0.3 * len(tokens):
        return False  # a sentence going on, or a row of figures
    if re.match(r"^\d{1,3}\s?[a-z]?\s?kap\.?$", text):
        return False  # "7 kap." alone: a chapter of the law text quoted, not a section of this document
    if _LAW_PARAGRAPH_RE.match(text):
        return False  # "6 §", "3 a §": a provision's number, not a section
    numbered = _NUMBERING_RE.match(text)
    after = text[numbered.end():].split()[0] if numbered else ""
    if numbered and not after[:1].isupper() and after.rstrip(".").lower() not in ABBREVIATIONS:
        return False  # "1. förhandsanmälan": an item of a numbered list ("2 kap. Organisatorisk …" is not)
    if block.size >= 1.15 * body_size:
        return True
    emphasised = block.bold or block.italic
    return emphasised and block.size >= 0.95 * body_size and (text[-1] != ":" or label) and len(tokens) <= 12


def _style(block: Block) -> tuple[float, int]:
    """What tells heading levels apart: the size, then bold before plain before italic."""
    return round(block.size * 2) / 2, 0 if block.bold else 2 if block.italic else 1


def _heading_levels(blocks: list[Block], body_size: float, title: str) -> dict[tuple[float, int], int]:
    """The level of unnumbered headings by their style (numbered ones take their numbering's depth:
    "6" is level 1, "6.2" level 2). An unnumbered style sits just below the deepest numbered level of
    the styles larger than it; without numbered headings above it, it ranks by size."""
    headings = [b for b in blocks if _is_heading(b, body_size) and _clean(b.text) != title]
    numbered: dict[tuple[float, int], Counter[int]] = defaultdict(Counter)
    for b in headings:
        match = _NUMBERING_RE.match(b.text.strip())
        if match:
            numbered[_style(b)][match.group(1).count(".") + 1] += 1
    order = sorted({_style(b) for b in headings}, key=lambda st: (-st[0], st[1]))
    levels: dict[tuple[float, int], int] = {}
    for rank, style in enumerate(order):
        larger = [max(numbered[o]) for o in order[:rank] if numbered[o]]
        levels[style] = min(4, max(larger) + 1 if larger else rank + 1)
    return levels


_TOP_LEVEL_RE = re.compile(r"^(?:bilaga|bilagor|kapitel|kap\.|appendix|del)\s*(?:\d{1,2}|[IVX]{1,4}|[A-Z])\b", re.I)
_PART_ONLY_RE = re.compile(r"^(?:bilaga|kapitel|kap\.|appendix|del)\s*(?:\d{1,2}(?::\d{1,2})?|[IVX]{1,4}|[A-Z])$", re.I)
_APPENDIX_RE = re.compile(r"^(?:bilaga|appendix)\b", re.I)


def _heading_level(block: Block, levels: dict[tuple[float, int], int]) -> int:
    if _TOP_LEVEL_RE.match(block.text.strip()):
        return 1  # "Bilaga 2 …", "Kapitel 3 …": a part of the document, never inside a chapter
    numbered = _NUMBERING_RE.match(block.text.strip())
    if numbered:
        return min(numbered.group(1).count(".") + 1, 4)
    return levels.get(_style(block), max(levels.values(), default=1))


# The name of a statute book ("Boverkets författningssamling") or a regulation's number alone ("BFS 2020:5"),
# set above a regulation's own title on its first page: they name the series, not the document.
_SERIES_NAME_RE = re.compile(r"författningssamling\b|^\s*kommittédirektiv\s*$", re.IGNORECASE)
_NUMBER_ONLY_RE = re.compile(r"^[A-ZÅÄÖ-]*FS\s*\d{4}:\d+$")


def names_a_series(text: str) -> bool:
    """"Elsäkerhetsverkets författningssamling", "Kommittédirektiv", "SRVFS 2004:3": a statute book, a series or a
    number in it, not a title."""
    return bool(_SERIES_NAME_RE.search(text) or _NUMBER_ONLY_RE.match(text.strip()))


def _title(pages: list[PdfPage], body_size: float) -> str:
    """The largest text on the first page (up to five lines), when it is larger than the body text and
    is not a numbered heading ("1. Inledning" starts the text, it does not name the document). Under a statute
    book's name ("Skatteverkets författningssamling"), the regulation's own title: the next largest text that is
    not its number ("SKVFS 2015:6"), at any size above the body's."""
    if not pages or not pages[0].lines:
        return ""
    segments = [s for line in pages[0].lines for s in line.segments if len(s.text) > 2]
    if not segments:
        return ""
    sizes = sorted({round(s.size, 1) for s in segments}, reverse=True)
    largest = sizes[0]
    parts = [s.text for s in segments if s.size >= 0.95 * largest]
    if _SERIES_NAME_RE.search(" ".join(parts)):
        for size in sizes[1:]:
            if size <= body_size:
                break
            level = [s.text for s in segments if round(s.size, 1) == size]
            if not names_a_series(" ".join(level)):
                return _title_text(level)
    if largest < 1.3 * body_size or _NUMBERING_RE.match(parts[0]):
        return ""
    return _title_text(parts)


def _title_text(lines: list[str]) -> str:
    """A title's first five lines as one, words broken over a line joined ("genom- förande" → "genomförande"),
    without the ";" that leads into a footnote."""
    text = ""
    for line in lines[:5]:
        text = join_hyphenated(text, line) or f"{text} {line}" if text else line
    return re.sub(r"\s+", " ", text).strip().rstrip(";")[:200]


# --- units ------------------------------------------------------------------------------------------


def _units(blocks: list[Block], footnotes: list[Block], levels: dict[tuple[float, int], int], body_size: float,
           title: str) -> list[RawUnit]:
    """Lines joined into paragraphs, headings and list items (each decided on the whole group of lines),
    table rows with their header, and each page's footnotes after its text."""
    units: list[RawUnit] = []
    group: list[Block] = []
    group_text = ""
    group_marks: list[tuple[int, int]] = []  # (offset in the group's text, page) where a page begins
    previous: Block | None = None
    hyphenated = _hyphenated_words(blocks)
    repeated = _repeated_lines(blocks)
    first_titles, repeated_titles = _continued_titles(blocks, body_size)
    leading = _leading(blocks, body_size)
    notes_by_page: dict[int, list[Block]] = defaultdict(list)
    for note in footnotes:
        notes_by_page[note.page].append(note)

    notes_before = 0  # footnotes of pages before this one go out once the text that was open is written

    def close_group(following: Block | None) -> None:
        nonlocal group, group_text, group_marks
        if group:
            # A label right above a list or a table's rows heads them, even without space above it.
            items = following is not None and (following.kind == "row" or bool(_LIST_RE.match(following.text)))
            units.append(_group_unit(group, group_text, group_marks, levels, body_size, title,
                                     repeated - ({group_text} if id(group[0]) in first_titles else set()),
                                     leading, items, bool(units) and units[-1].kind == "heading"))
        group, group_text, group_marks = [], "", []
        emit_notes(notes_before)

    def emit_notes(upto: int) -> None:
        for page in sorted(p for p in notes_by_page if p < upto):
            for note in notes_by_page.pop(page):
                first = note.segments[0]
                text = _clean(" ".join(s.text for s in note.segments))
                units.append(RawUnit("footnote", f"{first.leading_marker} {text}" if first.leading_marker else text,
                                     [(0, note.page)]))

    for block in blocks:
        if previous is not None and block.page != previous.page:
            notes_before = block.page
        text = _clean(block.text)
        if not text:
            continue
        if block.kind == "part":
            close_group(None)
            units.append(RawUnit("heading", text, [(0, block.page)], level=1))
            previous = block
            continue
        lone_title = block.kind == "row" and not any(block.cells[1:]) and previous is not None \
            and block.size > previous.size + 1.0  # "Mål" in larger type under a definitions table: a heading
        if lone_title:
            block.kind, block.cells = "line", ()
        if block.kind == "row":
            close_group(block)
            _add_row(units, block, previous, hyphenated)
            previous = block
            continue
        if re.fullmatch(r"_{3,}", text.replace(" ", "")):  # a rule ("_____" before a law's transitional provisions)
            close_group(None)
            previous = block
            continue
        # Chart labels and axis numbers are left out, but not a sentence's last line that is a number alone
        # ("… den 12 oktober" / "2021."); nor is a title printed again over a continued table.
        label = _NUMERIC_RE.match(text) and not (group and text.endswith(".") and not group_text.rstrip().endswith(
            tuple(_TERMINAL)) and _continues(group[-1], block, group_text, body_size))
        if label or not re.search(r"\w", text) or id(block) in repeated_titles:
            continue
        if group and _continues(group[-1], block, group_text, body_size):
            joined = join_lines(group_text, text, hyphenated)
            if block.page != group_marks[-1][1]:
                group_marks.append((len(joined) - len(text), block.page))
            group.append(block)
            group_text = joined
        else:
            close_group(block)
            group, group_text, group_marks = [block], text, [(0, block.page)]
        previous = block
    close_group(None)
    emit_notes(10**9)
    for unit in units:
        unit.text = unit.text.replace(SOFT_HYPHEN, "")
    return _nest_parts([u for u in units if u.text.strip()])


def _nest_parts(units: list[RawUnit]) -> list[RawUnit]:
    """A bare part label followed by a heading is one heading ("Bilaga 1" / "Regler för …" →
    "Bilaga 1 Regler för …"); inside an appendix, the appendix's own headings (numbered from 1 again)
    sit below it."""
    out: list[RawUnit] = []
    in_appendix = False
    for unit in units:
        if unit.kind != "heading":
            out.append(unit)
            continue
        text = unit.text.strip()
        previous = out[-1] if out else None
        if previous is not None and previous.kind == "heading" and _PART_ONLY_RE.match(previous.text.strip()) \
                and not _TOP_LEVEL_RE.match(text):
            previous.text = f"{previous.text.strip()} {text}"
            continue
        if _TOP_LEVEL_RE.match(text):
            in_appendix = bool(_APPENDIX_RE.match(text))
            unit.level = 1
        elif in_appendix and unit.level >= 1:
            unit.level = min(4, unit.level + 1)
        out.append(unit)
    return out


def _group_unit(group: list[Block], text: str, marks: list[tuple[int, int]], levels: dict[tuple[float, int], int],
                body_size: float, title: str, repeated: set[str], leading: float = 0.0,
                heads_items: bool = False, after_heading: bool = False) -> RawUnit:
    """What a group of lines is: a heading (short, set apart by its style), a list item, a caption or a
    paragraph."""
    first = group[0]
    words = len(text.split())
    emphasised_only = first.size < 1.15 * body_size
    display = first.size >= DISPLAY_SIZE * body_size  # a cover's title in display type may run over six lines
    short = len(group) <= (2 if emphasised_only else 6 if display else 4) and words <= (14 if emphasised_only else 24)
    # A bold or italic line at body size is a heading only when set apart by more space above it than
    # the body's lines have, or when it heads a list or table rows (emphasis inside running text,
    # amended wording in law text, is neither).
    # Right under a heading counts as set apart ("3. Krav …" / "3.1 Banans sträckning …" / "3.1.1 …").
    apart = not emphasised_only or first.space_above >= leading + 0.25 * first.size or heads_items or after_heading
    # A sentence ends so; a heading in capitals may end ".", any heading in an abbreviation ("m.m.").
    ends = text[-1] in ".,;:" and not text.isupper() and not _ends_in_abbreviation(text) \
        or text.split()[-1].lower() in OPEN_ENDINGS \
        or _inner_sentence_end(text)  # "… fullkorn när" goes on; "… viktigast. Även …" is sentences
    # A label printed again and again at body size ("Skälen för regeringens förslag") is not a section;
    # a larger heading is, however often the document repeats it.
    label = text in repeated and emphasised_only
    address = _ADDRESS_RE.search(text)  # "… se http://…" on its second line: a reference, not a title
    if _is_heading(first, body_size) and short and apart and not label and not ends and not address:
        own_title = first.page == 0 and title and (title.startswith(text[:40]) or text.startswith(title[:40]))
        level = 0 if own_title else _heading_level(first, levels)
        return RawUnit("heading", text, marks, level=level)  # level 0: the document's title
    # A bold label on a line of its own, set apart, over a paragraph (not a list: "Hälso- och
    # sjukvården bör:" leads into its items) names what follows: "Vansbro kommuns byggnader:".
    if len(group) == 1 and text.endswith(":") and words <= 6 and first.bold and apart and not heads_items \
            and not label and _is_heading(first, body_size, label=True):
        return RawUnit("heading", text.rstrip(": "), marks, level=_heading_level(first, levels))
    if _LIST_RE.match(text):
        if not text[0].isalnum() and text[0] != "(":  # a glyph, not a number or letter: not part of the text
            cut = len(text) - len(_LIST_RE.sub("", text))
            return RawUnit("list_item", text[cut:], [(max(0, o - cut), p) for o, p in marks])
        return RawUnit("list_item", text, marks)
    kind = "caption" if CAPTION_RE.match(text) else "paragraph"
    return RawUnit(kind, text, marks, starts_page=True)


def _continues_row(above: RawUnit, cells: tuple[str, ...], bold: bool) -> bool:
    """Is this line part of the row above: an empty first cell (a cell of several lines), a first cell
    going on in lowercase from one that was cut ("… inom det geografiska" / "området, MWh/inv"), a first and
    a later cell both going on in lowercase (a term and its definition, each of two lines), or a lone label
    under a row of values (a description of it, or the items its values hold for)."""
    if cells[0] == "":
        return True
    first = above.cells[0] if above.cells else ""
    words = first.split()
    cut = first.endswith(("-", ",")) or len(first) >= 25 or bool(words) and words[-1].lower() in OPEN_ENDINGS
    if cells[0][:1].islower() and cut:
        return True
    # A term and its definition both wrapped: "kritiska | Beroenden som är avgörande för att samhällsviktiga" over
    # "beroenden | verksamheter ska kunna fungera." (not a list's "j)" under "i)"). A definition that ends in a
    # comma is a whole entry of a regulation's list ("I dessa föreskrifter avses med / driftrum | ett rum …, /
    # elsäkerhetslagen | elsäkerhetslag (2016:732), …"): the next term starts a row.
    if re.match(r"[a-zåäö]{2}", cells[0]) and any(
            len(a) >= 25 and not a.endswith((".", "!", "?", ":", ",")) and b[:1].islower()
            for a, b in zip(above.cells[1:], cells[1:])):
        return True
    return not any(cells[1:]) and above.kind == "table_row" and not bold  # a bold one starts a group


def _inner_sentence_end(text: str) -> bool:
    """A sentence ends inside the text ("… viktigast. Även den …"), not an abbreviation ("2 kap. Allmänna")."""
    return any(m.group(1).lower() not in ABBREVIATIONS
               for m in re.finditer(r"\b([a-zåäö]{3,})[.!?] [A-ZÅÄÖ]", text))


def _ends_in_abbreviation(text: str) -> bool:
    last = text.split()[-1].rstrip(".").lower() if text.split() else ""
    return text.endswith(".") and last in ABBREVIATIONS


def _add_row(units: list[RawUnit], block: Block, previous: Block | None, hyphenated: set[str]) -> None:
    """A table row, its header (see ``_header_rows``), or more lines of the row above
    (see ``_continues_row``)."""
    cells = tuple(_clean(c) for c in block.cells)
    above = units[-1] if units and previous is not None and previous.kind == "row" else None
    if block.header:
        units.append(RawUnit("table_header", " | ".join(cells), [(0, block.page)], cells=cells))
    elif above is not None and above.kind in ("table_row", "table_header") and _continues_row(above, cells, block.bold):
        label = not any(cells[1:]) and cells[0][:1].isupper()
        merged = tuple(f"{a}; {b}" if k == 0 and label and a else join_lines(a, b, hyphenated) if a and b else a or b
                       for k, (a, b) in enumerate(zip(units[-1].cells, cells)))
        units[-1].cells, units[-1].text = merged, " | ".join(merged)
    else:
        units.append(RawUnit("table_row", " | ".join(cells), [(0, block.page)], cells=cells))


def _leading(blocks: list[Block], body_size: float) -> float:
    """The usual gap between two lines of body text in a column (font boxes may touch or overlap)."""
    gaps = [b.space_above for a, b in zip(blocks, blocks[1:])
            if a.kind == b.kind == "line" and a.page == b.page and a.column == b.column
            and abs(a.size - body_size) < 0.6 and abs(b.size - body_size) < 0.6 and abs(b.space_above) < body_size]
    return max(0.0, statistics.median(gaps)) if gaps else 0.0


def _continued_titles(blocks: list[Block], body_size: float) -> tuple[set[int], set[int]]:
    """A heading printed at the top of three or more pages in a row ("Substanser och gränsvärden i mg/kg"
    over a table that runs on): a section that goes on. Its first print is the heading (ids in
    the first set), the others are dropped (the second set)."""
    # A title of two lines is the same title only when both lines are ("Förslag till ändring i … för" /
    # "föräldraträffar", then "… för" / "hembesök": two headings).
    keys: dict[int, str] = {}
    for block, below in zip(blocks, blocks[1:] + [None]):
        key = _clean(block.text)
        if below is not None and below.kind == block.kind == "line" and below.page == block.page \
                and _style(below) == _style(block) and 0 <= below.top - block.bottom < 0.8 * block.size:
            key = f"{key} {_clean(below.text)}"
        keys[id(block)] = key
    titles = {keys[id(b)] for b in blocks if b.kind == "line" and _is_heading(b, body_size)}
    places: dict[str, list[Block]] = defaultdict(list)
    seen_on_page: Counter[int] = Counter()
    for block in blocks:
        seen_on_page[block.page] += 1
        if block.kind == "line" and keys[id(block)] in titles and seen_on_page[block.page] <= 2:
            places[keys[id(block)]].append(block)  # over the page's text, not inside it
    first: set[int] = set()
    again: set[int] = set()
    for found in places.values():
        pages = sorted({b.page for b in found})
        runs: list[list[int]] = [[pages[0]]] if pages else []
        for page in pages[1:]:
            if page == runs[-1][-1] + 1:
                runs[-1].append(page)
            else:
                runs.append([page])
        for run in runs:
            if len(run) >= 3:
                on_run = [b for b in found if b.page in run]
                first.add(id(on_run[0]))
                again.update(id(b) for b in on_run[1:])
    return first, again


def _repeated_lines(blocks: list[Block], times: int = 3) -> set[str]:
    """Short lines the document prints again and again ("Allmänna råd", "Skälen för regeringens förslag",
    a table's title on every page): labels, not sections."""
    counts = Counter(_clean(b.text) for b in blocks if b.kind == "line" and len(b.text) <= 80
                     and not _NUMBERING_RE.match(b.text.strip()))
    return {text for text, n in counts.items() if n >= times}


def _hyphenated_words(blocks: list[Block]) -> set[str]:
    """Words the document writes with a hyphen inside a line ("Reach-förordningen"), lowercase."""
    found: set[str] = set()
    for block in blocks:
        found.update(m.group(0).lower() for m in re.finditer(r"\b\w+-\w+\b", block.text))
    return found


def join_lines(left: str, right: str, hyphenated: set[str]) -> str:
    """``left`` and its next line ``right``: a hyphen at the end is kept where the document writes the
    word with a hyphen elsewhere, or where the first part is a name (capitalised inside a sentence);
    otherwise the general Swedish rule decides (``join_hyphenated``)."""
    if left.endswith(SOFT_HYPHEN):
        return left[:-1] + right
    if left.endswith("-"):
        head = re.search(r"(\S+)-$", left)
        tail = re.match(r"\w+", right)
        if head and tail:
            word = f"{head.group(1)}-{tail.group(0)}".lower()
            before = left[:head.start()].rstrip()
            name = head.group(1)[:1].isupper() and before and before[-1] not in ".!?:"
            if word.strip("(\"”") in hyphenated or name:
                return left + right
        joined = join_hyphenated(left, right)
        if joined is not None:
            return joined
    return f"{left} {right}"


def _continues(previous: Block, block: Block, text: str, body_size: float) -> bool:
    """Is ``block`` the next line of the group of lines that ``previous`` ended?"""
    display = min(previous.size, block.size) >= DISPLAY_SIZE * body_size \
        and block.top - previous.bottom < 0.5 * block.size
    starts_item = _LIST_RE.match(block.text) or _NUMBERING_RE.match(block.text) and _is_heading(block, body_size) \
        or _PROVISION_START_RE.match(block.text) and not previous.text.rstrip().endswith(("-", ","))
    if starts_item and not display:
        return False  # (a title in display type goes on over a dash: "… arbetsmiljöarbete" / "– grundläggande …")
    words = previous.text.split()
    open_end = bool(words) and words[-1].lower() in OPEN_ENDINGS  # "… fullkorn när" / "du äter bröd"
    restyled = _style(previous) != _style(block) and (len(block.text) < 60 or _is_heading(previous, body_size)
                                                      or bool(_NUMBERING_RE.match(block.text)))
    # A numbered item's next line, indented under its text and in lowercase, goes on with it in another
    # style too ("3. Ingen alkohol eller med" in bold / "måtta, d.v.s. …" plain).
    hanging = bool(_NUMBERING_RE.match(previous.text) or _LIST_RE.match(previous.text)) \
        and block.x0 > previous.x0 + 0.5 * block.size and block.text[:1].islower()
    # Words set in italics inside a sentence (amended wording in law text) go on in plain lowercase.
    emphasis = previous.italic and not previous.bold and block.text[:1].islower()
    goes_on = open_end or hanging or emphasis
    if field_label(block.text) is not None and not (goes_on or previous.text.rstrip().endswith((",", "-"))):
        return False  # "Gäller från: …" under "Utgivare: …": a document's fields are lines of their own
    if (abs(previous.size - block.size) > 0.6 or restyled) and not (goes_on or display):
        return False  # (lines of display type go on in another size: "hållbara" / "haparanda")
    if previous.x1 - previous.x0 < 0.5 * (block.x1 - block.x0) and block.text[:1].isupper() \
            and not previous.text.rstrip().endswith(("-", ",")):
        return False  # a short line (a title, a paragraph's last line) and then a new sentence
    if block.page != previous.page or block.column != previous.column:
        # Over a page or column break only an unfinished sentence goes on.
        return not text.rstrip().endswith(tuple(_TERMINAL)) and block.text[:1].islower()
    gap = block.top - previous.bottom
    if gap > 0.9 * block.size or gap < -0.5 * block.size:
        return False
    return True


def _clean(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text
