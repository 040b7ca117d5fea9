"""Who may log in and who may administer, and the administration itself: re-indexing, adding and
removing documents through ingest's public API (the same atomic guarantees as ``python -m ingest``).
Errors come back as ``AdminError`` with a Swedish message."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from common.settings import Settings
from ingest import (
    DocumentExistsError,
    FileTooLargeError,
    IngestLockedError,
    IngestReport,
    NewDocument,
    UnknownDocumentError,
    UnsupportedFileError,
    add_documents,
    remove_document,
    run_ingest,
)

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
INGEST_STAGES = {"read": "Läser dokumenten", "embed": "Beräknar vektorer", "store": "Sparar i indexet"}
UPLOAD_SUFFIXES = (".pdf", ".docx", ".md", ".txt")
FILE_KINDS = "PDF, Word (.docx), Markdown (.md) eller text (.txt)"

Progress = Callable[[str, int, int], None]


class AdminError(RuntimeError):
    """An administration request that cannot be carried out; the message is Swedish."""


def login_credentials(settings: Settings) -> list[tuple[str, str]] | None:
    """The (user, password) pairs of ``ui_auth`` ("anna:lösen1,bo:lösen2"); None when login is off."""
    auth = settings.ui_auth.get_secret_value() if settings.ui_auth else ""
    if not auth.strip():
        return None
    pairs = []
    for item in auth.split(","):
        user, sep, password = item.strip().partition(":")
        if not sep or not user or not password:
            raise ValueError("FSA_UI_AUTH ska ha formen användare:lösenord (flera åtskilda med komma)")
        pairs.append((user, password))
    return pairs


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

    def require_admin(self, username: str | None) -> None:
        if not self.is_admin(username):
            raise AdminError("Du har inte behörighet att ändra dokumenten.")

    def reindex(self, progress: Progress) -> IngestReport:
        """Bring the index in line with the corpus folder. The old index answers until the new one is
        committed."""
        try:
            return run_ingest(self.settings, progress=progress)
        except IngestLockedError as exc:
            raise AdminError("En indexering pågår redan. Försök igen om en stund.") from exc

    def add(self, files: list[Path], title: str = "", publisher: str = "", year: int | None = None,
            doc_type: str = "", valid_from: int | None = None, valid_to: int | None = None,
            progress: Progress | None = None) -> IngestReport:
        """Add uploaded files to the corpus with these catalog facts (the title only for a single file),
        and index them."""
        if not files:
            raise AdminError("Välj minst en fil att lägga till.")
        for number, what in ((year, "Året"), (valid_from, "Giltig från"), (valid_to, "Giltig till")):
            if number is not None and not 1900 <= number <= 2100:
                raise AdminError(f"{what} ska vara ett årtal, till exempel 2024.")
        if valid_from and valid_to and valid_from > valid_to:
            raise AdminError("Giltig från ska vara före giltig till.")
        documents = []
        for path in files:
            suffix = Path(path).suffix.lower()
            if suffix not in UPLOAD_SUFFIXES:
                raise AdminError(f"Filtypen {suffix or '(ingen)'} stöds inte. Ladda upp {FILE_KINDS}.")
            data = Path(path).read_bytes()
            documents.append(NewDocument(Path(path).name, data, title if len(files) == 1 else "", publisher, year,
                                         doc_type, valid_from, valid_to))
        try:
            return add_documents(self.settings, documents, progress)
        except UnsupportedFileError as exc:
            raise AdminError(f"Filtypen stöds inte. Ladda upp {FILE_KINDS}.") from exc
        except FileTooLargeError as exc:
            raise AdminError(f"Filen är för stor. Gränsen är {self.settings.max_file_mb:g} MB.") from exc
        except DocumentExistsError as exc:
            raise AdminError("Det finns redan ett dokument med det filnamnet. Byt namn på filen, eller ta bort "
                             "det gamla dokumentet först.") from exc
        except IngestLockedError as exc:
            raise AdminError("En indexering pågår redan. Försök igen om en stund.") from exc
        except ValueError as exc:
            raise AdminError("Okänd dokumenttyp.") from exc

    def remove(self, doc_id: str, progress: Progress | None = None) -> IngestReport:
        """Take a document out of the index (its file is kept under the data folder's removed/)."""
        if not doc_id:
            raise AdminError("Välj ett dokument att ta bort.")
        try:
            return remove_document(self.settings, doc_id, progress)
        except UnknownDocumentError as exc:
            raise AdminError("Dokumentet finns inte i dokumentmappen och kan inte tas bort härifrån.") from exc
        except IngestLockedError as exc:
            raise AdminError("En indexering pågår redan. Försök igen om en stund.") from exc
