"""The real chat server (``python -m ui`` in a subprocess) over the real corpus index, asked through
``gradio_client`` like any API user: citations that check out, follow-ups, filters, escaping,
feedback to SQLite and CSV, and login."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import CORPUS, report, ui_server
from gradio_client import Client
from gradio_client.exceptions import AppError

from common.settings import PROJECT_ROOT, Settings
from index import IndexReader
from tools.servers import UIServer as Server

pytestmark = pytest.mark.slow

USER, PASSWORD = "anna", "ett-hemligt-ord"


@pytest.fixture(scope="module")
def server(corpus_settings: Settings, pytestconfig: pytest.Config) -> Iterator[Server]:
    with ui_server("api", corpus_settings.data_dir) as ui:
        report(pytestconfig, f"\nui server (python -m ui) answering HTTP {ui.ready_seconds:.1f} s after start")
        yield ui


def ask(client: Client, question: str, **kwargs) -> dict:
    result = client.predict(question=question, api_name="/ask", **kwargs)
    assert isinstance(result, dict), result
    return result


def assert_citations_hold(result: dict, reader: IndexReader) -> None:
    assert result["citations"], result
    for c in result["citations"]:
        text = reader.documents[c["doc_id"]].text
        assert text[c["start"]:c["end"]] == c["quote"], c
        assert c["title"] and c["publisher"] and c["quote"].strip()
        assert f"[{c['n']}]" in result["answer"], (c["n"], result["answer"])
        assert 'href="#kalla-' in result["answer_html"]


def test_ask_gives_an_answer_whose_citations_are_verbatim(client: Client, server: Server, reader: IndexReader,
                                                          pytestconfig: pytest.Config) -> None:
    started = time.perf_counter()
    result = ask(client, "Vad står BVC för?")
    report(pytestconfig, f"first API answer in {time.perf_counter() - started:.2f} s, "
                         f"{time.perf_counter() - server.started:.1f} s after the server started")
    assert not result["refused"], result["answer"]
    assert "Barnavårdscentral" in result["answer"]
    assert_citations_hold(result, reader)
    assert result["answer_id"]


def test_follow_up_question_uses_the_history(client: Client) -> None:
    result = ask(client, "Och för tonåringar då?", history=["Vilka program finns för föräldrar till små barn?"])
    assert "program" in result["effective_question"].lower(), result["effective_question"]
    assert result["question"] == "Och för tonåringar då?"


def test_filters_restrict_the_documents(client: Client, reader: IndexReader) -> None:
    doc_id = next(d for d, e in reader.entries.items() if "lindesberg" in d)
    result = ask(client, "Vad är föräldraskapsstöd?", doc_ids=[doc_id])
    assert result["citations"], result["answer"]
    assert {c["doc_id"] for c in result["citations"]} == {doc_id}
    by_publisher = ask(client, "Vad är föräldraskapsstöd?", publishers=["Lindesbergs kommun"])
    assert {c["doc_id"] for c in by_publisher["citations"]} == {doc_id}
    types = ask(client, "Vad är föräldraskapsstöd?", doc_types=["handbok"])
    handbooks = {d for d, e in reader.entries.items() if e.doc_type == "handbok"}
    assert {c["doc_id"] for c in types["citations"]} <= handbooks


def test_html_in_a_question_comes_back_escaped(client: Client) -> None:
    question = 'Vad står BVC för? <script>alert("x")</script> <img src=x onerror="alert(1)">'
    result = ask(client, question)
    for key in ("question_html", "answer_html"):
        assert "<script" not in result[key].lower(), result[key]
        assert "<img" not in result[key].lower(), result[key]
    assert "&lt;script&gt;" in result["question_html"]
    assert "&lt;img" in result["question_html"]


def test_feedback_is_stored_and_exported_to_csv(client: Client, server: Server, reader: IndexReader,
                                                tmp_path: Path) -> None:
    result = ask(client, "Vad står BVC för?")
    saved = client.predict(answer_id=result["answer_id"], rating="hjälpsamt", comment="Tydligt – tack!",
                           api_name="/feedback")
    assert saved == {"saved": True, "answer_id": result["answer_id"]}
    with pytest.raises(AppError):
        client.predict(answer_id="finns-inte", rating="hjälpsamt", api_name="/feedback")
    with pytest.raises(AppError):
        client.predict(answer_id=result["answer_id"], rating="kanske", api_name="/feedback")

    assert (server.data_dir / "feedback.sqlite").exists()
    out = tmp_path / "återkoppling.csv"
    env = {**os.environ, "FSA_DATA_DIR": str(server.data_dir)}
    done = subprocess.run([sys.executable, "-m", "ui.feedback", "export", str(out)], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    with open(out, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and set(rows[0]) >= {"timestamp", "rating", "comment", "question", "answer", "citations"}
    row = next(r for r in rows if r["answer_id"] == result["answer_id"])
    assert row["rating"] == "hjälpsamt"
    assert row["comment"] == "Tydligt – tack!"
    assert row["question"] == "Vad står BVC för?"
    assert row["answer"] == result["answer"]
    assert row["timestamp"][:4].isdigit()
    citations = json.loads(row["citations"])
    assert [c["quote"] for c in citations] == [c["quote"] for c in result["citations"]]


@pytest.fixture(scope="module")
def login_server(corpus_settings: Settings) -> Iterator[Server]:
    with ui_server("login", corpus_settings.data_dir, FSA_UI_AUTH=f"{USER}:{PASSWORD}",
                   FSA_UI_ADMIN_USERS="admin") as ui:
        yield ui


def test_login_keeps_unauthenticated_requests_out(login_server: Server, reader: IndexReader) -> None:
    url = login_server.url
    for path in ("config", "gradio_api/info"):
        assert httpx.get(url + path, timeout=10).status_code == 401, path
    call = httpx.post(url + "gradio_api/call/ask", json={"data": ["Vad står BVC för?"]}, timeout=10)
    assert call.status_code == 401
    with pytest.raises(Exception):  # noqa: B017 - gradio_client raises different types for these
        Client(url, verbose=False).predict(question="Vad står BVC för?", api_name="/ask")
    with pytest.raises(Exception):  # noqa: B017
        Client(url, auth=(USER, "fel-lösenord"), verbose=False)

    result = ask(Client(url, auth=(USER, PASSWORD), verbose=False), "Vad står BVC för?")
    assert not result["refused"]
    assert_citations_hold(result, reader)


def test_admin_rights(tmp_path: Path) -> None:
    """Re-indexing: listed users when login is on; without login only a local server without an admin list."""
    from pydantic import SecretStr

    from ui.admin import AdminService

    def admin(username: str | None, **settings) -> bool:
        return AdminService(Settings(data_dir=tmp_path, corpus_dir=CORPUS, **settings)).is_admin(username)

    assert admin(None)  # no login, local server, no admin list
    assert not admin(None, ui_admin_users="eva")
    assert not admin(None, ui_host="0.0.0.0")
    login = {"ui_auth": SecretStr("eva:pw"), "ui_admin_users": "eva, bo"}
    assert admin("eva", **login) and admin("bo", **login)
    assert not admin("anna", **login) and not admin(None, **login)
    assert not admin("eva", ui_auth=SecretStr("eva:pw"))  # login without an admin list: nobody


def test_missing_index_gives_a_clear_swedish_message(tmp_path: Path) -> None:
    from ui.service import AssistantService, ServiceError

    service = AssistantService(Settings(data_dir=tmp_path / "tom", corpus_dir=CORPUS))
    service.start()
    with pytest.raises(ServiceError, match="Indexet saknas – kör python -m ingest"):
        service.wait(timeout=60)
    assert service.status() == ("error", "Indexet saknas – kör python -m ingest")


def test_answers_render_safely_with_refusals_and_notices() -> None:
    from assistant import Answer, Citation
    from ui.rendering import render_answer, render_sources_for_turn

    citation = Citation(1, "doc", "doc.txt", "<b>Titel</b>", "Region <i>X</i>", None, None, "Avsnitt",
                        "Ett <script>alert(1)</script> citat.", 0, 10)
    answer = Answer("Fråga <img src=x onerror=alert(1)>", "Inget svar <script>x</script> [1] [7] [länk](javascript:x)",
                    refused=True, citations=[citation], notices=["Vektorsökningen svarade inte <b>!</b>"])
    text = render_answer(answer, turn=3)
    assert "Svaret finns inte i dokumenten" in text and 'class="fsa-refusal"' in text
    assert '<a href="#kalla-3-1" class="fsa-cite">' in text  # a known marker links to its source
    assert "#kalla-3-7" not in text and "&#91;7&#93;" in text  # an unknown one stays text
    assert "<script" not in text and "&lt;script&gt;" in text
    assert "](javascript" not in text
    assert 'class="fsa-notice"' in text and "&lt;b&gt;!" in text
    panel = render_sources_for_turn(3, answer, None, {})
    assert 'id="kalla-3-1"' in panel and "<mark>" in panel
    for raw in ("<script", "<img", "<b>", "<i>"):
        assert raw not in panel, raw
    assert "uppgift saknas" in panel and "saknas i källan" in panel


@pytest.mark.parametrize("guardrails, shown, hidden", [
    ("", "Alla citat är kontrollerade", "justerats"),  # extractive: verbatim quotes
    ("unrepaired", "Alla citat är kontrollerade", "justerats"),
    ("repaired", "Språkmodellens svar har justerats innan det visades", "kontrollerade"),
    ("fallback", "Språkmodellens svar visas inte", "kontrollerade"),
])
def test_sources_say_checked_only_for_answers_shown_as_written(guardrails: str, shown: str, hidden: str) -> None:
    from assistant import Answer, Citation
    from ui.rendering import render_sources_for_turn

    citation = Citation(1, "doc", "doc.txt", "Titel", "Region X", 2023, 4, "Avsnitt", "Ett citat.", 0, 10)
    answer = Answer("Fråga?", "Ett citat. [1]", refused=False, citations=[citation], guardrails=guardrails)
    panel = render_sources_for_turn(1, answer, lambda doc_id, start, end: ("", "Ett citat.", ""), {})
    assert shown in panel and hidden not in panel
