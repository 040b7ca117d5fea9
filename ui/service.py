"""The chat's service: one ``Assistant`` for the whole server, loaded in the background with a
visible status; answers remembered (for feedback) by id; feedback stored."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import asdict

from assistant import Answer, Assistant, DocumentSummary, Filters, IndexMissingError, IndexNotReadyError
from common.settings import Settings
from ui.feedback import FeedbackStore
from ui.rendering import format_indexed, render_sources_for_turn

log = logging.getLogger(__name__)

INDEX_MISSING = "Indexet saknas – kör python -m ingest"
INDEX_BROKEN = "Indexet kan inte läsas – kör python -m ingest igen"
LOADING = "Laddar indexet …"
WARM_UP_QUESTION = "Vad är föräldraskapsstöd?"
REMEMBERED_ANSWERS = 5000  # answers kept for feedback; the oldest are forgotten
COMMENT_MAX_CHARS = 4000  # a feedback comment is cut to this length (as the page's comment box)


class ServiceError(RuntimeError):
    """A problem to show the user (the message is Swedish)."""


def index_message(exc: IndexNotReadyError) -> str:
    return INDEX_MISSING if isinstance(exc, IndexMissingError) else INDEX_BROKEN


class AssistantService:
    """Loads the assistant in the background, answers, and remembers answers for feedback."""

    def __init__(self, settings: Settings, factory: Callable[[Settings], Assistant] = Assistant) -> None:
        self.settings = settings
        self._factory = factory
        self._assistant: Assistant | None = None
        self._error: str | None = None
        self._loading = threading.Lock()
        self._ready = threading.Event()
        self._last_attempt = 0.0
        self.load_seconds: float | None = None
        self._feedback: FeedbackStore | None = None
        self._answers: OrderedDict[str, dict] = OrderedDict()
        self._answers_lock = threading.Lock()

    @property
    def feedback(self) -> FeedbackStore:
        """The feedback file, created with the first feedback."""
        if self._feedback is None:
            self._feedback = FeedbackStore.for_data_dir(self.settings.data_dir)
        return self._feedback

    # --- loading ------------------------------------------------------------------------------

    def start(self) -> None:
        threading.Thread(target=self.load, name="fsa-load-index", daemon=True).start()

    def load(self) -> None:
        """Load (or reload after a failure) the assistant and its index."""
        with self._loading:
            self._last_attempt = time.monotonic()
            started = time.perf_counter()
            try:
                assistant = self._assistant or self._factory(self.settings)
                assistant.documents()  # reads the index
                if self._assistant is None:
                    self._warm_up(assistant)
                self._assistant, self._error = assistant, None
                self.load_seconds = time.perf_counter() - started
                log.info("index loaded in %.1f s", self.load_seconds)
            except IndexNotReadyError as exc:
                log.warning("index not ready: %s", exc)
                self._error = index_message(exc)
            except Exception as exc:
                log.exception("the assistant could not start")
                self._error = f"Assistenten kunde inte starta: {exc}"
            finally:
                self._ready.set()

    def reload_if_failed(self) -> None:
        """After a re-index: load again when there was no usable index before."""
        if self._assistant is None or self._error:
            self.load()

    @staticmethod
    def _warm_up(assistant: Assistant) -> None:
        """One question before the first user's, so that the embedding model and the vector
        store are loaded while the status still says "Laddar indexet …"."""
        try:
            assistant.ask(WARM_UP_QUESTION)
        except IndexNotReadyError:
            raise
        except Exception:
            log.warning("warm-up question failed", exc_info=True)

    def wait(self, timeout: float = 300) -> Assistant:
        """The loaded assistant; retries a failed load (the index may exist now)."""
        if not self._ready.wait(timeout):
            raise ServiceError("Indexet laddas fortfarande – försök igen om en stund.")
        if self._error and time.monotonic() - self._last_attempt > 3:
            self.load()
        if self._assistant is None or self._error:
            raise ServiceError(self._error or INDEX_MISSING)
        return self._assistant

    @property
    def assistant(self) -> Assistant | None:
        """The assistant when it is loaded and has documents, else None."""
        return self._assistant if self._assistant is not None and not self._error else None

    def status(self) -> tuple[str, str]:
        """("loading" | "ready" | "error", a Swedish message)."""
        if not self._ready.is_set():
            return "loading", LOADING
        try:
            assistant = self.wait(0)
            documents = assistant.documents()
        except ServiceError as exc:
            return "error", str(exc)
        except IndexNotReadyError as exc:
            return "error", index_message(exc)
        chunks = sum(d.chunks for d in documents)
        latest = max((d.indexed_at for d in documents), default="")
        when = f", senast indexerat {format_indexed(latest)}" if latest else ""
        return "ready", f"Indexet är laddat: {len(documents)} dokument, {chunks} textavsnitt{when}."

    def documents(self) -> list[DocumentSummary]:
        try:
            return self.wait(0).documents()
        except (ServiceError, IndexNotReadyError):
            return []

    # --- answering ----------------------------------------------------------------------------

    def ask(self, question: str, history: list[str], filters: Filters, user: str = "") -> tuple[str, Answer]:
        """The answer and the id it is remembered by (for feedback)."""
        assistant = self.wait()
        try:
            answer = assistant.ask(question, history=history, filters=filters)
        except IndexNotReadyError as exc:
            raise ServiceError(index_message(exc)) from exc
        answer_id = uuid.uuid4().hex
        # Lengths and ids only: never the question (docs/security.md).
        log.info("answer %s: question of %d characters, %d earlier, %s, %.0f ms", answer_id, len(question),
                 len(history), "refused" if answer.refused else answer.kind, answer.timings_ms.get("total", 0.0))
        record = {"question": answer.question, "answer": answer.answer, "refused": answer.refused,
                  "citations": [asdict(c) for c in answer.citations], "user": user}
        with self._answers_lock:
            self._answers[answer_id] = record
            while len(self._answers) > REMEMBERED_ANSWERS:
                self._answers.popitem(last=False)
        return answer_id, answer

    def render_turn(self, turn: int, answer: Answer) -> str:
        """The sources panel's entry for one answer, quotes shown in their context."""
        documents = {d.doc_id: d for d in self.documents()}
        assistant = self._assistant
        return render_sources_for_turn(turn, answer, assistant.surrounding if assistant else None, documents)

    def record_feedback(self, answer_id: str, rating: str | bool | None = None, comment: str | None = None,
                        user: str = "") -> None:
        with self._answers_lock:
            record = self._answers.get(answer_id)
        if record is None:
            raise ServiceError("Svaret finns inte längre – ställ frågan igen för att lämna återkoppling.")
        comment = comment[:COMMENT_MAX_CHARS] if isinstance(comment, str) else None
        self.feedback.record(answer_id=answer_id, question=record["question"], answer=record["answer"],
                             citations=record["citations"], refused=record["refused"], rating=rating,
                             comment=comment, user=user or record["user"])
