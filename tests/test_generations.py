"""One generation at a time (issue 14): a running assistant sees what ``python -m ingest`` in another process
commits (its embedded Chroma is opened anew), and every answer comes from one whole generation, also when a
commit lands while the question is being answered. Real parts only: the real embedded Chroma, the real model,
and ``python -m ingest`` as a real child process on the same data directory."""

from __future__ import annotations

import subprocess

import numpy as np
from conftest import ingest_cli

from assistant import Assistant
from common.settings import Settings
from index import IndexReader
from index.layout import DataLayout
from index.vectorstore import ChromaStore, chroma_client

CHANGED = "remissvar-region-orebro-lan-2023.txt"
NEW_SENTENCE = ("Familjecentralen i Grönstad har öppet för pappor med spädbarn varje torsdagskväll med "
                "samtalsgrupper om sömn och lek.")
NEW_QUESTION = "När har familjecentralen i Grönstad öppet för pappor med spädbarn?"
QUESTION = "Vilka målområden har Lindesbergs strategi för föräldraskapsstöd?"


def ingest_in_another_process(settings: Settings) -> subprocess.CompletedProcess:
    done = ingest_cli(settings)
    assert done.returncode == 0 and "Traceback" not in done.stderr, (done.stdout, done.stderr)
    return done


def change_the_corpus(settings: Settings) -> None:
    path = settings.corpus_dir / CHANGED
    path.write_text(path.read_text(encoding="utf-8") + f"\n\n{NEW_SENTENCE}\n", encoding="utf-8")


def answer_ids(answer) -> set[str]:
    return {p.chunk_id for p in answer.passages} | {c.chunk_id for c in answer.citations if c.chunk_id}


def test_a_running_assistant_sees_an_outside_ingest_and_its_vectors(indexed_by_cli: Settings):
    settings = indexed_by_cli
    assistant = Assistant(settings)
    first = assistant.ask(QUESTION)
    old = assistant.index
    assert answer_ids(first) <= set(old.chunks)
    probe = old.embed_query(NEW_SENTENCE)
    assert old.dense_search(probe, 3)  # the embedded Chroma of this process is open and answering

    change_the_corpus(settings)
    done = ingest_in_another_process(settings)
    assert "1 indexed, 2 unchanged" in done.stdout, done.stdout

    answer = assistant.ask(NEW_QUESTION)
    new = assistant.index
    assert new.generation > old.generation
    assert answer_ids(answer) <= set(new.chunks), "an answer from the old generation after the commit"
    assert "torsdagskväll" in answer.answer, answer.answer
    # Dense search sees the other process's new vectors (a Chroma opened before the commit would not) ...
    hits = new.dense_search(new.embed_query(NEW_SENTENCE), 3)
    assert hits and "Grönstad" in hits[0][0].text, [c.chunk_id for c, _ in hits]
    # ... and no longer returns the vectors it deleted.
    manifest_ids = set(new.chunks)
    raw = new._vector_store().query(probe.tolist(), len(manifest_ids) + 10)
    assert {h.chunk_id for h in raw} == manifest_ids


def test_a_question_is_answered_from_the_generation_it_started_with(indexed_by_cli: Settings):
    settings = indexed_by_cli
    assistant = Assistant(settings)
    with assistant.live.snapshot() as pinned:
        change_the_corpus(settings)
        ingest_in_another_process(settings)  # commits while "the question is being answered"
        assert DataLayout(settings.data_dir).read_manifest().generation > pinned.index.generation
        assert assistant.live.current() is pinned  # every part asked for inside gets the same generation
        answer = assistant.answerer.ask(NEW_QUESTION)
        assert answer_ids(answer) <= set(pinned.index.chunks)
        assert "torsdagskväll" not in answer.answer  # (a refusal may name Grönstad)
    # The next question gets the new generation, whole.
    answer = assistant.ask(NEW_QUESTION)
    assert assistant.live.current() is not pinned
    assert answer_ids(answer) <= set(assistant.index.chunks)
    assert "torsdagskväll" in answer.answer, answer.answer
    streamed = list(assistant.stream(NEW_QUESTION))[-1]
    assert answer_ids(streamed) <= set(assistant.index.chunks) and "torsdagskväll" in streamed.answer


def test_dense_search_is_not_crowded_out_by_vectors_of_another_generation(indexed_by_cli: Settings):
    """While an ingest writes, the store holds vectors the manifest does not name yet. A reader must still
    get its own generation's k nearest chunks, the same as before they were written."""
    settings = indexed_by_cli
    reader = IndexReader.open(settings)
    query = reader.embed_query(QUESTION)
    before = [(c.chunk_id, round(s, 5)) for c, s in reader.dense_search(query, 10)]
    assert len(before) == 10

    store = ChromaStore(chroma_client(settings, fresh=True), reader.manifest.collection)
    got = store._collection.get(include=["embeddings", "documents", "metadatas"])
    for copy in range(3):  # three not yet committed copies of every chunk, nearest to everything
        store.add([f"{cid}:next{copy}" for cid in got["ids"]],
                  [np.asarray(v, dtype=float).tolist() for v in got["embeddings"]], got["documents"],
                  got["metadatas"])
    fresh = IndexReader.open(settings)
    assert fresh.generation == reader.generation
    assert [(c.chunk_id, round(s, 5)) for c, s in fresh.dense_search(query, 10)] == before


def test_a_damaged_new_manifest_keeps_the_loaded_generation_answering(indexed_by_cli: Settings):
    settings = indexed_by_cli
    assistant = Assistant(settings)
    first = assistant.ask(QUESTION)
    generation, loaded = assistant.index.generation, assistant.index
    (settings.data_dir / "manifest.json").write_bytes(b"\xff\xfe not a manifest")
    again = assistant.ask(QUESTION)
    assert assistant.index.generation == generation
    assert assistant.index is loaded  # kept, not reloaded
    assert again.answer == first.answer
