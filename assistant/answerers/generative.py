"""Generative answers from a configurable language model, with guard rails checked in code.

The extractive answerer stays the default. With ``settings.llm_backend`` set (a back-end of
``assistant/llm_backends.py``), ``GenerativeAnswerer`` wraps it:

1. the extractive answerer runs first (plan, hybrid retrieval, ranking, the refusal rules): a
   question it refuses, or one the structured knowledge answers, never reaches the model;
2. the best ranked chunks become numbered passages [1] … [k] within ``settings.llm_context_tokens``
   (``assistant/prompts.py``), each a citable span (doc_id, start, end);
3. the model writes a Swedish answer with a marker [n] after every sentence (streamed);
4. the guard rails (``assistant/guardrails.py``) check every answer and repair what they can; an
   answer that cannot be repaired, one that holds fewer of the asked facts than the extractive
   draft (``compare_with_draft``), a model that errs or is too slow, all give the extractive answer
   instead, with a Swedish notice that says why (``Answer.guardrail_issues`` names it).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from llama_index.core.llms import ChatMessage

from assistant import messages
from assistant.answerers.base import Answerer
from assistant.answerers.extractive import ExtractiveAnswerer
from assistant.citations import CitationList
from assistant.guardrails import GuardrailConfig, GuardrailReport, best_span, check_answer, compare_with_draft
from assistant.llm_backends import LLMConfigError, make_llm, token_counter
from assistant.prompts import GivenPassage, TokenCounter, chat_turns, estimate_tokens, passage_label, select_passages
from assistant.types import Answer, Filters, page_text
from common.settings import Settings

if TYPE_CHECKING:
    from llama_index.core.llms import LLM

log = logging.getLogger(__name__)


class LLMTimeoutError(TimeoutError):
    pass


class GenerativeAnswerer(Answerer):
    """Answers through a language model over the extractive answerer's retrieval, guard-railed, and
    falls back to the extractive answer (see the module docstring)."""

    name = "generative"

    def __init__(self, extractive: ExtractiveAnswerer, settings: Settings, llm: LLM | None = None,
                 max_passages: int = 6, config: GuardrailConfig = GuardrailConfig()) -> None:
        self.extractive = extractive
        self.settings = settings
        self.max_passages = max_passages
        self.config = config
        self._llm = llm
        self._llm_error: LLMConfigError | None = None
        self._make_lock = threading.Lock()
        # llama.cpp holds one context: one generation at a time. Servers take concurrent requests.
        self._generate_lock = threading.Lock() if self.settings.llm_backend == "llamacpp" else None

    # --- the model ------------------------------------------------------------------------

    def warm_up(self) -> None:
        """Load the index and make the model (a local GGUF takes seconds); raises ``LLMConfigError``."""
        self.extractive.warm_up()
        _ = self.llm

    @property
    def llm(self) -> LLM:
        """The language model, made on first use (a local GGUF takes seconds to load)."""
        with self._make_lock:
            if self._llm is None:
                if self._llm_error is not None:
                    raise self._llm_error
                try:
                    self._llm = make_llm(self.settings)
                except LLMConfigError as exc:
                    self._llm_error = exc
                    raise
            return self._llm

    def _generate(self, chat: list[ChatMessage], deadline: float, stream: bool) -> Iterator[str]:
        """Text deltas from the model, given up at ``deadline`` (the worker thread is told to stop)."""
        llm = self.llm
        out: queue.Queue = queue.Queue()
        cancel = threading.Event()
        lock = self._generate_lock

        def work() -> None:
            try:
                if lock is not None and not lock.acquire(timeout=max(0.0, deadline - time.monotonic())):
                    raise LLMTimeoutError("the model is busy with an earlier question")
                try:
                    if stream:
                        for chunk in llm.stream_chat(chat):
                            if cancel.is_set():
                                break
                            out.put(("delta", chunk.delta or ""))
                    else:
                        out.put(("delta", llm.chat(chat).message.content or ""))
                finally:
                    if lock is not None:
                        lock.release()
                out.put(("done", None))
            except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
                out.put(("error", exc))

        worker = threading.Thread(target=work, name="llm-generate", daemon=True)
        worker.start()
        try:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise LLMTimeoutError(f"no complete answer within {self.settings.llm_timeout_s:g} s")
                try:
                    kind, value = out.get(timeout=remaining)
                except queue.Empty:
                    continue
                if kind == "delta":
                    if value:
                        yield value
                elif kind == "done":
                    return
                else:
                    raise value
        finally:
            cancel.set()

    # --- answering ------------------------------------------------------------------------

    def ask(self, question: str, history: Sequence[str] = (), filters: Filters | None = None) -> Answer:
        """The checked answer (the model's reply in one piece, not streamed)."""
        final = None
        for item in self._run(question, history, filters, stream=False):
            if isinstance(item, Answer):
                final = item
        assert final is not None
        return final

    def stream(self, question: str, history: Sequence[str] = (),
               filters: Filters | None = None) -> Iterator[str | Answer]:
        """Text deltas as the model writes them, then the checked ``Answer`` (which replaces them:
        its markers are renumbered to its citations, and it may be repaired or the extractive answer)."""
        return self._run(question, history, filters, stream=True)

    def _run(self, question: str, history: Sequence[str], filters: Filters | None,
             stream: bool) -> Iterator[str | Answer]:
        started = time.perf_counter()
        extractive = self.extractive.ask(question, history, filters)
        if extractive.refused or extractive.kind != "search" or not extractive.passages:
            # The refusal rules and the structured knowledge answer first; the model is not asked.
            yield replace(extractive, guardrails="skipped")
            return
        timings = dict(extractive.timings_ms)
        try:
            llm = self.llm  # made (a local model loaded) once, before the answer's time starts
            deadline = time.monotonic() + self.settings.llm_timeout_s
            passages = self.passages_for(extractive, token_counter(llm))
            turns = chat_turns(passages, extractive.effective_question or extractive.question)
            chat = [ChatMessage(role=role, content=content) for role, content in turns]
            t = time.perf_counter()
            parts: list[str] = []
            for delta in self._generate(chat, deadline, stream):
                parts.append(delta)
                if stream:
                    yield delta
            timings["generate"] = _ms(t)
        except LLMTimeoutError as exc:
            log.warning("language model timed out: %s", exc)
            yield self._fallback(extractive, messages.TIMEOUT, started, ["timeout"])
            return
        except LLMConfigError as exc:
            log.error("language model not available: %s", exc)
            yield self._fallback(extractive, messages.UNAVAILABLE, started, ["unavailable"])
            return
        except Exception as exc:  # noqa: BLE001 - any client or server failure gives the extractive answer
            log.warning("language model failed: %s: %s", type(exc).__name__, exc)
            yield self._fallback(extractive, messages.UNAVAILABLE, started, ["model_error"])
            return

        t = time.perf_counter()
        text = "".join(parts)
        asked = extractive.effective_question or extractive.question
        lexical = self.extractive.components().index.lexical
        report = check_answer(text, passages, lexical.analyzer, lexical.idf, self.config, question=asked)
        gaps: list[str] = []
        if report.outcome != "fallback":
            # The asks are the user's own question's; the restatement check above also knew the earlier ones.
            gaps = compare_with_draft(report, extractive.question, extractive.answer, lexical.analyzer,
                                      lexical.rarity)
        timings["check"] = _ms(t)
        if report.all_issues():
            # Not the question itself: it may hold personal data (see tests/test_security.py).
            log.info("guard rails: %s (%s) for a question of %d characters", report.outcome,
                     ", ".join(report.all_issues()), len(question))
        if report.outcome == "fallback":
            yield self._fallback(extractive, messages.fallback_notice(report.issues), started, report.all_issues())
            return
        answer = self._render(extractive, report, passages, gaps)
        answer.timings_ms = {**timings, "total": _ms(started)}
        yield answer

    def passages_for(self, extractive: Answer, count_tokens: TokenCounter = estimate_tokens) -> list[GivenPassage]:
        """The top ranked chunks, those holding the extractive answer's quotes first, within the budget."""
        index = self.extractive.components().index
        order = []
        seen: set[str] = set()
        for citation in extractive.citations:
            if citation.chunk_id and citation.chunk_id not in seen and citation.chunk_id in index.chunks:
                seen.add(citation.chunk_id)
                order.append(citation.chunk_id)
        for passage in extractive.passages:
            if passage.chunk_id and passage.chunk_id not in seen and passage.chunk_id in index.chunks:
                seen.add(passage.chunk_id)
                order.append(passage.chunk_id)
        candidates = []
        for chunk_id in order:
            chunk = index.chunks[chunk_id]
            entry = index.entries[chunk.doc_id]
            spans, _ = index.sentence_vectors(chunk.doc_id, chunk.start, chunk.end)
            candidates.append(GivenPassage(
                n=0, doc_id=chunk.doc_id, start=chunk.start, end=chunk.end,
                text=index.documents[chunk.doc_id].text[chunk.start:chunk.end],
                label=passage_label(entry.title, page_text(chunk.page_start,
                                                           index.documents[chunk.doc_id].page_label(chunk.page_start)),
                                    chunk.section_path),
                sentences=tuple((int(s), int(e)) for s, e in spans),
            ))
        return select_passages(candidates, self.settings.llm_context_tokens, count_tokens, self.max_passages)

    def _render(self, extractive: Answer, report: GuardrailReport, passages: Sequence[GivenPassage],
                gaps: Sequence[str] = ()) -> Answer:
        """The checked answer with its citations (a model's refusal never gets here: ``compare_with_draft``
        turns it into the extractive answer)."""
        c = self.extractive.components()
        notices = list(extractive.notices)
        by_n = {p.n: p for p in passages}
        cited = CitationList(c.citer)
        out = ""
        for checked in report.kept:
            unit = checked.unit
            marks = []
            for n in checked.markers:
                passage = by_n[n]
                start, end = best_span(unit.text, passage, c.index.lexical.analyzer, c.index.lexical.idf)
                mark = f"[{cited.cite(passage.doc_id, start, end)}]"
                if mark not in marks:
                    marks.append(mark)
            sentence = unit.bullet + unit.text + ("".join(f" {m}" for m in marks))
            out += (unit.separator if out else "") + sentence
        for part in gaps:
            out += "\n\n" + messages.PART_NOT_ANSWERED.format(part=part)
        notices.append(messages.GENERATED)
        if report.outcome == "repaired":
            dropped = [c for c in report.units if c.action == "dropped"]
            restated = sum("restatement" in c.issues for c in dropped)
            moved = sum(c.action == "reattached" or (c.action == "kept" and c.markers != c.unit.markers)
                        for c in report.units)
            respelled = sum("misspelling" in c.issues for c in report.units)
            notices.append(messages.repaired_notice(restated, len(dropped) - restated, moved, len(gaps), respelled))
        return replace(extractive, answer=out.strip(), refused=False, citations=cited.citations, notices=notices,
                       engine=self.name, guardrails=report.outcome, guardrail_issues=report.all_issues())

    def _fallback(self, extractive: Answer, notice: str, started: float, issues: Sequence[str] = ()) -> Answer:
        timings = {**extractive.timings_ms, "total": _ms(started)}
        return replace(extractive, notices=[*extractive.notices, notice], guardrails="fallback",
                       guardrail_issues=list(issues), timings_ms=timings)


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 1)
