"""Ingest end to end: no broken words in the index, incremental runs, failures, kills, bad files, real PDF/DOCX."""

from __future__ import annotations

import io
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import tomllib
import zipfile
from pathlib import Path

import pytest
from docx import Document
from pdfgen import Line, encrypt_pdf, make_pdf

from common.settings import PROJECT_ROOT, Settings
from index import IndexReader
from index.layout import DataLayout
from index.vectorstore import ChromaStore, StoreError, chroma_client
from ingest import run_ingest

CORPUS = PROJECT_ROOT / "corpus"
REFERRAL = "remiss-regional-strategi-orebro-lan-2023.txt"
ANSWER = "remissvar-region-orebro-lan-2023.txt"
LINDESBERG = "lindesberg-strategi-foraldraskapsstod-2023-2026.md"
# A line-break hyphen followed by a conjunction is a compound ellipsis ("hälso- och sjukvård").
CONJUNCTIONS = {"och", "eller", "samt", "respektive", "resp", "liksom"}


# --- helpers ---------------------------------------------------------------------------------


def statuses(report) -> dict[str, str]:
    return {Path(r.path).name: r.status for r in report.results}


def snapshot(settings: Settings) -> dict[str, str]:
    """Chunk id -> chunk text of the committed index, as a reader sees it."""
    reader = IndexReader.open(settings)
    return {cid: chunk.text for cid, chunk in reader.chunks.items()}


def store_ids(settings: Settings) -> set[str]:
    manifest = DataLayout(settings.data_dir).read_manifest()
    return set(ChromaStore(chroma_client(settings), manifest.collection).all_ids())


def fingerprint(settings: Settings) -> tuple[dict[str, tuple[str, int]], dict[str, str]]:
    """What a clean ingest must reproduce: per document (content hash, chunk count), and all chunks."""
    manifest = DataLayout(settings.data_dir).read_manifest()
    docs = {d: (e.content_hash, e.chunks) for d, e in manifest.documents.items()}
    return docs, snapshot(settings)


def with_cache(data_dir: Path, cache: Path) -> Path:
    data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(cache, data_dir / "embedding-cache.sqlite")
    return data_dir


def cli_env(data_dir: Path, corpus: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FSA_")}
    return {**env, "FSA_DATA_DIR": str(data_dir), "FSA_CORPUS_DIR": str(corpus), "PYTHONPATH": str(PROJECT_ROOT)}


# --- the must-show test: no word broken by a line break survives ---------------------------------


def line_break_hyphenations() -> list[tuple[str, str, str]]:
    """(file, first part, second part) of every word the raw extractions split over a line break."""
    pairs = []
    for path in sorted(CORPUS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        for m in re.finditer(r"(\w+)-[ \t]*\n\s*([a-zåäö]\w*)", text):
            if m.group(2) not in CONJUNCTIONS:
                pairs.append((path.name, m.group(1), m.group(2)))
    return pairs


def test_no_word_split_by_a_line_break_survives_in_the_index(reader):
    chunks = list(reader.chunks.values())
    assert len(chunks) > 150
    # What Chroma stores is the same text the reader cites.
    collection = chroma_client(reader.settings).get_collection(reader.manifest.collection)
    stored = collection.get(ids=[c.chunk_id for c in chunks], include=["documents"])
    assert dict(zip(stored["ids"], stored["documents"])) == {c.chunk_id: c.text for c in chunks}

    chunk_texts = "\n\n".join(c.text for c in chunks)
    cleaned = "\n\n".join(doc.text for doc in reader.documents.values())
    raw_texts = {p.name: p.read_text(encoding="utf-8") for p in CORPUS.glob("*.txt")}
    pairs = line_break_hyphenations()
    assert len(pairs) > 80  # föräld-/raskapsstöd, kun-/skapsbaserat, pri-/oriterat …
    broken = []
    for name, first, second in pairs:
        # A form that the raw file itself writes on one line is not a broken word.
        in_line = " ".join(re.findall(rf"\b{first}[- ]{second}\b", raw_texts[name].replace("\n", "\x00")))
        for pattern in (rf"\b{first}-\s+{second}\b", rf"\b{first} {second}\b"):
            for m in re.finditer(pattern, chunk_texts):
                if m.group(0) not in in_line:
                    broken.append((name, first, second, m.group(0)))
        real_hyphen = first.isupper() or any(ch.isdigit() for ch in first)
        if not real_hyphen and re.search(rf"\b{first}-{second}\b", chunk_texts) and f"{first}-{second}" not in in_line:
            broken.append((name, first, second, f"{first}-{second}"))
        joined = f"{first}-{second}" if real_hyphen else f"{first}{second}"
        assert joined in cleaned, (name, first, second)
    assert not broken, broken

    for chunk in chunks:
        assert "\uf0b7" not in chunk.text and "\uf0b7" not in chunk.context
        assert "| REMISS" not in chunk.text and "REMISS |" not in chunk.text
        assert "√" not in chunk.text and "•" not in chunk.text
        assert not re.search(r"\.{4,}", chunk.text)  # no table-of-contents leaders


# --- incremental runs --------------------------------------------------------------------------


def test_unchanged_corpus_is_skipped_without_embedding(make_settings):
    settings = make_settings()
    first = run_ingest(settings)
    assert set(statuses(first).values()) == {"indexed"} and first.documents == 6
    before = DataLayout(settings.data_dir).read_manifest()
    chunks = snapshot(settings)

    again = run_ingest(settings)
    assert set(statuses(again).values()) == {"unchanged"} and len(again.results) == 6
    assert again.embedded == 0
    assert again.chunks == first.chunks and again.documents == 6
    assert DataLayout(settings.data_dir).read_manifest().generation == before.generation
    assert snapshot(settings) == chunks
    assert store_ids(settings) == set(chunks)


def test_new_chunk_sizes_chunk_every_document_again(make_settings, small_corpus):
    """The chunk sizes are part of what an index was built with: changing them is not "unchanged"."""
    settings = make_settings(corpus_dir=small_corpus)
    first = run_ingest(settings)
    assert DataLayout(settings.data_dir).read_manifest().chunking == "700/1100"
    larger = make_settings(corpus_dir=small_corpus, chunk_target_chars=1400, chunk_max_chars=2000)
    again = run_ingest(larger)
    assert set(statuses(again).values()) == {"indexed"}
    assert again.chunks < first.chunks  # fewer, larger chunks
    assert DataLayout(settings.data_dir).read_manifest().chunking == "1400/2000"
    assert set(statuses(run_ingest(larger)).values()) == {"unchanged"}
    assert store_ids(larger) == set(snapshot(larger))


def test_a_changed_file_replaces_only_its_own_chunks(make_settings, corpus_copy):
    settings = make_settings(corpus_dir=corpus_copy)
    run_ingest(settings)
    before = IndexReader.open(settings)
    answer_id = "remissvar-region-orebro-2023"
    old_ids = {cid for cid, c in before.chunks.items() if c.doc_id == answer_id}
    others = {cid: c.text for cid, c in before.chunks.items() if c.doc_id != answer_id}
    assert old_ids and others

    path = corpus_copy / ANSWER
    added = "Regionen ser positivt på att strategin följs upp vartannat år."
    path.write_text(path.read_text(encoding="utf-8") + f"\n{added}\n", encoding="utf-8")
    report = run_ingest(settings)

    assert statuses(report)[ANSWER] == "indexed"
    assert [s for n, s in statuses(report).items() if n != ANSWER] == ["unchanged"] * 5
    assert 0 < report.embedded < 20  # only the changed document's new text
    after = IndexReader.open(settings)
    new_ids = {cid for cid, c in after.chunks.items() if c.doc_id == answer_id}
    assert new_ids and not new_ids & old_ids
    assert added in after.documents[answer_id].text
    assert any(added in after.chunks[cid].text for cid in new_ids)
    in_store = store_ids(settings)
    assert not old_ids & in_store  # the old version's vectors are gone
    assert new_ids <= in_store
    assert {cid: after.chunks[cid].text for cid in others} == others  # the others are untouched
    assert set(others) <= in_store
    assert in_store == set(after.chunks)


def test_a_removed_file_is_removed_with_its_chunks(make_settings, corpus_copy):
    settings = make_settings(corpus_dir=corpus_copy)
    run_ingest(settings)
    before = IndexReader.open(settings)
    doomed = {cid for cid, c in before.chunks.items() if c.doc_id == "remiss-regional-strategi-2023"}
    assert doomed

    (corpus_copy / REFERRAL).unlink()
    report = run_ingest(settings)
    removed = [r for r in report.results if r.status == "removed"]
    assert [(r.doc_id, Path(r.path).name) for r in removed] == [("remiss-regional-strategi-2023", REFERRAL)]
    assert report.count("unchanged") == 5 and report.documents == 5
    after = IndexReader.open(settings)
    assert "remiss-regional-strategi-2023" not in after.documents
    assert not doomed & set(after.chunks)
    assert not doomed & store_ids(settings)
    assert set(after.chunks) == set(before.chunks) - doomed


def test_files_without_catalog_entry_get_their_title_from_the_document(make_settings, corpus_copy):
    settings = make_settings(corpus_dir=corpus_copy)
    run_ingest(settings)
    lindesberg = (CORPUS / LINDESBERG).read_text(encoding="utf-8")
    definition = lindesberg[lindesberg.index("## Definition"):lindesberg.index("## Föräldraskapsstöd som bas")]
    (corpus_copy / "utdrag-lindesberg.md").write_text(
        f"# Utdrag ur Lindesbergs strategi för föräldraskapsstöd\n\n{definition}", encoding="utf-8")
    shutil.copy(CORPUS / REFERRAL, corpus_copy / "nytt-remissbrev.txt")

    report = run_ingest(settings)
    assert statuses(report)["utdrag-lindesberg.md"] == "indexed"
    assert statuses(report)["nytt-remissbrev.txt"] == "indexed"
    assert report.count("unchanged") == 6
    reader = IndexReader.open(settings)
    md = reader.entries["utdrag-lindesberg"]
    assert md.title == "Utdrag ur Lindesbergs strategi för föräldraskapsstöd"
    txt = reader.entries["nytt-remissbrev"]
    first_heading = next(b for b in reader.documents["nytt-remissbrev"].blocks if b.kind == "heading")
    assert txt.title == reader.documents["nytt-remissbrev"].text[first_heading.start:first_heading.end] == "Remiss"
    assert any(c.context.startswith(md.title) for c in reader.chunks_by_doc["utdrag-lindesberg"])
    footnote = next(b for b in reader.documents["utdrag-lindesberg"].blocks if b.kind == "footnote")
    assert reader.documents["utdrag-lindesberg"].text[footnote.start:].startswith("Regeringskansliet")


# --- a failure and a kill midway -----------------------------------------------------------------


def test_a_store_failure_midway_leaves_the_previous_index_usable(make_settings, corpus_copy, monkeypatch, tmp_path,
                                                                 embedding_cache):
    settings = make_settings(corpus_dir=corpus_copy)
    run_ingest(settings)
    previous = snapshot(settings)
    generation = DataLayout(settings.data_dir).read_manifest().generation

    for name in (REFERRAL, ANSWER):  # two changed documents: two writes to Chroma
        path = corpus_copy / name
        path.write_text(path.read_text(encoding="utf-8") + "\nStrategin följs upp vartannat år.\n", encoding="utf-8")
    real_add = ChromaStore.add
    calls = []

    def add_then_fail(self, *args, **kwargs):
        calls.append(args[0])
        if len(calls) > 1:
            raise OSError(28, "No space left on device")
        return real_add(self, *args, **kwargs)

    monkeypatch.setattr(ChromaStore, "add", add_then_fail)
    with pytest.raises(StoreError, match="No space left on device"):
        run_ingest(settings)
    assert len(calls) == 2 and set(calls[0]) <= store_ids(settings)  # the first document was written

    monkeypatch.setattr(ChromaStore, "add", real_add)
    reader = IndexReader.open(settings)
    assert reader.generation == generation
    assert {cid: c.text for cid, c in reader.chunks.items()} == previous
    tokens = reader.lexical.analyzer.tokens("Vad står BVC för?")
    assert reader.lexical_search(tokens, 5)
    vector = reader.sentence_vectors("kommundialoger-orebro-2016", 0, 10**9)[1][0]
    hits = reader.dense_search(vector, 5)
    assert hits and all(chunk.chunk_id in previous for chunk, _ in hits)

    report = run_ingest(settings)
    assert {statuses(report)[REFERRAL], statuses(report)[ANSWER]} == {"indexed"}
    clean = Settings(data_dir=with_cache(tmp_path / "clean", embedding_cache), corpus_dir=corpus_copy)
    run_ingest(clean)
    assert fingerprint(settings) == fingerprint(clean)
    assert store_ids(settings) == set(snapshot(settings))  # the failed run's leftovers are cleaned up


def copies_with_catalog(corpus: Path, copies: int) -> None:
    """Add ``copies`` catalogued copies of every document (same titles, so their vectors are cached)."""
    catalog = (corpus / "catalog.toml").read_text(encoding="utf-8")
    entries = []
    for k in range(1, copies + 1):
        for doc in tomllib.loads(catalog)["document"]:
            source = Path(doc["file"])
            name = f"{source.stem}-kopia-{k}{source.suffix}"
            shutil.copy(corpus / doc["file"], corpus / name)
            extra = f'page_numbers = "{doc["page_numbers"]}"\n' if "page_numbers" in doc else ""
            entries.append(f'\n[[document]]\nid = "{doc["id"]}-kopia-{k}"\nfile = "{name}"\n'
                           f'title = "{doc["title"]}"\n{extra}')
    (corpus / "catalog.toml").write_text(catalog + "".join(entries), encoding="utf-8")


class Ingest:
    """``python -m ingest`` in a child process, following its progress bars (stage, done, total)."""

    STAGES = {"reading": "read", "embedding": "embed", "storing": "store"}
    _BAR_RE = re.compile(rb"(reading|embedding|storing)\s*:\s*\d+%\|[^|]*\|\s*(\d+)/(\d+)")

    def __init__(self, corpus: Path, data_dir: Path) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "ingest", str(corpus)], env=cli_env(data_dir, corpus),
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=PROJECT_ROOT)
        self.progress: dict[str, tuple[int, int]] = {}  # stage -> (done, total), in the order reached
        self.stderr = b""
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        while chunk := os.read(self.proc.stderr.fileno(), 4096):
            self.stderr += chunk
            for m in self._BAR_RE.finditer(self.stderr[-8192:]):
                self.progress[self.STAGES[m.group(1).decode()]] = (int(m.group(2)), int(m.group(3)))

    def wait_for(self, stage: str, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while stage not in self.progress:
            assert self.proc.poll() is None, f"ingest ended before {stage}: {self.stderr.decode()[-2000:]}"
            assert time.monotonic() < deadline, f"no {stage} stage within {timeout} s"
            time.sleep(0.01)

    def kill_after(self, delay: float, stage: str) -> tuple[str, tuple[int, int]]:
        """SIGKILL after ``delay`` seconds, or earlier once ``stage`` is half done; where it was."""
        deadline = time.monotonic() + delay
        while time.monotonic() < deadline:
            done, total = self.progress.get(stage, (0, 1))
            if done >= total / 2:
                break
            time.sleep(0.01)
        assert self.proc.poll() is None, "the ingest finished before it could be killed"
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)
        assert self.proc.returncode == -signal.SIGKILL
        last = list(self.progress)[-1]
        return last, self.progress[last]


def test_a_killed_ingest_leaves_the_previous_index_and_a_rerun_completes(tmp_path, corpus_copy, embedding_cache):
    rng_seed = int.from_bytes(os.urandom(4), "big")
    rng = random.Random(rng_seed)
    # The previous index: the real corpus, built by the CLI.
    pristine = with_cache(tmp_path / "pristine", embedding_cache)
    done = subprocess.run([sys.executable, "-m", "ingest", str(corpus_copy), "--quiet"],
                          env=cli_env(pristine, corpus_copy), capture_output=True, text=True, timeout=300,
                          cwd=PROJECT_ROOT)
    assert done.returncode == 0, done.stderr
    previous_settings = Settings(data_dir=pristine, corpus_dir=corpus_copy)
    previous = snapshot(previous_settings)
    previous_generation = DataLayout(pristine).read_manifest().generation
    probe = IndexReader.open(previous_settings)
    tokens = probe.lexical.analyzer.tokens("Vilka program finns för föräldrar till tonåringar?")
    previous_lexical = [(c.chunk_id, round(s, 4)) for c, s in probe.lexical_search(tokens, 10)]

    # Much more work for the next run: six catalogued copies of every document.
    copies_with_catalog(corpus_copy, 6)

    # Kill it at random moments within each stage: parsing files, embedding, and writing the index.
    plan = [("read", rng.uniform(0.05, 0.6)), ("embed", rng.uniform(0.0, 0.3)), ("store", rng.uniform(0.05, 0.8))]
    killed_dir = None
    for n, (stage, delay) in enumerate(plan):
        killed_dir = shutil.copytree(pristine, tmp_path / f"killed-{n}")
        run = Ingest(corpus_copy, killed_dir)
        run.wait_for(stage)
        reached, (done, total) = run.kill_after(delay, stage)
        where = f"seed {rng_seed}: killed up to {delay:.2f} s into {stage}, at {reached} {done}/{total}"

        settings = Settings(data_dir=killed_dir, corpus_dir=corpus_copy)
        assert DataLayout(killed_dir).read_manifest().generation == previous_generation, where
        reader = IndexReader.open(settings)
        assert {cid: c.text for cid, c in reader.chunks.items()} == previous, where
        assert [(c.chunk_id, round(s, 4)) for c, s in reader.lexical_search(tokens, 10)] == previous_lexical, where
        vector = reader.sentence_vectors("regional-samling-vastmanland", 0, 10**9)[1][3]
        hits = reader.dense_search(vector, 10)
        assert hits and all(c.chunk_id in previous for c, _ in hits), where
        if stage == "store":
            # Killed while writing: new vectors are in Chroma, but the manifest does not name them.
            assert reached == "store" and done < total, where  # the bar lags: 0 is shown after the first write
            assert store_ids(settings) > set(previous), where

    settings = Settings(data_dir=killed_dir, corpus_dir=corpus_copy)
    report = run_ingest(settings)
    assert not report.failed and report.documents == 42
    clean = Settings(data_dir=with_cache(tmp_path / "clean", embedding_cache), corpus_dir=corpus_copy)
    clean_report = run_ingest(clean)
    assert report.chunks == clean_report.chunks
    assert fingerprint(settings) == fingerprint(clean)
    assert store_ids(settings) == set(snapshot(settings))


# --- bad input --------------------------------------------------------------------------------


BAD_FILES = {
    "tom.txt": "empty",
    "blanksteg.txt": "empty",
    "trasig.pdf": "damaged or not a pdf",
    "krypterad.pdf": "encrypted",
    "binar.txt": "binary",
    "anteckningar.xyz": "unsupported",
    "skrap.docx": "damaged",
}


@pytest.fixture
def bad_corpus(tmp_path) -> Path:
    corpus = tmp_path / "blandat"
    corpus.mkdir()
    for name in (REFERRAL, ANSWER, "catalog.toml"):
        shutil.copy(CORPUS / name, corpus / name)
    # A Swedish text saved in Windows-1252 (the real answer to the referral, with its en dashes).
    (corpus / "windows-1252.txt").write_bytes((CORPUS / ANSWER).read_text(encoding="utf-8").encode("cp1252"))
    (corpus / "tom.txt").write_bytes(b"")
    (corpus / "blanksteg.txt").write_bytes(b"  \n\t\n   \r\n")
    rng = random.Random(7)
    (corpus / "trasig.pdf").write_bytes(bytes(rng.randrange(256) for _ in range(4000)))
    page = [Line("Hemlig plan för föräldraskapsstöd", size=16), "Denna text ska inte gå att läsa utan lösenord."]
    (corpus / "krypterad.pdf").write_bytes(encrypt_pdf(make_pdf([page]), user_password="hemligt"))
    (corpus / "binar.txt").write_bytes(b"\x00\x01\x02\x03" * 300 + bytes(rng.randrange(256) for _ in range(2000)))
    (corpus / "anteckningar.xyz").write_text("Föräldraskapsstöd i Testkommunen", encoding="utf-8")
    junk = io.BytesIO()
    with zipfile.ZipFile(junk, "w") as archive:
        archive.writestr("skrap.bin", bytes(rng.randrange(256) for _ in range(3000)))
    (corpus / "skrap.docx").write_bytes(junk.getvalue())
    return corpus


def test_bad_files_fail_with_clear_messages_and_good_files_are_indexed(bad_corpus, make_settings):
    settings = make_settings(corpus_dir=bad_corpus)
    report = run_ingest(settings)
    results = {Path(r.path).name: r for r in report.results}
    for name, problem in BAD_FILES.items():
        assert results[name].status == "failed", name
        assert problem in results[name].message.lower(), (name, results[name].message)
    assert "password" in results["krypterad.pdf"].message
    good = [n for n, r in results.items() if r.status == "indexed"]
    assert sorted(good) == sorted([REFERRAL, ANSWER, "windows-1252.txt"])
    assert report.count("failed") == len(BAD_FILES)

    windows = results["windows-1252.txt"]
    assert any("Windows-1252" in w for w in windows.warnings), windows.warnings
    reader = IndexReader.open(settings)
    text = reader.documents[windows.doc_id].text
    assert "föräldraskapsstöd" in text and "Hälso- och sjukvårdsnämnden" in text and "2024 – 2030" in text
    assert "Ã" not in text and "\ufffd" not in text
    assert reader.entries[windows.doc_id].warnings == windows.warnings
    assert set(reader.documents) == {r.doc_id for r in results.values() if r.status == "indexed"}


def test_cli_reports_each_bad_file_and_exits_with_status_1(bad_corpus, tmp_path, embedding_cache):
    data_dir = with_cache(tmp_path / "cli-data", embedding_cache)
    done = subprocess.run([sys.executable, "-m", "ingest", str(bad_corpus), "--quiet"],
                          env=cli_env(data_dir, bad_corpus), capture_output=True, text=True, timeout=300,
                          cwd=PROJECT_ROOT)
    assert done.returncode == 1, done.stderr
    failed = [line for line in done.stderr.splitlines() if line.startswith("failed: ")]
    assert len(failed) == len(BAD_FILES), done.stderr
    for name, problem in BAD_FILES.items():
        line = next(line for line in failed if line.startswith(f"failed: {bad_corpus / name}: "))
        assert problem in line.lower(), line
    assert f"warning: {bad_corpus / 'windows-1252.txt'}: " in done.stderr and "Windows-1252" in done.stderr
    summary = done.stdout.strip().splitlines()[-1]
    assert re.match(rf"3 documents, \d+ chunks in the index; 3 indexed, 0 unchanged \(skipped\), 0 removed, "
                    rf"{len(BAD_FILES)} failed; [\d.]+ s", summary), summary
    manifest = json.loads((data_dir / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["documents"]) == 3


def test_a_broken_catalog_is_a_warning_and_titles_come_from_the_documents(tmp_path, make_settings):
    corpus = tmp_path / "utan-katalog"
    corpus.mkdir()
    for name in (REFERRAL, ANSWER, LINDESBERG):
        shutil.copy(CORPUS / name, corpus / name)
    (corpus / "catalog.toml").write_text('[[document]\nid = "trasig"\ntitle = "utan slut\n', encoding="utf-8")
    settings = make_settings(corpus_dir=corpus)
    report = run_ingest(settings)
    assert len(report.warnings) == 1 and "catalog is not valid TOML" in report.warnings[0]
    assert set(statuses(report).values()) == {"indexed"} and report.documents == 3
    reader = IndexReader.open(settings)
    for doc_id, entry in reader.entries.items():
        doc = reader.documents[doc_id]
        assert entry.title and entry.title in doc.text, doc_id
        assert entry.title != Path(entry.source_file).stem
        assert all(c.context.startswith(entry.title) for c in reader.chunks_by_doc[doc_id])
        assert not entry.publisher and entry.year is None  # nothing invented without a catalog
    assert reader.entries["lindesberg-strategi-foraldraskapsstod-2023-2026"].title == (
        "Kommunövergripande strategi för ett stärkt föräldraskapsstöd i Lindesbergs kommun")


def test_a_document_that_opens_with_its_title_gets_that_title(tmp_path, make_settings):
    """An uncatalogued document that opens with its own title line gets that title, not its first heading (the
    referral answer got "Förslag till beslut")."""
    corpus = tmp_path / "utan-katalog"
    corpus.mkdir()
    shutil.copy(CORPUS / ANSWER, corpus / ANSWER)
    settings = make_settings(corpus_dir=corpus)
    run_ingest(settings)
    title = IndexReader.open(settings).entries["remissvar-region-orebro-lan-2023"].title
    assert title.startswith("Svar på remiss Regional strategi för föräldraskapsstöd")


# --- real PDF and DOCX files ---------------------------------------------------------------------


def report_pages(first: int) -> list[list]:
    def header(n: int) -> Line:
        return Line(f"RAPPORT | Föräldraskapsstöd i Testkommunen | {n}", size=8)

    return [
        [header(first), Line("1. Inledning", size=16, gap_before=10),
         "Testkommunen erbjuder ett jämlikt föräld-",
         "raskapsstöd till alla föräldrar med barn i åldern",
         "0–18 år. Det här står på den första sidan. Stödet ges",
         "på familjecentralen, i förskolan, i skolan och inom social-"],
        [header(first + 1), "tjänsten. Det här står på den andra sidan.",
         Line("2. Familjecentralen", size=16, gap_before=10),
         "Familjecentralen samlar mödrahälsovård, barnhälsovård,",
         "öppen förskola och socialtjänst i gemensamma lokaler."],
        [header(first + 2), Line("Så följer vi upp arbetet", size=14, gap_before=10),
         "Styrgruppen följer upp arbetet vartannat år med både",
         "kvantitativa och kvalitativa metoder. Det här står på",
         "den tredje sidan."],
    ]


def write_docx(path: Path) -> None:
    document = Document()
    document.add_heading("Handlingsplan för föräldraskapsstöd i Testkommunen", level=0)
    document.add_heading("Inledning", level=1)
    document.add_paragraph("Testkommunen erbjuder föräldraskapsstöd till alla föräldrar med barn i åldern 0–18 år.")
    document.add_heading("Insatser", level=1)
    document.add_heading("Föräldragrupper", level=2)
    document.add_paragraph("Kommunen erbjuder följande program:")
    for item in ("Komet för föräldrar med barn 3–11 år", "Connect för föräldrar med barn 8–18 år"):
        document.add_paragraph(item, style="List Bullet")
    table = document.add_table(rows=1, cols=3)
    for cell, text in zip(table.rows[0].cells, ("Program", "Typ av program", "Ålder")):
        cell.text = text
    for row in (("Komet", "Selektiv", "3–11 år"), ("Connect", "Selektiv", "8–18 år (med utagerande problematik)")):
        for cell, text in zip(table.add_row().cells, row):
            cell.text = text
    document.add_heading("Uppföljning", level=2)
    document.add_paragraph("Programmen följs upp varje år av styrgruppen.")
    document.save(str(path))


@pytest.fixture(scope="module")
def real_files_index(tmp_path_factory, embedding_cache) -> IndexReader:
    root = tmp_path_factory.mktemp("real-files")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "rapport.pdf").write_bytes(make_pdf(report_pages(1)))
    (corpus / "rapport-sid-7.pdf").write_bytes(make_pdf(report_pages(7), first_page_label=7))
    write_docx(corpus / "handlingsplan.docx")
    settings = Settings(data_dir=with_cache(root / "data", embedding_cache), corpus_dir=corpus)
    report = run_ingest(settings)
    assert set(statuses(report).values()) == {"indexed"}, [r.message for r in report.results]
    return IndexReader.open(settings)


@pytest.mark.parametrize(("doc_id", "first"), [("rapport", 1), ("rapport-sid-7", 7)])
def test_pdf_pages_hyphenation_and_headings(real_files_index, doc_id, first):
    doc = real_files_index.documents[doc_id]
    chunks = real_files_index.chunks_by_doc[doc_id]
    for n, ordinal in enumerate(("första", "andra", "tredje")):
        sentence = f"Det här står på den {ordinal} sidan."
        offset = doc.text.index(sentence)
        assert doc.page_at(offset) == 1 + n  # the PDF's page
        assert doc.page_label(1 + n) == ("" if first == 1 else str(first + n))  # the printed page, where it differs
        chunk = next(c for c in chunks if c.start <= offset < c.end)
        assert chunk.page_start <= 1 + n <= chunk.page_end
    assert "ett jämlikt föräldraskapsstöd till alla föräldrar" in doc.text
    assert "inom socialtjänsten." in doc.text  # joined across the page break
    assert "föräld-" not in doc.text and "social-" not in doc.text
    assert "RAPPORT" not in doc.text and "|" not in doc.text
    spanning = next(c for c in chunks if "inom socialtjänsten" in c.text)
    assert (spanning.page_start, spanning.page_end) == (1, 2)
    headings = {doc.text[b.start:b.end]: b for b in doc.blocks if b.kind == "heading"}
    assert {"1. Inledning", "2. Familjecentralen", "Så följer vi upp arbetet"} <= set(headings)
    family = next(c for c in chunks if "gemensamma lokaler" in c.text)
    assert family.section == ("2. Familjecentralen",) and family.page_start == 2
    # A smaller unnumbered heading under a numbered one is its subsection.
    assert doc.section_at(doc.text.index("kvalitativa metoder")) == ("2. Familjecentralen", "Så följer vi upp arbetet")


def test_docx_headings_lists_and_tables(real_files_index):
    doc = real_files_index.documents["handlingsplan"]
    chunks = real_files_index.chunks_by_doc["handlingsplan"]
    assert real_files_index.entries["handlingsplan"].title == "Handlingsplan för föräldraskapsstöd i Testkommunen"
    programs = next(c for c in chunks if c.kind == "text" and "Kommunen erbjuder följande program:" in c.text)
    assert programs.section == ("Insatser", "Föräldragrupper")
    intro = next(c for c in chunks if "0–18 år" in c.text)
    assert intro.section == ("Inledning",)
    last = next(c for c in chunks if "följs upp varje år" in c.text)
    assert last.section == ("Insatser", "Uppföljning")
    items = [doc.text[b.start:b.end] for b in doc.blocks if b.kind == "list_item"]
    assert items == ["Komet för föräldrar med barn 3–11 år", "Connect för föräldrar med barn 8–18 år"]
    rows = [c for c in chunks if c.kind == "table_row"]
    assert [c.text for c in rows] == ["Komet | Selektiv | 3–11 år",
                                      "Connect | Selektiv | 8–18 år (med utagerande problematik)"]
    for row in rows:
        assert row.section == ("Insatser", "Föräldragrupper")
        assert "Program" in row.context and "Typ av program" in row.context and "Ålder" in row.context
    assert "Ålder: 8–18 år (med utagerande problematik)" in rows[1].context
    assert not any("Selektiv" in c.text for c in chunks if c.kind == "text")
