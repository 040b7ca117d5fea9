"""The chat in a real browser (headless Debian Chromium via Playwright) against the real server
(``python -m ui``) over the real corpus index: ask with Enter, follow a citation marker to the
highlighted quote, refusals, escaping, axe-core accessibility, phone width and keyboard use."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ARTIFACTS, report, ui_server

from common.settings import PROJECT_ROOT, Settings
from index import IndexReader
from tools.servers import UIServer as Server

pytestmark = pytest.mark.slow

sync_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--no-proxy-server", "--disable-component-update", "--disable-sync"]
AXE_DIR = PROJECT_ROOT / ".cache" / "node"
AXE = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
ANSWER = "#fsa-chat .bot a.fsa-cite, #fsa-chat .bot .fsa-refusal, #fsa-chat .bot .fsa-error"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def server(corpus_settings: Settings) -> Iterator[Server]:
    with ui_server("browser", corpus_settings.data_dir) as ui:
        yield ui


@pytest.fixture(scope="module")
def browser(server: Server) -> Iterator:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def open_page(browser, server: Server, viewport: dict = DESKTOP):
    # An English browser on purpose: the page must be Swedish whatever the browser's language.
    context = browser.new_context(viewport=viewport, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(server.url)
    page.wait_for_selector("#fsa-question textarea")
    page.wait_for_selector(".fsa-status:not(.fsa-loading)")
    return page


def ask(page, question: str) -> None:
    """Type a question and press Enter; wait for the new answer (a citation, a refusal or an error)."""
    before = page.locator("#fsa-chat .bot").count()
    box = page.locator("#fsa-question textarea")
    box.fill(question)
    box.press("Enter")
    page.wait_for_function(
        "([sel, n]) => document.querySelectorAll('#fsa-chat .bot').length > n && !document.querySelector("
        "'#fsa-chat .fsa-pending') && document.querySelectorAll(sel).length > 0",
        arg=[ANSWER, before],
    )


def last_answer(page):
    return page.locator("#fsa-chat .bot").last


@pytest.fixture(scope="module")
def answered(browser, server: Server, pytestconfig: pytest.Config):
    """A desktop page with one answer; measures server start → first answer in the browser."""
    page = open_page(browser, server)
    loaded = time.perf_counter() - server.started
    asked = time.perf_counter()
    ask(page, "Vad står BVC för?")
    answered_at = time.perf_counter()
    timings = {
        "server_ready_s": round(server.ready_seconds, 2),
        "page_ready_s": round(loaded, 2),
        "answer_in_browser_s": round(answered_at - asked, 2),
        "time_to_first_answer_s": round(answered_at - server.started, 2),
    }
    (ARTIFACTS / "ui-timings.json").write_text(json.dumps(timings, indent=2) + "\n", encoding="utf-8")
    report(pytestconfig, f"\nUI time to first answer (server start → answer in the browser): "
                         f"{timings['time_to_first_answer_s']:.1f} s  {timings}")
    yield page
    page.context.close()


def test_answer_and_citation_marker_shows_the_highlighted_quote(answered, reader: IndexReader) -> None:
    page = answered
    answer = last_answer(page)
    assert "Barnavårdscentral" in answer.inner_text()
    marker = answer.locator("a.fsa-cite").first
    marker.click()
    source = page.locator("#fsa-sources .fsa-source.fsa-active")
    sync_api.expect(source).to_have_count(1)
    sync_api.expect(source).to_be_in_viewport()
    assert page.evaluate("document.activeElement.classList.contains('fsa-source')")  # focus followed the click
    href = marker.get_attribute("href")
    assert source.get_attribute("id") == href.lstrip("#")

    quote = source.locator("blockquote.fsa-passage mark")
    sync_api.expect(quote).to_be_visible()
    quote_text = quote.evaluate("el => el.textContent")
    assert quote_text.strip()
    assert any(quote_text in doc.text for doc in reader.documents.values()), quote_text
    passage = source.locator("blockquote.fsa-passage").evaluate("el => el.textContent")
    assert len(passage) > len(quote_text)  # the quote is shown within its surrounding passage
    meta = source.locator("dl.fsa-meta").inner_text()
    for label in ("Utgivare", "År", "Sida", "Avsnitt"):
        assert label in meta
    assert source.locator(".fsa-source-title").inner_text().strip()

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ui-answer.png"), full_page=True)


def test_page_language_is_swedish(answered) -> None:
    page = answered
    assert page.evaluate("document.documentElement.lang") == "sv"
    assert page.title() == "Föräldraskapsstödsassistenten"
    assert page.get_by_role("button", name="Skicka", exact=True).is_visible()
    assert page.get_by_label("Din fråga").is_visible()


def test_refusal_looks_like_a_refusal(answered) -> None:
    page = answered
    ask(page, "Vad kostar en föräldrakurs?")
    refusal = last_answer(page).locator(".fsa-refusal")
    sync_api.expect(refusal).to_be_visible()
    sync_api.expect(refusal).to_contain_text("Svaret finns inte i dokumenten")
    newest = page.locator("#fsa-sources details.fsa-turn").first
    sync_api.expect(newest.locator(".fsa-turn-note")).to_contain_text("finns inte i dokumenten")
    if refusal.locator("a.fsa-cite").count():  # the closest passages it lists are clickable too
        refusal.locator("a.fsa-cite").first.click()
        sync_api.expect(page.locator("#fsa-sources .fsa-source.fsa-active")).to_be_in_viewport()


def _axe_path() -> Path:
    if not AXE.exists():
        npm = shutil.which("npm")
        assert npm, "npm is needed to install axe-core (or run make setup-test)"
        subprocess.run([npm, "install", "--no-save", "--prefix", str(AXE_DIR), "axe-core@4"], check=True,
                       timeout=300, capture_output=True)
    return AXE


def axe_violations(page) -> list[dict]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(_axe_path()))
    return page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ['violations']});
            return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + n.failureSummary)}));
        }"""
    )


def test_no_serious_accessibility_violations(answered) -> None:
    page = answered
    found: dict[str, list[dict]] = {"Fråga": axe_violations(page)}
    for tab in ("Dokument", "Begrepp"):
        button = page.get_by_role("tab", name=tab)
        if button.count():
            button.click()
            page.wait_for_timeout(300)
            found[tab] = axe_violations(page)
    page.get_by_role("tab", name="Fråga").click()
    serious = {tab: [v for v in vs if v["impact"] in ("serious", "critical")] for tab, vs in found.items()}
    assert not any(serious.values()), json.dumps(serious, ensure_ascii=False, indent=1)


def test_html_in_a_question_is_shown_as_text(browser, server: Server) -> None:
    page = open_page(browser, server)
    try:
        payload = 'Vad står BVC för? <script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">'
        ask(page, payload)
        assert page.evaluate("window.__xss") is None
        assert page.locator('img[src="x"]').count() == 0
        assert page.locator("#fsa-chat script").count() == 0
        user_text = page.locator("#fsa-chat .user").last.inner_text()
        assert "<script>window.__xss = 1</script>" in user_text
        assert '<img src=x onerror="window.__xss = 2">' in user_text
        sync_api.expect(page.locator("#fsa-sources details.fsa-turn summary").first).to_contain_text("<script>")
    finally:
        page.context.close()


def test_phone_width_stacks_chat_and_sources_without_horizontal_scrolling(browser, server: Server) -> None:
    page = open_page(browser, server, PHONE)
    try:
        ask(page, "Vad står BVC för?")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.evaluate(
            "[document.documentElement.scrollWidth, window.innerWidth]")
        chat = page.locator("#fsa-chat").bounding_box()
        sources = page.locator("#fsa-sources-col").bounding_box()
        for box in (chat, sources):
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 0.5, box
        assert sources["y"] >= chat["y"] + chat["height"]  # stacked, not side by side
        last_answer(page).locator("a.fsa-cite").first.click()
        sync_api.expect(page.locator("#fsa-sources .fsa-source.fsa-active")).to_be_in_viewport()
        sync_api.expect(page.locator("#fsa-sources .fsa-source.fsa-active mark")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "ui-phone.png"), full_page=True)
    finally:
        page.context.close()


def test_keyboard_reaches_question_and_send_and_enter_sends(browser, server: Server) -> None:
    page = open_page(browser, server)
    try:
        page.evaluate("document.activeElement && document.activeElement.blur()")
        for _ in range(60):
            page.keyboard.press("Tab")
            if page.evaluate("!!document.activeElement.closest('#fsa-question')"):
                break
        else:
            pytest.fail("Tab never reached the question box")
        page.keyboard.type("Vad är en familjecentral?")
        page.keyboard.press("Tab")
        assert page.evaluate("!!document.activeElement.closest('#fsa-send')"), page.evaluate(
            "document.activeElement.outerHTML.slice(0, 200)")
        focus_ring = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert focus_ring not in ("none", ""), "the send button has no visible focus"
        page.keyboard.press("Shift+Tab")
        assert page.evaluate("!!document.activeElement.closest('#fsa-question')")
        before = page.locator("#fsa-chat .bot").count()
        page.keyboard.press("Enter")
        page.wait_for_function(
            "([sel, n]) => document.querySelectorAll('#fsa-chat .bot').length > n && "
            "!document.querySelector('#fsa-chat .fsa-pending') && document.querySelectorAll(sel).length > 0",
            arg=[ANSWER, before],
        )
        assert "familjecentral" in page.locator("#fsa-chat .user").last.inner_text().lower()
    finally:
        page.context.close()
