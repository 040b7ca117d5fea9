"""``python -m tools.bench_ingest``: how fast ingest is, how big the index gets and how much memory it needs.

Two corpora are ingested, each into a fresh temporary data directory:

* the real corpus (the configured corpus directory);
* a synthetic corpus ``--scale`` times larger (default 20), the one ``tools.growth`` uses
  (``tools/synthetic.py``): the real documents and their catalog plus Markdown documents that each recombine
  the top-level sections of one real document under a new document id, until its text is ``--scale`` times
  the real corpus's cleaned text. The sections repeat the real texts word for word, so most chunk and
  sentence texts recur and an ingest embeds each distinct text only once: the synthetic run's time measures
  parsing, chunking, knowledge extraction and storing at scale more than embedding ("embedded" counts the
  texts that were computed).

Each ingest runs as ``python -m ingest`` in a child process; its peak memory is the maximum resident memory
of the child's process tree (sampled from /proc, and the child's own ``ru_maxrss``). After each ingest a
second, unchanged run shows what a re-ingest costs when nothing changed. Sizes are apparent sizes (as
``du --apparent-size`` counts them).

By default the runs are cold (``--no-cache``): no embedding cache is copied in, so every distinct text is
embedded, which is the honest number for a first ingest. ``--cache`` copies the embedding cache of
the configured data directory into each fresh data directory, which isolates the cost of parsing,
chunking and storing. ``--keep DIR`` keeps the generated corpus and the data directories in DIR.
The runs always use an embedded Chroma in their own data directory, never a configured server.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from common.settings import get_settings
from index.layout import EMBEDDING_CACHE_FILE
from tools.ingest_runs import fresh_data_dir, ingest_in_child, ingest_summary
from tools.output import log, text_table
from tools.processes import disk_usage
from tools.synthetic import CorpusError, build_corpus, read_sources


class BenchError(RuntimeError):
    pass


@dataclass
class Run:
    label: str
    documents: int
    chunks: int
    seconds: float
    indexed: int  # documents (re)indexed in this run
    embedded: int
    failed: int
    data_bytes: int
    chroma_bytes: int
    peak_rss_bytes: int

    @property
    def chunks_per_second(self) -> float | None:
        """Chunks indexed per second of wall time; None when the run indexed nothing."""
        return self.chunks / self.seconds if self.indexed and self.seconds > 0 else None


# --- measuring ----------------------------------------------------------------------------------


def measure_ingest(label: str, corpus: Path, data_dir: Path, show_progress: bool) -> Run:
    """One ``python -m ingest`` run in a child process: wall time, summary, sizes, peak memory."""
    run = ingest_in_child(corpus, data_dir, progress=show_progress)
    summary = ingest_summary(run.stdout)
    if run.returncode not in (0, 1) or summary is None:
        raise BenchError(f"ingest of {corpus} failed: {run.failure('ingest')} {run.stdout.strip()}")
    return Run(
        label=label,
        documents=summary["documents"],
        chunks=summary["chunks"],
        seconds=run.seconds,
        indexed=summary["indexed"],
        embedded=summary["embedded"],
        failed=summary["failed"],
        data_bytes=disk_usage(data_dir),
        chroma_bytes=disk_usage(data_dir / "chroma"),
        peak_rss_bytes=run.peak_rss,
    )


# --- output -------------------------------------------------------------------------------------


def format_table(runs: list[Run]) -> str:
    header = ["run", "docs", "chunks", "embedded", "wall s", "chunks/s", "data MB", "chroma MB", "peak RSS MB"]
    rows = [header]
    for run in runs:
        rows.append([
            run.label + (f" ({run.failed} failed)" if run.failed else ""),
            str(run.documents),
            str(run.chunks),
            str(run.embedded),
            f"{run.seconds:.1f}",
            "-" if run.chunks_per_second is None else f"{run.chunks_per_second:.1f}",
            f"{run.data_bytes / 1e6:.1f}",
            f"{run.chroma_bytes / 1e6:.1f}",
            f"{run.peak_rss_bytes / 1e6:.0f}",
        ])
    return text_table(rows)


# --- main ---------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench_ingest", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=20.0,
                        help="size of the synthetic corpus relative to the real one (default: 20)")
    parser.add_argument("--cache", action=argparse.BooleanOptionalAction, default=False,
                        help="copy the configured data directory's embedding cache into each fresh data "
                             "directory (default: --no-cache, every distinct text is embedded: the honest cold "
                             "number)")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="keep the synthetic corpus and the data directories in DIR")
    parser.add_argument("--seed", type=int, default=1, help="seed for the synthetic corpus (default: 1)")
    args = parser.parse_args(argv)
    if args.scale < 1:
        parser.error("--scale must be at least 1 (the synthetic corpus holds the real one)")

    settings = get_settings()
    corpus_dir = settings.corpus_dir
    if not corpus_dir.is_dir():
        print(f"error: corpus directory {corpus_dir} does not exist", file=sys.stderr)
        return 2
    cache_from = None
    if args.cache:
        cache_from = settings.data_dir / EMBEDDING_CACHE_FILE
        if not cache_from.exists():
            print(f"error: --cache: no embedding cache at {cache_from}; run python -m ingest first", file=sys.stderr)
            return 2
    if args.keep:
        workdir = args.keep.resolve()
        workdir.mkdir(parents=True, exist_ok=True)
    else:
        workdir = Path(tempfile.mkdtemp(prefix="fsa-bench-"))
    show_progress = sys.stderr.isatty()
    mode = "cached embeddings (--cache)" if args.cache else "cold: no embedding cache (--no-cache)"

    try:
        sources = read_sources(corpus_dir)
        real_chars = sum(s.characters for s in sources)
        scale_label = f"{args.scale:g}x"
        synthetic_dir = workdir / f"corpus-{scale_label}"
        log(f"generating the {scale_label} synthetic corpus in {synthetic_dir} …")
        n_docs, n_chars = build_corpus(corpus_dir, sources, args.scale, synthetic_dir, args.seed)

        runs: list[Run] = []
        plan = [("corpus", corpus_dir), (f"synthetic {scale_label}", synthetic_dir)]
        for label, corpus in plan:
            data_dir = fresh_data_dir(workdir / f"data-{label.replace(' ', '-')}", cache_from)
            log(f"ingesting {label} ({corpus}) into {data_dir}, {mode} …")
            started = time.perf_counter()
            runs.append(measure_ingest(label, corpus, data_dir, show_progress))
            log(f"  done in {time.perf_counter() - started:.1f} s; re-running unchanged …")
            runs.append(measure_ingest(f"{label}, unchanged re-run", corpus, data_dir, show_progress))

        print(f"Ingest benchmark ({mode}; embedder {settings.embedder}; embedded Chroma; {os.cpu_count()} CPUs)")
        print(f"corpus: {len(sources)} catalogued documents, {real_chars:,} characters of cleaned text; "
              f"synthetic: {n_docs} documents ({len(sources)} real, {n_docs - len(sources)} recombined), "
              f"{n_chars:,} characters ({n_chars / real_chars:.1f}x)")
        print()
        print(format_table(runs))
        print()
        print("wall s: the ingest process from start to exit; embedded: texts (chunks and sentences) whose vectors "
              "were computed (each distinct text once);")
        print("data MB: the whole data directory (Chroma, embedding cache, parsed documents, BM25, manifest); "
              "peak RSS: max resident memory of the ingest process tree.")
        if args.keep:
            print(f"kept in {workdir}")
        return 0
    except (BenchError, CorpusError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
