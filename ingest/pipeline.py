"""The ingest run: discover files, skip unchanged ones, parse, chunk, embed, store, commit.

See ``index/layout.py`` for why a failed or killed run never damages the working index.
"""

from __future__ import annotations

import fcntl
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import numpy as np

from common.settings import Settings
from index.embedders import EmbeddingCache, embed_with_cache, embedder_id, make_embedder
from index.layout import DataLayout, DocumentEntry, Manifest, StoredDocument
from index.lexical import LEXICAL_VERSION, LexicalIndex
from index.model import Chunk, DocumentInfo, ParsedDocument
from index.vectorstore import StoreError, collection_name, open_vector_store
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


def _catalog_root(path: Path, settings: Settings) -> Path:
    return path if path.is_dir() else path.parent


def _run(settings: Settings, paths: list[Path], report: IngestReport,
         progress: Callable[[str, int, int], None], rebuild: bool) -> None:
    old = DataLayout(settings.data_dir).read_manifest()
    embedder = make_embedder(settings.embedder, settings.embed_batch_size)
    model = embedder_id(embedder)
    collection = collection_name(settings.collection_prefix, model)
    same_space = old is not None and old.collection == collection and old.embedder == model

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
            if not rebuild and same_space and previous and previous.content_hash == digest \
                    and previous.source_path == str(resolved):
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

    if old and same_space and not pending and kept.keys() == old.documents.keys() \
            and old.lexical_version == LEXICAL_VERSION:
        report.documents, report.chunks = len(old.documents), old.chunk_count()
        return  # nothing changed: keep the current generation as it is
    _commit(settings, old, embedder, model, collection, kept, list(pending.values()), report, progress)


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


def _commit(settings: Settings, old: Manifest | None, embedder, model: str, collection: str,
            kept: dict[str, DocumentEntry], pending: list[_Pending], report: IngestReport,
            progress: Callable[[str, int, int], None]) -> None:
    layout = DataLayout(settings.data_dir)
    generation = (old.generation if old else 0) + 1
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
    try:
        vectors, report.embedded = embed_with_cache(embedder, texts, cache, settings.embed_batch_size, step)
    finally:
        cache.close()
    report.embed_seconds = time.perf_counter() - embed_started
    sentence_vectors = vectors[len(new_chunks):]
    vectors = vectors[:len(new_chunks)]

    # 2. Write parsed documents and vectors under new names; nothing old is touched yet.
    parsed_files: dict[str, str] = {}
    try:
        store = open_vector_store(settings, collection)
        offset = sentence_offset = 0
        for p, spans in zip(pending, sentence_spans_by_doc):
            n = len(p.chunks)
            matrix = np.asarray(sentence_vectors[sentence_offset:sentence_offset + len(spans)], dtype=np.float16)
            sentence_offset += len(spans)
            stored = StoredDocument(p.doc, p.chunks, spans, extract_knowledge(p.doc))
            parsed_files[p.doc.info.doc_id] = layout.write_document(stored, matrix.reshape(len(spans), -1))
            store.add(
                [c.chunk_id for c in p.chunks],
                vectors[offset:offset + n],
                [c.text for c in p.chunks],
                [c.to_metadata(p.doc.info) for c in p.chunks],
            )
            offset += n
            progress("store", offset, len(new_chunks))
    except StoreError:
        raise
    except Exception as exc:
        raise StoreError(f"writing the index failed: {exc}") from exc

    now = datetime.now(UTC).isoformat(timespec="seconds")
    documents = dict(kept)
    for p in pending:
        info = p.doc.info
        documents[info.doc_id] = DocumentEntry(
            **asdict(info), content_hash=p.doc.content_hash, source_path=str(p.path), chunks=len(p.chunks),
            indexed_at=now, parsed_file=parsed_files[info.doc_id], warnings=list(p.doc.warnings),
        )
        p.result.status, p.result.chunks = "indexed", len(p.chunks)

    # 3. The lexical index over every active chunk.
    all_chunks: list[Chunk] = []
    for entry in documents.values():
        all_chunks.extend(layout.read_document(entry.parsed_file).chunks)
    if all_chunks:
        LexicalIndex.build([c.chunk_id for c in all_chunks], [c.embed_text for c in all_chunks]).save(lexical_dir)
    else:
        lexical_dir.mkdir(parents=True, exist_ok=True)

    # 4. Commit.
    manifest = Manifest(
        generation=generation, embedder=model, collection=collection,
        lexical_dir=lexical_dir.relative_to(layout.root).as_posix(), documents=documents, created_at=now,
        lexical_version=LEXICAL_VERSION,
    )
    layout.write_manifest(manifest)
    report.documents, report.chunks = len(documents), manifest.chunk_count()

    # 5. Clean up what the new manifest no longer names (also leftovers of failed runs).
    active_ids = {c.chunk_id for c in all_chunks}
    store.delete([cid for cid in store.all_ids() if cid not in active_ids])
    if old and old.collection != collection:
        try:
            open_vector_store(settings, old.collection).drop()
        except StoreError:  # already gone, or a server we may not modify
            log.warning("could not delete the old collection %s", old.collection)
    layout.remove_inactive(manifest)
