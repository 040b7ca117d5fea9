"""Characters of a PDF with their positions and fonts, grouped into lines and segments.

PDFium (through pypdfium2) gives every character's box, baseline, font size and weight. From
them this module builds, per page, the ``Segment``s of text a reader sees: a run of words on
one baseline, split where a gap is wider than a word space (table cells, columns). Raised,
smaller digits are footnote markers: they are taken out of the text and kept beside it.
Characters are normalised here: ligatures, soft hyphens, private-use glyphs of symbol fonts.

Why PDFium: it is a maintained C library (Chrome's) with Python wheels, reads what real
publishers produce, and is fast: about 80 pages a second of full character data on one core,
against about 20 for pdfminer.six (pdfplumber) before any layout work (see ``docs/pdf.md``).
"""

from __future__ import annotations

import bisect
import ctypes
import math
import re
import statistics
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

# Symbol and Wingdings fonts put their glyphs in the private-use area (U+F020–U+F0FF).
_BULLETS = "\uf0b7\uf0a7\uf076\uf0d8\uf0fc\uf06e\uf0a8\uf0de\uf0e0\uf0f0\uf0d2\uf0a1"
_PRIVATE_USE = {0xF020: " ", 0xF02D: "-", 0xF0B0: "°", 0xF0B1: "±", 0xF0A3: "≤", 0xF0B3: "≥", 0xF0B4: "×",
                0xF0D7: "×", 0xF0BB: "≈", 0xF0B9: "≠", 0xF0AE: "→", 0xF0E0: "→", 0xF0AC: "←", 0xF025: "%",
                0xF02B: "+", 0xF03D: "=", 0xF03C: "<", 0xF03E: ">"}
_LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
                            "\ufb05": "st", "\ufb06": "st"})
BULLET = "•"
SOFT_HYPHEN = "\u00ad"
_BOLD_NAME_RE = re.compile(r"bold|black|heavy|semibold|demi|extrab", re.I)
_ITALIC_NAME_RE = re.compile(r"italic|oblique|kursiv", re.I)
_ITALIC_FLAG = 0x40  # the font descriptor's Italic flag


def normalize_glyph(char: str) -> str:
    """A character as text: ligatures spelled out, symbol-font glyphs mapped or dropped, spaces unified."""
    code = ord(char)
    if 0xE000 <= code <= 0xF8FF:
        if char in _BULLETS:
            return BULLET
        return _PRIVATE_USE.get(code, "")
    if char in "\u00a0\u2009\u202f\u2007\t":
        return " "
    if char in "\u200b\u200c\u200d\u2060\ufeff":
        return ""
    if 0x1D400 <= code <= 0x1D7FF:  # a formula's italic "𝐻" is the letter H to a reader and to search
        return unicodedata.normalize("NFKC", char)
    return char.translate(_LIGATURES)


def utf16_pair(high: int, low: int) -> int:
    """The character that a UTF-16 pair of halves stands for ("𝐻" from 0xD835, 0xDC3B), or 0 when they are not
    a pair: PDFium reports such a character as two, and a lone half cannot be stored or searched."""
    if 0xD800 <= high <= 0xDBFF and 0xDC00 <= low <= 0xDFFF:
        return 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
    return 0


@dataclass
class Glyph:
    text: str
    x0: float
    x1: float
    top: float  # distance from the top of the page
    bottom: float
    baseline: float  # distance of the baseline from the top of the page
    size: float
    bold: bool
    italic: bool = False
    space_before: bool = False  # a space character stood before it in the content
    raised: bool = False  # a superscript: smaller and above the line's baseline


@dataclass
class Segment:
    """Words on one baseline with no wide gap between them."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float  # the dominant font size
    bold: bool
    page: int  # 0-based page index
    italic: bool = False
    markers: list[str] = field(default_factory=list)  # footnote markers taken out of the text
    leading_marker: str = ""  # a raised number that starts the segment: a footnote's own number

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.bottom - self.top


class SegmentGroup:
    """Text and extent of anything made of segments (a line, a block of the layout)."""

    segments: list[Segment]

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.segments)

    @property
    def top(self) -> float:
        return min(s.top for s in self.segments)

    @property
    def bottom(self) -> float:
        return max(s.bottom for s in self.segments)

    @property
    def x0(self) -> float:
        return min(s.x0 for s in self.segments)

    @property
    def x1(self) -> float:
        return max(s.x1 for s in self.segments)


@dataclass
class Line(SegmentGroup):
    """All segments on one baseline of a page, left to right."""

    segments: list[Segment]
    baseline: float


@dataclass
class PdfPage:
    index: int
    width: float
    height: float
    label: str  # the printed page label from the PDF ("" when the PDF has none)
    lines: list[Line]
    chars: int  # characters with text (0 for a scanned page)


# --- reading characters -----------------------------------------------------------------------


def text_direction(raw: object, count: int) -> int:
    """The direction most of a page's text runs in, as a quarter turn: 0 (left to right), 1 (a quarter turn
    counterclockwise, reading upwards) or 3 (reading downwards); a landscape table on a portrait page."""
    import pypdfium2.raw as pdfium_c

    turns: Counter[int] = Counter()
    for k in range(0, count, max(1, count // 200)):
        angle = pdfium_c.FPDFText_GetCharAngle(raw, k)
        if angle >= 0:
            turns[round(angle / (math.pi / 2)) % 4] += 1
    return turns.most_common(1)[0][0] if turns else 0


def read_glyphs(textpage: object, mediabox: tuple[float, float, float, float]) -> list[Glyph]:
    """The visible characters of one page (PDFium's generated spaces and line ends left out), in the
    coordinates of the text's own direction: a page of text turned a quarter is read as if upright.
    ``mediabox`` is the page's (left, bottom, right, top) in PDF space (not turned); a character wholly outside
    it is not printed (a chart left beside the page by the layout program) and is left out."""
    import pypdfium2.raw as pdfium_c

    width, height = mediabox[2] - mediabox[0], mediabox[3] - mediabox[1]

    raw = textpage.raw  # type: ignore[attr-defined]
    count = pdfium_c.FPDFText_CountChars(raw)
    turn = text_direction(raw, count)
    box = pdfium_c.FS_RECTF()  # the "loose" box: the glyph's advance and the font's height, not its ink
    ox, oy = ctypes.c_double(), ctypes.c_double()
    name = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    style_by_object: dict[int | None, tuple[bool, bool]] = {}
    glyphs: list[Glyph] = []
    space_pending = False
    for k in range(count):
        code = pdfium_c.FPDFText_GetUnicode(raw, k)
        if 0xDC00 <= code <= 0xDFFF:
            continue  # the second half of a character read with the first (below), or half of none
        if 0xD800 <= code <= 0xDBFF:  # a character beyond the first 65,536 ("𝐻") comes as two UTF-16 halves
            code = utf16_pair(code, pdfium_c.FPDFText_GetUnicode(raw, k + 1) if k + 1 < count else 0)
        char = chr(code) if code else ""
        if pdfium_c.FPDFText_IsGenerated(raw, k) or char in ("\r", "\n", ""):
            space_pending = space_pending or char == " "
            continue
        if char == " " or char == "\u00a0":
            space_pending = True
            continue
        # PDFium reports a hyphen that ends a line, soft or not, as U+0002: which it was is decided when
        # the lines are joined (``pdf_layout.join_lines``).
        text = "-" if char == "\x02" else SOFT_HYPHEN if char == SOFT_HYPHEN else normalize_glyph(char)
        if text == " ":
            space_pending = True
            continue
        if not text:
            continue
        if turn and round(pdfium_c.FPDFText_GetCharAngle(raw, k) / (math.pi / 2)) % 4 != turn:
            continue  # text set across the page's own direction (a label beside a turned table)
        pdfium_c.FPDFText_GetLooseCharBox(raw, k, box)
        if box.right <= mediabox[0] or box.left >= mediabox[2] or box.top <= mediabox[1] or box.bottom >= mediabox[3]:
            continue
        pdfium_c.FPDFText_GetCharOrigin(raw, k, ox, oy)
        size = pdfium_c.FPDFText_GetFontSize(raw, k)
        key = ctypes.cast(pdfium_c.FPDFText_GetTextObject(raw, k), ctypes.c_void_p).value
        style = style_by_object.get(key)
        if style is None:
            weight = pdfium_c.FPDFText_GetFontWeight(raw, k)
            pdfium_c.FPDFText_GetFontInfo(raw, k, name, len(name), ctypes.byref(flags))
            font = name.value.decode("latin-1", "replace")
            style = (weight >= 600 or bool(_BOLD_NAME_RE.search(font)),
                     bool(flags.value & _ITALIC_FLAG) or bool(_ITALIC_NAME_RE.search(font)))
            style_by_object[key] = style
        bold, italic = style
        if turn == 3:  # reading upwards: x runs up the page, lines follow to the right
            x0, x1, top, bottom, baseline = box.bottom, box.top, box.left, box.right, ox.value
        elif turn == 1:  # reading downwards: x runs down the page, lines follow to the left
            x0, x1, top, bottom, baseline = height - box.top, height - box.bottom, width - box.right, \
                width - box.left, width - ox.value
        else:
            x0, x1, top, bottom, baseline = box.left, box.right, height - box.top, height - box.bottom, \
                height - oy.value
        if size <= 1.5 and bottom - top > 0:  # text drawn at size 1 and scaled by a matrix
            size = bottom - top
        glyphs.append(Glyph(text, x0, x1, top, bottom, baseline, round(size, 1), bold, italic, space_pending))
        space_pending = False
    return glyphs


# --- lines and segments -----------------------------------------------------------------------


def build_lines(glyphs: list[Glyph], page: int, gap_factor: float = 1.0) -> list[Line]:
    """Glyphs grouped by baseline (superscripts joined to the line they belong to), each line cut
    into segments where the gap between words is wider than ``gap_factor`` times the font size."""
    if not glyphs:
        return []
    clusters: list[list[Glyph]] = []
    for glyph in sorted(glyphs, key=lambda g: (round(g.baseline, 1), g.x0)):
        if clusters:
            current = clusters[-1]
            reference = current[0]
            if abs(glyph.baseline - reference.baseline) <= 0.3 * max(min(glyph.size, reference.size), 1.0):
                current.append(glyph)
                continue
        clusters.append([glyph])
    clusters = _attach_raised(clusters)
    for cluster in clusters:
        cluster.sort(key=lambda g: g.x0)
    gutters = _gutters(clusters)
    lines = []
    for cluster in clusters:
        segments = _segments(cluster, page, gap_factor, gutters)
        if segments:
            lines.append(Line(segments, statistics.median(g.baseline for g in cluster if not g.raised)
                              if any(not g.raised for g in cluster) else cluster[0].baseline))
    lines.sort(key=lambda line: line.baseline)
    return lines


def _attach_raised(clusters: list[list[Glyph]]) -> list[list[Glyph]]:
    """Small glyphs set above another line's baseline (superscripts) join that line, marked raised.
    ``clusters`` are sorted by baseline, so the lines a superscript may belong to are found by bisection."""
    baselines = [c[0].baseline for c in clusters]
    sizes = [statistics.median(g.size for g in c) for c in clusters]
    hosts: dict[int, int] = {}
    for i, cluster in enumerate(clusters):
        if len(cluster) > 6:
            continue
        size = max(g.size for g in cluster)
        low = bisect.bisect_right(baselines, baselines[i])  # candidate hosts lie below (larger baseline)
        high = bisect.bisect_right(baselines, baselines[i] + 0.75 * 4 * size)
        for j in range(low, high):
            other = clusters[j]
            lift = baselines[j] - baselines[i]
            if size <= 0.85 * sizes[j] and 0.1 * sizes[j] <= lift <= 0.75 * sizes[j] and j not in hosts \
                    and any(o.x0 - 2 * sizes[j] <= g.x0 <= o.x1 + 2 * sizes[j] for g in cluster for o in other):
                hosts[i] = j
                break
    for i, j in hosts.items():
        for g in clusters[i]:
            g.raised = True
        clusters[j].extend(clusters[i])
    return [c for i, c in enumerate(clusters) if i not in hosts]


def _gutters(clusters: list[list[Glyph]], bucket: float = 2.0) -> list[float]:
    """x positions where many lines have a gap at the same place: the gutter between two columns, however
    narrow (justified law text in two columns one em apart). Lines that cross it (full-width text)
    are left whole."""
    gaps: Counter[int] = Counter()
    spans: list[tuple[float, float]] = []
    for cluster in clusters:
        body = [g for g in cluster if not g.raised]
        if len(body) < 2:
            continue
        size = statistics.median(g.size for g in body)
        spans.append((body[0].x0, body[-1].x1))
        marked: set[int] = set()
        for a, b in zip(body, body[1:]):
            if b.x0 - a.x1 >= 0.5 * size:
                marked.update(range(int(a.x1 / bucket) + 1, int(b.x0 / bucket)))
        gaps.update(marked)
    found: list[float] = []
    for key, count in sorted(gaps.items()):
        x = key * bucket
        crossing = sum(1 for x0, x1 in spans if x0 < x < x1)
        if count >= 5 and count >= 0.5 * crossing and not (found and x - found[-1] < 4 * bucket):
            found.append(x)
    return found


def _segments(glyphs: list[Glyph], page: int, gap_factor: float, gutters: list[float] = ()) -> list[Segment]:
    """Cut a line at the page's column gutters, then where a gap is wider than ``gap_factor`` font sizes
    and than the part's word spaces: a justified line's wide but even spaces stay inside one segment,
    table cells do not."""
    size = statistics.median(g.size for g in glyphs if not g.raised) if any(not g.raised for g in glyphs) \
        else glyphs[0].size
    parts: list[list[Glyph]] = [[glyphs[0]]]
    for previous, glyph in zip(glyphs, glyphs[1:]):
        if glyph.x0 - previous.x1 >= 0.5 * size and any(previous.x1 < x < glyph.x0 for x in gutters):
            parts.append([glyph])
        else:
            parts[-1].append(glyph)
    runs: list[list[Glyph]] = []
    for part in parts:
        threshold = _cell_gap(part, size, gap_factor)
        runs.append([part[0]])
        for previous, glyph in zip(part, part[1:]):
            if glyph.x0 - previous.x1 > threshold and not glyph.raised:
                runs.append([glyph])
            else:
                runs[-1].append(glyph)
    return [s for s in (_segment(run, page, size) for run in runs) if s is not None]


def _cell_gap(glyphs: list[Glyph], size: float, gap_factor: float) -> float:
    """The gap that separates cells in this run of glyphs."""
    word_gaps = sorted(b.x0 - a.x1 for a, b in zip(glyphs, glyphs[1:]) if not b.raised and b.x0 - a.x1 > 0.22 * size)
    letters = sum(g.text.isalpha() for g in glyphs)
    threshold = gap_factor * max(size, 4.0)
    if len(word_gaps) >= 3 and word_gaps[-1] < 1.6 * word_gaps[0] and letters > 0.8 * len(glyphs):
        threshold = max(threshold, 1.5 * word_gaps[-1])  # even gaps between words: a justified line
    return threshold


def _lone_letters_in_a_row(words: list[str]) -> int:
    """The longest run of lone lower-case letters ("l d n i n g f ö r")."""
    run = longest = 0
    for w in words:
        run = run + 1 if len(w) == 1 and w.isalpha() and w.islower() else 0
        longest = max(longest, run)
    return longest


def _letter_spacing(glyphs: list[Glyph], line_size: float) -> float:
    """The gap between the letters of letter-spaced text whose own spaces cut its words into pieces
    ("H åll b ar han d el"), or 0.0 for text whose spaces can be trusted."""
    pairs = [(b.x0 - a.x1, b.space_before) for a, b in zip(glyphs, glyphs[1:]) if not (a.raised or b.raised)]
    gaps = sorted(gap for gap, space in pairs if not space)
    spaces = [gap for gap, space in pairs if space]
    words = "".join((" " if g.space_before else "") + g.text for g in glyphs).split()
    alphabetic = [w for w in words if w.isalpha()]
    if len(spaces) >= 4 and _lone_letters_in_a_row(words) >= 4:
        # "U tbi l d n i n g f ö r": a space after nearly every letter (no Swedish sentence has four one-letter
        # words in a row; "SD KD C V S" are capitals); the letters' own gap is the common one, a word's is wider.
        return statistics.median(spaces)
    if len(gaps) < 4 or len(spaces) < 3:
        return 0.0
    letter_gap = gaps[int(0.75 * (len(gaps) - 1))]
    if letter_gap <= 0.12 * max(line_size, 4.0) or statistics.median(spaces) > 1.6 * letter_gap:
        return 0.0  # the letters touch, or the spaces are wider than the letters' gaps: they are words'
    pieces = [w for w in alphabetic if len(w) <= 2]
    return letter_gap if len(pieces) >= 3 and len(pieces) >= 0.4 * len(alphabetic) else 0.0


# The word a raised digit follows when the digit is part of it: a greenhouse gas's formula ("CO", "CH", "N") or a
# unit ("m", "km"), written "CO²" or "m²" where "CO₂" or "m²" is meant; not "EEG¹", a footnote's marker.
_FORMULA_WORD_RE = re.compile(r"(?:^|[\s(/-])(?:CO|NO|SO|CH|NH|SF|N|O|H|[kcdm]?m)$")


def _index_of_a_formula(text: str, marker: str) -> bool:
    """A raised digit right after a formula or unit ("ton CO", "100 m") belongs to it: not a footnote marker."""
    return not marker and bool(_FORMULA_WORD_RE.search(text)) and text[-1:].isalpha()


def _segment(glyphs: list[Glyph], page: int, line_size: float) -> Segment | None:
    parts: list[str] = []
    markers: list[str] = []
    leading = ""
    marker = ""
    previous: Glyph | None = None
    # Where the text has its own spaces, a gap is a space only when it is wide: letter-spaced headings
    # ("K L I M A T") and kerning stay words.
    space_gap = (0.45 if sum(g.space_before for g in glyphs) >= 2 else 0.22) * max(line_size, 4.0)
    # Letter-spaced text whose own spaces fall between letters ("H åll b ar han d el", a space at every
    # change of font): where the letters stand apart, only a gap well wider than theirs is a space.
    spaced = _letter_spacing(glyphs, line_size)
    if spaced:
        space_gap = max(2 * spaced, spaced + 0.25 * max(line_size, 4.0))
    for glyph in glyphs:
        if glyph.raised and glyph.text.isdigit() and _index_of_a_formula("".join(parts), marker):
            parts.append(glyph.text)  # "CO²", "m²": a formula's or unit's number, not a footnote's
            previous = glyph
            continue
        if glyph.raised and glyph.text.isdigit() or (glyph.raised and glyph.text in "*†‡" and previous is not None):
            marker += glyph.text
            previous = glyph
            continue
        if marker:
            if parts:
                markers.append(marker)
            else:
                leading = marker
            marker = ""
        if previous is not None and parts:
            gap = glyph.x0 - previous.x1
            if glyph.space_before and not spaced or gap > space_gap:
                parts.append(" ")
        parts.append(glyph.text)
        previous = glyph
    if marker:
        if parts:
            markers.append(marker)
        else:
            leading = marker
    text = re.sub(r" {2,}", " ", "".join(parts)).strip()
    text = unicodedata.normalize("NFC", text)
    if not text and not leading:
        return None
    body = [g for g in glyphs if not g.raised] or glyphs
    sizes = [g.size for g in body]
    size = max(set(sizes), key=sizes.count)
    bold = sum(g.bold for g in body) >= 0.8 * len(body)
    italic = sum(g.italic for g in body) >= 0.8 * len(body)
    return Segment(text, min(g.x0 for g in glyphs), max(g.x1 for g in glyphs), min(g.top for g in body),
                   max(g.bottom for g in body), size, bold, page, italic, markers, leading)


def read_pages(data: bytes) -> tuple[list[PdfPage], dict[str, str]]:
    """Every page's lines, and the document's metadata (Title, Author, Subject, CreationDate …)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    document = pdfium.PdfDocument(data)
    try:
        metadata = {k: v for k, v in document.get_metadata_dict().items() if v}
        pages: list[PdfPage] = []
        for index in range(len(document)):
            page = document[index]
            try:
                left, bottom, right, top = page.get_mediabox()
                width, height = right - left, top - bottom
                textpage = page.get_textpage()
                try:
                    glyphs = read_glyphs(textpage, (left, bottom, right, top))
                    turned = text_direction(textpage.raw, pdfium_c.FPDFText_CountChars(textpage.raw)) in (1, 3)
                finally:
                    textpage.close()
                label = _page_label(document, index)
                size = (height, width) if turned else (width, height)
                pages.append(PdfPage(index, *size, label, build_lines(glyphs, index), len(glyphs)))
            finally:
                page.close()
        return pages, metadata
    finally:
        document.close()


def _page_label(document: object, index: int) -> str:
    try:
        return document.get_page_label(index) or ""  # type: ignore[attr-defined]
    except Exception:  # page labels are optional and sometimes broken
        return ""


