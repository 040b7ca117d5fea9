"""Ingest, the writer: from source files to clean, structured, citable chunks in the index.

load (``loaders``) → clean (``cleaning``) → structure (``structure``, ``tables``) → chunk
(``chunking``) → extract knowledge (``knowledge``) → embed and store (``pipeline``, through
``index``). ``catalog`` reads the per-document facts in ``catalog.toml``.

``library`` adds and removes documents while the assistant runs.

Public interface (what the UI's admin service, the tools and tests use)::

    from ingest import run_ingest, add_documents, remove_document, NewDocument, IngestReport
"""

from ingest.errors import (
    DocumentExistsError,
    FileTooLargeError,
    IngestError,
    UnknownDocumentError,
    UnsupportedFileError,
)
from ingest.library import NewDocument, add_documents, remove_document
from ingest.pipeline import FileResult, IngestLockedError, IngestReport, run_ingest

__all__ = [
    "DocumentExistsError", "FileResult", "FileTooLargeError", "IngestError", "IngestLockedError", "IngestReport",
    "NewDocument", "UnknownDocumentError", "UnsupportedFileError", "add_documents", "remove_document", "run_ingest",
]
