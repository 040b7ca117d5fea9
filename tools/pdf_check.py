"""``python -m tools.pdf_check DIR``: how well PDFs are read, on documents the parser was not built on.

For every PDF in DIR (with no catalog: title, publisher and year come from the PDF itself):

* **running text in chunks**: a reference list of each document's running headers and footers is made
  independently of the parser, with pypdf: the lines drawn in the top or bottom 8 % of a page whose text
  (numbers masked) recurs on at least three pages. Every chunk still holding one is counted and shown
  (a document may also name itself in its text: check those by hand);
* **parsing speed**: pages per second of reading, cleaning, structuring and chunking (no embedding);
* **what was found**: blocks by kind, the title, publisher and year found, printed page labels;
* ``--sample N``: N random chunks (fixed seed) with page and section path, for checking sections by hand.
"""

from __future__ import annotations

import argparse
import io
import logging
import random
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from index.model import DocumentInfo
from ingest.catalog import doc_id_from_path
from ingest.chunking import chunk_document
from ingest.loaders import load_document


def _flat(text: str) -> str:
    return " ".join(text.split())


def running_reference(data: bytes, band: float = 0.08) -> set[str]:
    """Running header and footer lines from pypdf (not our parser): text drawn in the top or bottom
    ``band`` of a page whose line, numbers masked, recurs on at least three pages."""
    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    reader = PdfReader(io.BytesIO(data))
    pages: dict[str, set[int]] = defaultdict(set)
    originals: dict[str, set[str]] = defaultdict(set)
    for n, page in enumerate(reader.pages):
        if int(page.get("/Rotate", 0) or 0) % 360:
            continue  # pypdf's positions on a turned page are not its top and bottom as read
        height = float(page.mediabox.height)
        bottom = float(page.mediabox.bottom)
        lines: dict[int, list[str]] = defaultdict(list)

        def visit(text: str, cm: list, tm: list, font: object, size: float, height: float = height,
                  bottom: float = bottom, lines: dict = lines) -> None:
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5] - bottom
            if text.strip() and (y > (1 - band) * height or y < band * height):
                lines[round(y)].append(text)

        try:
            page.extract_text(visitor_text=visit)
        except Exception:  # a page pypdf cannot read
            continue
        for parts in lines.values():
            line = _flat("".join(parts))
            if line:
                masked = re.sub(r"\d+", "#", line.lower())
                pages[masked].add(n)
                originals[masked].add(line)
    threshold = 3 if len(reader.pages) > 4 else 2
    return {line for masked, found in pages.items() if len(found) >= threshold
            and len(masked.replace("#", "").strip()) >= 4 for line in originals[masked] if len(line) >= 6}


def check(path: Path, sample: int, rng: random.Random) -> dict:
    data = path.read_bytes()
    info = DocumentInfo(doc_id=doc_id_from_path(path, path.parent), title="", source_file=path.name)
    started = time.perf_counter()
    doc = load_document(path, info, data)
    doc.content_hash = "0" * 16
    chunks = chunk_document(doc)
    seconds = time.perf_counter() - started
    pages = max((p for _, p in doc.page_starts), default=0)
    reference = running_reference(data)
    leaks: list[tuple[str, str]] = []
    for chunk in chunks:
        flat = _flat(chunk.text)
        hit = next((line for line in sorted(reference) if line in flat), None)
        if hit:
            leaks.append((chunk.chunk_id, hit))
    kinds = Counter(b.kind for b in doc.blocks)
    picked = rng.sample(chunks, min(sample, len(chunks))) if sample else []
    return {"path": path, "doc": doc, "chunks": chunks, "seconds": seconds, "pages": pages,
            "reference": reference, "leaks": leaks, "kinds": kinds, "sample": picked}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.pdf_check", description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--sample", type=int, default=0, help="random chunks per document to print for checking")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--show-leaks", type=int, default=3, help="leaking chunks to show per document")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    paths = sorted(args.directory.glob("*.pdf"))
    if not paths:
        print(f"error: no PDF files in {args.directory}", file=sys.stderr)
        return 2
    total_pages = total_seconds = total_chunks = total_leaks = 0.0
    for path in paths:
        result = check(path, args.sample, rng)
        doc = result["doc"]
        total_pages += result["pages"]
        total_seconds += result["seconds"]
        total_chunks += len(result["chunks"])
        total_leaks += len(result["leaks"])
        labels = ", ".join(f"{p}→{label}" for p, label in list(doc.page_labels.items())[:3])
        print(f"\n== {path.name}: {result['pages']} pages, {len(result['chunks'])} chunks, "
              f"{result['pages'] / max(result['seconds'], 1e-9):.0f} pages/s")
        print(f"   title: {doc.info.title!r}; publisher: {doc.info.publisher!r}; year: {doc.info.year}; "
              f"labels: {labels or '-'}")
        print(f"   blocks: {dict(result['kinds'])}")
        print(f"   running lines (reference): {len(result['reference'])}; chunks holding one: {len(result['leaks'])}")
        for chunk_id, line in result["leaks"][:args.show_leaks]:
            print(f"     {chunk_id}: {line!r}")
        for chunk in result["sample"]:
            page = f"s. {chunk.page_start}" if chunk.page_start else "-"
            print(f"   [{page}] {chunk.section_path or '(no section)'}\n        {chunk.text[:110]!r}")
    print(f"\nAll: {len(paths)} PDFs, {total_pages:.0f} pages, {total_chunks:.0f} chunks; "
          f"{total_pages / max(total_seconds, 1e-9):.1f} pages/s parsing (one process); "
          f"chunks holding running header or footer text: {total_leaks:.0f} "
          f"({100 * total_leaks / max(total_chunks, 1):.1f} %)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
