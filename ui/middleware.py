"""ASGI middleware around Gradio's app: a Swedish page, and no file uploads."""

from __future__ import annotations

import json
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
