"""The assistant: plan a Swedish question, retrieve, answer with verbatim quotes, cite.

Where things happen::

    planning.py      the question as understood (conversation, abbreviations, named documents)
    retrieval.py     BM25 and dense search, fused
    ranking.py       every sentence of the passages scored against the question
    answerability.py does the evidence answer the question at all (the refusal rules)
    knowledge.py     structured answers: terms, programmes, commitments, comparisons
    answerers/       the answerer contract, the extractive and the generative answerer
    citations.py     spans as citations, numbered [1], [2], …
    guardrails.py, prompts.py, llm_backends.py   the generative answerer's parts
    api.py           ``Assistant``, the public API

Public interface (what the UI and the CLIs use)::

    from assistant import Assistant, Filters
    answer = Assistant().ask("Vad står BVC för?")
"""

from assistant.api import Assistant
from assistant.limits import bound_question, with_cut_notice
from assistant.types import (
    Answer,
    Citation,
    DocumentSummary,
    Filters,
    KnowledgeTables,
    Passage,
    Sourced,
    page_text,
)
from index.reader import IndexDamagedError, IndexMissingError, IndexNotReadyError

__all__ = [
    "Answer", "Assistant", "Citation", "DocumentSummary", "Filters", "IndexDamagedError", "IndexMissingError",
    "IndexNotReadyError", "KnowledgeTables", "Passage", "Sourced", "bound_question", "page_text", "with_cut_notice",
]
