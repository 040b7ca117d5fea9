"""ASGI middleware around Gradio's app: limits per client (request rate, body size, a growing delay after
failed logins), the login wall, a Swedish page, and no file uploads but an admin's."""

from __future__ import annotations

import asyncio
import json
import math
import re
import time
from collections import OrderedDict
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
        if not length.isdigit() or int(length) > self.max_bytes + UPLOAD_OVERHEAD:
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


async def _refuse(send: Callable, status: int, message: str, headers: list[tuple[bytes, bytes]] = ()) -> None:
    body = json.dumps({"detail": message}, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()), *headers]})
    await send({"type": "http.response.body", "body": body})


# =============================================================================================
# Limits per client
# =============================================================================================

# Files of the page itself (scripts, styles, fonts): a page load fetches about a hundred of them at once,
# and they cost nothing to serve, so the rate limit leaves them alone.
STATIC_PREFIXES = ("/assets/", "/static/", "/svelte/")
STATIC_PATHS = frozenset({"/favicon.ico", "/theme.css", "/gradio_api/theme.css", "/manifest.json", "/robots.txt"})
LOGIN_PATHS = ("/login", "/login/")
TOO_MANY = "För många förfrågningar på kort tid. Vänta {seconds} s och försök igen."
TOO_LARGE = "Förfrågan är för stor (gränsen är {limit}). Skicka en kortare fråga."
FILE_TOO_LARGE = "Filen är för stor; gränsen är {limit}."
UPLOAD_OVERHEAD = 64 * 1024  # multipart headers around an uploaded file
LOGIN_WAIT = "För många inloggningsförsök. Vänta {seconds} s och försök igen."


def client_of(scope: dict) -> str:
    """The client's address. Uvicorn has already replaced the connection's address with the one in
    ``X-Forwarded-For`` when the connection comes from a trusted proxy (``FORWARDED_ALLOW_IPS``, set from
    the setting ``ui_trusted_proxies``)."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def _size(n: float) -> str:
    return f"{n / 1e6:g} MB" if n >= 1e6 else f"{n / 1e3:g} kB"


class TokenBuckets:
    """A token bucket per client: ``burst`` requests at once, then ``rate`` per second. The buckets of the
    ``clients`` most recently seen clients are kept (a forgotten client starts with a full bucket)."""

    def __init__(self, rate: float, burst: int, clients: int = 10_000) -> None:
        self.rate = rate
        self.burst = float(burst)
        self.clients = clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # client -> (tokens, time)

    def take(self, client: str, now: float | None = None) -> float:
        """0 when the request may go ahead (a token is taken), else the seconds until it may."""
        now = time.monotonic() if now is None else now
        tokens, then = self._buckets.pop(client, (self.burst, now))
        tokens = min(self.burst, tokens + (now - then) * self.rate)
        wait = 0.0
        if tokens >= 1:
            tokens -= 1
        else:
            wait = (1 - tokens) / self.rate
        self._buckets[client] = (tokens, now)
        while len(self._buckets) > self.clients:
            self._buckets.popitem(last=False)
        return wait


class LoginThrottle:
    """Failed logins per client: after n failures a client's next attempt waits ``base · 2^(n-1)`` seconds
    (at most ``cap``); a successful login, or ``forget_after`` seconds without a failure, starts over.
    Attempts of one client are handled one at a time, so parallel guesses wait their turn."""

    def __init__(self, base: float, cap: float, forget_after: float = 900.0, clients: int = 10_000,
                 max_waiting: int = 3) -> None:
        self.base = base
        self.cap = cap
        self.forget_after = forget_after
        self.clients = clients
        self.max_waiting = max_waiting
        self._failures: OrderedDict[str, tuple[int, float]] = OrderedDict()  # client -> (count, last failure)
        self._locks: dict[str, asyncio.Lock] = {}
        self._waiting: dict[str, int] = {}

    def failures(self, client: str, now: float | None = None) -> int:
        now = time.monotonic() if now is None else now
        count, last = self._failures.get(client, (0, now))
        if count and now - last > self.forget_after:
            self._failures.pop(client, None)
            return 0
        return count

    def delay(self, client: str) -> float:
        """Seconds the client's next attempt waits."""
        count = self.failures(client)
        return min(self.base * 2 ** (count - 1), self.cap) if count and self.base else 0.0

    def failed(self, client: str) -> None:
        count = self.failures(client)
        self._failures.pop(client, None)
        self._failures[client] = (count + 1, time.monotonic())
        while len(self._failures) > self.clients:
            self._failures.popitem(last=False)

    def succeeded(self, client: str) -> None:
        self._failures.pop(client, None)

    async def attempt(self, client: str, login: Callable[[], Any]) -> int | None:
        """Run ``login`` (returns the response status) after the client's delay, and count the outcome.
        None when the client already has ``max_waiting`` attempts waiting (answer 429 then)."""
        if self._waiting.get(client, 0) >= self.max_waiting:
            return None
        self._waiting[client] = self._waiting.get(client, 0) + 1
        lock = self._locks.setdefault(client, asyncio.Lock())
        try:
            async with lock:
                delay = self.delay(client)
                if delay:
                    await asyncio.sleep(delay)  # only this request waits; the event loop serves everyone else
                status = await login()
                if status == 200:
                    self.succeeded(client)
                elif status in (400, 401, 403):
                    self.failed(client)
                return status
        finally:
            self._waiting[client] -= 1
            if not self._waiting[client]:
                del self._waiting[client]
                self._locks.pop(client, None)


class ClientLimitsMiddleware:
    """ASGI middleware, outermost: per client a rate limit (429 with ``Retry-After``), a request-body size
    limit checked before anything reads the body (413; a declared ``Content-Length`` over the limit is
    refused unread, a body without one is counted as it arrives), and a growing delay after failed
    logins. Uploads (``UPLOAD_PATHS``) have their own, larger limit. Messages are Swedish."""

    def __init__(self, app: Any, max_body_bytes: int, upload_max_bytes: int, rate_per_s: float, burst: int,
                 login_delay_s: float, login_delay_max_s: float, post_rate_per_s: float = 0,
                 post_burst: int = 1) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.upload_max_bytes = upload_max_bytes
        self.buckets = TokenBuckets(rate_per_s, burst) if rate_per_s > 0 else None
        # Every POST starts work (a question is a POST to the queue or the API): its own, smaller bucket, so
        # that a flooding client gets few questions into the queue ahead of everyone else's.
        self.posts = TokenBuckets(post_rate_per_s, post_burst) if post_rate_per_s > 0 else None
        self.logins = LoginThrottle(login_delay_s, login_delay_max_s)

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        client = client_of(scope)
        if not (path in STATIC_PATHS or path.startswith(STATIC_PREFIXES)):
            wait = self.buckets.take(client) if self.buckets is not None else 0.0
            if not wait and self.posts is not None and scope.get("method") == "POST":
                wait = self.posts.take(client)
            if wait:
                seconds = max(1, math.ceil(wait))
                await _refuse(send, 429, TOO_MANY.format(seconds=seconds),
                              [(b"retry-after", str(seconds).encode())])
                return
        upload = any(path.rstrip("/") == p or path.rstrip("/").startswith(p + "_") for p in UPLOAD_PATHS)
        limit = self.upload_max_bytes + UPLOAD_OVERHEAD if upload else self.max_body_bytes
        too_large = (FILE_TOO_LARGE.format(limit=_size(self.upload_max_bytes)) if upload
                     else TOO_LARGE.format(limit=_size(limit)))
        headers = dict(scope.get("headers", []))
        length = headers.get(b"content-length", b"").decode("latin-1").strip()
        if length.isdigit() and int(length) > limit:
            await _refuse(send, 413, too_large)
            return
        if not length and b"chunked" in headers.get(b"transfer-encoding", b"").lower():
            body = await _read_at_most(receive, limit)
            if body is None:
                await _refuse(send, 413, too_large)
                return
            receive = _replay_then(body, receive)
        if scope.get("method") == "POST" and path in LOGIN_PATHS:
            await self._login(scope, receive, send, client)
            return
        await self.app(scope, receive, send)

    async def _login(self, scope: dict, receive: Callable, send: Callable, client: str) -> None:
        status: int | None = None

        async def watched(message: dict) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        async def login() -> int | None:
            await self.app(scope, receive, watched)
            return status

        if await self.logins.attempt(client, login) is None:
            seconds = max(1, math.ceil(self.logins.delay(client)))
            await _refuse(send, 429, LOGIN_WAIT.format(seconds=seconds), [(b"retry-after", str(seconds).encode())])


async def _read_at_most(receive: Callable, limit: int) -> bytes | None:
    """The whole body, or None as soon as it is longer than ``limit`` bytes."""
    parts: list[bytes] = []
    size = 0
    more = True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        parts.append(chunk)
        more = message.get("more_body", False)
    return b"".join(parts)


def _replay_then(body: bytes, receive: Callable) -> Callable:
    """A ``receive`` that gives ``body`` once, then whatever the connection says (a disconnect)."""
    sent = False

    async def replay() -> dict:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


# =============================================================================================
# The login wall
# =============================================================================================

# With login on, what the login page needs, and nothing else, answers without a session: the page itself,
# the login form's target, the page's scripts, styles and fonts, its theme and its icon
# (docs/security.md lists them; tests/test_limits.py checks every route of the app against this list).
# ``/gradio_api/startup-events`` is there because Gradio's launch calls it (without a session) before it
# serves, and it returns only true or false.
PUBLIC_PATHS = frozenset({("GET", "/"), ("HEAD", "/"), ("POST", "/login"), ("POST", "/login/"),
                          ("GET", "/theme.css"), ("HEAD", "/theme.css"), ("GET", "/favicon.ico"),
                          ("HEAD", "/favicon.ico"), ("GET", "/gradio_api/startup-events")})
PUBLIC_PREFIXES = ("/assets/", "/static/")
LOGIN_FIRST = "Logga in först."


class LoginWallMiddleware:
    """ASGI middleware: with login on, a request without a valid session gets a 401 unless it is for the
    login page (``PUBLIC_PATHS``). Gradio guards its data routes itself, but leaves others open
    (``/openapi.json``, ``/gradio_api/runs``, ``/gradio_api/cancel``, ``/gradio_api/startup-events``,
    ``/monitoring/…``, …); this wall does not depend on which."""

    def __init__(self, app: Any, enabled: bool) -> None:
        self.app = app
        self.enabled = enabled

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if not self.enabled or scope["type"] != "http" or is_public(scope.get("method", ""), scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        if _user(scope, headers.get("cookie", "")) is None:
            await _refuse(send, 401, LOGIN_FIRST)
            return
        await self.app(scope, receive, send)


def is_public(method: str, path: str) -> bool:
    """Whether a request answers without a session when login is on."""
    if (method, path) in PUBLIC_PATHS:
        return True
    return method in ("GET", "HEAD") and path.startswith(PUBLIC_PREFIXES) and ".." not in path
