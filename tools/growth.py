"""``python -m tools.growth``: how ingest, the index and answering hold up as the corpus grows.

**The synthetic corpus** (``tools/synthetic.py``). For a scale N the corpus holds the real documents (their
files and catalog entries, so the evaluation questions still name them) plus new Markdown documents until
the text is about N times the real corpus's. Each new document recombines the top-level sections of one real
document under a new document id. Titles and section texts stay identical to their source, so the chunks'
and sentences' embedding texts recur and the embedding cache (``embedding-cache.sqlite``, keyed by model and
text hash, carried from scale to scale) supplies their vectors. Rendering a section as Markdown changes a few
texts (a title line in front of the first section, a table written as Markdown rows): those are embedded
once, at the first scale that has them, and come from the cache after that. The output counts, for every
run, the texts embedded and those taken from the cache. The scales are nested: the 100x corpus holds the 10x
corpus's documents and more.

**What is measured** at each scale, with an embedded Chroma and with a Chroma server (``chroma run``):

* ingest: ``python -m ingest`` into a fresh data directory (the embedding cache copied in), in a child
  process: wall time, chunks/s, peak resident memory (``wait4``), texts embedded / from the cache,
  the data directory's and the vector store's apparent size; a watchdog stops a run whose memory passes
  ``--max-rss-gb`` or whose time passes ``--max-ingest-s`` and reports where it broke;
* the read side, in a fresh child process: ``IndexReader.open`` load time and the resident memory it
  leaves (every parsed document and chunk is held in memory); then every question of
  ``tools/eval/questions.jsonl`` through ``Assistant.ask`` (``evaluate_assistant`` of
  ``tools/evaluate.py``): latency p50/p95, and retrieval hit@5 and MRR@10 over the answer's
  passages. Because the synthetic documents repeat the real texts, a passage counts as a hit when its
  text holds a support quote, whichever copy it is ("any copy", the standard figure); "real doc" counts
  only passages of the real documents.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from common.settings import Settings, get_settings
from index.layout import EMBEDDING_CACHE_FILE
from tools.evaluate import DEFAULT_QUESTIONS
from tools.ingest_runs import fresh_data_dir, ingest_in_child, ingest_summary
from tools.output import log, text_table
from tools.processes import disk_usage, rss_tree, run_watched
from tools.servers import ChromaServer, ServerError
from tools.synthetic import CorpusError, build_corpus, read_sources

# =============================================================================================
# Measuring
# =============================================================================================


@dataclass
class Result:
    scale: float
    chroma: str  # embedded | server
    documents: int = 0
    characters: int = 0
    chunks: int = 0
    texts: int = 0  # chunks + sentences whose vectors the index holds
    embedded: int = 0  # of those, computed in this run (the rest came from the cache)
    ingest_s: float = 0.0
    ingest_peak_rss: int = 0
    data_bytes: int = 0  # the data directory without the embedding cache
    vector_bytes: int = 0  # Chroma's directory (embedded or the server's)
    load_s: float = 0.0
    reader_rss: int = 0  # resident memory after IndexReader.open
    ask_rss: int = 0  # resident memory after all questions
    server_rss: int = 0  # the Chroma server's resident memory after the questions
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    hit5: float = 0.0
    mrr10: float = 0.0
    hit5_real: float = 0.0
    questions: int = 0
    broke: str = ""
    notes: list[str] = field(default_factory=list)


def measure_reader(data_dir: Path, questions_path: Path, limit: int | None, chroma_port: int | None) -> dict:
    """In this (fresh) process: open the index, then answer the questions. Returns the figures."""
    from assistant import Assistant
    from index.reader import IndexReader
    from tools.evaluate import evaluate_assistant, load_questions, supports

    settings = Settings(data_dir=data_dir, chroma_host="127.0.0.1" if chroma_port else None,
                        chroma_port=chroma_port or 8000)
    base = rss_tree(os.getpid())
    started = time.perf_counter()
    reader = IndexReader.open(settings)
    load_s = time.perf_counter() - started
    reader_rss = rss_tree(os.getpid())
    real_docs = {d for d in reader.entries if not d.startswith("syn-")}
    questions = load_questions(questions_path)[:limit] if limit else load_questions(questions_path)
    assistant = Assistant(settings, index=reader)
    rows = evaluate_assistant(assistant, questions)
    answerable = [r for r in rows if r.question.get("answerable", True) and r.question.get("support")]

    def real_rank(row) -> int | None:
        passages = [p for p in row.answer.get("passages", []) if p["doc_id"] in real_docs]
        for rank, p in enumerate(passages[:10], start=1):
            if supports(reader.chunks[p["chunk_id"]].text, row.question["support"]):
                return rank
        return None

    latencies = sorted(r.latency_ms for r in rows)
    return {
        "load_s": load_s, "base_rss": base, "reader_rss": reader_rss, "ask_rss": rss_tree(os.getpid()),
        "chunks": len(reader.chunks),
        "texts": len(reader.chunks) + sum(len(t.spans) for t in reader.sentences.values()),
        "questions": len(rows),
        "p50_ms": statistics.median(latencies),
        "p95_ms": latencies[min(len(latencies) - 1, int(round(0.95 * (len(latencies) - 1))))],
        "hit5": sum(1 for r in answerable if r.rank and r.rank <= 5) / max(1, len(answerable)),
        "mrr10": statistics.mean([1 / r.rank if r.rank else 0.0 for r in answerable]) if answerable else 0.0,
        "hit5_real": sum(1 for r in answerable if (k := real_rank(r)) and k <= 5) / max(1, len(answerable)),
    }


def run_scale(scale: float, chroma: str, corpus: Path, n_docs: int, n_chars: int, workdir: Path, cache: Path,
              args: argparse.Namespace) -> Result:
    label = f"{scale:g}x-{chroma}"
    result = Result(scale, chroma, documents=n_docs, characters=n_chars)
    data_dir = fresh_data_dir(workdir / f"data-{label}", cache)
    max_rss = int(args.max_rss_gb * 1e9)
    server: ChromaServer | None = None
    try:
        if chroma == "server":
            server_dir = workdir / f"chroma-server-{label}"
            if server_dir.exists():
                shutil.rmtree(server_dir)
            server = ChromaServer(server_dir, workdir / f"chroma-server-{label}.log").start()
        log(f"[{label}] ingest of {n_docs} documents ({n_chars / 1e6:.1f} M characters) …")
        run = ingest_in_child(corpus, data_dir, server.port if server else None, max_rss=max_rss,
                              max_seconds=args.max_ingest_s)
        result.ingest_s, result.ingest_peak_rss = run.seconds, run.peak_rss
        summary = ingest_summary(run.stdout)
        if run.broke or run.returncode not in (0, 1) or summary is None:
            result.broke = run.failure("ingest")
            log(f"[{label}] broke: {result.broke}")
            return result
        result.chunks, result.embedded = summary["chunks"], summary["embedded"]
        if run.returncode == 1:
            result.notes.append("some files failed: " + "; ".join(
                line for line in run.stderr.splitlines() if line.startswith("failed:"))[:300])
        shutil.copy(data_dir / EMBEDDING_CACHE_FILE, cache)  # what this run embedded is cached for the next scales
        result.data_bytes = disk_usage(data_dir) - disk_usage(data_dir / EMBEDDING_CACHE_FILE)
        result.vector_bytes = disk_usage(server.path if server else data_dir / "chroma")
        log(f"[{label}] ingest {run.seconds:.0f} s, peak RSS {run.peak_rss / 1e6:.0f} MB; opening the index and "
            f"asking the questions …")
        command = [sys.executable, "-m", "tools.growth", "--measure-reader", str(data_dir),
                   "--questions", str(args.questions)]
        if args.limit:
            command += ["--limit", str(args.limit)]
        if server:
            command += ["--chroma-port", str(server.port)]
        reader = run_watched(command, {**os.environ, "OMP_WAIT_POLICY": "PASSIVE"}, max_rss, args.max_reader_s)
        if reader.broke or reader.returncode != 0:
            result.broke = reader.failure("reading the index")
            log(f"[{label}] broke: {result.broke}")
            return result
        figures = json.loads(reader.stdout.strip().splitlines()[-1])
        result.texts = figures["texts"]
        result.load_s, result.reader_rss, result.ask_rss = figures["load_s"], figures["reader_rss"], figures["ask_rss"]
        result.p50_ms, result.p95_ms = figures["p50_ms"], figures["p95_ms"]
        result.hit5, result.mrr10, result.hit5_real = figures["hit5"], figures["mrr10"], figures["hit5_real"]
        result.questions = figures["questions"]
        if server and server.pid:
            result.server_rss = rss_tree(server.pid)
        return result
    except ServerError as exc:
        result.broke = str(exc).splitlines()[0]
        log(f"[{label}] broke: {exc}")
        return result
    finally:
        if server:
            server.stop()
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
            if server:
                shutil.rmtree(server.path, ignore_errors=True)


# =============================================================================================
# Output
# =============================================================================================


def format_results(results: list[Result]) -> str:
    header = ["scale", "chroma", "docs", "chunks", "texts", "embedded", "cached", "ingest s", "chunks/s",
              "ingest RSS MB", "data MB", "vectors MB", "load s", "reader RSS MB", "RSS after Qs MB", "p50 ms",
              "p95 ms", "hit@5", "MRR@10", "hit@5 real doc"]
    rows = [header]
    for r in results:
        if r.broke and not r.chunks:
            rows.append([f"{r.scale:g}x", r.chroma, str(r.documents), "-", "-", "-", "-", f"{r.ingest_s:.0f}", "-",
                         f"{r.ingest_peak_rss / 1e6:.0f}"] + ["-"] * 10)
            continue
        cached = r.texts - r.embedded if r.texts else 0
        rows.append([
            f"{r.scale:g}x", r.chroma, str(r.documents), str(r.chunks), str(r.texts or "-"), str(r.embedded),
            str(cached) if r.texts else "-", f"{r.ingest_s:.1f}", f"{r.chunks / r.ingest_s:.0f}" if r.ingest_s else "-",
            f"{r.ingest_peak_rss / 1e6:.0f}", f"{r.data_bytes / 1e6:.1f}", f"{r.vector_bytes / 1e6:.1f}",
            f"{r.load_s:.2f}" if r.load_s else "-", f"{r.reader_rss / 1e6:.0f}" if r.reader_rss else "-",
            f"{r.ask_rss / 1e6:.0f}" if r.ask_rss else "-", f"{r.p50_ms:.0f}" if r.questions else "-",
            f"{r.p95_ms:.0f}" if r.questions else "-", f"{100 * r.hit5:.1f} %" if r.questions else "-",
            f"{r.mrr10:.3f}" if r.questions else "-", f"{100 * r.hit5_real:.1f} %" if r.questions else "-",
        ])
    return text_table(rows)


# =============================================================================================
# Main
# =============================================================================================


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.growth", description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,10,100,1000", help="corpus sizes relative to the real corpus "
                                                                 "(default: 1,10,100,1000)")
    parser.add_argument("--chroma", default="embedded,server", help="embedded, server or both (default)")
    parser.add_argument("--workdir", type=Path, help="where corpora and data directories go (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the data directories")
    parser.add_argument("--generate-only", action="store_true", help="only write the synthetic corpora")
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    parser.add_argument("--limit", type=int, help="ask only the first N questions")
    parser.add_argument("--max-rss-gb", type=float, default=20.0, help="stop a run above this memory (default: 20)")
    parser.add_argument("--max-ingest-s", type=float, default=3600.0, help="stop an ingest after this (default: 3600)")
    parser.add_argument("--max-reader-s", type=float, default=1800.0,
                        help="stop the index load and questions after this (default: 1800)")
    parser.add_argument("--json", type=Path, help="also write the results as JSON lines here")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--measure-reader", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--chroma-port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.measure_reader:
        print(json.dumps(measure_reader(args.measure_reader, args.questions, args.limit, args.chroma_port)))
        return 0

    try:
        scales = [float(s) for s in args.scales.split(",") if s.strip()]
    except ValueError:
        parser.error("--scales takes numbers separated by commas")
    modes = [m.strip() for m in args.chroma.split(",") if m.strip()]
    if not scales or any(s < 1 for s in scales) or not set(modes) <= {"embedded", "server"}:
        parser.error("scales must be >= 1 and --chroma embedded and/or server")

    settings = get_settings()
    workdir = (args.workdir or Path(tempfile.mkdtemp(prefix="fsa-growth-"))).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    cache = workdir / EMBEDDING_CACHE_FILE
    source_cache = settings.data_dir / EMBEDDING_CACHE_FILE
    if not cache.exists() and source_cache.exists():
        shutil.copy(source_cache, cache)
    log(f"work directory {workdir}; embedding cache from {source_cache if source_cache.exists() else '(none)'}")
    try:
        sources = read_sources(settings.corpus_dir)
    except CorpusError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    real_chars = sum(s.characters for s in sources)
    print(f"Growth benchmark: {len(sources)} real documents, {real_chars:,} characters of cleaned text, "
          f"{sum(len(s.sections) for s in sources)} top-level sections; embedder {settings.embedder}; "
          f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f} at the start", flush=True)
    results: list[Result] = []
    for scale in scales:
        corpus = workdir / f"corpus-{scale:g}x"
        started = time.perf_counter()
        n_docs, n_chars = build_corpus(settings.corpus_dir, sources, scale, corpus, args.seed)
        log(f"generated the {scale:g}x corpus: {n_docs} documents, {n_chars / 1e6:.1f} M characters, "
            f"{disk_usage(corpus) / 1e6:.0f} MB in {time.perf_counter() - started:.1f} s")
        if args.generate_only:
            continue
        for mode in modes:
            result = run_scale(scale, mode, corpus, n_docs, n_chars, workdir, cache, args)
            results.append(result)
            print(f"{scale:g}x {mode}: " + json.dumps({k: v for k, v in asdict(result).items()}, ensure_ascii=False),
                  flush=True)
            if args.json:
                with args.json.open("a", encoding="utf-8") as handle:
                    handle.write(json.dumps(asdict(result), ensure_ascii=False) + "\n")
        if not args.keep:
            shutil.rmtree(corpus, ignore_errors=True)
    if results:
        print()
        print(format_results(results))
        print()
        print("texts: chunks + sentences with a vector; embedded: computed in the run; cached: taken from the "
              "embedding cache. data MB: the data directory without the embedding cache; vectors MB: Chroma's "
              "directory.")
        print("load s / reader RSS: IndexReader.open in a fresh process and its resident memory; p50/p95: "
              "Assistant.ask per question; hit@5 and MRR@10 over the answer's passages (any copy of a support "
              "quote); 'hit@5 real doc': only passages of the real documents count.")
        for r in results:
            if r.broke:
                print(f"{r.scale:g}x {r.chroma}: BROKE: {r.broke}")
            for note in r.notes:
                print(f"{r.scale:g}x {r.chroma}: {note}")
    if not args.workdir:
        shutil.rmtree(workdir, ignore_errors=True)
    return 1 if any(r.broke for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
