"""The conformance suite every ``VectorStore`` adapter runs (``tests/test_chroma_store.py`` for Chroma,
embedded and as a server): add, replace, count, list, query by cosine with and without document
filters, delete, drop, and collections that are separate and persist across clients."""

from __future__ import annotations

import inspect
import math
import uuid
from collections.abc import Callable

import numpy as np
import pytest

from index.vectorstore import VectorStore

DIM = 8


def unit(angle: float, scale: float = 1.0) -> list[float]:
    """A vector in the plane of the first two axes, ``angle`` radians from the first axis."""
    vector = [0.0] * DIM
    vector[0], vector[1] = scale * math.cos(angle), scale * math.sin(angle)
    return vector


def random_vectors(n: int, seed: int = 0) -> list[list[float]]:
    return np.random.default_rng(seed).normal(size=(n, DIM)).astype(np.float32).tolist()


def meta(doc_id: str, i: int) -> dict:
    return {"doc_id": doc_id, "chunk_index": i, "title": f"Dokument {doc_id}", "score": i / 10, "table": i % 2 == 0}


class VectorStoreConformance:
    """What every ``VectorStore`` adapter must do. An adapter's tests inherit this class and define the
    fixture ``open_store``: a callable that opens the collection of a given name through a new client
    (an empty collection the first time, the same one again later)."""

    @pytest.fixture
    def store(self, open_store: Callable[[str], VectorStore]) -> VectorStore:
        return open_store(f"conformance-{uuid.uuid4().hex[:12]}")

    def test_implements_the_protocol(self, store):
        for name, member in inspect.getmembers(VectorStore, inspect.isfunction):
            if name.startswith("_"):
                continue
            implemented = getattr(type(store), name)
            protocol_params = list(inspect.signature(member).parameters)
            assert list(inspect.signature(implemented).parameters)[:len(protocol_params)] == protocol_params, name

    def test_add_count_and_all_ids_beyond_one_page(self, store):
        n = 5237  # more than the 5000 ids all_ids fetches per page
        ids = [f"doc-{i // 100}:chunk:{i:05d}" for i in range(n)]
        store.add(ids, random_vectors(n), [f"text {i}" for i in range(n)],
                  [meta(f"doc-{i // 100}", i) for i in range(n)])
        assert store.count() == n
        listed = store.all_ids()
        assert len(listed) == n and set(listed) == set(ids)

    def test_add_with_existing_ids_replaces_them(self, store):
        ids = ["a:0", "a:1", "b:0"]
        store.add(ids, [unit(0.0), unit(0.5), unit(1.0)], ["ett", "två", "tre"],
                  [meta("a", 0), meta("a", 1), meta("b", 0)])
        store.add(["a:1"], [unit(math.pi)], ["två, ändrad"], [{**meta("a", 1), "title": "Nytt namn"}])
        assert store.count() == 3
        assert sorted(store.all_ids()) == sorted(ids)
        top = store.query(unit(math.pi), 1)[0]
        assert top.chunk_id == "a:1" and top.metadata["title"] == "Nytt namn"
        assert top.score == pytest.approx(1.0, abs=1e-4)

    def test_query_orders_by_cosine_and_ignores_length(self, store):
        angles = [0.05, 0.3, 0.6, 0.9, 1.2, 1.5, 2.0, 2.8]
        scales = [5.0, 0.1, 3.0, 0.5, 10.0, 1.0, 0.2, 7.0]  # length must not matter for cosine
        ids = [f"d:{i}" for i in range(len(angles))]
        order = np.random.default_rng(3).permutation(len(ids))  # insertion order must not matter either
        store.add([ids[i] for i in order], [unit(angles[i], scales[i]) for i in order], [ids[i] for i in order],
                  [meta("d", int(i)) for i in order])
        hits = store.query(unit(0.0, 2.0), 5)
        assert [h.chunk_id for h in hits] == ids[:5]
        for hit, angle in zip(hits, angles):
            assert hit.score == pytest.approx(math.cos(angle), abs=1e-3)
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
        assert hits[0].metadata == meta("d", 0)
        bare = store.query(unit(0.0, 2.0), 5, with_metadata=False)  # the reader's query: ids and scores only
        assert [(h.chunk_id, h.score) for h in bare] == [(h.chunk_id, h.score) for h in hits]
        assert all(h.metadata == {} for h in bare)
        assert [h.chunk_id for h in store.query(unit(math.pi), 2)] == ["d:7", "d:6"]  # the opposite direction
        assert len(store.query(unit(0.0), 100)) == len(ids)

    def test_query_filters_by_one_or_several_documents(self, store):
        ids, vectors, metas = [], [], []
        for d, base in (("a", 0.0), ("b", 1.0), ("c", 2.0)):
            for i in range(4):
                ids.append(f"{d}:{i}")
                vectors.append(unit(base + 0.1 * i))
                metas.append(meta(d, i))
        store.add(ids, vectors, ids, metas)
        query = unit(0.0)
        assert {h.metadata["doc_id"] for h in store.query(query, 12)} == {"a", "b", "c"}
        only_b = store.query(query, 10, doc_ids=["b"])
        assert [h.chunk_id for h in only_b] == ["b:0", "b:1", "b:2", "b:3"]
        a_or_c = store.query(unit(2.0), 10, doc_ids=["a", "c"])
        assert {h.metadata["doc_id"] for h in a_or_c} == {"a", "c"} and len(a_or_c) == 8
        assert a_or_c[0].chunk_id == "c:0"
        assert store.query(query, 3, doc_ids=["c", "b"])[0].chunk_id == "b:0"
        assert store.query(query, 5, doc_ids=["finns-inte"]) == []

    def test_query_returns_the_exact_nearest_neighbours_after_reopening(self, open_store):
        """The reader asks for 60 candidates among a few hundred chunks; an approximate search that misses a true
        neighbour now and then gives the same question different answers from run to run."""
        name = f"exact-{uuid.uuid4().hex[:12]}"
        rng = np.random.default_rng(7)
        vectors = rng.normal(size=(600, 384)).astype(np.float32)  # high-dimensional noise: hard for a graph
        ids = [f"e:{i:03d}" for i in range(len(vectors))]
        open_store(name).add(ids, vectors.tolist(), ids, [meta("e", i) for i in range(len(ids))])
        store = open_store(name)  # a new client rebuilds the index from what was persisted
        unit_vectors = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
        for query in rng.normal(size=(5, 384)).astype(np.float32):
            exact = np.argsort(-(unit_vectors @ (query / np.linalg.norm(query))))[:60]
            assert [h.chunk_id for h in store.query(query.tolist(), 60, with_metadata=False)] == \
                [ids[i] for i in exact]

    def test_delete_removes_vectors_from_counts_ids_and_queries(self, store):
        n = 1500  # more than one delete batch
        ids = [f"x:{i:04d}" for i in range(n)]
        store.add(ids, random_vectors(n, seed=1), ids, [meta("x", i) for i in range(n)])
        doomed = ids[::2]
        store.delete(doomed)
        assert store.count() == n - len(doomed)
        assert set(store.all_ids()) == set(ids[1::2])
        target = random_vectors(n, seed=1)[0]  # the vector of a deleted id
        assert all(h.chunk_id not in doomed for h in store.query(target, 50))
        store.delete([])
        store.delete(["x:0000", "finns-inte"])  # already gone or never there: not an error
        assert store.count() == n - len(doomed)

    def test_collections_are_separate_and_persist_across_clients(self, open_store):
        name = f"conformance-{uuid.uuid4().hex[:12]}"
        first = open_store(name)
        first.add(["p:0", "p:1"], [unit(0.0), unit(1.0)], ["ett", "två"], [meta("p", 0), meta("p", 1)])
        other = open_store(f"{name}-annan")
        assert other.count() == 0 and other.query(unit(0.0), 3) == []
        again = open_store(name)
        assert again.count() == 2 and again.query(unit(0.0), 1)[0].chunk_id == "p:0"

    def test_drop_deletes_the_collection(self, open_store):
        name = f"conformance-{uuid.uuid4().hex[:12]}"
        store = open_store(name)
        store.add(["p:0"], [unit(0.0)], ["ett"], [meta("p", 0)])
        store.drop()
        assert open_store(name).count() == 0  # opening it again makes a new, empty collection
