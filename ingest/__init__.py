"""Ingest, the writer: from source files to clean, structured, citable chunks in the index.

load (``loaders``) → clean (``cleaning``) → structure (``structure``, ``tables``) → chunk
(``chunking``) → extract knowledge (``knowledge``) → embed and store (``pipeline``, through
``index``). ``catalog`` reads the per-document facts in ``catalog.toml``.

Public interface (what the UI's admin service, the tools and tests use)::

    from ingest import run_ingest, IngestReport
"""

from ingest.pipeline import FileResult, IngestLockedError, IngestReport, run_ingest

__all__ = ["FileResult", "IngestLockedError", "IngestReport", "run_ingest"]
