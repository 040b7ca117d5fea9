"""``python -m ingest`` in a child process, as the benchmarks run it: into a fresh data directory, watched
(wall time, peak memory, limits), with the counts of its summary line."""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

from index.layout import EMBEDDING_CACHE_FILE
from tools.processes import Watched, run_watched

SUMMARY_RE = re.compile(
    r"(?P<documents>\d+) documents, (?P<chunks>\d+) chunks in the index; (?P<indexed>\d+) indexed, "
    r"(?P<unchanged>\d+) unchanged \(skipped\), (?P<removed>\d+) removed, (?P<failed>\d+) failed; "
    r"[\d.]+ s(?:; (?P<embedded>\d+) texts embedded)?"
)


def fresh_data_dir(path: Path, cache_from: Path | None = None) -> Path:
    """``path`` as an empty directory, with the embedding cache ``cache_from`` copied in when it exists."""
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    if cache_from is not None and cache_from.exists():
        shutil.copy(cache_from, path / EMBEDDING_CACHE_FILE)
    return path


def ingest_in_child(corpus: Path, data_dir: Path, chroma_port: int | None = None, progress: bool = False,
                    max_rss: int | None = None, max_seconds: float | None = None) -> Watched:
    """Ingest ``corpus`` into ``data_dir``: with an embedded Chroma there, never a configured server, unless
    ``chroma_port`` names a Chroma server on localhost. ``progress`` shows ingest's progress bars on stderr."""
    command = [sys.executable, "-m", "ingest", str(corpus)] + ([] if progress else ["--quiet"])
    env = {**os.environ, "FSA_DATA_DIR": str(data_dir), "FSA_CORPUS_DIR": str(corpus), "OMP_WAIT_POLICY": "PASSIVE",
           "FSA_CHROMA_HOST": "127.0.0.1" if chroma_port else ""}
    if chroma_port:
        env["FSA_CHROMA_PORT"] = str(chroma_port)
    return run_watched(command, env, max_rss, max_seconds, capture_stderr=not progress)


def ingest_summary(stdout: str) -> dict[str, int] | None:
    """The counts of ingest's summary line (documents, chunks, indexed, unchanged, removed, failed, embedded);
    None when the output has none."""
    match = SUMMARY_RE.search(stdout)
    return {k: int(v or 0) for k, v in match.groupdict().items()} if match else None
