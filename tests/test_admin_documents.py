"""Adding and removing documents from the chat's Administration tab: through the handlers (a real
assistant over a real index of a corpus copy) and through the real server's upload route, where only an
admin may upload, only the file types the assistant reads."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path

import gradio as gr
import httpx
import pytest
from conftest import ui_server
from layout_report import TITLE, report_pdf

from assistant import Assistant
from common.settings import Settings
from index.layout import DataLayout
from ingest import run_ingest
from ui.admin import AdminService
from ui.handlers import ChatHandlers
from ui.service import AssistantService


class Progress:
    """Stands in for ``gr.Progress`` (which needs a running event): records what it is told."""

    def __init__(self) -> None:
        self.calls: list[object] = []

    def __call__(self, value: object, desc: str = "", unit: str = "") -> None:
        self.calls.append((value, desc))


@pytest.fixture
def admin_settings(make_settings, corpus_copy) -> Settings:
    settings = make_settings(corpus_dir=corpus_copy)
    run_ingest(settings)
    return settings


def handlers_for(settings: Settings) -> ChatHandlers:
    service = AssistantService(settings)
    service.start()
    service.wait(timeout=120)
    return ChatHandlers(service, AdminService(settings))


def catalog(settings: Settings) -> dict[str, dict]:
    data = tomllib.loads((settings.corpus_dir / "catalog.toml").read_text(encoding="utf-8"))
    return {d["id"]: d for d in data["document"]}


def test_an_admin_adds_a_pdf_with_catalog_facts_and_removes_it(admin_settings, tmp_path):
    upload = tmp_path / "uploads" / "lindby-plan.pdf"
    upload.parent.mkdir()
    upload.write_bytes(report_pdf())
    handlers = handlers_for(admin_settings)
    progress = Progress()
    summary = handlers.add_documents([str(upload)], "", "Lindby kommun", 2024.0, "strategi", 2024.0, 2027.0,
                                     None, progress)
    assert "7 dokument" in summary and "1 indexerade" in summary and "0 misslyckades" in summary, summary
    assert any(desc == "Beräknar vektorer" for _, desc in progress.calls), "the admin sees the progress"
    entry = catalog(admin_settings)["lindby-plan"]
    assert entry == {"id": "lindby-plan", "file": "lindby-plan.pdf", "publisher": "Lindby kommun", "year": 2024,
                     "type": "strategi", "valid_from": 2024, "valid_to": 2027}
    assistant = Assistant(admin_settings)
    document = next(d for d in assistant.documents() if d.doc_id == "lindby-plan")
    assert document.title == TITLE and document.validity == "2024–2027"  # the title from the PDF itself
    answer = assistant.ask("Hur många elever går i årskurs 9?", filters=None)
    assert any(c.doc_id == "lindby-plan" and "123 960" in c.quote for c in answer.citations), answer.answer
    choices = handlers.page_content()[4].choices
    assert ("lindby-plan" in [value for _, value in choices])

    summary = handlers.remove_document("lindby-plan", None, Progress())
    assert "6 dokument" in summary and "1 borttagna" in summary, summary
    assert "lindby-plan" not in DataLayout(admin_settings.data_dir).read_manifest().documents
    assert "lindby-plan" not in catalog(admin_settings)
    assert not (admin_settings.corpus_dir / "lindby-plan.pdf").exists()
    kept = list((admin_settings.data_dir / "removed").glob("*-lindby-plan.pdf"))
    assert len(kept) == 1 and kept[0].read_bytes() == upload.read_bytes(), "a removed file is kept, not deleted"


def test_bad_uploads_get_clear_swedish_messages_and_change_nothing(admin_settings, make_settings, tmp_path):
    before = DataLayout(admin_settings.data_dir).read_manifest()
    catalog_before = (admin_settings.corpus_dir / "catalog.toml").read_text(encoding="utf-8")
    handlers = handlers_for(admin_settings)
    page = tmp_path / "sida.html"
    page.write_text("<p>hej</p>", encoding="utf-8")
    assert "Filtypen .html stöds inte" in handlers.add_documents([str(page)], "", "", None, "", None, None, None,
                                                                 Progress())
    existing = tmp_path / "lindesberg-strategi-foraldraskapsstod-2023-2026.md"
    existing.write_text("# Något annat\n\nText.", encoding="utf-8")
    assert "Det finns redan ett dokument" in handlers.add_documents([str(existing)], "", "", None, "", None, None,
                                                                    None, Progress())
    assert "Välj minst en fil" in handlers.add_documents([], "", "", None, "", None, None, None, Progress())
    assert "ett årtal" in handlers.add_documents([str(page)], "", "", 24.0, "", None, None, None, Progress())
    broken = tmp_path / "trasig.pdf"
    broken.write_bytes(b"%PDF-1.4 this is not a real pdf")
    summary = handlers.add_documents([str(broken)], "Trasig", "", None, "", None, None, None, Progress())
    assert "Misslyckades: trasig.pdf" in summary, summary
    assert not (admin_settings.corpus_dir / "trasig.pdf").exists(), "a file that cannot be read is taken out"
    assert (admin_settings.corpus_dir / "catalog.toml").read_text(encoding="utf-8") == catalog_before
    assert DataLayout(admin_settings.data_dir).read_manifest().documents.keys() == before.documents.keys()

    small = make_settings(corpus_dir=admin_settings.corpus_dir, data_dir=admin_settings.data_dir, max_file_mb=0.001)
    pdf = tmp_path / "stor.pdf"
    pdf.write_bytes(report_pdf())
    assert "Filen är för stor" in handlers_for(small).add_documents([str(pdf)], "", "", None, "", None, None, None,
                                                                   Progress())


def test_only_an_admin_may_change_the_documents(make_settings, corpus_copy, tmp_path):
    settings = make_settings(corpus_dir=corpus_copy, ui_host="0.0.0.0")  # no login, not a local server
    run_ingest(settings)
    handlers = handlers_for(settings)
    upload = tmp_path / "plan.pdf"
    upload.write_bytes(report_pdf())
    with pytest.raises(gr.Error, match="behörighet"):
        handlers.add_documents([str(upload)], "", "", None, "", None, None, None, Progress())
    with pytest.raises(gr.Error, match="behörighet"):
        handlers.remove_document("lindesberg-strategi-2023-2026", None, Progress())
    assert not (corpus_copy / "plan.pdf").exists()


# --- the real server: the upload route -------------------------------------------------------------------

USERS = {"anna": "lösen-anna", "bo": "lösen-bo"}


@pytest.fixture(scope="module")
def login_server(corpus_settings) -> Iterator:
    auth = ",".join(f"{u}:{p}" for u, p in USERS.items())
    with ui_server("admin-uploads", corpus_settings.data_dir, FSA_UI_AUTH=auth, FSA_UI_ADMIN_USERS="anna",
                   FSA_MAX_FILE_MB="1") as ui:
        yield ui


def logged_in(url: str, user: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=30, trust_env=False)
    response = client.post("login", data={"username": user, "password": USERS[user]})
    assert response.status_code == 200, response.text
    return client


def upload(client: httpx.Client, name: str, content: bytes) -> httpx.Response:
    return client.post("gradio_api/upload", files={"files": (name, content, "application/octet-stream")})


@pytest.mark.slow
def test_only_an_admin_may_upload_and_only_documents(login_server):
    pdf = report_pdf()
    anonymous = httpx.Client(base_url=login_server.url, timeout=30, trust_env=False)
    assert upload(anonymous, "plan.pdf", pdf).status_code in (401, 403)
    bo = logged_in(login_server.url, "bo")
    refused = upload(bo, "plan.pdf", pdf)
    assert refused.status_code == 403 and "administratör" in refused.json()["detail"]
    anna = logged_in(login_server.url, "anna")
    accepted = upload(anna, "plan.pdf", pdf)
    assert accepted.status_code == 200, accepted.text
    assert Path(accepted.json()[0]).name == "plan.pdf"
    wrong = upload(anna, "sida.html", b"<script>alert(1)</script>")
    assert wrong.status_code == 403 and "filtypen" in wrong.json()["detail"]
    large = upload(anna, "stor.pdf", b"%PDF-1.4 " + b"0" * 1_300_000)
    assert large.status_code == 413 and "för stor" in large.json()["detail"]
    for client in (anonymous, bo, anna):
        client.close()
