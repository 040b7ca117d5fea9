"""Web pages (.html, .htm): headings, paragraphs, list items and table rows of the page's content.

A saved agency page or a report rendered to HTML holds, beside its text, menus, cookie notices, scripts,
embedded charts and screen-reader duplicates ("Note" before a callout's title). Only the page's main content is
read (``<main>``, else ``<article>``, else ``<body>``), without navigation, scripts, forms or hidden elements.
Python's own HTML parser is enough: the structure the pipeline needs is in the tags."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from ingest.cleaning import RawUnit, collapse_spaces, normalize_characters

_SKIPPED = {"script", "style", "noscript", "svg", "template", "nav", "footer", "form", "button", "iframe", "canvas",
            "select", "textarea", "math", "object", "head", "dialog"}
# Screen-reader text repeats what the page shows ("Note", "Öppna meny"); a page's chrome is marked by these.
_SKIPPED_CLASSES = {"screen-reader-only", "sr-only", "visually-hidden", "visuallyhidden", "skip-link", "breadcrumb",
                    "breadcrumbs", "cookie", "cookie-banner", "sidebar", "toc", "navbar"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
_BLOCKS = {"p", "div", "section", "article", "main", "header", "aside", "blockquote", "pre", "figure", "figcaption",
           "caption", "ul", "ol", "dl", "dt", "dd", "li", "table", "thead", "tbody", "tfoot", "tr", "details",
           "summary", "address", "h1", "h2", "h3", "h4", "h5", "h6"}
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
# An element that is never nested in one of its own kind closes the open one ("<p>a<p>b", "<li>a<li>b").
_SELF_CLOSING_SIBLINGS = {"p": {"p"}, "li": {"li"}, "tr": {"tr"}, "td": {"td", "th"}, "th": {"td", "th"},
                          "dt": {"dt", "dd"}, "dd": {"dt", "dd"}}
_CONTAINERS = {"ul", "ol", "table", "dl"}


class _PageReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.units: list[RawUnit] = []
        self._open: list[str] = []
        self._skip_depth = 0  # > 0 inside an element that is not content
        self._text: list[str] = []
        self._row: list[str] | None = None
        self._row_is_header = True
        self._cell: list[str] | None = None
        self._table_rows = 0

    # --- the tag stack ----------------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            if tag in ("br", "hr") and not self._skip_depth:
                self._boundary()
            return
        for sibling in _SELF_CLOSING_SIBLINGS.get(tag, ()):
            self._close_open(sibling, stop_at=_CONTAINERS)
        self._open.append(tag)
        classes = set((dict(attrs).get("class") or "").lower().split())
        hidden = any(name == "hidden" or name == "aria-hidden" and value == "true" for name, value in attrs)
        if self._skip_depth or tag in _SKIPPED or hidden or classes & _SKIPPED_CLASSES:
            self._skip_depth += 1
            return
        self._start_block(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID or tag not in self._open:
            return
        self._close_open(tag)

    def _close_open(self, tag: str, stop_at: set[str] = frozenset()) -> None:
        """Close the innermost open ``tag`` and what is open inside it (not past a ``stop_at`` element)."""
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i] == tag:
                while len(self._open) > i:
                    self._end(self._open.pop())
                return
            if self._open[i] in stop_at:
                return

    def _end(self, tag: str) -> None:
        if self._skip_depth:
            self._skip_depth -= 1
            return
        self._end_block(tag)

    # --- text into units --------------------------------------------------------------------
    def handle_data(self, data: str) -> None:
        if self._skip_depth:
            return
        (self._cell if self._cell is not None else self._text).append(data)

    def _start_block(self, tag: str) -> None:
        if tag == "tr":
            self._boundary()
            self._row, self._row_is_header = [], True
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
            self._row_is_header &= tag == "th"
        elif tag in _BLOCKS and self._cell is None:
            self._boundary()

    def _end_block(self, tag: str) -> None:
        if tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.append(_clean("".join(self._cell)))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            cells = tuple(self._row)
            if any(cells):
                kind = "table_header" if self._row_is_header and self._table_rows == 0 else "table_row"
                self.units.append(RawUnit(kind, " | ".join(cells), [(0, 0)], cells=cells))
                self._table_rows += 1
            self._row = None
        elif tag == "table":
            self._table_rows = 0
        elif tag in _BLOCKS and self._cell is None:
            self._boundary(closing=tag)

    def _boundary(self, closing: str = "") -> None:
        """The text gathered so far is one unit: a heading, a list item or a paragraph, by where it stands."""
        text = _clean("".join(self._text))
        self._text.clear()
        if not text:
            return
        inside = [*self._open, closing] if closing else self._open
        heading = next((t for t in reversed(inside) if t in _HEADINGS), None)
        if heading is not None:
            self.units.append(RawUnit("heading", text, [(0, 0)], level=_HEADINGS[heading]))
        elif "li" in inside or "dd" in inside:
            self.units.append(RawUnit("list_item", text, [(0, 0)]))
        else:
            self.units.append(RawUnit("paragraph", text, [(0, 0)]))


def _clean(text: str) -> str:
    return collapse_spaces(normalize_characters(text)).strip()  # soft hyphens go with the invisible characters


def _content_part(html: str) -> str:
    """The page's ``<main>`` (or ``<article>``) element when it has one with text, else the whole page."""
    for tag in ("main", "article"):
        match = re.search(rf"<{tag}\b[^>]*>(.*)</{tag}\s*>", html, flags=re.S | re.I)
        if match and re.sub(r"<[^>]+>|\s", "", match.group(1)):
            return f"<{tag}>{match.group(1)}</{tag}>"
    return html


def parse_html(html: str) -> tuple[list[RawUnit], str]:
    """The units of a web page's content and the page's title ("" when it has none)."""
    title_match = re.search(r"<title\b[^>]*>(.*?)</title\s*>", html, flags=re.S | re.I)
    reader = _PageReader()
    reader.feed(_content_part(html))
    reader.close()
    reader._boundary()
    units = reader.units
    headings = [u for u in units if u.kind == "heading" and u.level == 1]
    if len(headings) == 1:  # a single H1 is the page's title, above its sections (as in Markdown)
        for unit in units:
            if unit.kind == "heading":
                unit.level = max(unit.level - 1, 0)
    title = _clean(title_match.group(1)) if title_match else ""
    return units, title
