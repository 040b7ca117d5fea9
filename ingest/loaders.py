"""Read one file (PDF text extraction, Markdown, PDF, DOCX) into a ``ParsedDocument``.

Every problem a user can cause with a file becomes an ``IngestError`` with a clear
English message; the pipeline reports it and goes on with the other files.
"""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

from index.model import DocumentInfo, ParsedDocument
from ingest.cleaning import (
    RawUnit,
    collapse_spaces,
    is_toc_line,
    join_hyphenated,
    join_interrupted_sentences,
    normalize_characters,
    parse_extracted_text,
    strip_bullet,
)
from ingest.errors import FileTooLargeError, IngestError, UnsupportedFileError
from ingest.html import parse_html
from ingest.ocr import ocr_pdf
from ingest.pdf_glyphs import read_pages
from ingest.pdf_layout import analyse
from ingest.pdf_metadata import describe_pdf
from ingest.structure import assemble, classify_extracted_units, first_heading_title, leads_into_next
from ingest.tables import rebuild_tables


def parser_version() -> str:
    """A fingerprint of everything that turns a file's bytes into the stored document: the source of the
    parsing, cleaning, structure, chunking and knowledge modules, the Swedish toolkit, the stored
    records, and the versions of the reading libraries. It is part of every document's content hash,
    so after an upgrade that changes any of them, unchanged files are parsed again."""
    from importlib.metadata import version

    h = hashlib.sha256()
    root = Path(__file__).resolve().parent.parent
    sources = sorted((root / "ingest").glob("*.py")) + sorted((root / "swedish").glob("*.py")) + [
        root / "index" / "model.py", root / "index" / "knowledge.py"]
    for path in sources:
        if path.name not in ("__main__.py", "pipeline.py"):
            h.update(path.name.encode() + b"\0" + path.read_bytes())
    h.update(" ".join(f"{name} {version(name)}" for name in ("pypdfium2", "python-docx")).encode())
    return h.hexdigest()[:16]


PARSER_VERSION = parser_version()

TEXT_SUFFIXES = {".txt", ".text"}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | MARKDOWN_SUFFIXES | HTML_SUFFIXES | {".pdf", ".docx"}
MAX_FILE_BYTES = 200 * 1024 * 1024


def content_hash(data: bytes, info: DocumentInfo) -> str:
    """Hash of the file bytes, its catalog entry and the parser version."""
    h = hashlib.sha256()
    h.update(PARSER_VERSION.encode())
    h.update(repr(sorted(vars(info).items())).encode())
    h.update(data)
    return h.hexdigest()


def read_file(path: Path, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The file's bytes, or an ``IngestError`` saying why they cannot be used."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise UnsupportedFileError(f"unsupported file type {suffix or '(none)'}; supported: {supported}")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise FileTooLargeError(f"file is too large ({size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.1f} MB, "
                                    "setting max_file_mb)")
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(f"cannot read file: {exc.strerror or exc}") from exc
    if not data.strip():
        raise IngestError("file is empty")
    return data


def load_document(path: Path, info: DocumentInfo, data: bytes | None = None) -> ParsedDocument:
    """Parse ``path`` (or its already read ``data``); raise ``IngestError`` when it cannot be."""
    suffix = path.suffix.lower()
    if data is None:
        data = read_file(path)
    warnings: list[str] = []
    labels: dict[int, str] = {}
    if suffix == ".pdf":
        units, pages, labels = _parse_pdf(data, info, warnings)
        columns = {}
    elif suffix == ".docx":
        units, pages, columns = _parse_docx(data), None, {}
    elif suffix in HTML_SUFFIXES:
        units, page_title = parse_html(decode_text(data, warnings))
        _mark_lead_in_headings(units)
        pages, columns = None, {}
        info.title = info.title or page_title
    else:
        text, front = split_front_matter(decode_text(data, warnings))
        _take_front_matter(info, front)
        if suffix in MARKDOWN_SUFFIXES and has_markdown_markup(text):
            units, pages, columns = parse_markdown(text), None, {}
        else:
            units, pages, columns = _parse_extracted(text, info.page_numbers, None)
    if not any(u.text.strip() for u in units):
        raise IngestError("no text found in the file")
    units = join_interrupted_sentences(units)
    if not info.title:
        info.title = first_heading_title(units) or path.stem
    doc = assemble(info, units, pages)
    doc.warnings = warnings
    doc.table_columns = columns
    doc.page_labels = labels
    return doc


# A block of "key: value" lines between two "---" lines at the very start: YAML front matter, which Markdown
# exports and static-site tools put before the text ("title: …", "date: 2023-05-12", "source_url: …").
_FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\r?\n"
                              r"((?:[ \t]*(?:[\w-]+[ \t]*:.*|-[ \t].*|#.*|)\r?\n){1,60}?)"  # fields, list items
                              r"(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)")
_FRONT_FIELD_RE = re.compile(r"^([\w-]+)[ \t]*:[ \t]*(.*?)[ \t]*$", re.MULTILINE)


def split_front_matter(text: str) -> tuple[str, dict[str, str]]:
    """The text without its YAML front matter, and the front matter's top-level fields (lower-case keys, values
    without quotes). The fields are facts about the file, not its text: quoted, "source_url: https://…" would
    be an answer."""
    found = _FRONT_MATTER_RE.match(text)
    if not found or not _FRONT_FIELD_RE.search(found.group(1)):
        return text, {}
    fields = {key.lower(): value.strip("\"'") for key, value in _FRONT_FIELD_RE.findall(found.group(1))}
    return text[found.end():], fields


def _take_front_matter(info: DocumentInfo, front: dict[str, str]) -> None:
    """A title and a year from front matter, where the catalog gives none."""
    if not info.title and front.get("title"):
        info.title = front["title"]
    year = re.search(r"\b(19|20)\d\d\b", front.get("date", "") or front.get("year", ""))
    if info.year is None and year:
        info.year = int(year.group(0))


def decode_text(data: bytes, warnings: list[str]) -> str:
    """UTF-8 (with or without BOM); Windows-1252 as a reported fallback; binary refused."""
    head = data[:8192]
    if b"\x00" in head:
        raise IngestError("file looks binary (NUL bytes), not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise IngestError(f"file is neither UTF-8 nor Windows-1252 text ({exc.reason})") from exc
        warnings.append("file is not UTF-8; decoded as Windows-1252 (cp1252)")
    controls = sum(1 for c in text[:8192] if ord(c) < 32 and c not in "\n\r\t\f")
    if controls > 0.05 * max(1, min(len(text), 8192)):
        raise IngestError("file looks binary (many control characters), not text")
    return text


def _parse_extracted(
    text: str, page_position: str, known_pages: list[int] | None
) -> tuple[list[RawUnit], list[int | None], dict[str, list[str]]]:
    extracted = parse_extracted_text(text, page_position, known_pages)
    units, columns = rebuild_tables(extracted.units)
    return classify_extracted_units(units), extracted.page_numbers, columns


def _parse_pdf(data: bytes, info: DocumentInfo,
               warnings: list[str]) -> tuple[list[RawUnit], list[int | None], dict[int, str]]:
    """Units of a PDF by its layout (``pdf_glyphs``, ``pdf_layout``), page numbers by page index, and the
    printed page labels that differ from the page numbers."""
    try:
        pages, metadata = read_pages(data)
    except Exception as exc:  # PDFium says why in its message: a password, a damaged file, not a PDF
        message = str(exc)
        if "password" in message.lower():
            raise IngestError("PDF is encrypted with a password; remove the password and try again") from exc
        raise IngestError(f"PDF is damaged or not a PDF ({type(exc).__name__}: {message})") from exc
    if not pages:
        raise IngestError("PDF has no pages")
    if not any(p.chars for p in pages):
        text = ocr_pdf(data)  # a scanned document: OCR when Tesseract with Swedish is installed
        extracted = parse_extracted_text(text, info.page_numbers, list(range(1, len(pages) + 1)))
        warnings.append("PDF has no text layer; its text was read with OCR (Tesseract), check the quotes")
        units, _ = rebuild_tables(extracted.units)
        return classify_extracted_units(units), extracted.page_numbers, {}
    empty = [str(p.index + 1) for p in pages if not p.chars]
    if empty:
        warnings.append(f"PDF pages without text (images?): {', '.join(empty[:10])}")
    layout = analyse(pages)
    describe_pdf(info, metadata, layout)
    labels = {i + 1: label for i, label in enumerate(layout.page_labels) if label and label != str(i + 1)}
    return layout.units, [p.index + 1 for p in pages], labels


# --- Markdown ------------------------------------------------------------------------

_MD_HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_LIST_RE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.*)$")
_MD_RULE_RE = re.compile(r"^\s*([-*_]\s*){3,}$")
# A line of nothing but links to places in the same document ("[Lagen om tilläggsskatt](#F1)",
# "**[Finansdepartementet](#R3)**"): an entry of the table of contents, no text of its own.
_MD_ANCHOR_LINKS_RE = re.compile(r"^\s*(?:(?:\*\*|__)?\[[^\]]+\]\(#[^)\s]*\)(?:\*\*|__)?\s*)+$")
_MD_TABLE_SEP_RE = re.compile(r"^\s*\|?\s*:?-{2,}")


def _md_inline(text: str) -> str:
    text = re.sub(r"<sup>\s*\d+\s*</sup>", "", text)
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"<[^>]+>", "", text)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])([*_])(?!\s)(.+?)(?<!\s)\1(?![\w*])", r"\2", text)
    text = text.replace("`", "")
    text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!|>~<])", r"\1", text)  # "hälso\- och", "(2023:490\)": escapes
    return collapse_spaces(text.lstrip("»«"))


def has_markdown_markup(text: str) -> bool:
    """Some line is a Markdown heading or table row, or the text has bold or a link. A ".md" file without any is
    text saved from another format (a Word document's lines, one paragraph a line, headings as short lines,
    "·" bullets, a table of contents with tabs): it is read as extracted text, not as paragraphs of joined
    lines. (Numbered and dashed lines alone say nothing: plain text has them too.)"""
    return bool(re.search(r"^#{1,6}\s+\S|^\s*\|.*\|\s*$|\*\*\S|__\S|\]\([^)\s]+\)", text, flags=re.M))


def parse_markdown(text: str) -> list[RawUnit]:
    """Headings, paragraphs, list items and table rows of a Markdown document."""
    text = normalize_characters(text)
    units: list[RawUnit] = []
    paragraph: list[str] = []
    h1_count = len(re.findall(r"^#\s", text, flags=re.M))
    last_level = 0

    def flush() -> None:
        if paragraph:
            joined = paragraph[0]
            for line in paragraph[1:]:
                joined = join_hyphenated(joined, line) or f"{joined} {line}"
            footnote = re.match(r"^\s*<sup>\s*\d+\s*</sup>", joined)
            body = _md_inline(joined)
            if body:
                units.append(RawUnit("footnote" if footnote else "paragraph", body, [(0, 0)]))
            paragraph.clear()

    for raw_line in text.split("\n"):
        line = raw_line.rstrip()
        if not line.strip() or _MD_RULE_RE.match(line) or is_toc_line(line) or _MD_ANCHOR_LINKS_RE.match(line):
            flush()
            continue
        heading = _MD_HEADING_RE.match(line)
        if heading:
            flush()
            title = _md_inline(heading.group(2))
            level = len(heading.group(1))
            # A single H1 is the document title; it is not part of section paths.
            level = level - 1 if h1_count == 1 else level
            if title:
                units.append(RawUnit("heading", title, [(0, 0)], level=level))
                last_level = level
            continue
        if line.lstrip().startswith("|"):
            flush()
            if _MD_TABLE_SEP_RE.match(line):
                continue
            cells = tuple(_md_inline(c) for c in line.strip().strip("|").split("|"))
            units.append(RawUnit("table_row", " | ".join(cells), [(0, 0)], cells=cells))
            continue
        item = _MD_LIST_RE.match(line)
        if item:
            flush()
            units.append(RawUnit("list_item", _md_inline(item.group(1)), [(0, 0)]))
            continue
        if units and units[-1].kind == "list_item" and raw_line.startswith(("  ", "\t")) and not paragraph:
            units[-1].text = _md_inline(f"{units[-1].text} {line.strip()}")
            continue
        bold_only = re.fullmatch(r"\s*(\*\*|__)(.+?)\1\s*", line)
        if bold_only and not paragraph:
            units.append(RawUnit("heading", _md_inline(bold_only.group(2)), [(0, 0)], level=last_level + 1))
            continue
        paragraph.append(line.strip())
        if raw_line.endswith("  ") and len(paragraph) == 1 and re.match(r"^[\wÅÄÖåäö ]{2,80}:", line.strip()):
            flush()  # "Datum: 2023-02-20  " — a field line with a hard break stands alone
    flush()
    _mark_lead_in_headings(units)
    return units


def _mark_lead_in_headings(units: list[RawUnit]) -> None:
    level = 0
    for i, unit in enumerate(units):
        if unit.kind == "heading":
            level = unit.level
            continue
        if unit.kind != "paragraph":
            continue
        nxt = units[i + 1] if i + 1 < len(units) else None
        words = unit.text.split()
        if nxt is not None and nxt.kind == "list_item" and len(words) <= 12 and unit.text[-1] not in ".:;," \
                and not leads_into_next(unit.text):
            unit.kind = "heading"  # a short title line over a list works as a heading
            unit.level = level + 1


# --- DOCX ----------------------------------------------------------------------------


def _parse_docx(data: bytes) -> list[RawUnit]:
    import zipfile

    from docx import Document
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise IngestError(f"DOCX is damaged or not a Word document ({type(exc).__name__})") from exc
    units: list[RawUnit] = []
    for element in document.element.body.iterchildren():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = Paragraph(element, document)
            text, _ = strip_bullet(collapse_spaces(paragraph.text))
            if not text:
                continue
            style = (paragraph.style.name if paragraph.style is not None else "") or ""
            level_match = re.search(r"(?:Heading|Rubrik)\s*(\d)", style, re.I)
            if style.lower() in ("title", "rubrik"):
                units.append(RawUnit("heading", text, [(0, 0)], level=1))
            elif level_match:
                units.append(RawUnit("heading", text, [(0, 0)], level=int(level_match.group(1))))
            elif "list" in style.lower() or paragraph._p.pPr is not None and paragraph._p.pPr.numPr is not None:
                units.append(RawUnit("list_item", text, [(0, 0)]))
            else:
                units.append(RawUnit("paragraph", text, [(0, 0)]))
        elif tag == "tbl":
            table = Table(element, document)
            for r, row in enumerate(table.rows):
                cells = tuple(collapse_spaces(cell.text) for cell in row.cells)
                if any(cells):
                    kind = "table_header" if r == 0 else "table_row"
                    units.append(RawUnit(kind, " | ".join(cells), [(0, 0)], cells=cells))
    return units
