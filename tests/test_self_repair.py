"""The index heals itself (issue 14): every fault is made for real on a small real index (the real embedded
Chroma, the real bundled model), then ``python -m ingest --check`` must report it, the assistant must say so
in a notice where vector search is affected, and ``python -m ingest`` must repair it without a traceback.

Faults: the vector store deleted, its SQLite file emptied or damaged, the manifest damaged, half the vectors
gone, the leftovers of an ingest killed right after its commit, and a repair that fails on the way."""

from __future__ import annotations

import io
import os
import resource
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from conftest import ingest_cli, ui_server
from gradio_client import Client

from assistant import Assistant
from assistant.components import VECTORS_INCOMPLETE, VECTORS_MISSING
from common.settings import PROJECT_ROOT, Settings
from index import IndexDamagedError, IndexReader
from index.layout import DataLayout
from index.vectorstore import ChromaStore, chroma_client
from ingest import IngestReport, run_ingest
from ingest.__main__ import check

QUESTION = "Vilka målområden har Lindesbergs strategi för föräldraskapsstöd?"


@pytest.fixture
def indexed(make_settings: Callable[..., Settings], small_corpus: Path) -> Settings:
    """Settings whose data directory holds a committed, healthy index of the small corpus."""
    settings = make_settings(corpus_dir=small_corpus)
    report = run_ingest(settings)
    assert not report.failed and report.documents == 3
    return settings


def store_ids(settings: Settings) -> set[str]:
    manifest = DataLayout(settings.data_dir).read_manifest()
    return set(ChromaStore(chroma_client(settings, fresh=True), manifest.collection).all_ids())


def manifest_ids(settings: Settings) -> set[str]:
    return set(IndexReader.open(settings).chunks)


def assert_check(settings: Settings, ok: bool, *expected: str) -> str:
    """``python -m ingest --check`` (its function, in this process): exit 0 when the index agrees, else 1."""
    out = io.StringIO()
    with redirect_stdout(out):
        code = check(settings)
    assert code == (0 if ok else 1), (code, out.getvalue())
    for text in expected:
        assert text in out.getvalue(), (text, out.getvalue())
    return out.getvalue()


def assert_agrees(settings: Settings) -> None:
    """Every chunk of the manifest has its vector, nothing else is in the store, no file is left over."""
    assert store_ids(settings) == manifest_ids(settings)
    assert_check(settings, True, "ok: the manifest, the parsed documents, the lexical index and the vector store agree")
    assert not list(settings.data_dir.glob("chroma.damaged-*"))


def assert_repaired(settings: Settings, *expected: str) -> IngestReport:
    """An ingest repairs, says what it repaired, and leaves an index that agrees."""
    report = run_ingest(settings)
    assert not report.failed, [r.message for r in report.results]
    for text in expected:
        assert any(text in line for line in report.repairs), (text, report.repairs)
    assert report.vectors == report.chunks == len(manifest_ids(settings))
    assert_agrees(settings)
    return report


def assert_repaired_by_cli(settings: Settings, *expected: str) -> subprocess.CompletedProcess:
    """``python -m ingest`` exits 0 without a traceback, prints what it repaired, and the index agrees."""
    done = ingest_cli(settings)
    assert done.returncode == 0, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr, done.stderr
    for text in expected:
        assert text in done.stderr, (text, done.stderr)
    chunks = manifest_ids(settings)
    assert f"vector store: {len(chunks)} vectors for {len(chunks)} chunks" in done.stdout, done.stdout
    assert_agrees(settings)
    return done


def ask(settings: Settings, assistant: Assistant | None = None) -> list[str]:
    """The notices of an answer to QUESTION (checked to come from the index)."""
    assistant = assistant or Assistant(settings)
    answer = assistant.ask(QUESTION)
    assert answer.passages and answer.answer.strip()
    return answer.notices


def assert_restored_from_cache(report: IngestReport, n: int) -> None:
    assert report.restored_vectors == n and report.embedded == 0  # the embedding cache had every vector
    assert report.count("unchanged") == 3  # no document was parsed again


# --- a lost vector store ------------------------------------------------------------------------


def test_deleted_vector_store_gives_a_notice_and_ingest_restores_every_vector(indexed: Settings):
    settings = indexed
    before = Assistant(settings)  # a chat that runs through the fault and the repair
    assert VECTORS_MISSING not in ask(settings, before)
    generation = DataLayout(settings.data_dir).read_manifest().generation
    chunks = manifest_ids(settings)

    shutil.rmtree(settings.chroma_dir)
    out = assert_check(settings, False, f"{len(chunks)} of {len(chunks)} chunks have no vector")
    assert "0 vectors in the store" in out
    assert VECTORS_MISSING in ask(settings)  # a newly loaded assistant says so with every answer

    report = assert_repaired(settings, f"restored {len(chunks)} missing vectors")
    assert_restored_from_cache(report, len(chunks))
    assert DataLayout(settings.data_dir).read_manifest().generation > generation  # readers reload
    assert VECTORS_MISSING not in ask(settings, before)  # the running chat sees the repaired store
    assert before.index.generation > generation  # … because it reloaded the repaired generation
    assert VECTORS_MISSING not in ask(settings)


def test_the_commands_report_and_repair_a_deleted_store(indexed_by_cli: Settings):
    """The same through the commands: the CLI answer carries the notice, ``--check`` exits 1 and
    ``python -m ingest`` repairs with exit 0 and no traceback."""
    settings = indexed_by_cli
    chunks = manifest_ids(settings)
    shutil.rmtree(settings.chroma_dir)
    env = {k: v for k, v in os.environ.items() if not k.startswith("FSA_")}
    env |= {"FSA_DATA_DIR": str(settings.data_dir), "FSA_CORPUS_DIR": str(settings.corpus_dir),
            "OMP_WAIT_POLICY": "PASSIVE"}
    done = subprocess.run([sys.executable, "-m", "assistant", "ask", QUESTION], cwd=PROJECT_ROOT, env=env,
                          text=True, capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert f"Obs: {VECTORS_MISSING}" in done.stdout, done.stdout

    checked = ingest_cli(settings, "--check")
    assert checked.returncode == 1 and "Traceback" not in checked.stderr, (checked.stdout, checked.stderr)
    assert f"problem: vector store: {len(chunks)} of {len(chunks)} chunks have no vector" in checked.stdout
    done = assert_repaired_by_cli(settings, f"repaired: restored {len(chunks)} missing vectors of unchanged "
                                            f"chunks ({len(chunks)} from the embedding cache, 0 embedded again)")
    assert "0 indexed, 3 unchanged" in done.stdout, done.stdout
    checked = ingest_cli(settings, "--check")
    assert checked.returncode == 0 and "ok:" in checked.stdout, (checked.stdout, checked.stderr)


def test_emptied_sqlite_file_is_repaired(indexed: Settings):
    settings = indexed
    chunks = manifest_ids(settings)
    (settings.chroma_dir / "chroma.sqlite3").write_bytes(b"")
    assert_check(settings, False, f"{len(chunks)} of {len(chunks)} chunks have no vector")
    assert VECTORS_MISSING in ask(settings)
    report = assert_repaired(settings, f"restored {len(chunks)} missing vectors")
    assert_restored_from_cache(report, len(chunks))


def damage(path: Path) -> None:
    """Overwrite the middle of a file with zeros (its first page, the SQLite header, stays)."""
    data = bytearray(path.read_bytes())
    data[4096:len(data) // 2] = bytes(len(data) // 2 - 4096)
    path.write_bytes(bytes(data))


def test_damaged_sqlite_file_is_moved_aside_and_rebuilt(indexed: Settings):
    settings = indexed
    chunks = manifest_ids(settings)
    damage(settings.chroma_dir / "chroma.sqlite3")
    assert_check(settings, False, "vector store: cannot be read", "malformed")
    report = assert_repaired(settings, "was damaged", "rebuilt from the embedding cache")
    assert_restored_from_cache(report, len(chunks))


def test_a_failed_repair_leaves_the_data_directory_as_it_was(indexed_by_cli: Settings):
    """The rebuild of a damaged store fails (every write past 64 kB fails, like a full disk): exit 2, and the
    damaged store is put back where it was, the manifest unchanged; the next run repairs."""
    settings = indexed_by_cli
    damage(settings.chroma_dir / "chroma.sqlite3")
    store_before = sorted(p.relative_to(settings.chroma_dir) for p in settings.chroma_dir.rglob("*"))
    manifest_before = settings.data_dir.joinpath("manifest.json").read_bytes()

    def small_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))

    done = ingest_cli(settings, preexec=small_files)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr and "The previous index is unchanged." in done.stderr, done.stderr
    assert "File too large" in done.stderr or "disk" in done.stderr, done.stderr  # the rebuild was tried
    # The damaged store is back in place (SQLite may have touched its header), nothing else was left.
    assert sorted(p.relative_to(settings.chroma_dir) for p in settings.chroma_dir.rglob("*")) == store_before
    assert settings.data_dir.joinpath("manifest.json").read_bytes() == manifest_before
    assert not list(settings.data_dir.glob("chroma.damaged-*"))
    assert_check(settings, False, "vector store: cannot be read", "malformed")
    assert_repaired_by_cli(settings, "was damaged")


def test_half_the_vectors_missing_gives_the_incomplete_notice(indexed: Settings):
    settings = indexed
    manifest = DataLayout(settings.data_dir).read_manifest()
    store = ChromaStore(chroma_client(settings, fresh=True), manifest.collection)
    ids = sorted(store.all_ids())
    gone = ids[::2]
    store.delete(gone)
    notice = VECTORS_INCOMPLETE.format(missing=len(gone), total=len(ids))
    assert notice in ask(settings)
    assert_check(settings, False, f"{len(gone)} of {len(ids)} chunks have no vector")
    report = assert_repaired(settings, f"restored {len(gone)} missing vectors")
    assert_restored_from_cache(report, len(gone))
    assert notice not in ask(settings)


# --- a damaged manifest -------------------------------------------------------------------------


@pytest.mark.parametrize("garbage", [b"\xff\xfe\x00 not text", b'{"generation": 3, "documents": ', b"[]"])
def test_damaged_manifest_is_rebuilt_from_the_sources(indexed_by_cli: Settings, garbage: bytes):
    settings = indexed_by_cli
    chunks = manifest_ids(settings)
    settings.data_dir.joinpath("manifest.json").write_bytes(garbage)
    with pytest.raises(IndexDamagedError, match="run python -m ingest"):
        IndexReader.open(settings)
    assert_check(settings, False, "the index manifest", "is damaged")
    done = assert_repaired_by_cli(settings, "repaired: the index manifest", "is damaged",
                                  "the index is rebuilt from the sources")
    assert manifest_ids(settings) == chunks  # the same chunks as before the damage
    assert "3 indexed" in done.stdout, done.stdout


def test_damaged_parsed_document_is_parsed_again(indexed: Settings):
    settings = indexed
    manifest = DataLayout(settings.data_dir).read_manifest()
    entry = manifest.documents["lindesberg-strategi-2023-2026"]
    (settings.data_dir / "documents" / entry.parsed_file).write_text("{", encoding="utf-8")
    assert_check(settings, False, "document lindesberg-strategi-2023-2026:", "missing or damaged")
    report = assert_repaired(settings, "document lindesberg-strategi-2023-2026:", "it is parsed again")
    assert report.count("indexed") == 1 and report.count("unchanged") == 2


# --- leftovers of an ingest killed right after its commit ---------------------------------------


def test_leftovers_of_a_kill_after_the_commit_are_removed_when_nothing_changed(indexed: Settings, tmp_path: Path):
    """A kill between the commit and the clean-up leaves the old generation's vectors, its lexical index and
    parsed files, and temporary files. They are made here as such a kill leaves them: the state of generation 1
    is kept, generation 2 is committed, and what generation 1 had that 2 does not is put back."""
    settings = indexed
    layout = DataLayout(settings.data_dir)
    first = layout.read_manifest()
    kept_copy = shutil.copytree(settings.data_dir, tmp_path / "generation-1")
    changed = settings.corpus_dir / "remissvar-region-orebro-lan-2023.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\n\nRegionen vill även se en plan för hur föräldrar "
                       "med annat modersmål nås av stödet.\n", encoding="utf-8")
    assert run_ingest(settings).count("indexed") == 1
    second = layout.read_manifest()
    new_ids = manifest_ids(settings)

    # Put generation 1's leftovers back: vectors, lexical index, parsed files, a half-written manifest.
    old_store = ChromaStore(chroma_client(Settings(data_dir=kept_copy, corpus_dir=settings.corpus_dir),
                                          fresh=True), first.collection)
    old_ids = sorted(set(old_store.all_ids()) - new_ids)
    got = old_store._collection.get(ids=old_ids, include=["embeddings", "documents", "metadatas"])
    ChromaStore(chroma_client(settings, fresh=True), second.collection).add(
        got["ids"], [list(map(float, v)) for v in got["embeddings"]], got["documents"], got["metadatas"])
    shutil.copytree(kept_copy / first.lexical_dir, settings.data_dir / first.lexical_dir)
    old_entry = first.documents["remissvar-region-orebro-2023"]
    leftovers = [old_entry.parsed_file, old_entry.parsed_file.replace(".json", ".sentences.npy")]
    for name in leftovers:
        shutil.copy(kept_copy / "documents" / name, settings.data_dir / "documents" / name)
    (settings.data_dir / ".manifest.json.abc123.tmp").write_text("{", encoding="utf-8")
    assert len(old_ids) >= 2 and store_ids(settings) == new_ids | set(old_ids)

    out = assert_check(settings, False, f"{len(old_ids)} vectors of chunks the manifest does not name",
                       "4 files the manifest does not name")
    assert first.lexical_dir in out

    report = run_ingest(settings)  # nothing changed since generation 2
    assert report.count("unchanged") == 3 and not report.failed
    assert layout.read_manifest().generation == second.generation  # nothing readers see has changed
    assert report.removed_vectors == len(old_ids) and report.removed_files == 4
    assert store_ids(settings) == new_ids
    assert not (settings.data_dir / first.lexical_dir).exists()
    assert not (settings.data_dir / ".manifest.json.abc123.tmp").exists()
    assert_check(settings, True)


def test_a_healthy_index_is_left_alone(indexed: Settings):
    settings = indexed
    generation = DataLayout(settings.data_dir).read_manifest().generation
    assert_check(settings, True, "ok:")
    report = run_ingest(settings)
    assert report.count("unchanged") == 3 and not report.repairs and not report.warnings
    assert report.removed_vectors == 0 and report.removed_files == 0 and report.embedded == 0
    assert DataLayout(settings.data_dir).read_manifest().generation == generation
    assert VECTORS_MISSING not in ask(settings)


# --- the running chat server --------------------------------------------------------------------


@pytest.mark.slow
def test_the_chat_server_shows_the_notice_until_an_outside_ingest_repairs(indexed_by_cli: Settings):
    """The real ``python -m ui`` over HTTP: with the vector store deleted every answer shows the notice; after
    ``python -m ingest`` in another process the same running server answers without it."""
    settings = indexed_by_cli
    shutil.rmtree(settings.chroma_dir)
    with ui_server("self-repair", settings.data_dir, FSA_CORPUS_DIR=str(settings.corpus_dir)) as ui:
        client = Client(ui.url, verbose=False)
        down = client.predict(question=QUESTION, api_name="/ask")
        assert VECTORS_MISSING in down["notices"], down["notices"]
        assert f"Obs! {VECTORS_MISSING}" in down["answer_html"]
        assert down["passages"]  # word search still answers

        assert_repaired_by_cli(settings, "repaired: restored")
        again = client.predict(question=QUESTION, api_name="/ask")
        assert VECTORS_MISSING not in again["notices"], again["notices"]
        assert ui.process is not None and ui.process.poll() is None
