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

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n" % (len(objects) + 1)
    out += b"0000000000 65535 f \n"
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref_at)
    return bytes(out)


def encrypt_pdf(data: bytes, user_password: str, owner_password: str = "owner") -> bytes:
    """``data`` encrypted with pypdf (RC4-128, which needs no extra crypto library)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=user_password, owner_password=owner_password, algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
