"""Answerers: one contract (``Answerer``: ``ask`` and ``stream`` → ``Answer``), two implementations,
and the factory that builds the one the settings ask for.

* ``ExtractiveAnswerer`` (default): verbatim quotes, no model;
* ``GenerativeAnswerer``: a language model writes over the same evidence, guard-railed, and
  falls back to the extractive answer it wraps.
"""

from __future__ import annotations

from assistant.answerers.base import Answerer
from assistant.answerers.extractive import ExtractiveAnswerer
from assistant.components import LiveIndex
from common.settings import Settings


def make_answerer(settings: Settings, live: LiveIndex) -> Answerer:
    """The extractive answerer, wrapped by the generative one when ``settings.llm_backend`` names a model."""
    extractive = ExtractiveAnswerer(live, settings)
    if settings.llm_backend == "none":
        return extractive
    from assistant.answerers.generative import GenerativeAnswerer  # needs llama-index's LLM classes

    return GenerativeAnswerer(extractive, settings)


__all__ = ["Answerer", "ExtractiveAnswerer", "make_answerer"]
