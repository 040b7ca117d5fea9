"""The read side of the index, loaded once by the assistant.

``IndexReader.open(settings)`` reads the manifest and what it names (parsed documents,
chunks, sentence vectors, knowledge, the lexical index) and opens the vector store. It only
trusts chunks the manifest names, so leftovers of a failed ingest are never returned, and every
result of one reader comes from its one generation. Each reader opens the vector store anew
(``fresh``): an embedded Chroma does not see another process's writes through a system opened
before them. ``vector_status`` says whether the store holds the vectors of every chunk.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding

from common.settings import Settings
from index.check import VectorStatus, vector_status
from index.embedders import embedder_id, make_embedder
from index.knowledge import Knowledge
from index.layout import DataLayout, DocumentEntry, Manifest
from index.lexical import LexicalIndex
from index.model import Block, Chunk, ParsedDocument
from index.vectorstore import StoreError, VectorHit, VectorStore, open_vector_store
from swedish.sentences import field_label


class IndexNotReadyError(RuntimeError):
    """The index cannot be used; the message says what to do (run ``python -m ingest``)."""


class IndexMissingError(IndexNotReadyError):
    """There is no index yet."""


class IndexDamagedError(IndexNotReadyError):
    """The index exists but cannot be read, or was built with another embedding model."""


@dataclass
class SentenceTable:
    """Precomputed sentence vectors of one document, rows aligned with ``spans``."""

    spans: list[tuple[int, int]]
    vectors: np.ndarray  # float16, (n, dim)

    def rows_within(self, start: int, end: int) -> list[int]:
        return [i for i, (s, e) in enumerate(self.spans) if s >= start and e <= end]


class IndexReader:
    def __init__(self, settings: Settings, manifest: Manifest, embedder: BaseEmbedding,
                 signature: tuple[int, int, int] | None = None) -> None:
        self.settings = settings
        self.manifest = manifest
        self.embedder = embedder
        self.layout = DataLayout(settings.data_dir)
        self._signature = signature  # the manifest file this was loaded from (see is_stale)
        self.entries: dict[str, DocumentEntry] = dict(manifest.documents)
        self.documents: dict[str, ParsedDocument] = {}
        self.chunks: dict[str, Chunk] = {}
        self.sentences: dict[str, SentenceTable] = {}
        self.knowledge: dict[str, Knowledge] = {}
        for doc_id, entry in self.entries.items():
            try:
                stored = self.layout.read_document(entry.parsed_file)
                vectors = self.layout.read_sentence_vectors(entry.parsed_file)
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise IndexDamagedError(f"index file {self.layout.documents / entry.parsed_file} is missing or "
                                        f"damaged ({exc}); run python -m ingest") from exc
            self.documents[doc_id] = stored.document
            for chunk in stored.chunks:
                self.chunks[chunk.chunk_id] = chunk
            self.sentences[doc_id] = SentenceTable(stored.sentences, vectors)
            self.knowledge[doc_id] = stored.knowledge
        self._index_chunks_by_document()
        try:
            self.lexical = LexicalIndex.load(settings.data_dir / manifest.lexical_dir)
        except (OSError, ValueError, KeyError) as exc:
            raise IndexDamagedError(f"the lexical index is missing or damaged ({exc}); run python -m ingest") from exc
        self._store: VectorStore | None = None
        self._store_lock = threading.Lock()
        self._stems: dict[frozenset[str], list[str]] = {}
        self._stems_of: dict[str, frozenset[str]] = {}
        self._vector_status: VectorStatus | None = None
        self._vector_checked = 0.0

    def _index_chunks_by_document(self) -> None:
        by_doc: dict[str, list[Chunk]] = {}
        for chunk in self.chunks.values():
            by_doc.setdefault(chunk.doc_id, []).append(chunk)
        self.chunks_by_doc = {d: sorted(cs, key=lambda c: c.start) for d, cs in by_doc.items()}
        self.information_blocks = {d: span for d, doc in self.documents.items()
                                   if (span := information_block(doc)) is not None}

    def information_chunks(self, doc_id: str) -> list[Chunk]:
        """The chunks that hold the document's information block (``information_block``)."""
        span = self.information_blocks.get(doc_id)
        if span is None:
            return []
        return [c for c in self.chunks_by_doc.get(doc_id, []) if c.start < span[1] and c.end > span[0]]

    def stems_used(self, doc_ids: Iterable[str]) -> list[str]:
        """The sorted stems that ``doc_ids`` use (for "does this scope mention X at all?"); computed once per
        set of documents while this index is loaded."""
        key = frozenset(doc_ids)
        if key not in self._stems:
            if len(self._stems) > 64:
                self._stems.clear()
            self._stems[key] = sorted(set().union(*(self._document_stems(d) for d in key)))
        return self._stems[key]

    def _document_stems(self, doc_id: str) -> frozenset[str]:
        """One document's stems, read once: scopes are unions of them."""
        if doc_id not in self._stems_of:
            self._stems_of[doc_id] = frozenset(self.lexical.analyzer.tokens(self.documents[doc_id].text))
        return self._stems_of[doc_id]

    def chunk_at(self, doc_id: str, offset: int) -> Chunk | None:
        """The chunk of ``doc_id`` whose span contains ``offset``."""
        for chunk in self.chunks_by_doc.get(doc_id, []):
            if chunk.start <= offset < chunk.end:
                return chunk
        return None

    @classmethod
    def open(cls, settings: Settings, embedder: BaseEmbedding | None = None) -> IndexReader:
        layout = DataLayout(settings.data_dir)
        signature = layout.manifest_signature()  # before reading: a commit in between makes this stale
        try:
            manifest = layout.read_manifest()
        except (OSError, ValueError, TypeError) as exc:
            raise IndexDamagedError(f"the index manifest cannot be read ({exc}); run python -m ingest") from exc
        if manifest is None:
            raise IndexMissingError(f"no index in {settings.data_dir}; run python -m ingest first")
        embedder = embedder or make_embedder(settings.embedder, settings.embed_batch_size)
        if embedder_id(embedder) != manifest.embedder:
            raise IndexDamagedError(
                f"the index was built with {manifest.embedder} but the settings name {embedder_id(embedder)}; "
                "run python -m ingest again"
            )
        return cls(settings, manifest, embedder, signature)

    @property
    def generation(self) -> int:
        return self.manifest.generation

    def is_stale(self) -> bool:
        """True when an ingest (of any process) has committed a newer generation since this was loaded.
        Cheap: the manifest is read only when its file was replaced."""
        signature = self.layout.manifest_signature()
        if signature is None or signature == self._signature:
            return False
        try:
            current = self.layout.read_manifest()
        except (OSError, ValueError, TypeError):
            return False  # a damaged manifest: keep answering from this generation
        return current is not None and current.generation != self.manifest.generation

    def vector_status(self, recheck_after_s: float = 10.0) -> VectorStatus:
        """Whether the vector store holds a vector for every chunk of this generation. Checked once; a
        missing or unreadable store is checked again after ``recheck_after_s`` (it may come back)."""
        status = self._vector_status
        if status is not None and (status.ok or time.monotonic() - self._vector_checked < recheck_after_s):
            return status
        for _ in range(2):  # a store another process writes to can fail once (see _query)
            try:
                status = vector_status(self._vector_store(), list(self.chunks))
            except StoreError as exc:
                status = VectorStatus(len(self.chunks), 0, str(exc))
            if not status.error:
                break
            with self._store_lock:
                self._store = None
        self._vector_status, self._vector_checked = status, time.monotonic()
        return status

    @property
    def latest_year(self) -> int | None:
        """The publication year of the newest document."""
        return max((e.year for e in self.entries.values() if e.year), default=None)

    def related_documents(self, doc_id: str) -> list[str]:
        """``doc_id`` and the documents about it (a referral's answers, a strategy's referral letter)."""
        return [doc_id] + [d for d, e in self.entries.items() if e.about == doc_id]

    # --- search -----------------------------------------------------------------------

    def _vector_store(self) -> VectorStore:
        with self._store_lock:
            if self._store is None:
                self._store = open_vector_store(self.settings, self.manifest.collection, fresh=True)
            return self._store

    def embed_query(self, text: str) -> np.ndarray:
        return np.asarray(self.embedder.get_query_embedding(text), dtype=np.float32)

    def dense_search(
        self, query_vector: np.ndarray, k: int, doc_ids: list[str] | None = None
    ) -> list[tuple[Chunk, float]]:
        """Nearest chunks of this generation by cosine similarity; raises ``StoreError`` when the store is
        unreachable. Vectors of other generations (an ingest in progress, leftovers) are skipped, and the
        store is asked for more until ``k`` of this generation's are found, so the result is what a store
        holding only this generation would give."""
        n = k * 2
        while True:
            hits = self._query(query_vector.tolist(), n, doc_ids)
            results = []
            for hit in hits:
                chunk = self.chunks.get(hit.chunk_id)  # only chunks of the committed generation
                if chunk is not None:
                    results.append((chunk, hit.score))
            if len(results) >= k or len(hits) < n or n >= 8 * (len(self.chunks) + k):
                return results[:k]
            n *= 4

    def _query(self, vector: list[float], n: int, doc_ids: list[str] | None, attempts: int = 2) -> list[VectorHit]:
        """The store's ``n`` nearest; a failure is tried once more on a store opened anew (an embedded store
        that another process is writing to can fail a query once: "Error sending backfill request to
        compactor")."""
        for attempt in range(attempts):
            try:
                return self._vector_store().query(vector, n, doc_ids, with_metadata=False)
            except StoreError:
                raise
            except Exception as exc:
                with self._store_lock:
                    self._store = None  # reconnect on the next call
                if attempt == attempts - 1:
                    raise StoreError(f"the vector store did not answer: {exc}") from exc
        raise AssertionError("unreachable: the last attempt returns or raises")

    def lexical_search(self, tokens: list[str], k: int, doc_ids: list[str] | None = None) -> list[tuple[Chunk, float]]:
        allowed = None
        if doc_ids:
            wanted = set(doc_ids)
            allowed = {cid for cid, c in self.chunks.items() if c.doc_id in wanted}
        return [(self.chunks[cid], score) for cid, score in self.lexical.search(tokens, k, allowed)
                if cid in self.chunks]

    def sentence_vectors(self, doc_id: str, start: int, end: int) -> tuple[list[tuple[int, int]], np.ndarray]:
        table = self.sentences[doc_id]
        rows = table.rows_within(start, end)
        return [table.spans[i] for i in rows], np.asarray(table.vectors[rows], dtype=np.float32)


def information_block(doc: ParsedDocument, first_blocks: int = 20, min_fields: int = 2) -> tuple[int, int] | None:
    """The span of a document's information block: the first run of field lines near its start ("Fastställt
    av: Kommunfullmäktige", "Datum: 2023-02-20", "Giltighetstid: 31 december 2026"), where a steering
    document records itself; None when it has none."""
    run: list[Block] = []
    for block in doc.blocks[:first_blocks]:
        if block.kind == "paragraph" and field_label(doc.text[block.start:block.end]) is not None:
            run.append(block)
            continue
        if len(run) >= min_fields:
            break
        run = []
    return (run[0].start, run[-1].end) if len(run) >= min_fields else None
