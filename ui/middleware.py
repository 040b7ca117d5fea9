"""ASGI middleware around Gradio's app: a Swedish page, and no file uploads."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ui.page import TITLE
from ui.rendering import esc

STATIC_DIR = Path(__file__).resolve().parent / "static"

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


class AdminUploadsMiddleware:
    """ASGI middleware: only an admin may upload (Gradio's upload route otherwise stores any file of any
    size in its temporary directory, without login when none is configured), only files of the types
    the assistant reads, and none larger than ``max_bytes``. Everyone else gets a Swedish 403."""

    def __init__(self, app: Any, is_admin: Callable[[str | None], bool], max_bytes: int,
                 suffixes: tuple[str, ...]) -> None:
        self.app = app
        self.is_admin = is_admin
        self.max_bytes = max_bytes
        self.suffixes = suffixes

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        path = scope.get("path", "").rstrip("/")
        if scope["type"] != "http" or not any(path == p or path.startswith(p + "_") for p in UPLOAD_PATHS):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        if not self.is_admin(_user(scope, headers.get("cookie", ""))):
            await _refuse(send, 403, "Bara en administratör kan ladda upp dokument.")
            return
        length = headers.get("content-length", "")
        if not length.isdigit() or int(length) > self.max_bytes + 64 * 1024:
            await _refuse(send, 413, f"Filen är för stor; gränsen är {self.max_bytes / 1e6:g} MB.")
            return
        names = re.findall(r'filename="([^"]*)"', await _peek(receive, scope), flags=re.I)
        if not names or any(not n.lower().endswith(self.suffixes) for n in names):
            await _refuse(send, 403, "Den här filtypen tas inte emot. Ladda upp PDF, Word (.docx), Markdown "
                                     "(.md) eller text (.txt).")
            return
        await self.app(scope, _replay(scope), send)


def _user(scope: dict, cookie_header: str) -> str | None:
    """The logged-in user of a request, from Gradio's session cookie (None without login)."""
    app = scope.get("app")
    tokens = getattr(app, "tokens", None)
    cookie_id = getattr(app, "cookie_id", None)
    if not tokens or cookie_id is None:
        return None
    cookies = dict(part.strip().split("=", 1) for part in cookie_header.split(";") if "=" in part)
    token = cookies.get(f"access-token-{cookie_id}") or cookies.get(f"access-token-unsecure-{cookie_id}")
    return tokens.get(token) if token else None


async def _peek(receive: Callable, scope: dict) -> str:
    """The request body (read once, kept in ``scope`` for the app), as text for its part headers."""
    body = b""
    more = True
    while more:
        message = await receive()
        body += message.get("body", b"")
        more = message.get("more_body", False)
    scope["fsa.body"] = body
    return body.decode("latin-1")


def _replay(scope: dict) -> Callable:
    sent = False

    async def receive() -> dict:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": scope.pop("fsa.body", b""), "more_body": False}

    return receive


async def _refuse(send: Callable, status: int, message: str) -> None:
    body = json.dumps({"detail": message}, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
