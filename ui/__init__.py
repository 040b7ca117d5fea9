"""The web interface: a Swedish Gradio chat over ``assistant`` (``python -m ui``).

Feedback on answers is stored by ``ui.feedback`` (``python -m ui.feedback export out.csv``).
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

__all__ = ["AssistantService", "build_app", "create", "launch_kwargs", "main"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from ui import app

        return getattr(app, name)
    raise AttributeError(f"module 'ui' has no attribute {name!r}")
