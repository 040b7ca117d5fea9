"""Pieces shared by ingest, assistant and ui: settings only."""

from common.settings import PROJECT_ROOT, Settings, get_settings

__all__ = ["PROJECT_ROOT", "Settings", "get_settings"]
