"""Vector stores behind one small protocol, and the Chroma adapter (embedded or server).

Ingest and the assistant use only ``VectorStore``; ``open_vector_store(settings, collection)``
gives the configured one. Every adapter passes the same conformance suite
(``tests/vectorstore_conformance.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from common.settings import Settings


class StoreError(RuntimeError):
    """The vector store cannot be reached or used; the message says what to do."""


@dataclass
class VectorHit:
    chunk_id: str
    score: float  # cosine similarity
    metadata: dict[str, Any]


class VectorStore(Protocol):
    """One collection of chunk vectors with flat metadata (str, int, float, bool values)."""

    def add(self, ids: list[str], embeddings: list[list[float]], texts: list[str],
            metadatas: list[dict[str, Any]]) -> None:
        """Insert or replace (by id)."""
        ...

    def delete(self, ids: list[str]) -> None: ...

    def all_ids(self) -> list[str]: ...

    def existing(self, ids: list[str]) -> set[str]:
        """Those of ``ids`` that the store holds (a cheap check of a manifest's chunks)."""
        ...

    def count(self) -> int: ...

    def query(self, embedding: list[float], k: int, doc_ids: list[str] | None = None,
              with_metadata: bool = True) -> list[VectorHit]:
        """The ``k`` nearest by cosine similarity, best first, optionally only of ``doc_ids``; without
        ``with_metadata`` the hits' metadata are empty (the reader has the chunks; Chroma's query is about
        four times as fast without reading them)."""
        ...

    def drop(self) -> None:
        """Delete the whole collection (a store for another embedding model is no longer needed)."""
        ...


# Candidates the HNSW search explores. Chroma's default (100) is approximate: over the bundled 205 chunks a query for
# 60 neighbours missed a true one in about a third of the processes (the graph is rebuilt with parallel inserts,
# so which one it misses varies), and the same question got a different answer from run to run. At 1000 the
# search is exact up to that many chunks and near exact beyond, at well under a millisecond here.
SEARCH_EF = 1000


class ChromaStore:
    """One Chroma collection, through an embedded or an HTTP client."""

    def __init__(self, client: Any, collection_name: str) -> None:
        self._client = client
        self.collection_name = collection_name
        try:
            self._collection = client.get_or_create_collection(
                collection_name, configuration={"hnsw": {"space": "cosine", "ef_search": SEARCH_EF}},
                embedding_function=None,
            )
            hnsw = (self._collection.configuration or {}).get("hnsw") or {}
            if hnsw.get("ef_search", SEARCH_EF) < SEARCH_EF:  # a collection made before this setting
                self._collection.modify(configuration={"hnsw": {"ef_search": SEARCH_EF}})
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

    def existing(self, ids: list[str], batch_size: int = 5000) -> set[str]:
        found: set[str] = set()
        for i in range(0, len(ids), batch_size):
            found.update(self._collection.get(ids=ids[i:i + batch_size], include=[])["ids"])
        return found

    def count(self) -> int:
        return self._collection.count()

    def query(self, embedding: list[float], k: int, doc_ids: list[str] | None = None,
              with_metadata: bool = True) -> list[VectorHit]:
        where = None
        if doc_ids:
            where = {"doc_id": doc_ids[0]} if len(doc_ids) == 1 else {"doc_id": {"$in": list(doc_ids)}}
        result = self._collection.query(
            query_embeddings=[embedding], n_results=max(1, k), where=where,
            include=["metadatas", "distances"] if with_metadata else ["distances"],
        )
        metadatas = result["metadatas"][0] if with_metadata else [None] * len(result["ids"][0])
        return [
            VectorHit(cid, 1.0 - float(dist), meta or {})
            for cid, dist, meta in zip(result["ids"][0], result["distances"][0], metadatas)
        ]

    def drop(self) -> None:
        try:
            self._client.delete_collection(self.collection_name)
        except Exception as exc:  # already gone, or a server we may not modify
            raise StoreError(f"cannot delete Chroma collection {self.collection_name!r}: {exc}") from exc


def _forget_embedded_system(path: str) -> None:
    """Make the next embedded client on ``path`` start a new Chroma system.

    Chroma shares one system (SQLite connection, HNSW indexes in memory) per directory and process, and
    that system does not see what another process writes to the directory. Clients made before keep their
    old system until they are dropped, so an answer in progress is not disturbed."""
    from chromadb.api.shared_system_client import SharedSystemClient

    with SharedSystemClient._refcount_lock:
        SharedSystemClient._identifier_to_system.pop(path, None)
        SharedSystemClient._identifier_to_refcount.pop(path, None)


def chroma_client(settings: Settings, fresh: bool = False) -> Any:
    """An embedded client on ``data_dir/chroma`` or an HTTP client when a host is set. ``fresh`` opens the
    embedded store anew, seeing what other processes wrote since this process first opened it."""
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
        if fresh:
            _forget_embedded_system(str(settings.chroma_dir))
        return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)
    except Exception as exc:
        where = (f"server {settings.chroma_host}:{settings.chroma_port}" if settings.uses_chroma_server
                 else f"directory {settings.chroma_dir}")
        raise StoreError(f"cannot open the Chroma {where}: {exc}") from exc


def open_vector_store(settings: Settings, collection: str, fresh: bool = False) -> VectorStore:
    """The configured vector store's collection ``collection`` (Chroma, embedded or server); ``fresh``: see
    ``chroma_client``."""
    return ChromaStore(chroma_client(settings, fresh), collection)


def collection_name(prefix: str, model_id: str) -> str:
    """Collection per embedding model, so switching models never mixes vector spaces."""
    safe = "".join(c if c.isalnum() else "-" for c in model_id.lower()).strip("-")
    return f"{prefix}-{safe}"[:60].strip("-")
