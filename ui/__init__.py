"""The web interface: a Swedish Gradio chat over ``assistant``'s public API (``python -m ui``).

    server.py      start-up: settings, theme, launch (``python -m ui --host --port``)
    page.py        the layout, wired to the handlers
    handlers.py    what happens on an event (ask, feedback, re-index, the API)
    service.py     the assistant loaded in the background; answers remembered for feedback
    admin.py       login, admin rights, re-indexing through ingest's public API
    rendering.py   answers, sources, documents and knowledge tables as safe HTML
    middleware.py  a Swedish page, no file uploads
    feedback.py    feedback on answers (``python -m ui.feedback export out.csv``)

Gradio is imported only when the app is used, so the feedback export starts fast.
"""

from __future__ import annotations

import os
from typing import Any

# No usage statistics leave the machine (set GRADIO_ANALYTICS_ENABLED=True to allow them).
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")


def bypass_proxy_for_loopback() -> None:
    """Add loopback to NO_PROXY: a proxy set for the package registries must not carry requests to
    the local server (Gradio checks at start, through httpx, that ``localhost`` answers)."""
    current = os.environ.get("NO_PROXY") or os.environ.get("no_proxy") or ""
    value = ",".join(filter(None, [current, "localhost,127.0.0.1,::1"]))
    os.environ["NO_PROXY"] = os.environ["no_proxy"] = value


bypass_proxy_for_loopback()

__all__ = ["create", "launch_kwargs", "main"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from ui import server

        return getattr(server, name)
    raise AttributeError(f"module 'ui' has no attribute {name!r}")
