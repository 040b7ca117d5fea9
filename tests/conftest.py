"""Shared fixtures: real settings in temporary directories, the real corpus indexed once
per test session with the real bundled embedding model, and a real ``chroma run`` server."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from gradio_client import Client  # noqa: E402

from common.settings import PROJECT_ROOT, Settings  # noqa: E402
from index import IndexReader  # noqa: E402
from ingest import run_ingest  # noqa: E402
from tools.servers import ChromaServer  # noqa: E402  (importing it also keeps loopback out of any proxy)
from tools.servers import UIServer as Server  # noqa: E402

CORPUS = PROJECT_ROOT / "corpus"
ARTIFACTS = PROJECT_ROOT / "test-artifacts"


@pytest.fixture(scope="session")
def session_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("session")


@pytest.fixture(scope="session")
def corpus_settings(session_dir: Path) -> Settings:
    """Settings whose data directory holds an index of the real corpus (built once)."""
    settings = Settings(corpus_dir=CORPUS, data_dir=session_dir / "corpus-index")
    report = run_ingest(settings)
    assert not report.failed, [r.message for r in report.results if r.status == "failed"]
    return settings


@pytest.fixture(scope="session")
def embedding_cache(corpus_settings: Settings) -> Path:
    """The session's embedding cache: copy it into a new data dir to make its ingest fast."""
    return corpus_settings.data_dir / "embedding-cache.sqlite"


@pytest.fixture
def make_settings(tmp_path: Path, embedding_cache: Path) -> Callable[..., Settings]:
    """Settings in a fresh data directory (with the session's embedding cache copied in)."""

    def factory(**overrides) -> Settings:
        data_dir = overrides.pop("data_dir", tmp_path / "data")
        data_dir.mkdir(parents=True, exist_ok=True)
        if embedding_cache.exists() and not (data_dir / "embedding-cache.sqlite").exists():
            shutil.copy(embedding_cache, data_dir / "embedding-cache.sqlite")
        return Settings(data_dir=data_dir, corpus_dir=overrides.pop("corpus_dir", CORPUS), **overrides)

    return factory


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A writable copy of the corpus (with its catalog) to add, change and remove files in."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


# Three real documents (about 40 chunks) with the real catalog: a small index for fault and generation tests.
SMALL_CORPUS = ["lindesberg-strategi-foraldraskapsstod-2023-2026.md", "remiss-regional-strategi-orebro-lan-2023.txt",
                "remissvar-region-orebro-lan-2023.txt"]


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    """A writable corpus folder with the ``SMALL_CORPUS`` documents and the real catalog."""
    corpus = tmp_path / "korpus"
    corpus.mkdir()
    for name in SMALL_CORPUS + ["catalog.toml"]:
        shutil.copy(CORPUS / name, corpus / name)
    return corpus


def ingest_cli(settings: Settings, *args: str, preexec: Callable[[], None] | None = None
               ) -> subprocess.CompletedProcess:
    """``python -m ingest --quiet ARGS`` as a real child process over ``settings``' data and corpus."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FSA_")}
    env |= {"FSA_DATA_DIR": str(settings.data_dir), "FSA_CORPUS_DIR": str(settings.corpus_dir),
            "OMP_WAIT_POLICY": "PASSIVE"}
    return subprocess.run([sys.executable, "-m", "ingest", "--quiet", *args], cwd=PROJECT_ROOT, env=env, text=True,
                          capture_output=True, timeout=300, preexec_fn=preexec)


@pytest.fixture
def indexed_by_cli(make_settings: Callable[..., Settings], small_corpus: Path) -> Settings:
    """Settings whose data directory holds an index of the small corpus built by ``python -m ingest`` (a
    document's hash includes the parser's source as the process read it: a test's later ``python -m
    ingest`` must see the same)."""
    settings = make_settings(corpus_dir=small_corpus)
    done = ingest_cli(settings)
    assert done.returncode == 0 and "3 documents" in done.stdout and "Traceback" not in done.stderr, \
        (done.stdout, done.stderr)
    return settings


def ui_server(name: str, data_dir: Path, **env: str) -> Server:
    """A real ``python -m ui`` over ``data_dir`` on a free localhost port (``with ui_server(…) as ui``, or
    ``.start()`` and ``.stop()``); its log is ``test-artifacts/ui-server-<name>.log``."""
    return Server(data_dir, ARTIFACTS / f"ui-server-{name}.log", {"FSA_CORPUS_DIR": str(CORPUS), **env})


@pytest.fixture(scope="session")
def reader(corpus_settings: Settings) -> IndexReader:
    """The session's corpus index, read-only."""
    return IndexReader.open(corpus_settings)


@pytest.fixture(scope="module")
def client(server: Server) -> Client:
    """A ``gradio_client`` for the module's own ``server`` fixture."""
    return Client(server.url, verbose=False)


def report(pytestconfig: pytest.Config, line: str) -> None:
    """A line in the test output even when output is captured (figures the closing notes quote)."""
    reporter = pytestconfig.pluginmanager.get_plugin("terminalreporter")
    capture = pytestconfig.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None:
        print(line)
        return
    with capture.global_and_fixture_disabled():
        reporter.write_line(line)


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[ChromaServer]:
    """A real ``chroma run`` server on a free localhost port, stopped after the test."""
    with ChromaServer(tmp_path / "chroma-server") as server:
        yield server
