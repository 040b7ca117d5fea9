"""Who may log in and who may administer, and the administration itself: re-indexing the corpus
through ingest's public API (the same atomic guarantees as ``python -m ingest``)."""

from __future__ import annotations

from collections.abc import Callable

from common.settings import Settings
from ingest import IngestLockedError, IngestReport, run_ingest

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
INGEST_STAGES = {"read": "Läser dokumenten", "embed": "Beräknar vektorer", "store": "Sparar i indexet"}

__all__ = ["AdminService", "IngestLockedError", "INGEST_STAGES", "login_credentials"]


def login_credentials(settings: Settings) -> tuple[str, str] | None:
    """(user, password) when ``ui_auth`` turns login on; a malformed value is an error."""
    auth = settings.ui_auth.get_secret_value() if settings.ui_auth else ""
    if not auth:
        return None
    user, sep, password = auth.partition(":")
    if not sep or not user or not password:
        raise ValueError("FSA_UI_AUTH ska ha formen användare:lösenord")
    return user, password


class AdminService:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.login = login_credentials(settings)
        self.admins = {u.strip() for u in settings.ui_admin_users.split(",") if u.strip()}

    def is_admin(self, username: str | None) -> bool:
        """Listed users when login is on; without login only on a local server with no admin list."""
        if self.login:
            return bool(username) and username in self.admins
        return not self.admins and self.settings.ui_host in LOOPBACK_HOSTS

    def reindex(self, progress: Callable[[str, int, int], None]) -> IngestReport:
        """Bring the index in line with the corpus folder; raises ``IngestLockedError`` while another
        ingest runs. The old index answers until the new one is committed."""
        return run_ingest(self.settings, progress=progress)
