"""The chat's event handlers as plain functions: a real assistant over the real corpus index, no
browser and no server. What Gradio would show is what they return."""

from __future__ import annotations

import gradio as gr
import pytest

from ui.admin import AdminService
from ui.handlers import ChatHandlers
from ui.rendering import KNOWLEDGE_TABS
from ui.service import AssistantService


@pytest.fixture(scope="module")
def handlers(corpus_settings) -> ChatHandlers:
    service = AssistantService(corpus_settings)
    service.start()
    service.wait(timeout=120)
    return ChatHandlers(service, AdminService(corpus_settings))


def test_a_question_gets_a_pending_message_then_the_answer_with_linked_sources(handlers):
    steps = list(handlers.respond("Vad står BVC för?", [], [], [], [], [], None))
    assert len(steps) == 2
    _, pending, *_ = steps[0]
    assert "Söker i dokumenten" in pending[-1]["content"]
    question, messages, turns, sources, feedback_box, prompt, answer_id, _ = steps[1]
    assert question == "" and messages[0] == {"role": "user", "content": "Vad står BVC för?"}
    assert "Barnavårdscentral" in messages[1]["content"] and 'href="#kalla-1-1"' in messages[1]["content"]
    assert turns == [{"turn": 1, "answer_id": answer_id, "question": "Vad står BVC för?", "message": 1,
                      "sources": turns[0]["sources"]}]
    assert 'id="kalla-1-1"' in sources and "<mark>" in sources
    assert "Var svar 1 hjälpsamt?" in prompt
    assert handlers.rate_helpful(answer_id, "Bra svar", None).startswith("Tack!")
    assert handlers.rate_helpful("", "", None) == "Ställ en fråga först."


def test_a_follow_up_is_read_with_the_conversation(handlers):
    *_, first = handlers.respond("Vilka program finns för föräldrar med småbarn?", [], [], [], [], [], None)
    _, messages, turns, *_ = first
    *_, second = handlers.respond("Och för tonåringar då?", messages, turns, [], [], [], None)
    _, messages, turns, sources, *_ = second
    assert len(turns) == 2 and "Aktivt föräldraskap" in messages[-1]["content"]
    assert sources.index('id="kallor-2"') < sources.index('id="kallor-1"'), "the newest answer's sources first"


def test_filters_that_match_no_document_are_said_so(handlers):
    *_, last = handlers.respond("Vad står BVC för?", [], [], ["finns-inte"], [], [], None)
    assert "Inga dokument matchar de valda filtren" in last[1][-1]["content"]


def test_page_content_fills_filters_documents_and_knowledge_tabs(handlers):
    doc_filter, publisher_filter, type_filter, documents, removable, *tabs = handlers.page_content()
    assert isinstance(doc_filter, gr.CheckboxGroup) and len(doc_filter.choices) == 6
    assert removable.choices == doc_filter.choices, "an admin may remove any of the documents"
    assert ("Region Örebro län", "Region Örebro län") in publisher_filter.choices
    assert "Dokument i indexet (6)" in documents
    assert len(tabs) == 2 * len(KNOWLEDGE_TABS)
    for (tab, content), name in zip(zip(tabs[::2], tabs[1::2]), KNOWLEDGE_TABS):
        assert tab.visible and f"{name} (" in content


def test_clear_starts_a_new_conversation(handlers):
    chat, turns, sources, feedback_box, *_ = handlers.clear()
    assert chat == [] and turns == [] and "Här visas källorna" in sources and feedback_box.visible is False
