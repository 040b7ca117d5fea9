"""``python -m tools.generations``: one generation per answer, and how fast a lost vector store comes back.

Works in a temporary copy of the bundled corpus and a fresh data directory (the embedding cache of the
configured data directory is copied in when it exists; nothing of it is changed), with the real embedded
Chroma and the real model.

1. **Restore**: index the corpus, delete ``data/chroma``, and time ``python -m ingest`` putting every
   vector back from the embedding cache; print the vectors in the store against the manifest's chunks,
   beside the time of a full ingest into a fresh data directory from the same cache.
2. **Mixing**: ask ``--questions`` questions (default 1000, those of ``tools/eval/questions.jsonl`` in
   turn) from ``--users`` threads of one ``Assistant`` while another process re-indexes again and again
   (``python -m ingest`` on the same data directory, each run changing ``--change`` documents so that all
   their chunk ids change). After each commit the tool records the generation's chunk ids from its
   manifest; an answer mixes generations when the generation it was answered from (the one its question
   pinned) does not hold every chunk its passages and citations come from. Prints that count (the
   target is 0), the generations committed meanwhile and the answers that failed.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from common.settings import PROJECT_ROOT, Settings, get_settings
from index.layout import EMBEDDING_CACHE_FILE, DataLayout
from tools.ingest_runs import fresh_data_dir, ingest_in_child, ingest_summary
from tools.output import log, text_table

QUESTIONS = PROJECT_ROOT / "tools" / "eval" / "questions.jsonl"
# The largest documents change: every one of their chunk ids changes with each run.
CHANGING = ["kommundialoger-foraldraskapsstod-orebro-lan-2016.txt",
            "regional-samling-foraldraskapsstod-vastmanland.txt",
            "lindesberg-strategi-foraldraskapsstod-2023-2026.md"]
APPENDED = "\n\nTillägg {n}: stödet följs upp varje år av styrgruppen för föräldraskapsstöd.\n"


def generation_ids(settings: Settings) -> tuple[int, frozenset[str]]:
    """The committed generation and its chunk ids, read from its manifest and parsed documents."""
    layout = DataLayout(settings.data_dir)
    manifest = layout.read_manifest()
    assert manifest is not None
    ids: set[str] = set()
    for entry in manifest.documents.values():
        ids.update(c.chunk_id for c in layout.read_document(entry.parsed_file).chunks)
    return manifest.generation, frozenset(ids)


def vector_count(settings: Settings) -> int:
    from index.vectorstore import open_vector_store

    manifest = DataLayout(settings.data_dir).read_manifest()
    return open_vector_store(settings, manifest.collection, fresh=True).count()


def checked_ingest(corpus: Path, data_dir: Path) -> tuple[float, dict[str, int], str]:
    run = ingest_in_child(corpus, data_dir)
    if run.returncode != 0:
        raise SystemExit(run.failure("python -m ingest"))
    return run.seconds, ingest_summary(run.stdout) or {}, run.stderr


def measure_restore(corpus: Path, work: Path, cache: Path | None) -> list[list[str]]:
    data_dir = fresh_data_dir(work / "restore", cache)
    full_seconds, _, _ = checked_ingest(corpus, data_dir)
    settings = Settings(data_dir=data_dir, corpus_dir=corpus)
    chunks = DataLayout(data_dir).read_manifest().chunk_count()
    full_vectors = vector_count(settings)
    shutil.rmtree(settings.chroma_dir)
    log(f"restore: deleted {settings.chroma_dir} ({chunks} chunks in the manifest)")
    seconds, _, stderr = checked_ingest(corpus, data_dir)
    restored = next((line for line in stderr.splitlines() if line.startswith("repaired: restored")), "(none)")
    vectors = vector_count(settings)
    return [
        ["run", "seconds", "vectors", "manifest chunks"],
        [f"full ingest, fresh data dir, cache {'present' if cache else 'absent'}", f"{full_seconds:.1f}",
         str(full_vectors), str(chunks)],
        ["python -m ingest after deleting data/chroma", f"{seconds:.1f}", str(vectors), str(chunks)],
    ], restored


class Reindexer(threading.Thread):
    """``python -m ingest`` in a child process again and again, each run changing the corpus; records every
    committed generation's chunk ids."""

    def __init__(self, corpus: Path, settings: Settings, change: int) -> None:
        super().__init__(daemon=True)
        self.corpus, self.settings, self.change = corpus, settings, change
        self.generations: dict[int, frozenset[str]] = dict([generation_ids(settings)])
        self.stop = threading.Event()
        self.runs = self.failures = 0
        self.lock = threading.Lock()
        self.originals = {name: (corpus / name).read_text(encoding="utf-8") for name in CHANGING[:change]}

    def run(self) -> None:
        for n in itertools.count(1):
            if self.stop.is_set():
                return
            for name, text in self.originals.items():  # odd runs: changed, even runs: as before
                (self.corpus / name).write_text(text + (APPENDED.format(n=n) if n % 2 else ""), encoding="utf-8")
            run = ingest_in_child(self.corpus, self.settings.data_dir)
            self.runs += 1
            if run.returncode != 0:
                self.failures += 1
                log(run.failure("python -m ingest"))
                continue
            generation, ids = generation_ids(self.settings)
            with self.lock:
                self.generations[generation] = ids

    def holds(self, generation: int, ids: set[str]) -> bool | None:
        """Whether generation ``generation`` holds all of ``ids`` (None: not recorded yet)."""
        with self.lock:
            recorded = self.generations.get(generation)
        return None if recorded is None else ids <= recorded


def measure_mixing(corpus: Path, work: Path, cache: Path | None, questions: int, users: int,
                   change: int) -> list[list[str]]:
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    from assistant import Assistant
    from assistant.components import VECTORS_MISSING
    from assistant.messages import DENSE_SEARCH_DOWN

    data_dir = fresh_data_dir(work / "mixing", cache)
    checked_ingest(corpus, data_dir)
    settings = Settings(data_dir=data_dir, corpus_dir=corpus)
    assistant = Assistant(settings)
    assistant.warm_up()
    texts = [json.loads(line)["question"] for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line]
    reindexer = Reindexer(corpus, settings, change)
    mixed: list[str] = []
    errors: list[str] = []
    degraded = 0  # answers whose dense search failed or whose store lacked vectors (said in a notice)
    seen_generations: set[int] = set()
    done = 0
    lock = threading.Lock()

    def one(i: int) -> None:
        nonlocal done, degraded
        question = texts[i % len(texts)]
        try:
            with assistant.live.snapshot() as components:  # only to learn the generation; ask pins its own
                generation = components.index.generation
                answer = assistant.ask(question)
        except Exception as exc:  # counted and reported: a failed answer is a finding, not a crash
            with lock:
                errors.append(f"{type(exc).__name__}: {exc}")
            return
        ids = {p.chunk_id for p in answer.passages} | {c.chunk_id for c in answer.citations if c.chunk_id}
        with lock:
            seen_generations.add(generation)
            done += 1
            degraded += any(n in (DENSE_SEARCH_DOWN, VECTORS_MISSING) or n.startswith("Vektorsökningen saknar")
                            for n in answer.notices)
            if done % 100 == 0:
                log(f"mixing: {done}/{questions} answers, {reindexer.runs} re-index runs")
        # The generation may have been committed a moment ago and not be recorded yet: wait until it is.
        deadline = time.monotonic() + 300
        while (verdict := reindexer.holds(generation, ids)) is None and time.monotonic() < deadline:
            time.sleep(0.2)
        if not verdict:
            with lock:
                mixed.append(question)

    started = time.perf_counter()
    reindexer.start()
    with ThreadPoolExecutor(users) as pool:
        list(pool.map(one, range(questions)))
    seconds = time.perf_counter() - started
    reindexer.stop.set()
    reindexer.join()
    for name, text in reindexer.originals.items():
        (corpus / name).write_text(text, encoding="utf-8")
    for error in sorted(set(errors))[:5]:
        log(f"error: {error}")
    return [
        ["questions", "answered", "mixing generations", "failed", "word search only (notice)", "re-index runs",
         "generations committed", "generations answered from", "seconds"],
        [str(questions), str(done), str(len(mixed)), str(len(errors)), str(degraded), str(reindexer.runs),
         str(len(reindexer.generations) - 1), str(len(seen_generations)), f"{seconds:.0f}"],
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.generations", description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=1000, help="questions asked while re-indexing")
    parser.add_argument("--users", type=int, default=4, help="threads asking at the same time")
    parser.add_argument("--change", type=int, default=2, choices=range(1, len(CHANGING) + 1),
                        help="documents changed by each re-index run")
    parser.add_argument("--skip-restore", action="store_true", help="only the mixing measurement")
    parser.add_argument("--skip-mixing", action="store_true", help="only the restore measurement")
    args = parser.parse_args(argv)

    cache = get_settings().data_dir / EMBEDDING_CACHE_FILE
    cache_from = cache if cache.exists() else None
    with tempfile.TemporaryDirectory(prefix="fsa-generations-") as tmp:
        work = Path(tmp)
        corpus = shutil.copytree(PROJECT_ROOT / "corpus", work / "corpus")
        if not args.skip_restore:
            rows, restored = measure_restore(corpus, work, cache_from)
            print("Restoring a deleted vector store (python -m ingest, embedding cache present):")
            print(text_table(rows))
            print(f"  {restored}")
            print()
        if not args.skip_mixing:
            rows = measure_mixing(corpus, work, cache_from, args.questions, args.users, args.change)
            print(f"Answers during repeated re-indexing by another process ({args.change} documents changed "
                  "per run):")
            print(text_table(rows, left_columns=0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
