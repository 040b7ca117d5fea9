"""A tiny generator of real multi-page PDFs with text, for ingest tests.

The PDF objects are written by hand: one Helvetica font with WinAnsiEncoding (so å, ä, ö
and the en dash come out right), one content stream per page drawing each line with
BT/Tf/Td/Tj/ET, an optional /PageLabels tree for printed page numbers that do not start
at 1, and a correct cross-reference table. ``encrypt_pdf`` encrypts a PDF with pypdf.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

PAGE_WIDTH, PAGE_HEIGHT = 595, 842  # A4 in points


@dataclass(frozen=True)
class Line:
    """One line of text on a page; ``size`` in points, ``gap_before`` extra space above it."""

    text: str
    size: float = 11.0
    gap_before: float = 0.0


def _pdf_string(text: str) -> bytes:
    """A PDF literal string in WinAnsiEncoding, non-ASCII bytes as octal escapes."""
    out = bytearray(b"(")
    for byte in text.encode("cp1252"):
        if byte in b"()\\":
            out += b"\\" + bytes([byte])
        elif 32 <= byte < 127:
            out.append(byte)
        else:
            out += f"\\{byte:03o}".encode("ascii")
    out += b")"
    return bytes(out)


def _content_stream(lines: Sequence[Line | str], left: float, top: float) -> bytes:
    ops: list[bytes] = []
    y = top
    for item in lines:
        line = Line(item) if isinstance(item, str) else item
        y -= line.gap_before + line.size * 1.35
        if not line.text:
            continue
        ops.append(
            b"BT /F1 %.1f Tf %.1f %.1f Td " % (line.size, left, y) + _pdf_string(line.text) + b" Tj ET"
        )
    return b"\n".join(ops) + b"\n"


def make_pdf(pages: Sequence[Sequence[Line | str]], first_page_label: int | None = None,
             left: float = 72, top: float = 800) -> bytes:
    """A PDF with one page per entry of ``pages``, each a list of lines (str or ``Line``).

    ``first_page_label`` adds decimal page labels starting at that number, as a report
    whose first PDF page is printed page 7 would have.
    """
    objects: list[bytes] = []  # object n is objects[n - 1]
    n_pages = len(pages)
    page_ids = [4 + 2 * i for i in range(n_pages)]
    catalog = b"<< /Type /Catalog /Pages 2 0 R"
    if first_page_label is not None:
        catalog += b" /PageLabels << /Nums [0 << /S /D /St %d >>] >>" % first_page_label
    objects.append(catalog + b" >>")
    kids = b" ".join(b"%d 0 R" % pid for pid in page_ids)
    objects.append(b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, n_pages))
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    for i, lines in enumerate(pages):
        content_id = page_ids[i] + 1
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /Font << /F1 3 0 R >> >> "
            b"/Contents %d 0 R >>" % (PAGE_WIDTH, PAGE_HEIGHT, content_id)
        )
        stream = _content_stream(lines, left, top)
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"endstream")

    return _assemble(objects)


def encrypt_pdf(data: bytes, user_password: str, owner_password: str = "owner") -> bytes:
    """``data`` encrypted with pypdf (RC4-128, which needs no extra crypto library)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=user_password, owner_password=owner_password, algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# --- PDFs laid out like real reports: positioned text, two fonts, raised markers, labels ----------


@dataclass(frozen=True)
class Run:
    """A piece of text in one font: ``rise`` lifts it above the baseline (a footnote marker)."""

    text: str
    size: float = 10.0
    bold: bool = False
    rise: float = 0.0
    special: bool = False  # written in the font whose codes 0x80–0x8F map to the characters in SPECIAL
    italic: bool = False
    spacing: float = 0.0  # extra space after every character (letter-spaced text)


@dataclass(frozen=True)
class Text:
    """Runs written one after the other from (x, y); y is measured from the top of the page."""

    x: float
    y: float
    runs: tuple[Run, ...]

    @classmethod
    def of(cls, x: float, y: float, text: str, size: float = 10.0, bold: bool = False) -> Text:
        return cls(x, y, (Run(text, size, bold),))


# What the "special" font's codes 0x80… stand for (its /ToUnicode map): a ligature, a soft hyphen and
# the private-use glyphs of a symbol font that real PDFs contain.
SPECIAL = {0x80: "\ufb01", 0x81: "\u00ad", 0x82: "\uf0b0", 0x83: "\uf020", 0x84: "\uf0b7"}


def _special_bytes(text: str) -> bytes:
    reverse = {v: k for k, v in SPECIAL.items()}
    return bytes(reverse.get(c, ord(c)) if c in reverse else c.encode("cp1252")[0] for c in text)


def _run_string(run: Run) -> bytes:
    if not run.special:
        return _pdf_string(run.text)
    out = bytearray(b"(")
    for byte in _special_bytes(run.text):
        out += (b"\\" + bytes([byte])) if byte in b"()\\" else (bytes([byte]) if 32 <= byte < 127
                                                                else f"\\{byte:03o}".encode())
    return bytes(out + b")")


def _layout_stream(texts: Sequence[Text]) -> bytes:
    ops = []
    for item in texts:
        parts = [b"BT %.1f %.1f Td" % (item.x, PAGE_HEIGHT - item.y)]
        for run in item.runs:
            font = b"/F3" if run.special else b"/F4" if run.italic else (b"/F2" if run.bold else b"/F1")
            parts.append(b"%s %.1f Tf %.1f Ts %.1f Tc %s Tj" % (font, run.size, run.rise, run.spacing,
                                                               _run_string(run)))
        ops.append(b" ".join(parts) + b" ET")
    return b"\n".join(ops) + b"\n"


def make_layout_pdf(pages: Sequence[Sequence[Text]], labels: Sequence[tuple[int, str, int]] = (),
                    info: dict[str, str] | None = None) -> bytes:
    """A PDF whose pages hold the given positioned texts (Helvetica, Helvetica-Bold and -Oblique).

    ``labels``: page-label ranges (first page index, style "r" roman or "D" decimal, start number);
    ``info``: the document information dictionary (Title, Author, CreationDate …)."""
    n_pages = len(pages)
    first_page = 8
    page_ids = [first_page + 2 * i for i in range(n_pages)]
    catalog = b"<< /Type /Catalog /Pages 2 0 R"
    if labels:
        nums = b" ".join(b"%d << /S /%s /St %d >>" % (start, style.encode(), number) for start, style, number in labels)
        catalog += b" /PageLabels << /Nums [%s] >>" % nums
    cmap = (b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Special def "
            b"1 begincodespacerange <00> <FF> endcodespacerange "
            + b"%d beginbfchar " % len(SPECIAL)
            + b" ".join(b"<%02X> <%04X>" % (code, ord(char)) for code, char in SPECIAL.items())
            + b" endbfchar 1 beginbfrange <20> <7E> <0020> endbfrange endcmap CMapName currentdict /CMap "
              b"defineresource pop end end")
    objects: list[bytes] = [
        catalog + b" >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % p for p in page_ids), n_pages),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Oblique /Encoding /WinAnsiEncoding >>",
    ]
    for i, texts in enumerate(pages):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /Font << /F1 3 0 R /F2 4 0 R "
            b"/F3 5 0 R /F4 7 0 R >> >> /Contents %d 0 R >>" % (PAGE_WIDTH, PAGE_HEIGHT, page_ids[i] + 1))
        stream = _layout_stream(texts)
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"endstream")
    info_ref = b""
    if info:
        objects.append(b"<< " + b" ".join(b"/%s <%s>" % (k.encode(), ("\ufeff" + v).encode("utf-16-be").hex().encode())
                                          for k, v in info.items()) + b" >>")
        info_ref = b" /Info %d 0 R" % len(objects)
    return _assemble(objects, info_ref)


def _assemble(objects: list[bytes], trailer_extra: bytes = b"") -> bytes:
    """The numbered objects as a PDF file with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer_extra,
                                                                                 xref_at)
    return bytes(out)
