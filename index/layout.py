"""The data directory: what lives where, and the manifest that commits it.

::

    data/
      manifest.json                      the commit point: generation, embedder, collection, documents
      documents/<doc>.<hash16>.json      a parsed document, its chunks, sentence spans and knowledge
      documents/<doc>.<hash16>.sentences.npy   its sentence vectors (float16, rows = sentence spans)
      lexical/gen-<generation>/          the BM25 index of every active chunk
      chroma/                            the embedded Chroma store (unless a server is configured)
      chroma.damaged-<time>/             a damaged store moved aside while ingest rebuilds it (then deleted)
      embedding-cache.sqlite             vectors by model and text hash
      .ingest.lock                       one ingest at a time

An ingest writes everything new first (new chunk ids carry the document's content hash, new
files carry a generation number) and replaces the manifest atomically last; readers trust only
what the manifest names. A failed or killed ingest therefore leaves the previous index fully
usable, and the next ingest removes what the failed one left behind.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from index.atomic import save_npy_atomic, write_json_atomic
from index.knowledge import Knowledge
from index.model import Chunk, DocumentInfo, ParsedDocument

MANIFEST_FILE = "manifest.json"
MANIFEST_VERSION = 1
EMBEDDING_CACHE_FILE = "embedding-cache.sqlite"
CHROMA_DAMAGED_PREFIX = "chroma.damaged-"  # a damaged embedded store, moved aside while it is rebuilt


@dataclass(kw_only=True)
class DocumentEntry(DocumentInfo):
    """A document in the manifest: its catalog facts plus what the ingest made of it."""

    content_hash: str
    source_path: str
    chunks: int = 0
    indexed_at: str = ""
    parsed_file: str = ""
    warnings: list[str] = field(default_factory=list)


@dataclass
class Manifest:
    generation: int
    embedder: str
    collection: str
    lexical_dir: str
    documents: dict[str, DocumentEntry]
    created_at: str = ""
    version: int = MANIFEST_VERSION
    lexical_version: str = ""
    chunking: str = ""  # "target/max" characters of the chunks ("" before it was kept: chunked again once)

    def chunk_count(self) -> int:
        return sum(d.chunks for d in self.documents.values())


@dataclass
class StoredDocument:
    """What the index keeps of one parsed document besides its vectors in the vector store."""

    document: ParsedDocument
    chunks: list[Chunk]
    sentences: list[tuple[int, int]]  # the answerable units: sentence spans and whole table rows
    knowledge: Knowledge


class ManifestDamagedError(ValueError):
    """The manifest exists but cannot be read; ``python -m ingest`` rebuilds the index from the sources."""


class DataLayout:
    """Paths in a data directory (see the module docstring)."""

    def __init__(self, data_dir: Path) -> None:
        self.root = Path(data_dir)
        self.manifest = self.root / MANIFEST_FILE
        self.documents = self.root / "documents"
        self.lexical_root = self.root / "lexical"
        self.embedding_cache = self.root / EMBEDDING_CACHE_FILE
        self.lock = self.root / ".ingest.lock"

    @staticmethod
    def parsed_name(doc_id: str, content_hash: str) -> str:
        return f"{doc_id}.{content_hash[:16]}.json"

    def lexical_dir(self, generation: int) -> Path:
        return self.lexical_root / f"gen-{generation:06d}"

    def sentence_vectors_file(self, parsed_name: str) -> Path:
        return self.documents / parsed_name.replace(".json", ".sentences.npy")

    # --- the manifest ---------------------------------------------------------------------

    def read_manifest(self) -> Manifest | None:
        """The committed manifest; None without one; ``ManifestDamagedError`` when it cannot be read."""
        try:
            raw = self.manifest.read_bytes()
        except FileNotFoundError:
            return None
        try:
            data = json.loads(raw.decode("utf-8"))
            docs = {k: DocumentEntry(**v) for k, v in data.pop("documents").items()}
            return Manifest(documents=docs, **data)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:  # UnicodeDecodeError is a ValueError
            raise ManifestDamagedError(f"the index manifest {self.manifest} is damaged "
                                       f"({type(exc).__name__}: {str(exc)[:200]})") from exc

    def manifest_signature(self) -> tuple[int, int, int] | None:
        """Identifies the manifest file as committed (it is replaced, never changed in place); None without one."""
        try:
            stat = self.manifest.stat()
        except FileNotFoundError:
            return None
        return stat.st_ino, stat.st_mtime_ns, stat.st_size

    def write_manifest(self, manifest: Manifest) -> None:
        """Replace the manifest atomically: the commit point of an ingest."""
        write_json_atomic(self.manifest, asdict(manifest))

    # --- parsed documents -----------------------------------------------------------------

    def write_document(self, stored: StoredDocument, sentence_vectors: np.ndarray) -> str:
        """Write a parsed document and its sentence vectors under new names; returns the file name."""
        name = self.parsed_name(stored.document.info.doc_id, stored.document.content_hash)
        save_npy_atomic(self.sentence_vectors_file(name), sentence_vectors)
        write_json_atomic(self.documents / name, {
            "document": stored.document.to_dict(), "chunks": [c.to_dict() for c in stored.chunks],
            "sentences": stored.sentences, "knowledge": stored.knowledge.to_dict(),
        })
        return name

    def read_document(self, parsed_name: str) -> StoredDocument:
        data = json.loads((self.documents / parsed_name).read_text(encoding="utf-8"))
        return StoredDocument(
            document=ParsedDocument.from_dict(data["document"]),
            chunks=[Chunk.from_dict(c) for c in data["chunks"]],
            sentences=[(int(s), int(e)) for s, e in data["sentences"]],
            knowledge=Knowledge.from_dict(data.get("knowledge", {})),
        )

    def read_sentence_vectors(self, parsed_name: str) -> np.ndarray:
        return np.load(self.sentence_vectors_file(parsed_name), mmap_mode="r")

    def inactive_files(self, manifest: Manifest) -> list[Path]:
        """Parsed documents, lexical indexes and temporary files the manifest does not name: what a failed or
        killed ingest leaves behind."""
        active = {e.parsed_file.removesuffix(".json") for e in manifest.documents.values()}
        found: list[Path] = []
        if self.documents.exists():
            found += [p for p in sorted(self.documents.iterdir())
                      if p.name.split(".json")[0].split(".sentences")[0] not in active]
        keep = self.root / manifest.lexical_dir
        if self.lexical_root.exists():
            found += [p for p in sorted(self.lexical_root.iterdir()) if p != keep]
        if self.root.exists():
            found += sorted(self.root.glob(f".{MANIFEST_FILE}.*.tmp"))
            found += sorted(self.root.glob(f"{CHROMA_DAMAGED_PREFIX}*"))
        return found

    def remove_inactive(self, manifest: Manifest) -> list[Path]:
        """Delete what ``inactive_files`` lists; returns what was deleted."""
        import shutil

        removed = self.inactive_files(manifest)
        for path in removed:
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
        return removed
