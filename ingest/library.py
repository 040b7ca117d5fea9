"""Adding and removing documents while the assistant runs (the chat's Administration tab).

With the same guarantees as ``python -m ingest``: one change at a time (the ingest lock), the working
index answers until the new one is committed, and nothing is lost. An added file that cannot be read
is taken out again (file and catalog entry) and reported; a removed file is moved to
``<data_dir>/removed/``, not deleted.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from common.settings import Settings
from index.atomic import write_atomic
from index.layout import DataLayout
from index.model import DocumentInfo
from ingest.catalog import DOC_TYPES, add_catalog_entry, doc_id_from_path, load_catalog, remove_catalog_entry
from ingest.errors import DocumentExistsError, FileTooLargeError, UnknownDocumentError, UnsupportedFileError
from ingest.loaders import SUPPORTED_SUFFIXES
from ingest.pipeline import IngestReport, ingest_holding_lock, ingest_lock

Progress = Callable[[str, int, int], None]


@dataclass
class NewDocument:
    """A file to add, with what the catalog should say about it."""

    filename: str
    data: bytes
    title: str = ""
    publisher: str = ""
    year: int | None = None
    doc_type: str = ""
    valid_from: int | None = None
    valid_to: int | None = None


def check_new_document(settings: Settings, document: NewDocument) -> DocumentInfo:
    """The catalog entry for ``document``, or the reason it cannot be added."""
    name = Path(document.filename).name
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UnsupportedFileError(f"unsupported file type {suffix or '(none)'}; supported: "
                                   f"{', '.join(sorted(SUPPORTED_SUFFIXES))}")
    limit = int(settings.max_file_mb * 1e6)
    if len(document.data) > limit:
        raise FileTooLargeError(f"file is too large ({len(document.data) / 1e6:.1f} MB; the limit is "
                                f"{limit / 1e6:.1f} MB)")
    if document.doc_type not in DOC_TYPES:
        raise ValueError(f"unknown document type {document.doc_type!r}")
    corpus = settings.corpus_dir
    doc_id = doc_id_from_path(corpus / name, corpus)
    catalog = load_catalog(corpus)
    if (corpus / name).exists() or name in catalog.by_file or any(i.doc_id == doc_id for i in catalog.by_file.values()):
        raise DocumentExistsError(f"a document named {name} is already in the corpus")
    return DocumentInfo(doc_id=doc_id, title=document.title.strip(), source_file=name,
                        publisher=document.publisher.strip(), year=document.year, doc_type=document.doc_type,
                        valid_from=document.valid_from, valid_to=document.valid_to, in_catalog=True)


def add_documents(settings: Settings, documents: list[NewDocument], progress: Progress | None = None) -> IngestReport:
    """Put the files into the corpus folder with their catalog entries and index them. Every file is
    checked before any is written; one that fails to index is taken out again (the report says why)."""
    corpus = settings.corpus_dir
    corpus.mkdir(parents=True, exist_ok=True)
    with ingest_lock(settings.data_dir):
        infos = [check_new_document(settings, d) for d in documents]
        if len({i.doc_id for i in infos}) < len(infos):
            raise DocumentExistsError("two of the files would get the same document id; rename one")
        for info, document in zip(infos, documents):
            write_atomic(corpus / info.source_file, lambda handle, data=document.data: handle.write(data))
            add_catalog_entry(corpus, info)
        report = ingest_holding_lock(settings, [corpus], progress)
        for info in infos:
            result = next((r for r in report.results if r.doc_id == info.doc_id), None)
            if result is None or result.status == "failed":
                (corpus / info.source_file).unlink(missing_ok=True)
                remove_catalog_entry(corpus, info.doc_id)
    return report


def remove_document(settings: Settings, doc_id: str, progress: Progress | None = None) -> IngestReport:
    """Take a document out of the index and the corpus folder (its file is kept under data/removed/)."""
    corpus = settings.corpus_dir.resolve()
    with ingest_lock(settings.data_dir):
        manifest = DataLayout(settings.data_dir).read_manifest()
        entry = manifest.documents.get(doc_id) if manifest else None
        source = Path(entry.source_path) if entry else None
        if source is None or not source.resolve().is_relative_to(corpus):
            raise UnknownDocumentError(f"no document {doc_id!r} from the corpus folder is in the index")
        if source.exists():
            removed = settings.data_dir / "removed"
            removed.mkdir(parents=True, exist_ok=True)
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
            shutil.move(str(source), str(removed / f"{stamp}-{source.name}"))
        remove_catalog_entry(corpus, doc_id)
        return ingest_holding_lock(settings, [corpus], progress)
