"""Bounds on everything a client sends, against the real chat server (``python -m ui``) over real HTTP:
the question cut in the chat's own event, a huge history bounded before the models see it, a 100 MB body
refused unread, 429 after a client's burst, a growing delay after failed logins that holds up no one else,
no question text in the log of a malformed call, and the exact list of routes that are public with login on.

Each test speaks as its own client through ``X-Forwarded-For`` (trusted from loopback, as from a reverse
proxy on the same machine), so the tests' rate-limit buckets and login delays do not mix."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import ARTIFACTS, ui_server

from assistant import Assistant
from assistant.limits import bound_history, bound_question
from common.settings import PROJECT_ROOT, Settings
from index import IndexReader
from tools.processes import rss_tree
from tools.servers import UIServer as Server

pytestmark = pytest.mark.slow

USER, PASSWORD = "anna", "ett-hemligt-ord-för-gränser"
RATE, BURST = 5, 20
LOGIN_DELAY, LOGIN_DELAY_MAX = 0.25, 2.0
LOG_MAX = 1000
CUT_NOTICE = "Frågan var längre än 2000 tecken"


@pytest.fixture(scope="module")
def server(corpus_settings: Settings) -> Iterator[Server]:
    with ui_server("limits", corpus_settings.data_dir, FSA_UI_AUTH=f"{USER}:{PASSWORD}", FSA_UI_ADMIN_USERS=USER,
                   FSA_UI_RATE_PER_S=str(RATE), FSA_UI_RATE_BURST=str(BURST),
                   FSA_UI_LOGIN_DELAY_S=str(LOGIN_DELAY), FSA_UI_LOGIN_DELAY_MAX_S=str(LOGIN_DELAY_MAX),
                   FSA_LOG_MAX_CHARS=str(LOG_MAX)) as ui:
        yield ui


def as_client(address: str) -> dict[str, str]:
    return {"x-forwarded-for": address}


def session(server: Server, address: str) -> httpx.Client:
    """A logged-in HTTP session of the client at ``address``."""
    client = httpx.Client(base_url=server.url, timeout=120, trust_env=False, headers=as_client(address))
    response = client.post("login", data={"username": USER, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return client


def join_and_wait(client: httpx.Client, fn_index: int, data: list, session_hash: str, trigger_id: int | None = None
                  ) -> dict:
    """An event through Gradio's queue, as the page sends it: the ``process_completed`` message."""
    joined = client.post("gradio_api/queue/join", json={"data": data, "fn_index": fn_index,
                                                        "session_hash": session_hash, "trigger_id": trigger_id})
    assert joined.status_code == 200, joined.text
    with client.stream("GET", "gradio_api/queue/data", params={"session_hash": session_hash}) as stream:
        for line in stream.iter_lines():
            if line.startswith("data:"):
                message = json.loads(line[5:])
                if message.get("msg") == "process_completed":
                    return message
    raise AssertionError("the event stream ended without process_completed")


def ask_api(client: httpx.Client, question: str, history: list[str]) -> dict:
    started = client.post("gradio_api/call/ask", json={"data": [question, history, [], [], []]})
    assert started.status_code == 200, started.text
    with client.stream("GET", f"gradio_api/call/ask/{started.json()['event_id']}") as stream:
        event = ""
        for line in stream.iter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and event in ("complete", "error"):
                assert event == "complete", line
                return json.loads(line[5:])[0]
    raise AssertionError("no answer")


# =============================================================================================
# Questions and history
# =============================================================================================


def test_a_50kb_question_through_the_chat_event_is_cut_with_a_notice(server: Server):
    client = session(server, "10.0.1.1")
    config = client.get("config").json()
    box = next(c["id"] for c in config["components"] if c.get("props", {}).get("elem_id") == "fsa-question")
    event = next(d for d in config["dependencies"] if [box, "submit"] in d["targets"])
    question = "Vad står BVC för? " + "föräldraskapsstöd " * 3000
    assert len(question) > 50_000
    done = join_and_wait(client, event["id"], [question, [], None, [], [], []], "limits-chat", box)
    assert done["success"], done
    chat = done["output"]["data"][1]
    user, bot = chat[0], chat[-1]
    texts = [part["text"] for part in user["content"]] if isinstance(user["content"], list) else [user["content"]]
    assert sum(len(t) for t in texts) <= 2000 + 50, "the chat kept more of the question than is read"
    answer = json.dumps(bot["content"], ensure_ascii=False)
    assert CUT_NOTICE in answer, answer[:500]
    assert "Barnavårdscentral" in answer


def test_a_huge_history_is_bounded_before_the_models_see_it(server: Server, corpus_settings: Settings):
    client = session(server, "10.0.1.2")
    earlier = "Vilka program finns för föräldrar till små barn? " + "föräldraskapsstöd familjecentral " * 1600
    history = [f"{i}: {earlier}" for i in range(3)]  # 3 × 50 kB
    assert all(len(h) > 50_000 for h in history)
    huge = ask_api(client, "Och för tonåringar då?", history)
    settings = Settings(data_dir=corpus_settings.data_dir, corpus_dir=corpus_settings.corpus_dir)
    bounded = bound_history(history, settings.history_max_turns, settings.history_turn_chars,
                            settings.history_total_chars)
    assert sum(len(h) for h in bounded) <= settings.history_total_chars
    assert all(len(h) <= settings.history_turn_chars for h in bounded)
    same = ask_api(client, "Och för tonåringar då?", bounded)
    assert huge["answer"] == same["answer"] and huge["citations"] == same["citations"]
    assert len(huge["effective_question"]) <= settings.history_turn_chars + 100, len(huge["effective_question"])
    assert "program" in huge["effective_question"].lower()  # still read as a follow-up


def test_the_bounds_hold_for_the_python_api_and_the_cli(corpus_settings: Settings, reader: IndexReader):
    assistant = Assistant(corpus_settings, index=reader)
    history = ["Vilka program finns för föräldrar till små barn? " + "x " * 30_000] * 10
    answer = assistant.ask("Vad står BVC för? " + "föräldraskapsstöd " * 3000, history=history)
    assert any(CUT_NOTICE in n for n in answer.notices), answer.notices
    assert len(answer.question) <= 2000 and "Barnavårdscentral" in answer.answer
    streamed = list(assistant.stream("Vad står BVC för? " + "föräldraskapsstöd " * 3000, history=history))
    assert any(CUT_NOTICE in n for n in streamed[-1].notices)
    plan = assistant.plan("Och för tonåringar då?", history)
    assert len(plan.effective) <= corpus_settings.history_turn_chars + 100


def test_bound_history_and_question_keep_the_latest_text():
    assert bound_question("  Vad   står\nBVC för?  ", 2000) == ("Vad står BVC för?", False)
    text, cut = bound_question("a " * 5000, 2000)
    assert cut and len(text) <= 2000
    assert bound_question(" " * 100_000 + "BVC?", 2000) == ("", True)  # beyond what is read: cut, and said so
    turns = [f"fråga {i} " + "ord " * 400 for i in range(10)]
    kept = bound_history(turns, max_turns=4, turn_chars=500, total_chars=1200)
    assert [k.split()[1] for k in kept] == ["7", "8", "9"]  # the latest turns, the oldest of the four dropped
    assert all(len(k) <= 500 for k in kept) and sum(len(k) for k in kept) <= 1200
    assert bound_history(["", None, 5, "BVC?"], 4, 500, 1500) == ["BVC?"]  # type: ignore[list-item]
    assert bound_history("en fråga", 4, 500, 1500) == ["en fråga"]
    assert bound_history(turns, 0, 500, 1500) == []


# =============================================================================================
# Request bodies
# =============================================================================================


def raw_request(port: int, head: bytes, body: bytes = b"", send_more: int = 0, timeout: float = 30) -> bytes:
    """Send ``head`` and ``body`` (then up to ``send_more`` more bytes while the server reads), and return
    what the server answers."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        connection.sendall(head + body)
        chunk = b"\0" * 65536
        sent = 0
        try:
            while sent < send_more:
                connection.sendall(chunk)
                sent += len(chunk)
        except OSError:  # the server answered and closed: it did not read the rest
            pass
        answer = b""
        try:
            while data := connection.recv(65536):
                answer += data
                if b"\r\n\r\n" in answer and b"}" in answer:
                    break
        except OSError:
            pass
        return answer


def test_a_100mb_body_is_refused_before_it_is_read(server: Server):
    # A body within the limit goes through (3 × 50 kB of history is about 150 kB); the server is warm then.
    client = session(server, "10.0.2.2")
    result = ask_api(client, "Vad står BVC för?", ["Vad är föräldraskapsstöd? " + "ord " * 12_000] * 3)
    assert "Barnavårdscentral" in result["answer"]
    before = rss_tree(server.pid)
    started = time.perf_counter()
    for path in ("/gradio_api/call/ask", "/login", "/gradio_api/queue/join"):
        head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                f"X-Forwarded-For: 10.0.2.1\r\nContent-Length: 100000000\r\n\r\n").encode()
        answer = raw_request(server.port, head, b'{"data": ["' + b"a" * 60_000, send_more=100_000_000)
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
        assert "Förfrågan är för stor" in answer.decode("utf-8", "replace")
    # A body without a declared length is counted as it arrives.
    head = (b"POST /gradio_api/call/ask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"X-Forwarded-For: 10.0.2.1\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"%x\r\n%s\r\n" % (65536, b"a" * 65536)
    answer = raw_request(server.port, head, chunk * 40)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    elapsed = time.perf_counter() - started
    grown = (rss_tree(server.pid) - before) / 1e6
    print(f"4 refused bodies in {elapsed:.2f} s; server RSS grew by {grown:.1f} MB")
    assert grown < 50, f"the server's memory grew by {grown:.0f} MB"


def test_an_admin_upload_has_its_own_larger_limit(server: Server):
    client = session(server, "10.0.2.3")  # anna is an admin
    content = ("Föräldraskapsstöd i en lång rapport. " * 60_000).encode()  # about 2.3 MB, over the 1 MB limit
    uploaded = client.post("gradio_api/upload", files={"files": ("lang-rapport.txt", content, "text/plain")})
    assert uploaded.status_code == 200, uploaded.text[:300]
    refused = client.post("gradio_api/call/ask", content=json.dumps({"data": ["x" * len(content)]}),
                          headers={"content-type": "application/json"})
    assert refused.status_code == 413 and "Förfrågan är för stor" in refused.json()["detail"]


# =============================================================================================
# Rate limit and logins
# =============================================================================================


def test_a_client_gets_429_after_its_burst_and_others_are_still_served(server: Server):
    flooding = session(server, "10.0.3.1")
    other = session(server, "10.0.3.2")
    responses = [flooding.get("gradio_api/user") for _ in range(BURST + 60)]
    statuses = [r.status_code for r in responses]
    assert statuses[:BURST - 2].count(200) == BURST - 2, statuses  # the burst (minus the login and a spare)
    limited = [r for r in responses if r.status_code == 429]
    assert len(limited) >= 20, statuses
    assert set(statuses) == {200, 429}, statuses
    refused = limited[-1]
    assert "För många förfrågningar" in refused.json()["detail"]
    wait = int(refused.headers["retry-after"])
    assert 1 <= wait <= 2
    assert other.get("gradio_api/user").status_code == 200  # a different client is not held up
    time.sleep(wait + 0.2)
    assert flooding.get("gradio_api/user").status_code == 200  # and the flooding one is served again


def test_requests_that_start_work_have_a_smaller_bucket(server: Server):
    """Every POST starts work (a question is one): 10 at once, then 2 a second (the defaults)."""
    client = session(server, "10.0.3.3")  # the login was one
    statuses = [client.post("gradio_api/call/ask", json={"data": [f"Vad står BVC för? ({i})", [], [], [], []]}
                            ).status_code for i in range(16)]
    accepted = statuses.count(200)
    assert 9 <= accepted <= 9 + 4, statuses  # the rest of the burst, and what 2 a second adds meanwhile
    assert statuses.count(429) == 16 - accepted, statuses
    assert client.get("gradio_api/user").status_code == 200  # reading is still allowed (17 of 20 at once)


def login_time(server: Server, address: str, password: str) -> tuple[int, float]:
    started = time.perf_counter()
    response = httpx.post(server.url + "login", data={"username": USER, "password": password},
                          headers=as_client(address), timeout=60, trust_env=False)
    return response.status_code, time.perf_counter() - started


def test_failed_logins_get_a_growing_delay_that_holds_up_no_one_else(server: Server):
    address = "10.0.4.1"
    times = []
    for _ in range(5):
        status, elapsed = login_time(server, address, "fel-lösenord")
        assert status == 400
        times.append(elapsed)
    # After n failures the next attempt waits 0.25 · 2^(n-1) s: 0, 0.25, 0.5, 1, 2 (the cap).
    for n, elapsed in enumerate(times[1:], start=1):
        assert elapsed >= min(LOGIN_DELAY * 2 ** (n - 1), LOGIN_DELAY_MAX) - 0.02, times
    assert times[4] > times[2] > times[1], times

    # While this client waits out its delay, another logs in at once and the page is served.
    result: dict[str, tuple[int, float]] = {}
    waiting = threading.Thread(target=lambda: result.setdefault("a", login_time(server, address, "fel")))
    waiting.start()
    time.sleep(0.2)
    status, other = login_time(server, "10.0.4.2", PASSWORD)
    page = httpx.get(server.url, headers=as_client("10.0.4.3"), timeout=30, trust_env=False)
    waiting.join()
    assert status == 200 and page.status_code == 200
    assert result["a"][0] == 400 and result["a"][1] >= LOGIN_DELAY_MAX - 0.02, result
    assert other < result["a"][1] - 1.0, (other, result)

    # The right password (after the delay) starts over.
    status, _ = login_time(server, address, PASSWORD)
    assert status == 200
    status, again = login_time(server, address, "fel")
    assert status == 400 and again < LOGIN_DELAY_MAX, again
    # Parallel guesses wait their turn, or get 429 at once.
    outcomes: list[int] = []
    threads = [threading.Thread(target=lambda: outcomes.append(login_time(server, "10.0.4.4", "fel")[0]))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(set(outcomes)) == [400, 429], outcomes


# =============================================================================================
# The log
# =============================================================================================


def test_a_malformed_call_logs_no_question_text(server: Server):
    marker = "Hemlig-fråga-" + "x" * 8
    client = session(server, "10.0.5.1")
    config = client.get("config").json()
    box = next(c["id"] for c in config["components"] if c.get("props", {}).get("elem_id") == "fsa-question")
    chat_event = next(d for d in config["dependencies"] if [box, "submit"] in d["targets"])["id"]
    calls = [
        ("gradio_api/call/ask", {"data": [marker]}),  # too few inputs: Gradio's "Received inputs: [...]"
        ("gradio_api/call/ask", {"data": [marker, marker, {"x": marker}, 5, None]}),  # wrong types
        ("gradio_api/call/ask", {"data": [marker + " " + "långt " * 50_000]}),  # a long one
    ]
    for path, body in calls:
        started = client.post(path, json=body)
        assert started.status_code == 200, started.text
        with client.stream("GET", f"{path}/{started.json()['event_id']}") as stream:
            stream.read()
    failed = join_and_wait(client, chat_event, [marker], "limits-log", box)
    assert not failed["success"]
    answered = ask_api(client, f"Vad står BVC för? {marker}", [])  # a proper one: its length and id are logged
    time.sleep(0.5)
    log = (ARTIFACTS / "ui-server-limits.log").read_text(encoding="utf-8", errors="replace")
    assert log.count("an event failed") >= 3, "the failures were not logged"  # so the test can fail
    assert f"answer {answered['answer_id']}: question of {len(answered['question'])} characters" in log
    assert marker not in log
    assert "Received inputs" not in log
    longest = max(len(line) for line in log.splitlines())
    assert longest <= LOG_MAX + 200, longest


# =============================================================================================
# Public routes
# =============================================================================================


def app_routes(settings: Settings) -> list[tuple[str, str]]:
    """(method, path) of every route of the app as ``python -m ui`` builds it (built here, not served)."""
    from fastapi.routing import _IncludedRouter  # type: ignore[attr-defined]
    from gradio.routes import App

    from ui.admin import AdminService
    from ui.handlers import ChatHandlers
    from ui.page import build_app
    from ui.service import AssistantService

    demo = build_app(ChatHandlers(AssistantService(settings), AdminService(settings)))
    demo.queue(default_concurrency_limit=1)
    app = App.create_app(demo)

    def walk(routes: list, prefix: str = "") -> Iterator[tuple[str, str]]:
        for route in routes:
            if isinstance(route, _IncludedRouter):
                yield from walk(route.original_router.routes, prefix + route.include_context.prefix)
            else:
                for method in sorted(getattr(route, "methods", None) or {"GET"}):
                    yield method, prefix + route.path

    return sorted(set(walk(app.routes)))


PUBLIC = {("GET", "/"), ("HEAD", "/"), ("POST", "/login"), ("POST", "/login/"), ("GET", "/assets/{path:path}"),
          ("GET", "/static/{path:path}"), ("GET", "/theme.css"), ("GET", "/favicon.ico"),
          ("GET", "/gradio_api/startup-events")}


def test_with_login_only_the_login_pages_routes_are_public(server: Server, corpus_settings: Settings):
    routes = app_routes(Settings(data_dir=corpus_settings.data_dir, corpus_dir=corpus_settings.corpus_dir,
                                 ui_auth=f"{USER}:{PASSWORD}"))
    assert len(routes) > 50 and ("GET", "/openapi.json") in routes
    public = set()
    with httpx.Client(base_url=server.url, timeout=15, trust_env=False) as client:
        for n, (method, path) in enumerate(routes):
            concrete = re.sub(r"\{[^}]+\}", "x", path)
            headers = as_client(f"10.0.6.{n % 250}")  # spread over clients: this is not a flood
            if "heartbeat" in path or "stream" in path or path.endswith("/data"):
                with client.stream(method, concrete, headers=headers) as response:
                    status = response.status_code
            else:
                status = client.request(method, concrete, headers=headers).status_code
            assert status != 429, (method, path)
            if status != 401:
                public.add((method, path))
    assert public == PUBLIC, sorted(public ^ PUBLIC)
    # What they serve holds no app data, and the login page works through them.
    page = httpx.get(server.url, timeout=15, headers=as_client("10.0.6.251"), trust_env=False)
    assert page.status_code == 200 and "Barnavårdscentral" not in page.text
    # docs/security.md lists them.
    doc = (PROJECT_ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    for method, path in PUBLIC:
        if method != "HEAD" and path != "/login/":
            assert f"`{method} {path.replace('{path:path}', '…')}`" in doc, path


def test_the_login_page_works_in_a_browser_through_the_wall(server: Server):
    """Headless Chromium: the login page loads with only the public routes, the login succeeds and the chat
    answers; no request of the page gets a 401 or a 429 once logged in."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("/usr/bin/chromium is missing (apt-get install chromium)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--no-proxy-server", "--disable-background-networking"])
        try:
            context = browser.new_context(extra_http_headers=as_client("10.0.7.1"))
            page = context.new_page()
            page.set_default_timeout(60_000)
            refused: list[str] = []
            page.on("response", lambda r: refused.append(f"{r.status} {r.url}") if r.status in (401, 429) else None)
            page.goto(server.url)
            page.fill("input[type=password]", PASSWORD)
            page.fill("input[type=text]", USER)
            page.keyboard.press("Enter")
            box = page.locator("#fsa-question textarea")
            box.wait_for()
            assert not refused, refused  # the login page needed nothing that is not public
            box.fill("Vad står BVC för?")
            box.press("Enter")
            page.wait_for_selector("#fsa-chat .bot a.fsa-cite")
            assert "Barnavårdscentral" in page.locator("#fsa-chat .bot").last.inner_text()
            assert not refused, refused
        finally:
            browser.close()
