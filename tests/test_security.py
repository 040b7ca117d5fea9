"""Security of the running chat server (``python -m ui`` over real HTTP): login keeps unauthenticated requests
out, no route serves files from outside (path traversal in its usual spellings), no file uploads, and the
server's log holds neither the login password, nor the language-model API key, nor the personal data in
questions and feedback. See docs/security.md."""

from __future__ import annotations

import http.client
import secrets
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import ARTIFACTS, ui_server
from fake_llm import FakeOpenAIServer
from gradio_client import Client

from common.settings import PROJECT_ROOT, Settings
from index import IndexReader
from tools.servers import UIServer as Server

pytestmark = pytest.mark.slow

USER = "anna"
PASSWORD = "Lösen-" + secrets.token_urlsafe(12)
API_KEY = "sk-test-" + secrets.token_hex(16)
PERSONNUMMER = "19850412-3456"
EMAIL = "kalle.kula@exempel.se"
PERSONAL_QUESTIONS = [
    f"Hur ofta ska den regionala strategin följas upp? Mitt personnummer är {PERSONNUMMER}.",
    f"Hur ofta ska den regionala strategin följas upp? Svara till {EMAIL}",
    f"Jag heter Kalle Kula, personnummer {PERSONNUMMER}. Hur ofta ska den regionala strategin följas upp?",
]


def raw_get(port: int, path: str) -> tuple[int, bytes]:
    """GET exactly ``path`` (no client-side normalisation of ``..`` or percent escapes)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        connection.putrequest("GET", path, skip_accept_encoding=True)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


# =============================================================================================
# Without login: file routes and uploads
# =============================================================================================


@pytest.fixture(scope="module")
def open_server(corpus_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    gradio_tmp = tmp_path_factory.mktemp("gradio-tmp")
    # The traversal test sends some 130 requests in a row: with the rate limit on, most would get 429 and never
    # reach the file routes it tests (the limit itself is tested in tests/test_limits.py).
    with ui_server("security-open", corpus_settings.data_dir, GRADIO_TEMP_DIR=str(gradio_tmp),
                   FSA_UI_RATE_PER_S="0") as ui:
        ui.gradio_tmp = gradio_tmp  # type: ignore[attr-defined]
        yield ui


def secret_files(data_dir: Path) -> dict[str, bytes]:
    """Files that must never be served, with a piece of their content to look for in a response."""
    files = {"/etc/passwd": b"root:"}
    for path in (PROJECT_ROOT / "README.md", PROJECT_ROOT / "ui" / "server.py", PROJECT_ROOT / "common" / "settings.py",
                 PROJECT_ROOT / "pyproject.toml", data_dir / "manifest.json", PROJECT_ROOT / "corpus" / "catalog.toml"):
        files[str(path)] = path.read_bytes()[:60]
    return files


def traversal_paths(target: str) -> list[str]:
    """The usual spellings of a request for ``target`` (an absolute path) through Gradio's routes."""
    relative = "../" * 12 + target.lstrip("/")
    encoded = target.replace("/", "%2F")
    dots = ("%2e%2e/" * 12) + target.lstrip("/")
    return [
        f"/gradio_api/file={target}", f"/file={target}", f"/gradio_api/file={relative}", f"/file={relative}",
        f"/gradio_api/file={encoded}", f"/gradio_api/file={relative.replace('/', '%2F')}",
        f"/gradio_api/file={encoded.replace('%', '%25')}", f"/gradio_api/file={dots}",
        f"/gradio_api/file=..\\..\\..\\..{target.replace('/', chr(92))}",
        f"/static/{relative}", f"/static/{dots}", f"/assets/{relative}", f"/gradio_api/static/{relative}",
        f"/gradio_api/file=/tmp/../{relative}", f"/gradio_api/file={target}%00.png",
        f"/gradio_api/file={PROJECT_ROOT / 'ui' / 'static'}/{relative}",  # out of the app's own static folder
        f"/{relative}", f"//{target.lstrip('/')}", f"/gradio_api/proxy={target}",
    ]


def test_no_route_serves_files_from_outside(open_server: Server, corpus_settings: Settings):
    served: list[str] = []
    checked = 0
    for target, content in secret_files(corpus_settings.data_dir).items():
        for path in traversal_paths(target):
            status, body = raw_get(open_server.port, path)
            checked += 1
            if status == 200 and content.strip() and content.strip()[:40] in body:
                served.append(f"{path} -> {status}")
            assert status != 500, path
    assert checked > 100
    assert not served, served


def test_the_only_upload_is_the_admins_and_it_takes_only_documents(open_server: Server):
    config = httpx.get(open_server.url + "config", timeout=15).json()
    uploads = [c for c in config["components"] if c.get("type") in {
        "file", "files", "uploadbutton", "image", "audio", "video", "model3d", "multimodaltextbox", "gallery",
        "dataframe", "imageeditor", "simpleimage"}]
    assert [c["props"].get("elem_id") for c in uploads] == ["fsa-admin-files"], uploads
    # Without login a local server's user is its admin (docs/security.md): documents only, nothing else.
    for name, content, mime in [("x.html", b"<script>alert(1)</script>", "text/html"),
                                ("stor.bin", b"\0" * 2_000_000, "application/octet-stream"),
                                ("x.txt.exe", b"MZ", "application/octet-stream")]:
        response = httpx.post(open_server.url + "gradio_api/upload", files={"files": (name, content, mime)},
                              timeout=30)
        assert response.status_code == 403, (name, response.status_code, response.text[:200])
    gradio_tmp: Path = open_server.gradio_tmp  # type: ignore[attr-defined]
    stored = [p for p in gradio_tmp.rglob("*") if p.is_file() and p.name in ("x.html", "stor.bin", "x.txt.exe")]
    assert not stored, stored
    # The chat itself still works.
    result = Client(open_server.url, verbose=False).predict(question="Vad står BVC för?", api_name="/ask")
    assert "Barnavårdscentral" in result["answer"]


# =============================================================================================
# With login and a language model with an API key: access and logs
# =============================================================================================


@pytest.fixture(scope="module")
def model() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as server:
        yield server


@pytest.fixture(scope="module")
def login_server(corpus_settings: Settings, model: FakeOpenAIServer) -> Iterator[Server]:
    with ui_server("security-login", corpus_settings.data_dir, FSA_UI_AUTH=f"{USER}:{PASSWORD}",
                  FSA_UI_ADMIN_USERS=USER, **model.env(20.0, api_key=API_KEY)) as ui:
        yield ui


def test_login_is_required_for_every_route_but_the_login_page(login_server: Server, reader: IndexReader):
    url = login_server.url
    for path in ["config", "gradio_api/info", "gradio_api/file=/etc/passwd", "gradio_api/queue/status",
                 "gradio_api/call/ask/abc", "gradio_api/queue/data?session_hash=abc", "openapi.json",
                 "gradio_api/runs", "gradio_api/heartbeat/abc", "manifest.json", "monitoring/abc"]:
        response = httpx.get(url + path, timeout=15)
        assert response.status_code in (401, 403), (path, response.status_code)
    # Public without login: the login page and its own files (the full list: tests/test_limits.py), no app data.
    titles = [e.title for e in reader.entries.values()]
    for path in ["", "theme.css", "favicon.ico", "gradio_api/startup-events"]:
        with httpx.stream("GET", url + path, timeout=15) as response:
            body = next(response.iter_bytes(), b"").decode("utf-8", "replace")
        assert response.status_code == 200, path
        assert not any(t in body for t in titles) and "Barnavårdscentral" not in body, path
    for path, body in [("gradio_api/call/ask", {"data": ["Vad står BVC för?"]}),
                       ("gradio_api/queue/join", {"data": ["Vad står BVC för?"], "fn_index": 0,
                                                  "session_hash": "abc"}),
                       ("gradio_api/run/ask", {"data": ["Vad står BVC för?"]}),
                       ("gradio_api/call/feedback", {"data": ["x", "hjälpsamt", ""]})]:
        response = httpx.post(url + path, json=body, timeout=15)
        assert response.status_code in (401, 403), (path, response.status_code)
    wrong = httpx.post(url + "login", data={"username": USER, "password": "fel"}, timeout=15)
    assert wrong.status_code in (400, 401) and "access-token" not in wrong.cookies
    with pytest.raises(Exception):  # noqa: B017 - gradio_client raises different types
        Client(url, auth=(USER, "fel-lösenord"), verbose=False)
    page = httpx.get(url, timeout=15)
    assert page.status_code == 200  # the login page itself
    assert PASSWORD not in page.text

    client = Client(url, auth=(USER, PASSWORD), verbose=False)
    result = client.predict(question="Vad står BVC för?", api_name="/ask")
    assert "Barnavårdscentral" in result["answer"]


def test_logs_hold_no_password_api_key_or_personal_data(login_server: Server, model: FakeOpenAIServer):
    url = login_server.url
    httpx.post(url + "login", data={"username": USER, "password": PASSWORD + "x"}, timeout=15)  # a failed login
    with httpx.Client(timeout=30) as session:
        assert session.post(url + "login", data={"username": USER, "password": PASSWORD}).status_code == 200
        config = session.get(url + "config")
        assert config.status_code == 200
        for secret in (PASSWORD, API_KEY):
            assert secret not in config.text
    client = Client(url, auth=(USER, PASSWORD), verbose=False)
    for question in PERSONAL_QUESTIONS:
        asked = len(model.authorizations)
        result = client.predict(question=question, api_name="/ask")
        assert result["answer"].strip()
        if "Kalle Kula" not in question:  # a name the documents never mention is refused before the model
            assert len(model.authorizations) > asked, question  # the model got the question
            assert model.authorizations[-1] == f"Bearer {API_KEY}"  # with the key
    client.predict(answer_id=result["answer_id"], rating="inte hjälpsamt",
                   comment=f"Ring mig på 070-123 45 67, {EMAIL}", api_name="/feedback")

    login_server.stop()  # flush and close the log
    log = (ARTIFACTS / "ui-server-security-login.log").read_text(encoding="utf-8", errors="replace")
    assert "Running on local URL" in log  # it is the server's log
    assert "chat/completions" in log  # and it logged the calls to the model
    for secret in (PASSWORD, API_KEY, PERSONNUMMER, EMAIL, "Kalle Kula", "070-123 45 67"):
        assert secret not in log, f"{secret!r} is in the server log"
