"""The assistant answers from the real corpus index with valid, verbatim citations."""

from assistant import Assistant
from index import IndexReader


def test_answer_cites_verbatim_passages(corpus_settings):
    assistant = Assistant(corpus_settings)
    answer = assistant.ask("Vad står BVC för?")
    assert not answer.refused
    assert "Barnavårdscentral" in answer.answer
    index = IndexReader.open(corpus_settings)
    for citation in answer.citations:
        assert index.documents[citation.doc_id].text[citation.start:citation.end] == citation.quote
        assert f"[{citation.n}]" in answer.answer
