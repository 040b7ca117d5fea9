"""The page's event handlers, as methods of ``ChatHandlers``: plain functions of their inputs
(the component values Gradio passes) that return the components' new values, testable without
a browser. ``ui/page.py`` wires them to the components."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import gradio as gr

from assistant import Filters, KnowledgeTables, bound_question, with_cut_notice
from ingest import IngestReport
from ui.admin import INGEST_STAGES, AdminError, AdminService
from ui.feedback import HELPFUL, NOT_HELPFUL
from ui.rendering import (
    KNOWLEDGE_TABS,
    answer_payload,
    feedback_prompt,
    filter_choices,
    ingest_summary,
    md_literal,
    render_answer,
    render_documents,
    render_error,
    render_sources_panel,
    render_status,
)
from ui.service import AssistantService, ServiceError

log = logging.getLogger(__name__)

PENDING = "Söker i dokumenten …"


def username(request: gr.Request | None) -> str:
    return (getattr(request, "username", None) or "") if request is not None else ""


def filters_of(doc_ids: list[str] | None, publishers: list[str] | None, doc_types: list[str] | None) -> Filters:
    return Filters(doc_ids=list(doc_ids or []), publishers=list(publishers or []), doc_types=list(doc_types or []))


def _year(value: float | None) -> int | None:
    return int(value) if value not in (None, "") else None


def knowledge_updates(tables: KnowledgeTables | None) -> list[Any]:
    """(tab, content) updates for every knowledge tab: shown with its table when it has records."""
    updates: list[Any] = []
    for select, render in KNOWLEDGE_TABS.values():
        items = select(tables) if tables is not None else []
        updates += [gr.Tab(visible=bool(items)), render(items) if items else ""]
    return updates


class ChatHandlers:
    """What happens on the page: asking, feedback, administration, and the API."""

    def __init__(self, service: AssistantService, admin: AdminService) -> None:
        self.service = service
        self.admin = admin

    # --- page load ----------------------------------------------------------------------------

    def on_load(self) -> str:
        """Wait for the background load of the index (the status shows "Laddar indexet …")."""
        try:
            self.service.wait()
        except ServiceError:
            pass
        return render_status(*self.service.status())

    def _knowledge(self) -> KnowledgeTables | None:
        assistant = self.service.assistant
        if assistant is None:
            return None
        try:
            return assistant.knowledge()
        except Exception:  # the tabs stay hidden; answering still works
            log.warning("the knowledge tables could not be built", exc_info=True)
            return None

    def page_content(self) -> list[Any]:
        """Filters, the documents table, the documents an admin may remove and the knowledge tabs."""
        documents = self.service.documents()
        docs, publishers, types = filter_choices(documents)
        return [
            gr.CheckboxGroup(choices=docs), gr.CheckboxGroup(choices=publishers), gr.CheckboxGroup(choices=types),
            render_documents(documents) if documents else render_status(*self.service.status()),
            gr.Dropdown(choices=docs, value=None),
            *knowledge_updates(self._knowledge() if documents else None),
        ]

    def fill_page(self, request: gr.Request) -> list[Any]:
        """After the load: the page content, and the administration tab for admins."""
        content = self.page_content()
        return [*content[:5], gr.Tab(visible=self.admin.is_admin(username(request))), *content[5:]]

    # --- asking -------------------------------------------------------------------------------

    def respond(self, text: str, messages: list, turns: list, doc_ids: list, publishers: list, doc_types: list,
                request: gr.Request) -> Iterator[tuple]:
        """Outputs: question box, chat, turns, sources panel, feedback box, feedback target, target, status."""
        skip = gr.skip()
        limit = self.service.settings.question_max_chars
        text, cut = bound_question(text, limit)  # the chat keeps no more of it than the assistant reads
        if not text:
            gr.Info("Skriv en fråga först.")
            yield skip, skip, skip, skip, skip, skip, skip, skip
            return
        messages = list(messages or []) + [{"role": "user", "content": md_literal(text)}]
        yield ("", messages + [{"role": "assistant", "content": f'<p class="fsa-pending">{PENDING}</p>'}],
               skip, skip, skip, skip, skip, skip)
        turn = len(turns) + 1
        try:
            answer_id, answer = self.service.ask(text, [t["question"] for t in turns],
                                                 filters_of(doc_ids, publishers, doc_types), username(request))
        except ServiceError as exc:
            messages.append({"role": "assistant", "content": render_error(str(exc))})
            yield "", messages, turns, skip, skip, skip, skip, render_status(*self.service.status())
            return
        except Exception as exc:
            log.exception("answering failed")
            messages.append({"role": "assistant", "content": render_error(
                f"Något gick fel när frågan besvarades ({type(exc).__name__}). Försök igen.")})
            yield "", messages, turns, skip, skip, skip, skip, skip
            return
        if cut:
            answer = with_cut_notice(answer, limit)
        messages.append({"role": "assistant", "content": render_answer(answer, turn)})
        turns = list(turns) + [{"turn": turn, "answer_id": answer_id, "question": text,
                                "message": len(messages) - 1, "sources": self.service.render_turn(turn, answer)}]
        yield ("", messages, turns, render_sources_panel([t["sources"] for t in turns]),
               gr.Column(visible=True), feedback_prompt(turn, text), answer_id, skip)

    @staticmethod
    def clear() -> tuple:
        """A new conversation: chat, turns, sources, feedback box, target, target state, comment, status."""
        return [], [], render_sources_panel([]), gr.Column(visible=False), "", "", "", ""

    # --- feedback -----------------------------------------------------------------------------

    def _rate(self, answer_id: str, note: str, rating: str, request: gr.Request | None) -> str:
        if not answer_id:
            return "Ställ en fråga först."
        try:
            self.service.record_feedback(answer_id, rating=rating, comment=note or None, user=username(request))
        except ServiceError as exc:
            return str(exc)
        return f"Tack! Din återkoppling (”{rating}”) är sparad."

    def rate_helpful(self, answer_id: str, note: str, request: gr.Request) -> str:
        return self._rate(answer_id, note, HELPFUL, request)

    def rate_not_helpful(self, answer_id: str, note: str, request: gr.Request) -> str:
        return self._rate(answer_id, note, NOT_HELPFUL, request)

    def send_comment(self, answer_id: str, note: str, request: gr.Request) -> str:
        if not (note or "").strip():
            return "Skriv en kommentar först."
        try:
            self.service.record_feedback(answer_id, comment=note, user=username(request))
        except ServiceError as exc:
            return str(exc)
        return "Tack! Din kommentar är sparad."

    def on_like(self, turns: list, data: gr.LikeData, request: gr.Request) -> tuple:
        """The chat's thumbs: outputs are the feedback target state, its prompt and the status line."""
        index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        entry = next((t for t in turns if t.get("message") == index), None)
        if entry is None or data.liked not in (True, False):
            return gr.skip(), gr.skip(), gr.skip()
        rating = HELPFUL if data.liked else NOT_HELPFUL
        try:
            self.service.record_feedback(entry["answer_id"], rating=rating, user=username(request))
        except ServiceError as exc:
            return gr.skip(), gr.skip(), str(exc)
        return (entry["answer_id"], feedback_prompt(entry["turn"], entry["question"]),
                f"Tack! Svar {entry['turn']} är markerat som ”{rating}”. Lägg gärna till en kommentar.")

    # --- administration -----------------------------------------------------------------------

    def _administer(self, request: gr.Request | None, progress: gr.Progress, start: str,
                    action: Callable[[Callable[[str, int, int], None]], IngestReport]) -> str:
        """Run an admin action with visible progress; its report, or why it could not be done."""
        try:
            self.admin.require_admin(username(request))
        except AdminError as exc:
            raise gr.Error(str(exc)) from exc
        progress(0, desc=start)

        def report_progress(stage: str, done: int, total: int) -> None:
            progress((done, max(total, 1)), desc=INGEST_STAGES.get(stage, stage), unit="steg")

        try:
            report = action(report_progress)
        except AdminError as exc:
            return str(exc)
        except Exception as exc:
            log.exception("administration failed")
            return f"Det gick inte: {md_literal(str(exc))}"
        self.service.reload_if_failed()
        return ingest_summary(report)

    def reindex(self, request: gr.Request, progress: gr.Progress = gr.Progress()) -> str:
        return self._administer(request, progress, "Startar indexeringen …", self.admin.reindex)

    def add_documents(self, files: list[str] | None, title: str, publisher: str, year: float | None,
                      doc_type: str, valid_from: float | None, valid_to: float | None, request: gr.Request,
                      progress: gr.Progress = gr.Progress()) -> str:
        """Add the uploaded files with these facts for the catalog, and index them."""
        def add(report_progress: Callable[[str, int, int], None]) -> IngestReport:
            # The page's boxes hold at most 300 and 200 characters; a crafted event gets no more into the catalog.
            return self.admin.add([Path(f) for f in files or []], (title or "")[:300], (publisher or "")[:200],
                                  _year(year), doc_type or "", _year(valid_from), _year(valid_to), report_progress)

        return self._administer(request, progress, "Lägger till dokumenten …", add)

    def remove_document(self, doc_id: str, request: gr.Request, progress: gr.Progress = gr.Progress()) -> str:
        return self._administer(request, progress, "Tar bort dokumentet …",
                                lambda report_progress: self.admin.remove(doc_id, report_progress))

    def after_reindex(self) -> list[Any]:
        """The status line and the page content after a change of the documents."""
        return [render_status(*self.service.status()), *self.page_content()]

    # --- the API (gradio_client) --------------------------------------------------------------

    def api_ask(self, question: str, history: list[str] | None = None, doc_ids: list[str] | None = None,
                publishers: list[str] | None = None, doc_types: list[str] | None = None,
                request: gr.Request = None) -> dict:
        """Answer a question; returns the answer, whether it was refused, and its citations."""
        text, cut = bound_question(question, self.service.settings.question_max_chars)
        try:
            answer_id, answer = self.service.ask(text, list(history or []), filters_of(doc_ids, publishers, doc_types),
                                                 username(request))
        except ServiceError as exc:
            raise gr.Error(str(exc)) from exc
        if cut:
            answer = with_cut_notice(answer, self.service.settings.question_max_chars)
        return answer_payload(answer_id, answer, turn=len(history or []) + 1)

    def api_feedback(self, answer_id: str, rating: str, comment: str = "", request: gr.Request = None) -> dict:
        """Rate an answer ("hjälpsamt" or "inte hjälpsamt") with an optional comment."""
        try:
            self.service.record_feedback(answer_id, rating=rating, comment=comment or None, user=username(request))
        except (ServiceError, ValueError) as exc:
            raise gr.Error(str(exc)) from exc
        return {"saved": True, "answer_id": answer_id}
