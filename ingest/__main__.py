"""``python -m ingest [PATHS…]``: build or update the index (default: the corpus directory), and
repair what the self-check finds; ``python -m ingest --check`` only reports.

Exit status: 0 all files ingested, 1 some files failed (the rest are indexed),
2 the run failed as a whole (the previous index is unchanged).
With ``--check``: 0 the manifest, parsed documents, lexical index and vector store agree,
1 they do not (each disagreement is printed), 2 there is no index or it is being written.
"""

from __future__ import annotations

import argparse
import logging
import sqlite3
import sys
from pathlib import Path

from tqdm import tqdm

from common.settings import Settings, get_settings
from index.check import read_manifest_checked
from index.embedders import EmbedderError
from index.layout import DataLayout
from index.vectorstore import StoreError
from ingest.pipeline import IngestLockedError, ingest_lock, inspect_index, run_ingest


def check(settings: Settings) -> int:
    """``--check``: print whether the stored index agrees with itself; change nothing."""
    try:
        with ingest_lock(settings.data_dir):
            manifest, _ = read_manifest_checked(DataLayout(settings.data_dir))
            result = inspect_index(settings, manifest.collection if manifest else None)
    except IngestLockedError as exc:
        print(f"error: {exc}; check again when it is done", file=sys.stderr)
        return 2
    if result.missing_index:
        print(f"error: no index in {settings.data_dir}; run python -m ingest", file=sys.stderr)
        return 2
    print(result.summary())
    for line in result.problems():
        print(f"problem: {line}")
    if result.ok:
        print("ok: the manifest, the parsed documents, the lexical index and the vector store agree")
        return 0
    print("python -m ingest repairs these (missing vectors come from the embedding cache)")
    return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingest", description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, help="files or directories (default: the corpus)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--rebuild", action="store_true",
                        help="parse every document again, changed or not (the index is replaced as a whole)")
    parser.add_argument("--check", action="store_true",
                        help="only check that the manifest, parsed documents, lexical index and vector store "
                             "agree; exit 1 when they do not (python -m ingest repairs them)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    logging.getLogger("ingest.pipeline").setLevel(logging.ERROR)  # repairs are printed below, once

    settings = get_settings()
    if args.check:
        if args.paths or args.rebuild:
            print("error: --check takes no paths and no --rebuild", file=sys.stderr)
            return 2
        return check(settings)
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
            labels = {"read": "reading  ", "embed": "embedding", "store": "storing  ", "restore": "restoring"}
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

    for repair in report.repairs:
        print(f"repaired: {repair}", file=sys.stderr)
    if report.removed_vectors or report.removed_files:
        print(f"cleaned up: {report.removed_vectors} vectors and {report.removed_files} files the index no "
              "longer names", file=sys.stderr)
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
    if report.vectors is not None:
        print(f"vector store: {report.vectors} vectors for {report.chunks} chunks")
    print(report.summary() + (f"; {report.embedded} texts embedded" if report.embedded else ""))  # the last line
    return 1 if report.failed or missing else 0


if __name__ == "__main__":
    sys.exit(main())
