"""Serving the chat: ``python -m ui [--host HOST] [--port PORT]`` (defaults from the settings,
``FSA_UI_HOST`` / ``FSA_UI_PORT``; login when ``FSA_UI_AUTH`` is set)."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import traceback
from collections.abc import Sequence
from types import ModuleType, TracebackType
from typing import Any

import gradio as gr
from starlette.middleware import Middleware

from common.settings import Settings, get_settings
from ui.admin import UPLOAD_SUFFIXES, AdminService
from ui.handlers import ChatHandlers
from ui.middleware import (
    STATIC_DIR,
    AdminUploadsMiddleware,
    ClientLimitsMiddleware,
    LoginWallMiddleware,
    SwedishPageMiddleware,
)
from ui.page import build_app
from ui.service import AssistantService

SESSION_CAPACITY = 1000  # sessions whose state (the chat's turns) the server keeps; the oldest are dropped


def theme() -> gr.themes.Base:
    fonts = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"]
    return gr.themes.Default(
        primary_hue=gr.themes.colors.blue, secondary_hue=gr.themes.colors.slate,
        neutral_hue=gr.themes.colors.slate, font=fonts, font_mono=["ui-monospace", "Consolas", "monospace"],
    ).set(
        body_text_color="#1a2433",
        body_text_color_subdued="#4a5568",
        block_label_text_color="#2d3748",
        block_title_text_color="#1a2433",
        button_primary_background_fill="#1b4f8a",
        button_primary_background_fill_hover="#133a66",
        button_primary_text_color="#ffffff",
        button_primary_border_color="#1b4f8a",
        button_secondary_background_fill="#f1f5f9",
        button_secondary_background_fill_hover="#e2e8f0",
        button_secondary_text_color="#1a2433",
        button_secondary_border_color="#b8c4d4",
        color_accent="#1b4f8a",
        color_accent_soft="#eaf1fa",
        link_text_color="#1b4f8a",
        link_text_color_visited="#553c9a",
        input_placeholder_color="#5f6b7a",
        checkbox_label_text_color="#1a2433",
    )


# Gradio's own texts that its Swedish translation lacks.
SWEDISH_TEXTS = {
    "chatbot.like": "Hjälpsamt", "chatbot.dislike": "Inte hjälpsamt", "chatbot.copy_message": "Kopiera svaret",
    "chatbot.copied_message": "Svaret är kopierat", "chatbot.retry": "Försök igen", "chatbot.undo": "Ångra",
    "chatbot.edit": "Redigera", "chatbot.clear": "Rensa", "chatbot.submit": "Skicka", "chatbot.cancel": "Avbryt",
    "chat_interface.conversation": "Samtal", "chat_interface.chatbot": "Samtal",
    "common.loading": "Laddar", "common.error": "Fel",
}



def launch_kwargs(settings: Settings, admin: AdminService) -> dict[str, Any]:
    return {
        "server_name": settings.ui_host,
        "server_port": settings.ui_port,
        "auth": admin.login,
        "auth_message": "Logga in för att använda Föräldraskapsstödsassistenten.",
        "theme": theme(),
        "css": (STATIC_DIR / "app.css").read_text(encoding="utf-8"),
        "footer_links": [],
        "i18n": gr.I18n(sv=SWEDISH_TEXTS),
        "app_kwargs": {"middleware": [  # the first is the outermost
            Middleware(ClientLimitsMiddleware, max_body_bytes=int(settings.ui_max_body_kb * 1e3),
                       upload_max_bytes=int(settings.max_file_mb * 1e6),
                       rate_per_s=settings.ui_rate_per_s, burst=settings.ui_rate_burst,
                       login_delay_s=settings.ui_login_delay_s, login_delay_max_s=settings.ui_login_delay_max_s,
                       post_rate_per_s=settings.ui_post_rate_per_s, post_burst=settings.ui_post_burst),
            Middleware(LoginWallMiddleware, enabled=bool(admin.login)),
            Middleware(AdminUploadsMiddleware, is_admin=admin.is_admin, max_bytes=int(settings.max_file_mb * 1e6),
                       suffixes=UPLOAD_SUFFIXES),
            Middleware(SwedishPageMiddleware)]},
        "max_file_size": int(settings.max_file_mb * 1e6),
        "show_error": False,
        "quiet": False,
        # Gradio keeps ~140 kB per session (a copy of every component's config), and every API call is a
        # session: the default of 10,000 sessions lets the server grow by ~1.4 GB (tools/loadtest.py --soak).
        "state_session_capacity": SESSION_CAPACITY,
    }


# =============================================================================================
# The log: no questions, no request inputs, no endless lines
# =============================================================================================

# Gradio prints the traceback of a failed event with ``traceback.print_exc()`` straight to stderr, where
# no logging filter reaches; for a call with too few inputs its message holds them ("Received inputs:
# [...]": the question). These modules get a ``traceback`` whose ``print_exc`` logs instead.
GRADIO_MODULES = ("gradio.queueing", "gradio.routes", "gradio.route_utils", "gradio.utils")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"{text[:limit]} … [cut: {len(text)} characters]"


def safe_traceback(exc_info: tuple[type[BaseException], BaseException, TracebackType | None]) -> str:
    """A traceback with the frames (file, line, function, code) and the exceptions' types, but not their
    messages, which may hold what a user sent; their lengths instead."""
    lines: list[str] = []
    exc: BaseException | None = exc_info[1]
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        frames = "".join(traceback.format_list(traceback.extract_tb(exc.__traceback__)))
        message = str(exc)
        what = f" (message withheld: {len(message)} characters)" if message else ""
        lines.insert(0, f"Traceback (most recent call last):\n{frames}{type(exc).__qualname__}{what}")
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    return "\n\nDuring the handling of the above exception, another exception occurred:\n\n".join(lines)


class _LoggedTraceback(ModuleType):
    """Gradio's ``traceback``: everything of the real module, but ``print_exc`` goes to the log."""

    def __init__(self) -> None:
        super().__init__("traceback")

    def __getattr__(self, name: str) -> Any:
        return getattr(traceback, name)

    @staticmethod
    def print_exc(*args: Any, **kwargs: Any) -> None:
        logging.getLogger("gradio").error("an event failed", exc_info=True)


def guard_the_log(settings: Settings) -> None:
    """Every log record of this process: lines cut at ``log_max_chars``, and (unless ``log_error_details``)
    exception messages withheld from tracebacks; Gradio's printed tracebacks go through the log too."""
    limit = settings.log_max_chars
    make_record = logging.getLogRecordFactory()

    def record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        rec = make_record(*args, **kwargs)
        if isinstance(rec.msg, str) and len(rec.msg) > limit:
            rec.msg = _cut(rec.msg, limit)
        if isinstance(rec.args, tuple):  # the shape of args stays (uvicorn's access formatter unpacks them)
            rec.args = tuple(_cut(a, limit) if isinstance(a, str) else a for a in rec.args)
        if rec.exc_info and rec.exc_info[1] is not None and not settings.log_error_details:
            rec.exc_text = safe_traceback(rec.exc_info)  # formatters use exc_text when it is set
        return rec

    if not getattr(make_record, "fsa_guarded", False):
        record.fsa_guarded = True  # type: ignore[attr-defined]
        logging.setLogRecordFactory(record)
    for name in GRADIO_MODULES:
        module = importlib.import_module(name)
        if getattr(module, "traceback", None) is traceback:
            module.traceback = _LoggedTraceback()  # type: ignore[attr-defined]


def create(settings: Settings | None = None) -> tuple[gr.Blocks, AssistantService, AdminService]:
    """The app, with the assistant loading in the background."""
    settings = settings or get_settings()
    admin = AdminService(settings)
    service = AssistantService(settings)
    service.start()
    demo = build_app(ChatHandlers(service, admin), concurrency=settings.ui_concurrency,
                     max_file_mb=settings.max_file_mb, max_question_chars=settings.question_max_chars)
    # Gradio's queue rebuilds a pandas summary of its last 10,000 events after every event, for a monitoring
    # dashboard this app does not serve: ~5 % of the server's CPU under load (py-spy, tools/loadtest.py).
    # The queue reads these when it is created.
    os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", str(10**9))
    os.environ.setdefault("GRADIO_ANALYTICS_MAX_EVENTS", "1000")
    # Queue positions go to waiting pages once a second, not to every waiting page each time a question
    # starts (Gradio's "auto": with 16 users ~12 messages per answer through the event loop).
    demo.queue(default_concurrency_limit=1, status_update_rate=1)
    return demo, service, admin


def main(argv: Sequence[str] | None = None) -> int:
    settings = get_settings()
    parser = argparse.ArgumentParser(prog="python -m ui", description="Serve the Swedish chat (Gradio).")
    parser.add_argument("--host", default=settings.ui_host, help=f"address to listen on (default: {settings.ui_host}, "
                        "setting FSA_UI_HOST)")
    parser.add_argument("--port", type=int, default=settings.ui_port,
                        help=f"port to listen on (default: {settings.ui_port}, setting FSA_UI_PORT)")
    args = parser.parse_args(argv)
    settings = settings.model_copy(update={"ui_host": args.host, "ui_port": args.port})
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    guard_the_log(settings)
    # Uvicorn takes the client's address from X-Forwarded-For only on connections from these proxies;
    # the rate limit and the login delay count per client address (ui/middleware.py).
    os.environ["FORWARDED_ALLOW_IPS"] = settings.ui_trusted_proxies
    demo, _, admin = create(settings)
    demo.launch(**launch_kwargs(settings, admin))
    return 0
