"""What a PDF says about itself when the catalog says nothing: title, publisher and year from the
PDF's metadata and its first page."""

from __future__ import annotations

import re

from index.model import DocumentInfo
from ingest.pdf_layout import Layout, names_a_series
from swedish.dates import MONTHS
from swedish.names import organisations

# Titles that say nothing about the document: a tool's default, a file name, a template.
_NO_TITLE_RE = re.compile(r"^(microsoft (word|powerpoint)|untitled|namnlös|dokument\d*$|document\d*$|rapport$|"
                          r"presentation|.*\.(docx?|pptx?|indd|pdf|odt)$)", re.I)
_YEAR_RE = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")
# A statute book's or series' number: "SSMFS 2018:1", "SFS 2020:883", "Prop. 2012/13:182", "SOU 2007:34".
_DESIGNATION_RE = re.compile(r"\b(?:[A-ZÅÄÖ-]*FS|SOU|Ds|Dir\.|Prop\.)\s*((?:19|20)\d\d)(?:/\d\d)?:\d+")
_ISSN_RE = re.compile(r"\bIS[SB]N[:\s]*[\dX-]+", re.IGNORECASE)
_DATE_RE = re.compile(rf"\b(19[5-9]\d|20[0-4]\d)-[01]\d-[0-3]\d\b|"
                      rf"\b\d{{1,2}} (?:{'|'.join(MONTHS)}) (19[5-9]\d|20[0-4]\d)\b", re.I)


def describe_pdf(info: DocumentInfo, metadata: dict[str, str], layout: Layout) -> None:
    """Fill in ``info``'s empty title, publisher and year (a catalog entry always wins)."""
    if not info.title:
        meta_title = metadata.get("Title", "")
        # A template's placeholder ("Föreskriftens namn") or a title left from another document names nothing
        # on the document's first page: the first page's own title is used instead.
        candidates = [meta_title if _on_page(meta_title, layout.first_page_text) else "", layout.title]
        info.title = next((t.strip().rstrip(";").strip() for t in candidates if _usable_title(t)), "")
    if not info.publisher:
        found = organisations(layout.first_page_text)
        author = metadata.get("Author", "").strip()
        info.publisher = found[0] if found else (author if organisations(author) else "")
    if info.year is None:
        # A date on the first page ("Antagen 2024-02-12"), the year of its statute-book number ("SSMFS 2018:1"), a
        # year on it that is no ISSN or ISBN ("ISSN: 2000-0987"), else the file's date ("D:20250109…"): what the
        # document says of itself before when the file was saved.
        page = layout.first_page_text
        date = _DATE_RE.search(page)
        number = _DESIGNATION_RE.search(page)
        year = _YEAR_RE.search(_ISSN_RE.sub(" ", page))
        created = re.match(r"D:(\d{4})", metadata.get("CreationDate", ""))
        found = (date.group(1) or date.group(2)) if date else number.group(1) if number else \
            year.group(1) if year else created.group(1) if created else None
        info.year = int(found) if found else None


def _on_page(title: str, page_text: str) -> bool:
    """Some word of ``title`` (four letters or more) is on the page, or the page has no text to tell."""
    words = {w.lower() for w in re.findall(r"[^\W\d_]{4,}", title)}
    page = page_text.lower()
    return not page.strip() or not words or any(w in page for w in words)


def _usable_title(title: str) -> bool:
    title = (title or "").strip()
    return len(title) >= 6 and len(title.split()) >= 2 and not _NO_TITLE_RE.match(title) and not names_a_series(title)
