"""Serving the chat: ``python -m ui [--host HOST] [--port PORT]`` (defaults from the settings,
``FSA_UI_HOST`` / ``FSA_UI_PORT``; login when ``FSA_UI_AUTH`` is set)."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence
from typing import Any

import gradio as gr
from starlette.middleware import Middleware

from common.settings import Settings, get_settings
from ui.admin import UPLOAD_SUFFIXES, AdminService
from ui.handlers import ChatHandlers
from ui.middleware import STATIC_DIR, AdminUploadsMiddleware, SwedishPageMiddleware
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
        "app_kwargs": {"middleware": [
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


def create(settings: Settings | None = None) -> tuple[gr.Blocks, AssistantService, AdminService]:
    """The app, with the assistant loading in the background."""
    settings = settings or get_settings()
    admin = AdminService(settings)
    service = AssistantService(settings)
    service.start()
    demo = build_app(ChatHandlers(service, admin), concurrency=settings.ui_concurrency,
                     max_file_mb=settings.max_file_mb)
    demo.queue(default_concurrency_limit=1)
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
    demo, _, admin = create(settings)
    demo.launch(**launch_kwargs(settings, admin))
    return 0
