"""The ingest run: check the stored index, discover files, skip unchanged ones, parse, chunk, embed,
store, commit, clean up.

See ``index/layout.py`` for why a failed or killed run never damages the working index. Every run
first checks that the manifest, the parsed documents, the lexical index and the vector store agree
(``index/check.py``) and repairs what does not: a damaged manifest or parsed document is rebuilt
from the sources, missing vectors come back from the embedding cache (or are embedded again), a
damaged embedded store is moved aside and rebuilt, and what a failed or killed run left behind
(vectors, files) is removed, also when no document changed. A repair that changes what readers
see commits a new generation, so running assistants reload.
"""

from __future__ import annotations

import fcntl
import logging
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import numpy as np

from common.settings import Settings
from index.check import IndexCheck, check_index, read_manifest_checked
from index.embedders import EmbedderError, EmbeddingCache, embed_with_cache, embedder_id, make_embedder
from index.layout import CHROMA_DAMAGED_PREFIX, DataLayout, DocumentEntry, Manifest, StoredDocument
from index.lexical import LEXICAL_VERSION, LexicalIndex
from index.model import Chunk, DocumentInfo, ParsedDocument
from index.vectorstore import StoreError, VectorStore, collection_name, open_vector_store
from ingest.catalog import CATALOG_FILE, doc_id_from_path, load_catalog
from ingest.chunking import chunk_document, document_sentences
from ingest.errors import IngestError
from ingest.knowledge import extract_knowledge
from ingest.loaders import content_hash, load_document, read_file

log = logging.getLogger(__name__)

Status = Literal["indexed", "unchanged", "failed", "removed"]


@dataclass
class FileResult:
    path: str
    status: Status
    doc_id: str = ""
    chunks: int = 0
    message: str = ""
    warnings: list[str] = field(default_factory=list)


@dataclass
class IngestReport:
    results: list[FileResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    documents: int = 0  # documents in the index after the run
    chunks: int = 0  # chunks in the index after the run
    embedded: int = 0  # distinct texts (chunks and sentences) whose vectors were computed in this run
    pages: int = 0  # pages of the documents parsed in this run (where they have pages)
    parse_seconds: float = 0.0  # reading, cleaning, structuring and chunking the parsed documents
    embed_seconds: float = 0.0  # computing (or taking from the cache) their vectors
    repairs: list[str] = field(default_factory=list)  # what the self-check found and put right
    restored_vectors: int = 0  # vectors of unchanged chunks put back into the store
    removed_vectors: int = 0  # vectors of chunks no longer in the index, deleted
    removed_files: int = 0  # files the manifest no longer names, deleted
    vectors: int | None = None  # vectors in the store after the run (None: not counted)

    def count(self, status: Status) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def failed(self) -> bool:
        return self.count("failed") > 0

    def summary(self) -> str:
        return (
            f"{self.documents} documents, {self.chunks} chunks in the index; "
            f"{self.count('indexed')} indexed, {self.count('unchanged')} unchanged (skipped), "
            f"{self.count('removed')} removed, {self.count('failed')} failed; {self.seconds:.1f} s"
        )


class IngestLockedError(RuntimeError):
    pass


@contextmanager
def ingest_lock(data_dir: Path) -> Iterator[None]:
    """One ingest at a time per data directory."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(DataLayout(data_dir).lock, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise IngestLockedError(f"another ingest is running on {data_dir}") from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def discover(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """Files to ingest, and the directories scanned (for detecting removed documents)."""
    files: list[Path] = []
    scanned: list[Path] = []
    for path in paths:
        if path.is_dir():
            scanned.append(path.resolve())
            for candidate in sorted(path.rglob("*")):
                rel = candidate.relative_to(path)
                if candidate.is_file() and candidate.name != CATALOG_FILE \
                        and not any(part.startswith(".") for part in rel.parts):
                    files.append(candidate)
        else:
            files.append(path)
    return files, scanned


@dataclass
class _Pending:
    path: Path
    doc: ParsedDocument
    chunks: list[Chunk]
    result: FileResult


def run_ingest(
    settings: Settings,
    paths: list[Path] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    rebuild: bool = False,
) -> IngestReport:
    """Bring the index in line with ``paths`` (default: the corpus directory). ``rebuild`` parses every
    file again, changed or not (vectors still come from the cache where the text is the same)."""
    with ingest_lock(settings.data_dir):
        return ingest_holding_lock(settings, paths, progress, rebuild)


def ingest_holding_lock(settings: Settings, paths: list[Path] | None = None,
                        progress: Callable[[str, int, int], None] | None = None,
                        rebuild: bool = False) -> IngestReport:
    """``run_ingest`` for a caller that holds ``ingest_lock`` (``ingest.library`` changes files first)."""
    started = time.perf_counter()
    report = IngestReport()
    _run(settings, paths or [settings.corpus_dir], report, progress or (lambda stage, done, total: None), rebuild)
    report.seconds = time.perf_counter() - started
    return report


def _chunking(settings: Settings) -> str:
    """The chunk sizes an index is built with, as the manifest keeps them ("700/1100")."""
    return f"{settings.chunk_target_chars}/{settings.chunk_max_chars}"


def _catalog_root(path: Path, settings: Settings) -> Path:
    return path if path.is_dir() else path.parent


def _run(settings: Settings, paths: list[Path], report: IngestReport,
         progress: Callable[[str, int, int], None], rebuild: bool) -> None:
    layout = DataLayout(settings.data_dir)
    old, manifest_error = read_manifest_checked(layout)
    if manifest_error:
        report.repairs.append(f"{manifest_error}; the index is rebuilt from the sources")
        log.warning("%s; rebuilding the index from the sources", manifest_error)
    embedder = make_embedder(settings.embedder, settings.embed_batch_size)
    model = embedder_id(embedder)
    collection = collection_name(settings.collection_prefix, model)
    same_space = old is not None and old.collection == collection and old.embedder == model
    same_chunks = old is not None and old.chunking == _chunking(settings)  # other sizes: every document again
    health = inspect_index(settings, old.collection if same_space and old else None)
    damaged = health.damaged_documents
    for doc_id, why in sorted(damaged.items()):
        report.repairs.append(f"document {doc_id}: {why}; it is parsed again")

    files, scanned_dirs = discover(paths)
    catalogs = {}
    for root in {(_catalog_root(p, settings)) for p in paths}:
        catalog = load_catalog(root)
        catalogs[root.resolve()] = catalog
        report.warnings.extend(catalog.errors)

    kept: dict[str, DocumentEntry] = {}
    pending: dict[str, _Pending] = {}  # doc id -> parsed, in file order
    seen_paths: set[str] = set()
    for n, path in enumerate(files, start=1):
        progress("read", n, len(files))
        resolved = path.resolve()
        seen_paths.add(str(resolved))
        root, info = _info_for(resolved, catalogs)
        result = FileResult(path=str(path), status="failed", doc_id=info.doc_id)
        report.results.append(result)
        if info.doc_id in kept or info.doc_id in pending:
            result.message = f"document id {info.doc_id!r} is already used by another file; rename the file"
            continue
        try:
            data = read_file(resolved, int(settings.max_file_mb * 1e6))
            digest = content_hash(data, info)
            previous = old.documents.get(info.doc_id) if old else None
            if not rebuild and same_space and same_chunks and previous and previous.content_hash == digest \
                    and previous.source_path == str(resolved) and info.doc_id not in damaged:
                result.status, result.chunks = "unchanged", previous.chunks
                kept[info.doc_id] = previous
                continue
            parse_started = time.perf_counter()
            doc = load_document(resolved, info, data)
            doc.content_hash = digest
            chunks = chunk_document(doc, settings.chunk_target_chars, settings.chunk_max_chars)
            report.parse_seconds += time.perf_counter() - parse_started
            report.pages += max((page for _, page in doc.page_starts), default=0)
            if not chunks:
                raise IngestError("no text to index after cleaning")
        except IngestError as exc:
            result.message = str(exc)
            _keep_previous_version(old, info.doc_id, kept, result)
            continue
        except Exception as exc:  # a parser bug must not stop the other files
            log.exception("unexpected error while reading %s", path)
            result.message = f"unexpected error: {type(exc).__name__}: {exc}"
            _keep_previous_version(old, info.doc_id, kept, result)
            continue
        result.warnings = list(doc.warnings)
        pending[info.doc_id] = _Pending(resolved, doc, chunks, result)

    # Documents whose file is gone from a scanned directory are removed.
    if old:
        for doc_id, entry in old.documents.items():
            if doc_id in kept or doc_id in pending:
                continue
            src = Path(entry.source_path)
            in_scope = any(_is_within(src, d) for d in scanned_dirs) or str(src) in seen_paths
            if in_scope and not src.exists():
                report.results.append(FileResult(entry.source_path, "removed", doc_id))
            elif in_scope:
                kept[doc_id] = entry  # present but failed this time: keep the old version
            elif same_space:
                kept[doc_id] = entry  # outside this run's paths: untouched

    for doc_id in [d for d in kept if d in damaged]:  # could not be parsed again: leave it out, not broken
        del kept[doc_id]
        report.warnings.append(f"document {doc_id}: its stored files are damaged and its source could not be "
                               f"read again; it is left out of the index until it can")

    if old and same_space and not pending and kept.keys() == old.documents.keys() \
            and old.lexical_version == LEXICAL_VERSION and not _needs_new_generation(health):
        # Nothing changed and readers see an index that agrees: keep the generation, drop the leftovers.
        report.documents, report.chunks = len(old.documents), old.chunk_count()
        report.vectors = health.vectors
        if health.extra_vectors or health.orphans:
            _clean_up(settings, layout, old, set(health.active_ids), report)
        return
    _commit(settings, old, embedder, model, collection, kept, list(pending.values()), report, progress)


def inspect_index(settings: Settings, collection: str | None) -> IndexCheck:
    """``check_index`` with the vector store of ``collection`` opened anew (None: without the store)."""
    layout = DataLayout(settings.data_dir)
    if collection is None:
        return check_index(layout, None, "not checked")
    try:
        store = open_vector_store(settings, collection, fresh=True)
    except StoreError as exc:
        return check_index(layout, None, str(exc))
    return check_index(layout, store)


def _needs_new_generation(health: IndexCheck) -> bool:
    """Whether the repair changes what readers see (they reload on a new generation): missing vectors, a
    damaged store, lexical index or document. Extra vectors and orphan files are removed in place."""
    return bool(health.missing_vectors or health.store_error or health.lexical_problem
                or health.damaged_documents)


def _keep_previous_version(old: Manifest | None, doc_id: str, kept: dict[str, DocumentEntry],
                           result: FileResult) -> None:
    if old and doc_id in old.documents:
        kept[doc_id] = old.documents[doc_id]
        result.message += " (the previously indexed version is kept)"


def _is_within(path: Path, directory: Path) -> bool:
    try:
        path.relative_to(directory)
        return True
    except ValueError:
        return False


def _info_for(path: Path, catalogs: dict) -> tuple[Path | None, DocumentInfo]:
    for root, catalog in catalogs.items():
        if _is_within(path, root):
            info = catalog.info_for(path, root)
            if info is not None:
                return root, DocumentInfo(**vars(info))
            return root, DocumentInfo(doc_id=doc_id_from_path(path, root), title="",
                                      source_file=path.relative_to(root).as_posix())
    return None, DocumentInfo(doc_id=doc_id_from_path(path, None), title="", source_file=path.name)


def _next_generation(layout: DataLayout, old: Manifest | None) -> int:
    """One more than the last generation, also after a damaged manifest (generations only grow)."""
    seen = [old.generation] if old else []
    for path in layout.lexical_root.glob("gen-*") if layout.lexical_root.exists() else []:
        try:
            seen.append(int(path.name.removeprefix("gen-")))
        except ValueError:
            continue
    return max(seen, default=0) + 1


def _commit(settings: Settings, old: Manifest | None, embedder, model: str, collection: str,
            kept: dict[str, DocumentEntry], pending: list[_Pending], report: IngestReport,
            progress: Callable[[str, int, int], None]) -> None:
    layout = DataLayout(settings.data_dir)
    generation = _next_generation(layout, old)
    lexical_dir = layout.lexical_dir(generation)

    # 1. Vectors for the new chunks and their sentences (the cache makes re-runs cheap).
    new_chunks = [c for p in pending for c in p.chunks]
    sentence_spans_by_doc = [document_sentences(p.doc, p.chunks) for p in pending]
    sentence_texts = [p.doc.text[s:e] for p, spans in zip(pending, sentence_spans_by_doc) for s, e in spans]
    texts = [c.embed_text for c in new_chunks] + sentence_texts
    cache = EmbeddingCache(layout.embedding_cache)
    done = 0

    def step(n: int) -> None:
        nonlocal done
        done += n
        progress("embed", done, len(texts))

    embed_started = time.perf_counter()
    aside: Path | None = None
    try:
        vectors, report.embedded = embed_with_cache(embedder, texts, cache, settings.embed_batch_size, step)
        report.embed_seconds = time.perf_counter() - embed_started
        sentence_vectors = vectors[len(new_chunks):]
        vectors = vectors[:len(new_chunks)]

        # 2. Write parsed documents under new names; nothing old is touched yet.
        parsed_files: dict[str, str] = {}
        sentence_offset = 0
        for p, spans in zip(pending, sentence_spans_by_doc):
            matrix = np.asarray(sentence_vectors[sentence_offset:sentence_offset + len(spans)], dtype=np.float16)
            sentence_offset += len(spans)
            stored = StoredDocument(p.doc, p.chunks, spans, extract_knowledge(p.doc))
            parsed_files[p.doc.info.doc_id] = layout.write_document(stored, matrix.reshape(len(spans), -1))

        # 3. Vectors: the new chunks', and those of unchanged chunks that the store lacks. A damaged embedded
        # store (found by the check, or failing here) is moved aside and rebuilt; until the commit it can be
        # put back, so a failed repair leaves everything as it was.
        store, aside = _store_for_writing(settings, layout, collection, report)
        try:
            _write_vectors(store, pending, vectors, layout, kept, embedder, cache, settings, report, progress)
        except Exception as exc:
            if aside is not None or not _looks_damaged(str(exc)) or settings.uses_chroma_server:
                raise
            store, aside = _store_for_writing(settings, layout, collection, report, f"{type(exc).__name__}: {exc}")
            _write_vectors(store, pending, vectors, layout, kept, embedder, cache, settings, report, progress)
    except BaseException as exc:
        _put_back(settings, aside)
        if isinstance(exc, StoreError | EmbedderError | sqlite3.Error) or not isinstance(exc, Exception):
            raise
        raise StoreError(f"writing the index failed: {exc}") from exc
    finally:
        cache.close()

    now = datetime.now(UTC).isoformat(timespec="seconds")
    documents = dict(kept)
    for p in pending:
        info = p.doc.info
        documents[info.doc_id] = DocumentEntry(
            **asdict(info), content_hash=p.doc.content_hash, source_path=str(p.path), chunks=len(p.chunks),
            indexed_at=now, parsed_file=parsed_files[info.doc_id], warnings=list(p.doc.warnings),
        )
        p.result.status, p.result.chunks = "indexed", len(p.chunks)

    # 4. The lexical index over every active chunk.
    all_chunks: list[Chunk] = []
    try:
        for entry in documents.values():
            all_chunks.extend(layout.read_document(entry.parsed_file).chunks)
        if all_chunks:
            LexicalIndex.build([c.chunk_id for c in all_chunks],
                               [c.embed_text for c in all_chunks]).save(lexical_dir)
        else:
            lexical_dir.mkdir(parents=True, exist_ok=True)

        # 5. Commit.
        manifest = Manifest(
            generation=generation, embedder=model, collection=collection,
            lexical_dir=lexical_dir.relative_to(layout.root).as_posix(), documents=documents, created_at=now,
            lexical_version=LEXICAL_VERSION, chunking=_chunking(settings),
        )
        layout.write_manifest(manifest)
    except BaseException:
        _put_back(settings, aside)
        raise
    report.documents, report.chunks = len(documents), manifest.chunk_count()

    # 6. Clean up what the new manifest no longer names (also leftovers of failed runs).
    active_ids = {c.chunk_id for c in all_chunks}
    if old and old.collection != collection:
        try:
            open_vector_store(settings, old.collection).drop()
        except StoreError:  # already gone, or a server we may not modify
            log.warning("could not delete the old collection %s", old.collection)
    _clean_up(settings, layout, manifest, active_ids, report, store)


def _clean_up(settings: Settings, layout: DataLayout, manifest: Manifest, active_ids: set[str],
              report: IngestReport, store: VectorStore | None = None) -> None:
    """Delete vectors and files the manifest does not name, and count the vectors left. After the commit a
    failure here is only a warning: the next run cleans up."""
    try:
        store = store or open_vector_store(settings, manifest.collection, fresh=True)
        extra = [cid for cid in store.all_ids() if cid not in active_ids]
        store.delete(extra)
        report.removed_vectors += len(extra)
        report.vectors = store.count()
    except Exception as exc:  # every kind of Chroma error
        report.warnings.append(f"the vector store could not be cleaned up ({type(exc).__name__}: "
                               f"{str(exc)[:200]}); the next run does it")
        return
    try:
        report.removed_files += len(layout.remove_inactive(manifest))
    except OSError as exc:
        report.warnings.append(f"leftover files could not be deleted ({exc}); the next run does it")
    if report.vectors != manifest.chunk_count():
        report.warnings.append(f"the vector store holds {report.vectors} vectors for {manifest.chunk_count()} "
                               "chunks; run python -m ingest --check")


# What a damaged embedded store says (SQLite, HNSW files, Chroma's compactor). Other failures (a full disk,
# a read-only directory, no permission) are errors of the run, never a reason to move the store aside.
DAMAGE_MARKERS = ("malformed", "not a database", "compaction", "no such table", "no such column", "corrupt",
                  "hnsw", "error loading", "error reading", "checksum")


def _looks_damaged(error: str) -> bool:
    lowered = error.lower()
    return any(marker in lowered for marker in DAMAGE_MARKERS)


def _store_for_writing(settings: Settings, layout: DataLayout, collection: str, report: IngestReport,
                       error: str = "") -> tuple[VectorStore, Path | None]:
    """The store to write to, and where a damaged one was moved. An embedded store that is damaged (it fails
    to open, or writing to it failed with ``error``) is moved aside to ``chroma.damaged-<time>`` and a new one
    is made: every vector comes back from the embedding cache. The damaged copy is deleted after the commit,
    or put back when the run fails. Other failures (a full disk, no permission, a server's failure: we may
    not touch its files) are errors of the run."""
    if not error:
        try:
            store = open_vector_store(settings, collection, fresh=True)
            store.count()
            return store, None
        except Exception as exc:  # a damaged store fails in many ways
            error = f"{type(exc).__name__}: {exc}"
    if settings.uses_chroma_server or not _looks_damaged(error):
        raise StoreError(f"the vector store cannot be used ({error[:300]})")
    aside = layout.root / f"{CHROMA_DAMAGED_PREFIX}{time.strftime('%Y%m%d-%H%M%S')}-{time.time_ns() % 10**6}"
    if settings.chroma_dir.exists():
        settings.chroma_dir.rename(aside)
    report.repairs.append(f"the vector store {settings.chroma_dir} was damaged ({error[:300]}); it is rebuilt "
                          f"from the embedding cache")
    log.warning("%s", report.repairs[-1])
    try:
        return open_vector_store(settings, collection, fresh=True), aside
    except BaseException:
        _put_back(settings, aside)
        raise


def _put_back(settings: Settings, aside: Path | None) -> None:
    """A failed run puts a store it moved aside back: the run leaves the data directory as it found it."""
    import shutil

    if aside is None or not aside.exists():
        return
    shutil.rmtree(settings.chroma_dir, ignore_errors=True)
    aside.rename(settings.chroma_dir)


def _write_vectors(store: VectorStore, pending: list[_Pending], vectors: list, layout: DataLayout,
                   kept: dict[str, DocumentEntry], embedder, cache: EmbeddingCache, settings: Settings,
                   report: IngestReport, progress: Callable[[str, int, int], None]) -> None:
    """Add the new chunks' vectors, then put back those of unchanged chunks that the store lacks (from the
    embedding cache, or embedded again)."""
    new_total = sum(len(p.chunks) for p in pending)
    offset = 0
    for p in pending:
        n = len(p.chunks)
        store.add([c.chunk_id for c in p.chunks], vectors[offset:offset + n], [c.text for c in p.chunks],
                  [c.to_metadata(p.doc.info) for c in p.chunks])
        offset += n
        progress("store", offset, new_total)
    if not kept:
        return
    present = set(store.all_ids())
    missing: list[tuple[Chunk, DocumentInfo]] = []
    for entry in kept.values():
        stored = layout.read_document(entry.parsed_file)
        missing += [(c, stored.document.info) for c in stored.chunks if c.chunk_id not in present]
    if not missing:
        return
    started = time.perf_counter()
    restored, embedded = embed_with_cache(embedder, [c.embed_text for c, _ in missing], cache,
                                          settings.embed_batch_size)
    report.embedded += embedded
    for i in range(0, len(missing), 1000):
        batch = missing[i:i + 1000]
        store.add([c.chunk_id for c, _ in batch], restored[i:i + 1000], [c.text for c, _ in batch],
                  [c.to_metadata(info) for c, info in batch])
        progress("restore", min(i + 1000, len(missing)), len(missing))
    report.restored_vectors += len(missing)
    report.repairs.append(f"restored {len(missing)} missing vectors of unchanged chunks "
                          f"({len(missing) - embedded} from the embedding cache, {embedded} embedded again) "
                          f"in {time.perf_counter() - started:.1f} s")
