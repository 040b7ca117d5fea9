"""``python -m ingest [PATHS…]``: build or update the index (default: the corpus directory).

Exit status: 0 all files ingested, 1 some files failed (the rest are indexed),
2 the run failed as a whole (the previous index is unchanged).
"""

from __future__ import annotations

import argparse
import logging
import sqlite3
import sys
from pathlib import Path

from tqdm import tqdm

from common.settings import get_settings
from index.embedders import EmbedderError
from index.vectorstore import StoreError
from ingest.pipeline import IngestLockedError, run_ingest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingest", description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, help="files or directories (default: the corpus)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--rebuild", action="store_true",
                        help="parse every document again, changed or not (the index is replaced as a whole)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("bm25s").setLevel(logging.WARNING)

    settings = get_settings()
    missing = [p for p in args.paths if not p.exists()]
    for path in missing:
        print(f"error: {path}: no such file or directory", file=sys.stderr)
    paths = [p for p in args.paths if p.exists()]
    if args.paths and not paths:
        return 2

    bars: dict[str, tqdm] = {}

    def progress(stage: str, done: int, total: int) -> None:
        if args.quiet or total == 0:
            return
        bar = bars.get(stage)
        if bar is None:
            labels = {"read": "reading  ", "embed": "embedding", "store": "storing  "}
            bar = bars[stage] = tqdm(total=total, desc=labels.get(stage, stage), unit="", file=sys.stderr,
                                     leave=True, dynamic_ncols=True)
        bar.update(done - bar.n)

    try:
        report = run_ingest(settings, paths or None, progress, rebuild=args.rebuild)
    except (StoreError, EmbedderError, IngestLockedError, OSError, sqlite3.Error) as exc:  # sqlite3: a full disk
        print(f"error: ingest failed: {exc}. The previous index is unchanged.", file=sys.stderr)
        return 2
    finally:
        for bar in bars.values():
            bar.close()

    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for result in report.results:
        for warning in result.warnings:
            print(f"warning: {result.path}: {warning}", file=sys.stderr)
        if result.status == "failed":
            print(f"failed: {result.path}: {result.message}", file=sys.stderr)
        elif result.status == "removed":
            print(f"removed: {result.doc_id} ({result.path} no longer exists)", file=sys.stderr)
    if missing:
        print(f"failed: {len(missing)} path(s) do not exist", file=sys.stderr)
    if report.pages:
        rate = report.pages / max(report.parse_seconds, 1e-9)
        print(f"parsing: {report.pages} pages in {report.parse_seconds:.1f} s ({rate:.1f} pages/s); "
              f"embedding: {report.embed_seconds:.1f} s")
    print(report.summary() + (f"; {report.embedded} texts embedded" if report.embedded else ""))
    return 1 if report.failed or missing else 0


if __name__ == "__main__":
    sys.exit(main())
