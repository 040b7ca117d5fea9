"""Where the index lives: a Chroma collection (embedded or server) for vectors, and a
data directory with the manifest, the parsed documents and the lexical index.

The manifest is the single commit point. An ingest writes everything new first (new
chunk ids carry the document's content hash, new files carry a generation number) and
replaces the manifest atomically last; readers only trust chunks the manifest names.
A failed or killed ingest therefore leaves the previous index fully usable, and the
next ingest removes what the failed one left behind.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from common.settings import Settings
from ingest.model import DocumentInfo

MANIFEST_FILE = "manifest.json"
MANIFEST_VERSION = 1


class StoreError(RuntimeError):
    """The vector store cannot be reached or used; the message says what to do."""


# --- vector store ----------------------------------------------------------------------


@dataclass
class VectorHit:
    chunk_id: str
    score: float  # cosine similarity
    metadata: dict[str, Any]


class VectorStore(Protocol):
    """What ingest and the assistant need from a vector store (see tests/test_store_conformance.py)."""

    def add(self, ids: list[str], embeddings: list[list[float]], texts: list[str],
            metadatas: list[dict[str, Any]]) -> None: ...
    def delete(self, ids: list[str]) -> None: ...
    def all_ids(self) -> list[str]: ...
    def count(self) -> int: ...
    def query(self, embedding: list[float], k: int, doc_ids: list[str] | None = None) -> list[VectorHit]: ...


class ChromaStore:
    """One Chroma collection, through an embedded or an HTTP client."""

    def __init__(self, client: Any, collection_name: str) -> None:
        self._client = client
        self.collection_name = collection_name
        try:
            self._collection = client.get_or_create_collection(
                collection_name, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
            )
        except Exception as exc:
            raise StoreError(f"cannot open Chroma collection {collection_name!r}: {exc}") from exc

    def add(self, ids: list[str], embeddings: list[list[float]], texts: list[str],
            metadatas: list[dict[str, Any]], batch_size: int = 1000) -> None:
        for i in range(0, len(ids), batch_size):
            self._collection.upsert(
                ids=ids[i:i + batch_size],
                embeddings=embeddings[i:i + batch_size],
                documents=texts[i:i + batch_size],
                metadatas=metadatas[i:i + batch_size],
            )

    def delete(self, ids: list[str], batch_size: int = 1000) -> None:
        for i in range(0, len(ids), batch_size):
            self._collection.delete(ids=ids[i:i + batch_size])

    def all_ids(self) -> list[str]:
        ids: list[str] = []
        offset, page = 0, 5000
        while True:
            batch = self._collection.get(include=[], limit=page, offset=offset)["ids"]
            ids.extend(batch)
            if len(batch) < page:
                return ids
            offset += page

    def count(self) -> int:
        return self._collection.count()

    def query(self, embedding: list[float], k: int, doc_ids: list[str] | None = None) -> list[VectorHit]:
        where = None
        if doc_ids:
            where = {"doc_id": doc_ids[0]} if len(doc_ids) == 1 else {"doc_id": {"$in": list(doc_ids)}}
        result = self._collection.query(
            query_embeddings=[embedding], n_results=max(1, k), where=where, include=["metadatas", "distances"]
        )
        return [
            VectorHit(cid, 1.0 - float(dist), meta or {})
            for cid, dist, meta in zip(result["ids"][0], result["distances"][0], result["metadatas"][0])
        ]


def chroma_client(settings: Settings) -> Any:
    """An embedded client on ``data_dir/chroma`` or an HTTP client when a host is set."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    try:
        if settings.uses_chroma_server:
            return chromadb.HttpClient(
                host=settings.chroma_host, port=settings.chroma_port, ssl=settings.chroma_ssl,
                settings=chroma_settings,
            )
        settings.chroma_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)
    except Exception as exc:
        where = (f"server {settings.chroma_host}:{settings.chroma_port}" if settings.uses_chroma_server
                 else f"directory {settings.chroma_dir}")
        raise StoreError(f"cannot open the Chroma {where}: {exc}") from exc


def collection_name(prefix: str, model_id: str) -> str:
    """Collection per embedding model, so switching models never mixes vector spaces."""
    safe = "".join(c if c.isalnum() else "-" for c in model_id.lower()).strip("-")
    return f"{prefix}-{safe}"[:60].strip("-")


# --- manifest --------------------------------------------------------------------------


@dataclass(kw_only=True)
class DocumentEntry(DocumentInfo):
    """A document in the manifest: its catalog facts plus what the ingest made of it."""

    content_hash: str
    source_path: str
    chunks: int = 0
    indexed_at: str = ""
    parsed_file: str = ""
    warnings: list[str] = field(default_factory=list)


@dataclass
class Manifest:
    generation: int
    embedder: str
    collection: str
    lexical_dir: str
    documents: dict[str, DocumentEntry]
    created_at: str = ""
    version: int = MANIFEST_VERSION
    lexical_version: str = ""

    def chunk_count(self) -> int:
        return sum(d.chunks for d in self.documents.values())


def read_manifest(data_dir: Path) -> Manifest | None:
    path = data_dir / MANIFEST_FILE
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    docs = {k: DocumentEntry(**v) for k, v in data.pop("documents").items()}
    return Manifest(documents=docs, **data)


def write_manifest(data_dir: Path, manifest: Manifest) -> None:
    """Replace the manifest atomically (write, fsync, rename, fsync directory)."""
    write_json_atomic(data_dir / MANIFEST_FILE, asdict(manifest))


def write_json_atomic(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
