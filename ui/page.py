"""The page: the layout of the chat, the documents, the knowledge tabs and the administration,
with the components wired to ``ChatHandlers``."""

from __future__ import annotations

from typing import Any

import gradio as gr

from ui.admin import UPLOAD_SUFFIXES
from ui.handlers import ChatHandlers
from ui.rendering import DOC_TYPE_LABELS, KNOWLEDGE_TABS, esc, render_sources_panel, render_status, slug
from ui.service import LOADING

TITLE = "Föräldraskapsstödsassistenten"
SUBTITLE = (
    "Svar på svenska om föräldraskapsstöd i Örebro och Västmanlands län – varje mening är ett ordagrant "
    "citat ur strategier, rapporter och handböcker, med en hänvisning [n] till källan."
)
DOCUMENT_TYPES = [(label, value) for value, label in DOC_TYPE_LABELS.items()]
EXAMPLES: tuple[tuple[str, str], ...] = (
    ("Politiker", "Vad förbinder den regionala strategin kommunerna till?"),
    ("Ny medarbetare", "Vad står BVC för?"),
    ("Yrkesverksam", "Vilket program passar föräldrar till en 14-åring med utagerande beteende?"),
)


def build_knowledge_tabs() -> list[tuple[gr.Tab, gr.HTML]]:
    """Hidden tabs, one per knowledge table (``KNOWLEDGE_TABS``); the handlers show those with records."""
    tabs = []
    for name in KNOWLEDGE_TABS:
        with gr.Tab(name, visible=False, elem_id=f"fsa-tab-{slug(name)}") as tab:
            content = gr.HTML()
        tabs.append((tab, content))
    return tabs


def build_app(handlers: ChatHandlers, concurrency: int = 4, max_file_mb: float = 200,
              max_question_chars: int = 2000) -> gr.Blocks:
    """The Gradio app. ``concurrency``: questions answered at once (UI and API share one queue);
    ``max_file_mb``: the largest file an admin may add; ``max_question_chars``: the question box's limit (the
    handlers cut longer questions from other clients too)."""
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
                                submit_btn=False, max_length=max_question_chars,
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
                                               elem_id=f"fsa-example-{slug(group)}")
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
                gr.Markdown("Ändringar gäller när indexeringen är klar; det gamla indexet svarar under tiden.")
                with gr.Accordion("Lägg till dokument", open=True, elem_id="fsa-admin-add"):
                    files = gr.File(label=f"Filer ({', '.join(UPLOAD_SUFFIXES)}, högst {max_file_mb:g} MB)",
                                    file_count="multiple", file_types=list(UPLOAD_SUFFIXES), type="filepath",
                                    elem_id="fsa-admin-files")
                    with gr.Row():
                        title = gr.Textbox(label="Titel (tom: från dokumentet; bara vid en fil)",
                                           elem_id="fsa-admin-title", max_length=300)
                        publisher = gr.Textbox(label="Utgivare", elem_id="fsa-admin-publisher", max_length=200)
                    with gr.Row():
                        year = gr.Number(label="År", precision=0, elem_id="fsa-admin-year")
                        doc_type = gr.Dropdown(label="Dokumenttyp", choices=[("–", ""), *DOCUMENT_TYPES], value="",
                                               elem_id="fsa-admin-type")
                        valid_from = gr.Number(label="Giltig från (år)", precision=0, elem_id="fsa-admin-from")
                        valid_to = gr.Number(label="Giltig till (år)", precision=0, elem_id="fsa-admin-to")
                    add = gr.Button("Lägg till och indexera", variant="primary", elem_id="fsa-admin-add-button")
                with gr.Accordion("Ta bort dokument", open=False, elem_id="fsa-admin-remove"):
                    remove_choice = gr.Dropdown(label="Dokument", choices=[], elem_id="fsa-admin-remove-choice")
                    remove = gr.Button("Ta bort ur indexet", variant="stop", elem_id="fsa-admin-remove-button")
                with gr.Accordion("Indexera om dokumentmappen", open=False, elem_id="fsa-admin-reindex"):
                    gr.Markdown("Läs in dokumenten i dokumentmappen på nytt. Oförändrade dokument hoppas över.")
                    reindex = gr.Button("Indexera om", variant="secondary", elem_id="fsa-reindex")
                reindex_result = gr.Markdown("Inga ändringar sedan servern startade.", elem_id="fsa-reindex-result")


        knowledge_outputs: list[Any] = [c for pair in knowledge_tabs for c in pair]
        filters = [doc_filter, publisher_filter, type_filter]
        private = {"api_visibility": "private"}

        # Page load: show progress while the index loads, then fill filters, documents and tabs.
        demo.load(handlers.on_load, None, status, show_progress="minimal", **private).then(
            handlers.fill_page, None, [*filters, documents_table, remove_choice, admin_tab, *knowledge_outputs],
            show_progress="hidden", **private)

        # Asking. Questions share one Assistant (UI and API alike, one queue): ``Assistant.ask`` is safe to call
        # from several threads, and a few at a time overlap the embedding model's native work with Python's.
        ask_outputs = [question, chat, turns_state, sources, feedback_box, feedback_target, target_state, status]
        ask_inputs = [chat, turns_state, *filters]
        asking = {"show_progress": "minimal", "concurrency_id": "assistant", "concurrency_limit": concurrency,
                  **private}
        question.submit(handlers.respond, [question, *ask_inputs], ask_outputs, **asking)
        send.click(handlers.respond, [question, *ask_inputs], ask_outputs, **asking)
        for button, text in example_buttons:
            button.click(handlers.respond, [gr.State(text), *ask_inputs], ask_outputs, **asking)
        clear_outputs = [chat, turns_state, sources, feedback_box, feedback_target, target_state, comment,
                         feedback_status]
        new_chat.click(handlers.clear, None, clear_outputs, **private)
        chat.clear(handlers.clear, None, clear_outputs, **private)

        # Feedback.
        helpful.click(handlers.rate_helpful, [target_state, comment], feedback_status, **private)
        not_helpful.click(handlers.rate_not_helpful, [target_state, comment], feedback_status, **private)
        send_comment.click(handlers.send_comment, [target_state, comment], feedback_status, **private)
        chat.like(handlers.on_like, [turns_state], [target_state, feedback_target, feedback_status], **private)

        # Administration: one change at a time, then the page shows the documents as they are.
        changed = [status, *filters, documents_table, remove_choice, *knowledge_outputs]
        administering = {"concurrency_limit": 1, "concurrency_id": "administration", **private}
        for event in (reindex.click(handlers.reindex, None, reindex_result, **administering),
                      add.click(handlers.add_documents, [files, title, publisher, year, doc_type, valid_from,
                                                         valid_to], reindex_result, **administering),
                      remove.click(handlers.remove_document, [remove_choice], reindex_result, **administering)):
            event.then(handlers.after_reindex, None, changed, show_progress="hidden", **private)

        # The API (gradio_client): ask and feedback.
        gr.api(handlers.api_ask, api_name="ask", concurrency_id="assistant", concurrency_limit=concurrency)
        gr.api(handlers.api_feedback, api_name="feedback")
    return demo
