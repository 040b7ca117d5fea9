"""Check an external evaluation set against the text the product's own ingest makes of its documents.

    python -m tools.check_eval_set [SET_DIR] [--lenient]      (SET_DIR: tools/eval/external/docs by default)

Strict (the default): every support quote occurs verbatim (after whitespace/case
normalisation) in the cleaned text of a document it names and inside one chunk; every key fact has an
alternative that occurs in that text; unanswerable questions have no support and no key facts, and the
words listed in their ``absent`` field occur in no document; splits follow the stable hash of the id (of
the conversation for multi-turn cases); follow-ups carry the earlier turns as ``history``; the PDFs are
the unchanged public files listed in the set's ``sources.json``. ``--lenient`` keeps only the checks every
set of the shared format must pass (fields, support verbatim, unanswerable without support). Exit 1 when
anything fails.

What differs between sets lives in ``SET_DIR/sources.json``, not here::

    {"blobs": {"file.pdf": "<git blob SHA-1 of the published file>", ...},
     "max_document_bytes": 800000}

``blobs`` (required for the strict check) lists every file of ``documents/``; ``max_document_bytes`` is
optional and defaults to ``MAX_DOCUMENT_BYTES``. The minimum counts are shared by all sets.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from common.settings import get_settings
from index.model import DocumentInfo
from ingest.catalog import doc_id_from_path, load_catalog
from ingest.chunking import chunk_document
from ingest.loaders import load_document
from ingest.pipeline import discover
from tools.eval_metrics import normalize
from tools.eval_sets import EXTERNAL_DIR, split_of

SET_DIR = EXTERNAL_DIR / "docs"  # the set checked when none is named
USERS = {"politiker", "ny_medarbetare", "yrkesverksam", "extern"}
MIN_QUESTIONS, MIN_UNANSWERABLE, MIN_FOLLOW_UPS = 60, 15, 6
MAX_DOCUMENT_BYTES = 800_000  # default; a set may raise it in its sources.json
SOURCES_FILE = "sources.json"  # per set: git blob SHA-1 of each document as published (see its README.md)


def git_blob_sha(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


@dataclass
class LoadedDocument:
    text: str
    chunks: list[str] = field(default_factory=list)


def load_documents(documents_dir: Path) -> dict[str, LoadedDocument]:
    """Each document's cleaned text and chunk texts, by doc id, as ``python -m ingest documents_dir`` makes them."""
    settings = get_settings()
    catalog = load_catalog(documents_dir)
    files, _ = discover([documents_dir])
    loaded: dict[str, LoadedDocument] = {}
    for path in files:
        info = catalog.info_for(path, documents_dir)
        if info is None:
            info = DocumentInfo(doc_id=doc_id_from_path(path, documents_dir), title="",
                                source_file=path.relative_to(documents_dir).as_posix())
        doc = load_document(path, info)
        chunks = chunk_document(doc, settings.chunk_target_chars, settings.chunk_max_chars)
        loaded[info.doc_id] = LoadedDocument(normalize(doc.text), [normalize(c.text) for c in chunks])
    return loaded


def read_questions(path: Path) -> tuple[list[dict], list[str]]:
    rows, errors = [], []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(f"line {n}: not JSON ({exc})")
            continue
        if not isinstance(row, dict):
            errors.append(f"line {n}: not a JSON object")
            continue
        rows.append(row)
    return rows, errors


def _check_fields(row: dict, where: str) -> list[str]:
    errors = []
    for name, kind in (("id", str), ("question", str), ("user", str), ("kind", str), ("answerable", bool),
                       ("doc_ids", list), ("support", list), ("split", str)):
        if not isinstance(row.get(name), kind):
            errors.append(f"{where}: field {name!r} missing or not {kind.__name__}")
    if row.get("user") not in USERS:
        errors.append(f"{where}: user {row.get('user')!r} not one of {sorted(USERS)}")
    if row.get("split") not in ("dev", "test"):
        errors.append(f"{where}: split {row.get('split')!r} is not dev or test")
    if not isinstance(row.get("history", []), list):
        errors.append(f"{where}: history is not a list")
    if not isinstance(row.get("key_facts", []), list):
        errors.append(f"{where}: key_facts is not a list")
    return errors


def check_set(set_dir: Path, strict: bool = True) -> tuple[list[str], dict[str, int]]:
    """All problems found in the set (empty when it is sound) and a few counts."""
    errors: list[str] = []
    for name in ("questions.jsonl", "documents", "README.md"):
        if not (set_dir / name).exists():
            errors.append(f"{set_dir / name} is missing")
    if errors:
        return errors, {}
    rows, errors = read_questions(set_dir / "questions.jsonl")
    documents = load_documents(set_dir / "documents")
    row_errors, counts = check_rows(rows, documents, strict)
    errors += row_errors
    if strict:
        errors += _check_files(set_dir / "documents")
    return errors, counts


def check_rows(rows: list[dict], documents: dict[str, LoadedDocument],
               strict: bool = True) -> tuple[list[str], dict[str, int]]:
    """The problems of the questions ``rows`` against the loaded ``documents``, and a few counts."""
    errors: list[str] = []
    if not documents:
        errors.append("no documents could be loaded")
    all_text = [d.text for d in documents.values()]

    seen_ids: set[str] = set()
    questions_so_far: dict[str, list[str]] = {}  # conversation -> its questions in file order
    conversation_split: dict[str, str] = {}
    for row in rows:
        where = str(row.get("id", "?"))
        field_errors = _check_fields(row, where)
        errors += field_errors
        if field_errors:
            continue
        if row["id"] in seen_ids:
            errors.append(f"{where}: duplicate id")
        seen_ids.add(row["id"])
        unknown = [d for d in row["doc_ids"] if d not in documents]
        if unknown:
            errors.append(f"{where}: unknown doc_ids {unknown} (known: {sorted(documents)})")
        scope = [documents[d] for d in row["doc_ids"] if d in documents] or list(documents.values())
        facts = row.get("key_facts", [])

        if row["answerable"]:
            if not row["support"]:
                errors.append(f"{where}: answerable but no support quote")
            for quote in row["support"]:
                q = normalize(quote)
                if not any(q in d.text for d in scope):
                    errors.append(f"{where}: support not in the document text: {quote!r}")
                elif strict and not any(q in c for d in scope for c in d.chunks):
                    errors.append(f"{where}: support crosses a chunk boundary: {quote!r}")
            if strict:
                if not 1 <= len(facts) <= 4:
                    errors.append(f"{where}: {len(facts)} key facts (1-4 wanted)")
                for fact in facts:
                    alternatives = [normalize(a) for a in fact.split("|") if a.strip()]
                    if not any(a in d.text for a in alternatives for d in scope):
                        errors.append(f"{where}: key fact not worded as in the document: {fact!r}")
        else:
            if row["support"]:
                errors.append(f"{where}: unanswerable but has support")
            if facts:
                errors.append(f"{where}: unanswerable but has key facts")
            if strict and not row.get("absent"):
                errors.append(f"{where}: unanswerable without 'absent' terms to check")
            for term in row.get("absent", []):
                if any(normalize(term) in text for text in all_text):
                    errors.append(f"{where}: 'absent' term occurs in a document: {term!r}")

        conversation = row.get("conversation") or row["id"]
        earlier = questions_so_far.setdefault(conversation, [])
        history = row.get("history", [])
        if strict and history != earlier:
            errors.append(f"{where}: history {history!r} is not the earlier turns {earlier!r}")
        earlier.append(row["question"])
        if conversation_split.setdefault(conversation, row["split"]) != row["split"]:
            errors.append(f"{where}: split differs from the rest of conversation {conversation}")
        if strict and row["split"] != split_of(conversation):
            errors.append(f"{where}: split {row['split']} is not the hash split {split_of(conversation)}")

    counts = {
        "questions": len(rows),
        "answerable": sum(1 for r in rows if r.get("answerable") is True),
        "unanswerable": sum(1 for r in rows if r.get("answerable") is False),
        "follow_ups": sum(1 for r in rows if r.get("history")),
        "dev": sum(1 for r in rows if r.get("split") == "dev"),
        "test": sum(1 for r in rows if r.get("split") == "test"),
        "documents": len(documents),
    }
    if strict:
        if counts["questions"] < MIN_QUESTIONS:
            errors.append(f"{counts['questions']} questions, at least {MIN_QUESTIONS} wanted")
        if counts["unanswerable"] < MIN_UNANSWERABLE:
            errors.append(f"{counts['unanswerable']} unanswerable questions, at least {MIN_UNANSWERABLE} wanted")
        if counts["follow_ups"] < MIN_FOLLOW_UPS:
            errors.append(f"{counts['follow_ups']} follow-up questions, at least {MIN_FOLLOW_UPS} wanted")
    return errors, counts


def read_sources(set_dir: Path) -> tuple[dict, list[str]]:
    """The set's ``sources.json``: its documents' blobs and, optionally, a larger size limit."""
    path = set_dir / SOURCES_FILE
    if not path.is_file():
        return {}, [f"{path} is missing"]
    try:
        sources = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        return {}, [f"{path}: not JSON ({exc})"]
    blobs = sources.get("blobs") if isinstance(sources, dict) else None
    if not isinstance(blobs, dict) or not blobs or not all(
            isinstance(k, str) and isinstance(v, str) and re.fullmatch(r"[0-9a-f]{40}", v) for k, v in blobs.items()):
        return {}, [f"{path}: 'blobs' must map file names to 40-hex git blob SHA-1s"]
    limit = sources.get("max_document_bytes", MAX_DOCUMENT_BYTES)
    if not isinstance(limit, int) or isinstance(limit, bool) or limit <= 0:
        return {}, [f"{path}: 'max_document_bytes' must be a positive integer"]
    return {"blobs": blobs, "max_document_bytes": limit}, []


def _check_files(documents_dir: Path) -> list[str]:
    sources, errors = read_sources(documents_dir.parent)
    if errors:
        return errors
    blobs, limit = sources["blobs"], sources["max_document_bytes"]
    files = [p for p in documents_dir.rglob("*") if p.is_file()]
    total = sum(p.stat().st_size for p in files)
    if total > limit:
        errors.append(f"documents/ holds {total} bytes, more than {limit}")
    names = {p.name for p in files}
    for name, sha in blobs.items():
        if name not in names:
            errors.append(f"documents/{name} is missing")
        elif git_blob_sha((documents_dir / name).read_bytes()) != sha:
            errors.append(f"documents/{name} differs from the published file (blob {sha})")
    for name in sorted(names - blobs.keys()):
        errors.append(f"documents/{name} is not listed in {SOURCES_FILE} (and README.md)")
    return errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("set_dir", nargs="?", type=Path, default=SET_DIR)
    parser.add_argument("--lenient", action="store_true", help="only the checks of the shared format")
    args = parser.parse_args(argv)
    errors, counts = check_set(args.set_dir, strict=not args.lenient)
    print(", ".join(f"{k}: {v}" for k, v in counts.items()))
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    print("OK" if not errors else f"{len(errors)} problem(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
