"""The Chroma adapter, embedded and as a real ``chroma run`` server, runs the vector-store conformance
suite; and the real corpus ingested into a Chroma server answers as the embedded index does."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from vectorstore_conformance import VectorStoreConformance

from assistant import Assistant
from common.settings import Settings
from index import IndexReader
from index.layout import DataLayout
from index.vectorstore import SEARCH_EF, ChromaStore, VectorStore, chroma_client, open_vector_store
from ingest import run_ingest


class TestEmbeddedChroma(VectorStoreConformance):
    @pytest.fixture
    def open_store(self, tmp_path) -> Callable[[str], VectorStore]:
        settings = Settings(data_dir=tmp_path / "data")
        return lambda name: open_vector_store(settings, name)


@pytest.mark.slow
class TestChromaServer(VectorStoreConformance):
    @pytest.fixture
    def open_store(self, tmp_path, chroma_server) -> Callable[[str], VectorStore]:
        settings = Settings(data_dir=tmp_path / "data", chroma_host="127.0.0.1", chroma_port=chroma_server.port)
        return lambda name: open_vector_store(settings, name)


@pytest.mark.slow
def test_ingest_into_a_chroma_server_and_answer_with_citations(chroma_server, make_settings, reader):
    settings = make_settings(chroma_host="127.0.0.1", chroma_port=chroma_server.port)
    report = run_ingest(settings)
    assert not report.failed and report.documents == 6
    assert not settings.chroma_dir.exists()  # nothing went to an embedded store
    manifest = DataLayout(settings.data_dir).read_manifest()
    server_store = ChromaStore(chroma_client(settings), manifest.collection)
    assert server_store.count() == manifest.chunk_count() == report.chunks

    # The server holds the same vectors as the embedded index of the same corpus.
    served, embedded = IndexReader.open(settings), reader
    assert set(served.chunks) == set(embedded.chunks)
    vector = served.embed_query("Vilket stöd finns för föräldrar till tonåringar?")
    from_server = [(c.chunk_id, s) for c, s in served.dense_search(vector, 5)]
    from_embedded = [(c.chunk_id, s) for c, s in embedded.dense_search(vector, 5)]
    assert [c for c, _ in from_server] == [c for c, _ in from_embedded]
    assert [s for _, s in from_server] == pytest.approx([s for _, s in from_embedded], abs=1e-4)

    assistant = Assistant(settings)
    answer = assistant.ask("Vad står BVC för?")
    assert not answer.refused and "Barnavårdscentral" in answer.answer
    assert not any("Vektorsökningen" in n for n in answer.notices)  # the dense search answered
    assert answer.citations
    for citation in answer.citations:
        assert assistant.document_text(citation.doc_id)[citation.start:citation.end] == citation.quote
        assert f"[{citation.n}]" in answer.answer
    assert any("BVC - Barnavårdscentral" in c.quote for c in answer.citations)


def test_a_collection_made_with_chromas_default_search_width_is_widened_when_opened(tmp_path):
    """An index built before the search was made exact keeps working, and answers exactly from then on."""
    settings = Settings(data_dir=tmp_path / "data")
    client = chroma_client(settings)
    client.get_or_create_collection("older", configuration={"hnsw": {"space": "cosine"}}, embedding_function=None)
    assert client.get_collection("older").configuration["hnsw"]["ef_search"] < SEARCH_EF
    ChromaStore(chroma_client(settings), "older")
    assert chroma_client(settings).get_collection("older").configuration["hnsw"]["ef_search"] == SEARCH_EF
