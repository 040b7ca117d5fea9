"""The Gradio chat: Swedish answers with citations you can check at a glance.

``python -m ui`` serves it on ``settings.ui_host:settings.ui_port`` (login when ``ui_auth`` is set).
The UI talks only to ``assistant`` (``Assistant.ask``, ``.documents``, ``.surrounding`` and, when
present, ``.knowledge_tables``) and to ``ingest.run_ingest`` for the admin re-index.

Everything that comes from a question or a document is escaped before it is rendered: HTML in a
question or in a document is shown as text and never executed.
"""

from __future__ import annotations

import html
import json
import logging
import re
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import gradio as gr
from starlette.middleware import Middleware

from assistant import Answer, Assistant, DocumentSummary, Filters
from common.settings import Settings, get_settings
from ingest import IndexNotReadyError, IngestLockedError, IngestReport, run_ingest
from ui.feedback import HELPFUL, NOT_HELPFUL, FeedbackStore

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
TITLE = "Föräldraskapsstödsassistenten"
SUBTITLE = (
    "Svar på svenska om föräldraskapsstöd i Örebro och Västmanlands län – varje mening är ett ordagrant "
    "citat ur strategier, rapporter och handböcker, med en hänvisning [n] till källan."
)
INDEX_MISSING = "Indexet saknas – kör python -m ingest"
INDEX_BROKEN = "Indexet kan inte läsas – kör python -m ingest igen"
LOADING = "Laddar indexet …"
PENDING = "Söker i dokumenten …"
REFUSAL_TITLE = "Svaret finns inte i dokumenten"

EXAMPLES: tuple[tuple[str, str], ...] = (
    ("Politiker", "Vad förbinder den regionala strategin kommunerna till?"),
    ("Ny medarbetare", "Vad står BVC för?"),
    ("Yrkesverksam", "Vilket program passar föräldrar till en 14-åring med utagerande beteende?"),
)
DOC_TYPE_LABELS = {
    "strategi": "Strategi", "rapport": "Rapport", "handbok": "Handbok", "remiss": "Remiss",
    "remissvar": "Remissvar",
}
INGEST_STAGES = {"read": "Läser dokumenten", "embed": "Beräknar vektorer", "store": "Sparar i indexet"}
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
MARKER = re.compile(r"\[(\d+)\]")
CONTEXT_CHARS = 320
STOCKHOLM = ZoneInfo("Europe/Stockholm")


# =============================================================================================
# Rendering (pure functions: every piece of outside text goes through ``esc`` or ``md_text``)
# =============================================================================================


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # C0/C1 controls except tab and newlines


def esc(text: object) -> str:
    """Text for HTML (element content or attribute value); control characters are dropped."""
    return html.escape(_CONTROL.sub("", "" if text is None else str(text)), quote=True)


def md_text(text: str) -> str:
    """Document or answer text for the Markdown renderer: HTML is escaped and brackets cannot form
    links or images, while the answer's own Markdown (lists, emphasis) still renders."""
    return html.escape(text, quote=False).replace("[", "&#91;").replace("]", "&#93;")


_MD_LITERAL = {c: f"&#{ord(c)};" for c in "\\`*_{}[]()#+-!|~>"}


def md_literal(text: str) -> str:
    """Text shown exactly as typed (a question): no HTML, no Markdown, no control characters."""
    escaped = html.escape(_CONTROL.sub("", text), quote=False)
    return "".join(_MD_LITERAL.get(c, c) for c in escaped)


def cite_link(turn: int, n: int) -> str:
    return f'<a href="#kalla-{turn}-{n}" class="fsa-cite"><span class="fsa-sr">Källa </span>[{n}]</a>'


def link_markers(text: str, turn: int, known: set[int]) -> str:
    """Escape ``text`` and turn its [n] markers (those with a citation) into links to the sources panel."""
    parts: list[str] = []
    last = 0
    for match in MARKER.finditer(text):
        parts.append(md_text(text[last:match.start()]))
        n = int(match.group(1))
        parts.append(cite_link(turn, n) if n in known else md_text(match.group(0)))
        last = match.end()
    parts.append(md_text(text[last:]))
    return "".join(parts)


def render_answer(answer: Answer, turn: int) -> str:
    """The chat message for one answer (Markdown with a little safe HTML)."""
    body = link_markers(answer.answer.strip(), turn, {c.n for c in answer.citations})
    blocks: list[str] = []
    if answer.refused:
        blocks += ['<div class="fsa-refusal">', f'<p class="fsa-refusal-title">{REFUSAL_TITLE}</p>', body, "</div>"]
    else:
        blocks.append(body)
    for notice in answer.notices:
        if notice:
            blocks.append(f'<p class="fsa-notice">Obs! {esc(notice)}</p>')
    blocks.append(f'<p class="fsa-tools"><a href="#kopiera-{turn}" class="fsa-copy">Kopiera svaret med källor</a></p>')
    return "\n\n".join(blocks)


def render_error(message: str) -> str:
    return f'<div class="fsa-error">{esc(message)}</div>'


def _trim_before(text: str, limit: int = CONTEXT_CHARS) -> str:
    if len(text) <= limit:
        return text
    cut = text[-limit:]
    space = cut.find(" ")
    return "…" + (cut[space + 1:] if 0 <= space < 40 else cut)


def _trim_after(text: str, limit: int = CONTEXT_CHARS) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit - 40 else cut) + "…"


def _lines(text: str) -> str:
    """Paragraph breaks as single line breaks (the passage is shown with ``white-space: pre-line``)."""
    return re.sub(r"[ \t]*\n\s*\n\s*", "\n", text)


def format_year(year: int | None) -> str:
    return str(year) if year else "uppgift saknas"


def format_page(page: int | None) -> str:
    return f"s. {page}" if page else "sidnummer saknas i källan"


def format_indexed(value: str) -> str:
    try:
        return datetime.fromisoformat(value).astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError):
        return value or "–"


def _meta(rows: list[tuple[str, str]]) -> str:
    return '<dl class="fsa-meta">' + "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in rows if v) + "</dl>"


def render_sources_for_turn(turn: int, answer: Answer, assistant: Assistant | None,
                            documents: dict[str, DocumentSummary]) -> str:
    """The sources of one answer: each citation with title, publisher, year, page, section and the
    quoted sentence highlighted within its surrounding passage."""
    items: list[str] = []
    unverified = 0
    for c in sorted(answer.citations, key=lambda c: c.n):
        doc = documents.get(c.doc_id)
        before, quote, after = "", c.quote, ""
        if assistant is not None:
            try:
                before, quote, after = assistant.surrounding(c.doc_id, c.start, c.end)
            except Exception:  # the document left the index since the answer: show the quote alone
                log.warning("no surrounding text for %s %s-%s", c.doc_id, c.start, c.end, exc_info=True)
        warning = ""
        if quote != c.quote:
            unverified += 1
            warning = '<p class="fsa-warning">Citatet kunde inte kontrolleras mot dokumenttexten.</p>'
            before, quote, after = "", c.quote, ""
        meta = _meta([
            ("Utgivare", c.publisher),
            ("År", format_year(c.year)),
            ("Typ", DOC_TYPE_LABELS.get(doc.doc_type, doc.doc_type) if doc else ""),
            ("Sida", str(c.page) if c.page else "saknas i källan"),
            ("Avsnitt", c.section or "–"),
        ])
        items.append(
            f'<li class="fsa-source" id="kalla-{turn}-{c.n}" tabindex="-1">'
            f'<p class="fsa-source-title"><span class="fsa-badge">[{c.n}]</span> {esc(c.title)}</p>'
            f"{meta}{warning}"
            f'<blockquote class="fsa-passage">{esc(_trim_before(_lines(before)))}<mark>{esc(quote)}</mark>'
            f"{esc(_trim_after(_lines(after)))}</blockquote></li>"
        )
    if not items and answer.passages:
        for i, p in enumerate(answer.passages[:3], start=1):
            doc = documents.get(p.doc_id)
            meta = _meta([
                ("Utgivare", doc.publisher if doc else ""),
                ("År", format_year(doc.year) if doc else ""),
                ("Sida", str(p.page) if p.page else "saknas i källan"),
                ("Avsnitt", p.section or "–"),
            ])
            items.append(
                f'<li class="fsa-source" id="avsnitt-{turn}-{i}" tabindex="-1">'
                f'<p class="fsa-source-title">{esc(p.title)}</p>{meta}'
                f'<blockquote class="fsa-passage">{esc(_trim_after(_lines(p.text), 600))}</blockquote></li>'
            )
    label_class = "fsa-turn-label fsa-refused" if answer.refused else "fsa-turn-label"
    label = f"Svar {turn}" + (" – inget svar" if answer.refused else "")
    note = ""
    if answer.refused:
        note = ('<p class="fsa-turn-note">Svaret finns inte i dokumenten. Här är de närmaste avsnitten.</p>'
                if items else '<p class="fsa-turn-note">Svaret finns inte i dokumenten.</p>')
    elif items and not unverified:
        note = '<p class="fsa-verified">Alla citat är kontrollerade mot dokumenttexten.</p>'
    listing = f'<ol class="fsa-sources">{"".join(items)}</ol>' if items else ""
    return (
        f'<details class="fsa-turn" id="kallor-{turn}" open>'
        f'<summary><span class="{label_class}">{esc(label)}</span>{esc(answer.question)}</summary>'
        f"{note}{listing}</details>"
    )


EMPTY_SOURCES = (
    '<p class="fsa-empty">Här visas källorna till svaret: dokument, utgivare, år, sida och avsnitt, '
    "med det citerade stycket markerat i sitt sammanhang. Klicka på en hänvisning, till exempel [1], "
    "i svaret för att gå direkt till källan.</p>"
)


def render_sources_panel(turn_fragments: list[str]) -> str:
    """All answers' sources, newest first (older ones folded)."""
    if not turn_fragments:
        body = EMPTY_SOURCES
    else:
        newest_first = list(reversed(turn_fragments))
        body = newest_first[0] + "".join(f.replace(" open>", ">", 1) for f in newest_first[1:])
    return (
        '<h2 class="fsa-panel-title" id="fsa-sources-title">Källor</h2>'
        f'<div class="fsa-sources-scroll" role="region" aria-labelledby="fsa-sources-title" tabindex="0">'
        f"{body}</div>"
    )


def render_status(state: str, message: str) -> str:
    css = {"ready": "fsa-status", "loading": "fsa-status fsa-loading", "error": "fsa-status fsa-error"}[state]
    role = ' role="alert"' if state == "error" else ' role="status"'
    return f'<p class="{css}"{role}>{esc(message)}</p>'


def _table(caption: str, headers: list[str], rows: list[list[str]], numeric: set[int] | None = None) -> str:
    """An accessible table; the cells are HTML made by the caller (escape there)."""
    numeric = numeric or set()
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in headers)
    body = "".join(
        "<tr>" + "".join(f'<td class="fsa-num">{cell}</td>' if i in numeric else f"<td>{cell}</td>"
                         for i, cell in enumerate(row)) + "</tr>"
        for row in rows
    )
    return (f'<div class="fsa-table-wrap" role="region" aria-label="{esc(caption)}" tabindex="0">'
            f'<table class="fsa-table"><caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>")


def render_documents(documents: list[DocumentSummary]) -> str:
    if not documents:
        return '<p class="fsa-empty">Inga dokument är indexerade.</p>'
    rows = []
    for d in documents:
        title = esc(d.title) + (f'<span class="fsa-note">{esc(d.note)}</span>' if d.note else "")
        rows.append([
            title, esc(d.publisher), esc(format_year(d.year)),
            f'<span class="fsa-type">{esc(DOC_TYPE_LABELS.get(d.doc_type, d.doc_type))}</span>',
            esc(d.validity or "–"), esc(d.chunks), esc(format_indexed(d.indexed_at)),
        ])
    caption = f"Dokument i indexet ({len(documents)})"
    return _table(caption, ["Titel", "Utgivare", "År", "Typ", "Giltighet", "Textavsnitt", "Indexerat"], rows,
                  numeric={2, 5})


# =============================================================================================
# EXTENSION POINT — knowledge tabs ("Begrepp", "Program", "Åtaganden")
#
# The tabs are built only from what the assistant offers: ``Assistant.knowledge_tables()``
# (optional) returns ``{tab name: [row, ...]}`` where every row is a dict of display columns
# plus ``source``, the citation of the passage the row comes from (a ``Citation`` as a dict).
# A tab appears only when its table has rows, so nothing breaks while the method is missing.
# To add a tab, add its name to KNOWLEDGE_TABS (and, if needed, a renderer to TABLE_RENDERERS).
# =============================================================================================

KNOWLEDGE_TABS: tuple[str, ...] = ("Begrepp", "Program", "Åtaganden")


def knowledge_tables(assistant: Any) -> dict[str, list[dict]]:
    """The assistant's knowledge tables, or ``{}`` when it has none (or they fail)."""
    method = getattr(assistant, "knowledge_tables", None)
    if not callable(method):
        return {}
    try:
        tables = method()
    except Exception:
        log.warning("knowledge_tables() failed; the knowledge tabs stay hidden", exc_info=True)
        return {}
    return {name: rows for name, rows in (tables or {}).items() if isinstance(rows, list)}


def render_source_cell(source: Any, row: dict | None = None) -> str:
    if not isinstance(source, dict):
        return "–"
    title = source.get("title", "")
    if row and title in {str(v) for v in row.values()}:
        title = ""  # already in a column of the row
    where = ", ".join(str(x) for x in (title, format_page(source.get("page")), source.get("section", "")) if x)
    quote = source.get("quote", "")
    details = (f'<details><summary>Visa citat</summary><blockquote class="fsa-passage">{esc(quote)}</blockquote>'
               "</details>") if quote else ""
    return f"{esc(where)}{details}"


def render_knowledge_table(name: str, rows: list[dict]) -> str:
    columns: list[str] = []
    for row in rows:
        for key in row:
            if key != "source" and key not in columns:
                columns.append(key)
    body = [[esc(row.get(col, "")) for col in columns] + [render_source_cell(row.get("source"), row)]
            for row in rows]
    return _table(f"{name} ({len(rows)})", columns + ["Källa"], body)


TABLE_RENDERERS: dict[str, Callable[[str, list[dict]], str]] = {}


def build_knowledge_tabs() -> dict[str, tuple[gr.Tab, gr.HTML]]:
    """Hidden tabs, one per knowledge table; ``fill_knowledge_tabs`` shows those with rows."""
    tabs: dict[str, tuple[gr.Tab, gr.HTML]] = {}
    for name in KNOWLEDGE_TABS:
        with gr.Tab(name, visible=False, elem_id=f"fsa-tab-{_slug(name)}") as tab:
            content = gr.HTML()
        tabs[name] = (tab, content)
    return tabs


def fill_knowledge_tabs(assistant: Any) -> list[Any]:
    """Updates for the tabs of ``build_knowledge_tabs`` (tab, content, tab, content, …)."""
    tables = knowledge_tables(assistant) if assistant is not None else {}
    updates: list[Any] = []
    for name in KNOWLEDGE_TABS:
        rows = tables.get(name) or []
        renderer = TABLE_RENDERERS.get(name, render_knowledge_table)
        updates += [gr.Tab(visible=bool(rows)), renderer(name, rows) if rows else ""]
    return updates


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower().translate(str.maketrans("åäö", "aao"))).strip("-")


# =============================================================================================
# The service: loads the assistant in the background, answers, remembers answers for feedback
# =============================================================================================


class ServiceError(RuntimeError):
    """A problem to show the user (the message is Swedish)."""


def publisher_choices(documents: list[DocumentSummary]) -> list[tuple[str, str]]:
    """The organisations behind the documents ("A, B och C" → A, B, C) as (label, value) for the
    publisher filter; the assistant matches a value as a part of a document's publisher."""
    found: dict[str, str] = {}
    for d in documents:
        text = re.sub(r"\s*\([^)]*\)", "", d.publisher)
        for part in re.split(r",\s*|\s+och\s+", text):
            part = part.strip()
            if part and part.lower() not in found:
                found[part.lower()] = part
    return sorted(((value[:1].upper() + value[1:], value) for value in found.values()), key=lambda c: c[0].lower())


class AssistantService:
    """One ``Assistant`` for the whole server, loaded in the background with a visible status."""

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
        auth = settings.ui_auth.get_secret_value() if settings.ui_auth else ""
        self.auth: tuple[str, str] | None = None
        if auth:
            user, sep, password = auth.partition(":")
            if not sep or not user or not password:
                raise ValueError("FSA_UI_AUTH ska ha formen användare:lösenord")
            self.auth = (user, password)
        self.admins = {u.strip() for u in settings.ui_admin_users.split(",") if u.strip()}

    @property
    def feedback(self) -> FeedbackStore:
        """The feedback file, created with the first feedback."""
        if self._feedback is None:
            self._feedback = FeedbackStore.for_data_dir(self.settings.data_dir)
        return self._feedback

    # --- loading ------------------------------------------------------------------------------

    def start(self) -> None:
        threading.Thread(target=self._load, name="fsa-load-index", daemon=True).start()

    def _load(self) -> None:
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
                self._error = INDEX_MISSING if "no index" in str(exc) else INDEX_BROKEN
            except Exception as exc:
                log.exception("the assistant could not start")
                self._error = f"Assistenten kunde inte starta: {exc}"
            finally:
                self._ready.set()

    @staticmethod
    def _warm_up(assistant: Assistant) -> None:
        """One question before the first user's, so that the embedding model and the vector
        store are loaded while the status still says "Laddar indexet …"."""
        try:
            assistant.ask("Vad är föräldraskapsstöd?")
        except IndexNotReadyError:
            raise
        except Exception:
            log.warning("warm-up question failed", exc_info=True)

    def wait(self, timeout: float = 300) -> Assistant:
        """The loaded assistant; retries a failed load (the index may exist now)."""
        if not self._ready.wait(timeout):
            raise ServiceError("Indexet laddas fortfarande – försök igen om en stund.")
        if self._error and time.monotonic() - self._last_attempt > 3:
            self._load()
        if self._assistant is None or self._error:
            raise ServiceError(self._error or INDEX_MISSING)
        return self._assistant

    def status(self) -> tuple[str, str]:
        if not self._ready.is_set():
            return "loading", LOADING
        try:
            assistant = self.wait(0)
            documents = assistant.documents()
        except ServiceError as exc:
            return "error", str(exc)
        except IndexNotReadyError:
            return "error", INDEX_MISSING
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
        assistant = self.wait()
        try:
            answer = assistant.ask(question, history=history, filters=filters)
        except IndexNotReadyError as exc:
            raise ServiceError(INDEX_MISSING if "no index" in str(exc) else INDEX_BROKEN) from exc
        answer_id = uuid.uuid4().hex
        record = {"question": answer.question, "answer": answer.answer, "refused": answer.refused,
                  "citations": [asdict(c) for c in answer.citations], "user": user}
        with self._answers_lock:
            self._answers[answer_id] = record
            while len(self._answers) > 5000:
                self._answers.popitem(last=False)
        return answer_id, answer

    def render_turn(self, turn: int, answer: Answer) -> str:
        documents = {d.doc_id: d for d in self.documents()}
        return render_sources_for_turn(turn, answer, self._assistant, documents)

    def record_feedback(self, answer_id: str, rating: str | bool | None = None, comment: str | None = None,
                        user: str = "") -> None:
        with self._answers_lock:
            record = self._answers.get(answer_id)
        if record is None:
            raise ServiceError("Svaret finns inte längre – ställ frågan igen för att lämna återkoppling.")
        self.feedback.record(answer_id=answer_id, question=record["question"], answer=record["answer"],
                             citations=record["citations"], refused=record["refused"], rating=rating,
                             comment=comment, user=user or record["user"])

    # --- administration -----------------------------------------------------------------------

    def is_admin(self, username: str | None) -> bool:
        """Re-indexing: listed users when login is on; without login only on a local server
        with no admin list."""
        if self.auth:
            return bool(username) and username in self.admins
        return not self.admins and self.settings.ui_host in LOOPBACK_HOSTS

    def reindex(self, progress: Callable[[str, int, int], None]) -> IngestReport:
        report = run_ingest(self.settings, progress=progress)
        if self._assistant is None or self._error:
            self._load()
        return report


def ingest_summary(report: IngestReport) -> str:
    lines = [
        f"**Klart på {report.seconds:.1f} s.** {report.documents} dokument och {report.chunks} textavsnitt i "
        f"indexet: {report.count('indexed')} indexerade, {report.count('unchanged')} oförändrade (hoppades över), "
        f"{report.count('removed')} borttagna, {report.count('failed')} misslyckades.",
    ]
    for result in report.results:
        if result.status == "failed":
            lines.append(f"- Misslyckades: {md_literal(Path(result.path).name)} – {md_literal(result.message)}")
    for warning in report.warnings:
        lines.append(f"- Varning: {md_literal(warning)}")
    return "\n".join(lines)


# =============================================================================================
# The page
# =============================================================================================


def _filters(doc_ids: list[str] | None, publishers: list[str] | None, doc_types: list[str] | None) -> Filters:
    return Filters(doc_ids=list(doc_ids or []), publishers=list(publishers or []), doc_types=list(doc_types or []))


def answer_payload(answer_id: str, answer: Answer, turn: int = 1) -> dict:
    """What the ``ask`` API returns: the answer, its citations and the HTML the chat shows."""
    return {
        "answer_id": answer_id,
        "question": answer.question,
        "answer": answer.answer,
        "refused": answer.refused,
        "kind": answer.kind,
        "effective_question": answer.effective_question,
        "notices": list(answer.notices),
        "citations": [asdict(c) for c in answer.citations],
        "passages": [{k: v for k, v in asdict(p).items() if k != "text"} for p in answer.passages],
        "question_html": md_literal(answer.question),
        "answer_html": render_answer(answer, turn),
        "timings_ms": dict(answer.timings_ms),
    }


def _username(request: gr.Request | None) -> str:
    return (getattr(request, "username", None) or "") if request is not None else ""


def build_app(service: AssistantService) -> gr.Blocks:
    with gr.Blocks(title=TITLE, analytics_enabled=False, fill_width=False) as demo:
        turns_state = gr.State([])  # [{"turn", "answer_id", "question", "message" (chat index), "sources"}]
        target_state = gr.State("")  # the answer the feedback box is about

        with gr.Column(elem_id="fsa-header"):
            gr.HTML(f"<h1>{esc(TITLE)}</h1><p>{esc(SUBTITLE)}</p>")
            status = gr.HTML(render_status("loading", LOADING), elem_id="fsa-status")

        with gr.Tabs(elem_id="fsa-tabs"):
            with gr.Tab("Fråga", elem_id="fsa-tab-fraga"):
                with gr.Row(elem_id="fsa-main", equal_height=False):
                    with gr.Column(scale=3, min_width=0, elem_id="fsa-chat-col"):
                        chat = gr.Chatbot(
                            label="Samtal", elem_id="fsa-chat", height=470, show_label=False,
                            sanitize_html=True, allow_tags=False, latex_delimiters=[], render_markdown=True,
                            feedback_options=("Like", "Dislike"), buttons=[], layout="bubble",
                            placeholder=(
                                "**Ställ en fråga om föräldraskapsstöd** – "
                                "eller välj en av exempelfrågorna under rutan.\n\n"
                                "Svaren består av ordagranna citat ur dokumenten. Finns svaret inte där "
                                "säger assistenten det."
                            ),
                        )
                        with gr.Row(elem_id="fsa-ask-row"):
                            question = gr.Textbox(
                                label="Din fråga", placeholder="Till exempel: Vad är en familjecentral?",
                                lines=1, max_lines=4, scale=5, elem_id="fsa-question", autofocus=False,
                                submit_btn=False, max_length=2000,
                            )
                            send = gr.Button("Skicka", variant="primary", scale=1, elem_id="fsa-send")
                        with gr.Column(visible=False, elem_id="fsa-feedback") as feedback_box:
                            with gr.Row(elem_id="fsa-feedback-row"):
                                feedback_target = gr.Markdown("", elem_id="fsa-feedback-target")
                                helpful = gr.Button("Hjälpsamt", size="sm", scale=0, elem_id="fsa-helpful")
                                not_helpful = gr.Button("Inte hjälpsamt", size="sm", scale=0,
                                                        elem_id="fsa-not-helpful")
                            with gr.Accordion("Lämna en kommentar (valfritt)", open=False, elem_id="fsa-comment-box"):
                                comment = gr.Textbox(label="Kommentar (valfritt)", lines=2, max_lines=6,
                                                     max_length=4000, elem_id="fsa-comment")
                                send_comment = gr.Button("Skicka kommentar", size="sm", elem_id="fsa-send-comment")
                            feedback_status = gr.Markdown("", elem_id="fsa-feedback-status")
                            new_chat = gr.Button("Ny konversation", variant="secondary", size="sm", scale=0,
                                                 elem_id="fsa-new-chat")
                    with gr.Column(scale=2, min_width=0, elem_id="fsa-sources-col"):
                        sources = gr.HTML(render_sources_panel([]), elem_id="fsa-sources")

                gr.HTML('<h2 class="fsa-panel-title">Exempelfrågor</h2>', elem_id="fsa-examples-title")
                example_buttons: list[tuple[gr.Button, str]] = []
                with gr.Row(elem_id="fsa-examples", equal_height=True):
                    for group, text in EXAMPLES:
                        with gr.Column(min_width=0, elem_classes=["fsa-example"]):
                            gr.Markdown(group, elem_classes=["fsa-group"])
                            button = gr.Button(text, variant="secondary", size="md",
                                               elem_id=f"fsa-example-{_slug(group)}")
                            example_buttons.append((button, text))
                with gr.Accordion("Avgränsa sökningen", open=False, elem_id="fsa-filters"):
                    gr.Markdown("Utan val söker assistenten i alla dokument.")
                    doc_filter = gr.CheckboxGroup(label="Dokument", choices=[], elem_id="fsa-filter-docs")
                    publisher_filter = gr.CheckboxGroup(label="Utgivare", choices=[],
                                                        elem_id="fsa-filter-publishers")
                    type_filter = gr.CheckboxGroup(label="Dokumenttyp", choices=[], elem_id="fsa-filter-types")

            with gr.Tab("Dokument", elem_id="fsa-tab-dokument"):
                gr.Markdown("Dokumenten som assistenten söker i. Svaren citerar bara dessa.")
                documents_table = gr.HTML('<p class="fsa-empty">Laddar …</p>', elem_id="fsa-documents")

            knowledge_tabs = build_knowledge_tabs()

            with gr.Tab("Administration", visible=False, elem_id="fsa-tab-admin") as admin_tab:
                gr.Markdown(
                    "Läs in dokumenten i dokumentmappen på nytt. Oförändrade dokument hoppas över; "
                    "det gamla indexet används tills det nya är klart."
                )
                reindex = gr.Button("Indexera om", variant="primary", elem_id="fsa-reindex")
                reindex_result = gr.Markdown("Ingen indexering har körts sedan servern startade.",
                                             elem_id="fsa-reindex-result")

        knowledge_outputs: list[Any] = [c for pair in knowledge_tabs.values() for c in pair]

        # --- page load: show progress while the index loads, then fill filters and tables -------

        def on_load() -> str:
            """Wait for the background load of the index (the status shows "Laddar indexet …")."""
            try:
                service.wait()
            except ServiceError:
                pass
            return render_status(*service.status())

        def fill_page(request: gr.Request) -> list[Any]:
            documents = service.documents()
            assistant = service._assistant if documents else None
            return [
                gr.CheckboxGroup(choices=[(d.title, d.doc_id) for d in documents]),
                gr.CheckboxGroup(choices=publisher_choices(documents)),
                gr.CheckboxGroup(choices=[(DOC_TYPE_LABELS.get(t, t), t)
                                          for t in sorted({d.doc_type for d in documents})]),
                render_documents(documents) if documents else render_status(*service.status()),
                gr.Tab(visible=service.is_admin(_username(request))),
                *fill_knowledge_tabs(assistant),
            ]

        page_outputs = [doc_filter, publisher_filter, type_filter, documents_table, admin_tab, *knowledge_outputs]
        demo.load(on_load, None, status, show_progress="minimal", api_visibility="private").then(
            fill_page, None, page_outputs, show_progress="hidden", api_visibility="private")

        # --- asking -------------------------------------------------------------------------------

        def respond(text: str, messages: list, turns: list, doc_ids: list, publishers: list, doc_types: list,
                    request: gr.Request) -> Iterator[tuple]:
            text = " ".join((text or "").split())
            if not text:
                gr.Info("Skriv en fråga först.")
                yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
                return
            messages = list(messages or []) + [{"role": "user", "content": md_literal(text)}]
            yield ("", messages + [{"role": "assistant", "content": f'<p class="fsa-pending">{PENDING}</p>'}],
                   gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip())
            turn = len(turns) + 1
            try:
                answer_id, answer = service.ask(text, [t["question"] for t in turns],
                                                _filters(doc_ids, publishers, doc_types), _username(request))
            except ServiceError as exc:
                messages.append({"role": "assistant", "content": render_error(str(exc))})
                yield "", messages, turns, gr.skip(), gr.skip(), gr.skip(), gr.skip(), render_status(*service.status())
                return
            except Exception as exc:
                log.exception("answering failed")
                messages.append({"role": "assistant", "content": render_error(
                    f"Något gick fel när frågan besvarades ({type(exc).__name__}). Försök igen.")})
                yield "", messages, turns, gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
                return
            messages.append({"role": "assistant", "content": render_answer(answer, turn)})
            turns = list(turns) + [{"turn": turn, "answer_id": answer_id, "question": text,
                                    "message": len(messages) - 1, "sources": service.render_turn(turn, answer)}]
            yield ("", messages, turns, render_sources_panel([t["sources"] for t in turns]),
                   gr.Column(visible=True), _feedback_prompt(turn, text), answer_id, gr.skip())

        ask_outputs = [question, chat, turns_state, sources, feedback_box, feedback_target, target_state, status]
        ask_inputs = [chat, turns_state, doc_filter, publisher_filter, type_filter]
        # Questions share one Assistant (UI and API alike, one queue): ``Assistant.ask`` is safe to call from
        # several threads (the embedder and the vector-store connection are locked, the rest is read-only), and
        # a few at a time overlap the embedding model's native work with Python's (see ui/loadtest.py).
        asking = {"show_progress": "minimal", "api_visibility": "private", "concurrency_id": "assistant",
                  "concurrency_limit": service.settings.ui_concurrency}
        question.submit(respond, [question, *ask_inputs], ask_outputs, **asking)
        send.click(respond, [question, *ask_inputs], ask_outputs, **asking)
        for button, text in example_buttons:
            button.click(respond, [gr.State(text), *ask_inputs], ask_outputs, **asking)

        def clear() -> tuple:
            return [], [], render_sources_panel([]), gr.Column(visible=False), "", "", "", ""

        clear_outputs = [chat, turns_state, sources, feedback_box, feedback_target, target_state, comment,
                         feedback_status]
        new_chat.click(clear, None, clear_outputs, api_visibility="private")
        chat.clear(clear, None, clear_outputs, api_visibility="private")

        # --- feedback -----------------------------------------------------------------------------

        def rate(answer_id: str, note: str, rating: str, request: gr.Request) -> str:
            if not answer_id:
                return "Ställ en fråga först."
            try:
                service.record_feedback(answer_id, rating=rating, comment=note or None, user=_username(request))
            except ServiceError as exc:
                return str(exc)
            return f"Tack! Din återkoppling (”{rating}”) är sparad."

        def rate_helpful(answer_id: str, note: str, request: gr.Request) -> str:
            return rate(answer_id, note, HELPFUL, request)

        def rate_not_helpful(answer_id: str, note: str, request: gr.Request) -> str:
            return rate(answer_id, note, NOT_HELPFUL, request)

        def send_note(answer_id: str, note: str, request: gr.Request) -> str:
            if not (note or "").strip():
                return "Skriv en kommentar först."
            try:
                service.record_feedback(answer_id, comment=note, user=_username(request))
            except ServiceError as exc:
                return str(exc)
            return "Tack! Din kommentar är sparad."

        helpful.click(rate_helpful, [target_state, comment], feedback_status, api_visibility="private")
        not_helpful.click(rate_not_helpful, [target_state, comment], feedback_status, api_visibility="private")
        send_comment.click(send_note, [target_state, comment], feedback_status, api_visibility="private")

        def on_like(turns: list, data: gr.LikeData, request: gr.Request) -> tuple:
            index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
            entry = next((t for t in turns if t.get("message") == index), None)
            if entry is None or data.liked not in (True, False):
                return gr.skip(), gr.skip(), gr.skip()
            rating = HELPFUL if data.liked else NOT_HELPFUL
            try:
                service.record_feedback(entry["answer_id"], rating=rating, user=_username(request))
            except ServiceError as exc:
                return gr.skip(), gr.skip(), str(exc)
            return (entry["answer_id"], _feedback_prompt(entry["turn"], entry["question"]),
                    f"Tack! Svar {entry['turn']} är markerat som ”{rating}”. Lägg gärna till en kommentar.")

        chat.like(on_like, [turns_state], [target_state, feedback_target, feedback_status], api_visibility="private")

        # --- administration -----------------------------------------------------------------------

        def run_reindex(request: gr.Request, progress: gr.Progress = gr.Progress()) -> str:
            if not service.is_admin(_username(request)):
                raise gr.Error("Du har inte behörighet att indexera om.")
            progress(0, desc="Startar indexeringen …")

            def report_progress(stage: str, done: int, total: int) -> None:
                progress((done, max(total, 1)), desc=INGEST_STAGES.get(stage, stage), unit="steg")

            try:
                report = service.reindex(report_progress)
            except IngestLockedError:
                return "En indexering pågår redan. Försök igen om en stund."
            except Exception as exc:
                log.exception("re-index failed")
                return f"Indexeringen misslyckades: {md_literal(str(exc))}"
            return ingest_summary(report)

        def refresh_after_reindex() -> list[Any]:
            documents = service.documents()
            return [
                render_status(*service.status()), render_documents(documents),
                gr.CheckboxGroup(choices=[(d.title, d.doc_id) for d in documents]),
                gr.CheckboxGroup(choices=publisher_choices(documents)),
                gr.CheckboxGroup(choices=[(DOC_TYPE_LABELS.get(t, t), t)
                                          for t in sorted({d.doc_type for d in documents})]),
                *fill_knowledge_tabs(service._assistant if documents else None),
            ]

        reindex.click(run_reindex, None, reindex_result, api_visibility="private", concurrency_limit=1,
                      concurrency_id="reindex").then(
            refresh_after_reindex, None, [status, documents_table, doc_filter, publisher_filter, type_filter,
                                          *knowledge_outputs], show_progress="hidden", api_visibility="private")

        # --- the API (gradio_client): ask and feedback -------------------------------------------

        def ask(question: str, history: list[str] | None = None, doc_ids: list[str] | None = None,
                publishers: list[str] | None = None, doc_types: list[str] | None = None,
                request: gr.Request = None) -> dict:
            """Answer a question; returns the answer, whether it was refused, and its citations."""
            text = " ".join((question or "").split())
            try:
                answer_id, answer = service.ask(text, list(history or []), _filters(doc_ids, publishers, doc_types),
                                                _username(request))
            except ServiceError as exc:
                raise gr.Error(str(exc)) from exc
            return answer_payload(answer_id, answer, turn=len(history or []) + 1)

        def feedback(answer_id: str, rating: str, comment: str = "", request: gr.Request = None) -> dict:
            """Rate an answer ("hjälpsamt" or "inte hjälpsamt") with an optional comment."""
            try:
                service.record_feedback(answer_id, rating=rating, comment=comment or None, user=_username(request))
            except (ServiceError, ValueError) as exc:
                raise gr.Error(str(exc)) from exc
            return {"saved": True, "answer_id": answer_id}

        gr.api(ask, api_name="ask", concurrency_id="assistant",
               concurrency_limit=service.settings.ui_concurrency)
        gr.api(feedback, api_name="feedback")
    return demo


def _feedback_prompt(turn: int, question: str) -> str:
    short = question if len(question) <= 90 else question[:87] + "…"
    return f"**Var svar {turn} hjälpsamt?** Gäller frågan ”{md_literal(short)}”."


# =============================================================================================
# Serving: Swedish page language and the citation script in the served HTML
# =============================================================================================

# Gradio's page says lang="en" and picks its own UI language from the browser; this page is
# Swedish whatever the browser's language, so Gradio's own labels are Swedish too.
EARLY_SCRIPT = """<script>(function(){try{
Object.defineProperty(navigator,"language",{get:function(){return "sv-SE"},configurable:true});
Object.defineProperty(navigator,"languages",{get:function(){return ["sv-SE","sv"]},configurable:true});
}catch(e){}document.documentElement.lang="sv";})();</script>"""

DESCRIPTION = "Svar med källhänvisningar om föräldraskapsstöd i Örebro och Västmanlands län."


def rewrite_page(page: str, app_script: str) -> str:
    page = page.replace('lang="en"', 'lang="sv"', 1)
    page = page.replace("Click to try out the app!", DESCRIPTION)
    page = page.replace('content="Gradio"', f'content="{esc(TITLE)}"')
    head = EARLY_SCRIPT if "<title>" in page else f"<title>{esc(TITLE)}</title>{EARLY_SCRIPT}"
    if '<meta charset="utf-8" />' in page:
        page = page.replace('<meta charset="utf-8" />', '<meta charset="utf-8" />' + head, 1)
    else:
        page = page.replace("<head>", "<head>" + head, 1)
    return page.replace("</body>", f"<script>{app_script}</script></body>", 1)


class SwedishPageMiddleware:
    """ASGI middleware: rewrites Gradio's HTML page (lang="sv", Swedish UI, the citation script)."""

    def __init__(self, app: Any, app_script: str = "") -> None:
        self.app = app
        self.app_script = app_script or (STATIC_DIR / "app.js").read_text(encoding="utf-8")

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http" or scope.get("method") != "GET" or scope.get("path", "").startswith("/gradio_api"):
            await self.app(scope, receive, send)
            return
        start: dict | None = None
        chunks: list[bytes] = []
        passthrough = False

        async def wrapped(message: dict) -> None:
            nonlocal start, passthrough
            if message["type"] == "http.response.start":
                headers = {k.lower(): v for k, v in message.get("headers", [])}
                is_html = headers.get(b"content-type", b"").startswith(b"text/html")
                if not is_html or b"content-encoding" in headers:
                    passthrough = True
                    await send(message)
                else:
                    start = message
                return
            if passthrough or message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = rewrite_page(b"".join(chunks).decode("utf-8"), self.app_script).encode("utf-8")
            headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, wrapped)


UPLOAD_PATHS = ("/gradio_api/upload", "/upload")
SESSION_CAPACITY = 1000  # sessions whose state (the chat's turns) the server keeps; the oldest are dropped


class RefuseUploadsMiddleware:
    """ASGI middleware: the app takes no files, so Gradio's upload route (which otherwise stores any file of
    any size in its temporary directory, without login when none is configured) answers 403."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        path = scope.get("path", "").rstrip("/")
        if scope["type"] == "http" and any(path == p or path.startswith(p + "_") for p in UPLOAD_PATHS):
            body = json.dumps({"detail": "Den här tjänsten tar inte emot filer."}, ensure_ascii=False).encode()
            await send({"type": "http.response.start", "status": 403,
                        "headers": [(b"content-type", b"application/json; charset=utf-8"),
                                    (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)


def theme() -> gr.themes.Base:
    fonts = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"]
    return gr.themes.Default(
        primary_hue=gr.themes.colors.blue, secondary_hue=gr.themes.colors.slate,
        neutral_hue=gr.themes.colors.slate, font=fonts, font_mono=["ui-monospace", "Consolas", "monospace"],
    ).set(
        body_text_color="#1a2433",
        body_text_color_subdued="#4a5568",
        block_label_text_color="#2d3748",
        block_title_text_color="#1a2433",
        button_primary_background_fill="#1b4f8a",
        button_primary_background_fill_hover="#133a66",
        button_primary_text_color="#ffffff",
        button_primary_border_color="#1b4f8a",
        button_secondary_background_fill="#f1f5f9",
        button_secondary_background_fill_hover="#e2e8f0",
        button_secondary_text_color="#1a2433",
        button_secondary_border_color="#b8c4d4",
        color_accent="#1b4f8a",
        color_accent_soft="#eaf1fa",
        link_text_color="#1b4f8a",
        link_text_color_visited="#553c9a",
        input_placeholder_color="#5f6b7a",
        checkbox_label_text_color="#1a2433",
    )


# Gradio's own texts that its Swedish translation lacks.
SWEDISH_TEXTS = {
    "chatbot.like": "Hjälpsamt", "chatbot.dislike": "Inte hjälpsamt", "chatbot.copy_message": "Kopiera svaret",
    "chatbot.copied_message": "Svaret är kopierat", "chatbot.retry": "Försök igen", "chatbot.undo": "Ångra",
    "chatbot.edit": "Redigera", "chatbot.clear": "Rensa", "chatbot.submit": "Skicka", "chatbot.cancel": "Avbryt",
    "chat_interface.conversation": "Samtal", "chat_interface.chatbot": "Samtal",
    "common.loading": "Laddar", "common.error": "Fel",
}


def launch_kwargs(service: AssistantService) -> dict[str, Any]:
    settings = service.settings
    return {
        "server_name": settings.ui_host,
        "server_port": settings.ui_port,
        "auth": service.auth,
        "auth_message": "Logga in för att använda Föräldraskapsstödsassistenten.",
        "theme": theme(),
        "css": (STATIC_DIR / "app.css").read_text(encoding="utf-8"),
        "footer_links": [],
        "i18n": gr.I18n(sv=SWEDISH_TEXTS),
        "app_kwargs": {"middleware": [Middleware(RefuseUploadsMiddleware), Middleware(SwedishPageMiddleware)]},
        "show_error": False,
        "quiet": False,
        # Gradio keeps ~140 kB per session (a copy of every component's config), and every API call is a
        # session: the default of 10,000 sessions lets the server grow by ~1.4 GB (ui/loadtest.py --soak).
        "state_session_capacity": SESSION_CAPACITY,
    }


def create(settings: Settings | None = None) -> tuple[gr.Blocks, AssistantService]:
    service = AssistantService(settings or get_settings())
    service.start()
    demo = build_app(service)
    demo.queue(default_concurrency_limit=1)
    return demo, service


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    demo, service = create()
    demo.launch(**launch_kwargs(service))
