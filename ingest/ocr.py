"""OCR for scanned PDFs with Tesseract, when the machine has it with Swedish.

Optional: install ``tesseract-ocr`` and ``tesseract-ocr-swe`` (Debian, Ubuntu) or the
equivalent. Without them a scanned PDF is refused with a message that says so.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

from ingest.errors import IngestError

OCR_DPI = 300
NO_OCR = ("PDF has no extractable text (a scanned image?). To read it with OCR, install Tesseract with "
          "Swedish (apt install tesseract-ocr tesseract-ocr-swe) and ingest again, or run OCR on it first")


@lru_cache(maxsize=1)
def tesseract_languages() -> frozenset[str]:
    """Languages of the installed Tesseract (empty when there is none)."""
    binary = shutil.which("tesseract")
    if not binary:
        return frozenset()
    try:
        done = subprocess.run([binary, "--list-langs"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    return frozenset(line.strip() for line in done.stdout.splitlines()[1:] if line.strip())


def ocr_pdf(data: bytes) -> str:
    """The text of every page, pages separated by form feeds; ``IngestError`` without Tesseract."""
    import pypdfium2 as pdfium

    if "swe" not in tesseract_languages():
        raise IngestError(NO_OCR)
    document = pdfium.PdfDocument(data)
    texts: list[str] = []
    try:
        with tempfile.TemporaryDirectory(prefix="fsa-ocr-") as work:
            for index in range(len(document)):
                page = document[index]
                image = Path(work) / f"page-{index}.pgm"
                bitmap = page.render(scale=OCR_DPI / 72, grayscale=True)
                array = bitmap.to_numpy()
                height, width = array.shape[:2]
                image.write_bytes(f"P5 {width} {height} 255\n".encode() + array.reshape(height, width).tobytes())
                done = subprocess.run(["tesseract", str(image), "stdout", "-l", "swe", "--psm", "3"],
                                      capture_output=True, text=True, timeout=300)
                if done.returncode != 0:
                    raise IngestError(f"OCR failed on page {index + 1}: {done.stderr.strip()[:200]}")
                texts.append(done.stdout)
                page.close()
    finally:
        document.close()
    return "\f".join(texts)
