"""Does the stored index agree with itself? The manifest, the parsed documents (and their sentence
vectors), the lexical index and the vector store must name the same chunks.

``check_index`` is what ``python -m ingest --check`` prints and what every ingest repairs (see
``ingest/pipeline.py``); ``vector_status`` is the reader's cheap part of it: are the vectors of the
loaded generation in the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from index.layout import DataLayout, Manifest, ManifestDamagedError
from index.lexical import LEXICAL_VERSION, LexicalIndex
from index.vectorstore import VectorStore


@dataclass
class VectorStatus:
    """The vectors of one generation's chunks in the vector store."""

    expected: int  # chunks the manifest names
    found: int = 0  # of those, how many have a vector
    error: str = ""  # the store could not be opened or read

    @property
    def ok(self) -> bool:
        return not self.error and self.found == self.expected

    @property
    def missing(self) -> int:
        return self.expected - self.found

    def describe(self) -> str:
        if self.error:
            return f"the vector store cannot be read: {self.error}"
        return f"{self.found} of {self.expected} chunks have a vector"


def vector_status(store: VectorStore, chunk_ids: list[str]) -> VectorStatus:
    """How many of ``chunk_ids`` the store holds (store errors are reported, not raised)."""
    try:
        return VectorStatus(len(chunk_ids), len(store.existing(chunk_ids)))
    except Exception as exc:  # a damaged or unreachable store: every kind of Chroma error
        return VectorStatus(len(chunk_ids), 0, f"{type(exc).__name__}: {str(exc)[:300]}")


@dataclass
class IndexCheck:
    """What ``check_index`` found; ``ok`` when everything agrees."""

    data_dir: Path
    manifest_error: str = ""
    missing_index: bool = False
    generation: int | None = None
    chunks: int = 0  # chunks the manifest names
    active_ids: list[str] = field(default_factory=list)  # the chunk ids of the readable parsed documents
    damaged_documents: dict[str, str] = field(default_factory=dict)  # doc id -> what is wrong
    lexical_problem: str = ""
    store_error: str = ""
    vectors: int | None = None  # vectors in the store's collection
    missing_vectors: list[str] = field(default_factory=list)
    extra_vectors: list[str] = field(default_factory=list)
    orphans: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.manifest_error or self.missing_index or self.damaged_documents or self.lexical_problem
                    or self.store_error or self.missing_vectors or self.extra_vectors or self.orphans)

    def problems(self) -> list[str]:
        """One English line per disagreement."""
        if self.missing_index:
            return [f"no index in {self.data_dir}"]
        if self.manifest_error:
            return [self.manifest_error]
        lines = [f"document {d}: {why}" for d, why in sorted(self.damaged_documents.items())]
        if self.lexical_problem:
            lines.append(f"lexical index: {self.lexical_problem}")
        if self.store_error:
            lines.append(f"vector store: cannot be read ({self.store_error})")
        if self.missing_vectors:
            lines.append(f"vector store: {len(self.missing_vectors)} of {len(self.active_ids)} chunks have no "
                         f"vector (e.g. {self.missing_vectors[0]})")
        if self.extra_vectors:
            lines.append(f"vector store: {len(self.extra_vectors)} vectors of chunks the manifest does not name "
                         f"(e.g. {self.extra_vectors[0]})")
        if self.orphans:
            lines.append(f"{len(self.orphans)} files the manifest does not name: "
                         + ", ".join(str(p.relative_to(self.data_dir)) for p in self.orphans[:5])
                         + (" …" if len(self.orphans) > 5 else ""))
        return lines

    def summary(self) -> str:
        if self.missing_index or self.manifest_error:
            return "the index cannot be checked"
        return (f"generation {self.generation}: {self.chunks} chunks in the manifest, {len(self.active_ids)} in "
                f"the parsed documents, "
                f"{'?' if self.vectors is None else self.vectors} vectors in the store")


def read_manifest_checked(layout: DataLayout) -> tuple[Manifest | None, str]:
    """The manifest and "" — or None and why it cannot be read ("" when there is none)."""
    try:
        return layout.read_manifest(), ""
    except ManifestDamagedError as exc:
        return None, str(exc)
    except OSError as exc:
        return None, f"the index manifest {layout.manifest} cannot be read ({exc})"


def check_documents(layout: DataLayout, manifest: Manifest) -> tuple[list[str], dict[str, str]]:
    """The chunk ids of the parsed documents in manifest order, and the documents whose files are missing,
    damaged or disagree with the manifest."""
    ids: list[str] = []
    damaged: dict[str, str] = {}
    for doc_id, entry in manifest.documents.items():
        try:
            stored = layout.read_document(entry.parsed_file)
            vectors = layout.read_sentence_vectors(entry.parsed_file)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            damaged[doc_id] = f"{entry.parsed_file} is missing or damaged ({type(exc).__name__})"
            continue
        if len(stored.chunks) != entry.chunks:
            damaged[doc_id] = f"{len(stored.chunks)} chunks in {entry.parsed_file}, {entry.chunks} in the manifest"
        elif vectors.shape[0] != len(stored.sentences):
            damaged[doc_id] = f"{vectors.shape[0]} sentence vectors for {len(stored.sentences)} sentences"
        elif any(c.doc_id != doc_id for c in stored.chunks):
            damaged[doc_id] = f"{entry.parsed_file} holds chunks of another document"
        else:
            ids.extend(c.chunk_id for c in stored.chunks)
    return ids, damaged


def check_lexical(layout: DataLayout, manifest: Manifest, chunk_ids: list[str]) -> str:
    """What is wrong with the lexical index ("" when it names exactly ``chunk_ids``)."""
    try:
        named = LexicalIndex.load(layout.root / manifest.lexical_dir).chunk_ids
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return f"{manifest.lexical_dir} is missing or damaged ({type(exc).__name__})"
    if manifest.lexical_version != LEXICAL_VERSION:
        return f"built by lexical version {manifest.lexical_version or '?'}, the code has {LEXICAL_VERSION}"
    if set(named) != set(chunk_ids) or len(named) != len(chunk_ids):
        return f"{len(named)} chunks, the parsed documents have {len(chunk_ids)}"
    return ""


def check_index(layout: DataLayout, store: VectorStore | None, store_error: str = "") -> IndexCheck:
    """Compare the manifest, the parsed documents, the lexical index and ``store`` (the manifest's collection;
    None with ``store_error`` when it could not be opened)."""
    check = IndexCheck(layout.root)
    manifest, check.manifest_error = read_manifest_checked(layout)
    if manifest is None:
        check.missing_index = not check.manifest_error
        return check
    check.generation, check.chunks = manifest.generation, manifest.chunk_count()
    check.active_ids, check.damaged_documents = check_documents(layout, manifest)
    check.lexical_problem = check_lexical(layout, manifest, check.active_ids)
    check.orphans = layout.inactive_files(manifest)
    if store is None:
        check.store_error = store_error or "not opened"
        return check
    try:
        stored = store.all_ids()
        check.vectors = len(stored)
    except Exception as exc:  # a damaged store: every kind of Chroma error
        check.store_error = f"{type(exc).__name__}: {str(exc)[:300]}"
        return check
    present = set(stored)
    active = set(check.active_ids)
    check.missing_vectors = [c for c in check.active_ids if c not in present]
    # Chunks of a damaged document are not known here; their vectors are not counted as extra.
    damaged_prefixes = tuple(f"{d}:" for d in check.damaged_documents)
    check.extra_vectors = sorted(c for c in present - active
                                 if not (damaged_prefixes and c.startswith(damaged_prefixes)))
    return check
