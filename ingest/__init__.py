"""Ingest: from source files to clean, structured, citable chunks in the index.

Public interface (what the assistant, the UI and tests use)::

    from ingest import run_ingest, IngestReport, IndexReader
"""

from ingest.index import IndexNotReadyError, IndexReader
from ingest.pipeline import FileResult, IngestLockedError, IngestReport, run_ingest

__all__ = ["FileResult", "IndexNotReadyError", "IndexReader", "IngestLockedError", "IngestReport", "run_ingest"]
