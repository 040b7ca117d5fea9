"""The corpus catalog (``catalog.toml``): per-document title, publisher, year, type, validity."""

from __future__ import annotations

import logging
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from index.atomic import write_text_atomic
from index.model import DocumentInfo

log = logging.getLogger(__name__)

CATALOG_FILE = "catalog.toml"
DOC_TYPES = {"strategi", "remiss", "remissvar", "rapport", "handbok", ""}
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass
class Catalog:
    by_file: dict[str, DocumentInfo] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def info_for(self, path: Path, root: Path | None) -> DocumentInfo | None:
        key = _relative_name(path, root)
        return self.by_file.get(key)


def _relative_name(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return path.name


def load_catalog(corpus_dir: Path) -> Catalog:
    """Read ``catalog.toml``; a broken catalog or entry is reported, never fatal."""
    catalog = Catalog()
    path = corpus_dir / CATALOG_FILE
    if not path.exists():
        return catalog
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        catalog.errors.append(f"{path}: catalog is not valid TOML ({exc}); ignoring it")
        return catalog
    seen_ids: set[str] = set()
    for n, entry in enumerate(data.get("document", []), start=1):
        where = f"{path}: [[document]] #{n}"
        if not isinstance(entry, dict):
            catalog.errors.append(f"{where}: not a table; skipped")
            continue
        doc_id, file = str(entry.get("id", "")), str(entry.get("file", ""))
        if not _ID_RE.match(doc_id):
            catalog.errors.append(f"{where}: id {doc_id!r} must be lowercase letters, digits, '-'; skipped")
            continue
        if doc_id in seen_ids:
            catalog.errors.append(f"{where}: duplicate id {doc_id!r}; skipped")
            continue
        if not file:
            catalog.errors.append(f"{where}: missing 'file'; skipped")
            continue
        doc_type = str(entry.get("type", ""))
        if doc_type not in DOC_TYPES:
            catalog.errors.append(f"{where}: unknown type {doc_type!r}; kept as given")
        synonyms = entry.get("synonyms", {})
        if not isinstance(synonyms, dict) or not all(
                isinstance(v, list) and all(isinstance(w, str) for w in v) for v in synonyms.values()):
            catalog.errors.append(f"{where}: 'synonyms' must map a word to a list of words; ignored")
            synonyms = {}
        try:
            info = DocumentInfo(
                doc_id=doc_id,
                title=str(entry.get("title", "")),
                source_file=file,
                publisher=str(entry.get("publisher", "")),
                year=_opt_int(entry.get("year")),
                doc_type=doc_type,
                valid_from=_opt_int(entry.get("valid_from")),
                valid_to=_opt_int(entry.get("valid_to")),
                note=str(entry.get("note", "")),
                page_numbers="bottom" if entry.get("page_numbers") == "bottom" else "top",
                aliases=[str(a) for a in entry.get("aliases", [])],
                about=str(entry.get("about", "")),
                synonyms={str(k).lower(): [w.lower() for w in v] for k, v in synonyms.items()},
                in_catalog=True,
            )
        except ValueError as exc:
            catalog.errors.append(f"{where}: {exc}; skipped")
            continue
        seen_ids.add(doc_id)
        catalog.by_file[file] = info
    return catalog


def _opt_int(value: object) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ValueError(f"expected a year, got {value!r}")
    return int(value)


def doc_id_from_path(path: Path, root: Path | None) -> str:
    """A stable id for a document without a catalog entry."""
    stem = _relative_name(path, root).rsplit(".", 1)[0].lower()
    ascii_stem = stem.translate(str.maketrans("åäöéü", "aaoeu"))
    return re.sub(r"[^a-z0-9]+", "-", ascii_stem).strip("-") or "dokument"


# --- writing the catalog (documents added and removed from the chat) -------------------------------


def _toml_value(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'"{text}"'


def catalog_entry(info: DocumentInfo) -> str:
    """The ``[[document]]`` table of ``info`` (empty fields left out)."""
    fields = [("id", info.doc_id), ("file", info.source_file), ("title", info.title),
              ("publisher", info.publisher), ("year", info.year), ("type", info.doc_type),
              ("valid_from", info.valid_from), ("valid_to", info.valid_to), ("note", info.note)]
    lines = ["[[document]]"] + [f"{k} = {_toml_value(v)}" for k, v in fields if v not in (None, "")]
    return "\n".join(lines) + "\n"


def _split_entries(text: str) -> tuple[str, list[str]]:
    """The catalog's text before its first entry, and each ``[[document]]`` table as written."""
    parts = re.split(r"(?m)^(?=\[\[document\]\])", text)
    return parts[0], parts[1:]


def add_catalog_entry(corpus_dir: Path, info: DocumentInfo) -> None:
    """Append ``info`` to the catalog (created when missing), replacing the file atomically."""
    path = corpus_dir / CATALOG_FILE
    text = path.read_text(encoding="utf-8") if path.exists() else "# Catalog of the documents in this folder.\n"
    write_text_atomic(path, text.rstrip("\n") + "\n\n" + catalog_entry(info))


def remove_catalog_entry(corpus_dir: Path, doc_id: str) -> bool:
    """Remove the entry with ``id = doc_id``; False when there is none."""
    path = corpus_dir / CATALOG_FILE
    if not path.exists():
        return False
    head, entries = _split_entries(path.read_text(encoding="utf-8"))
    kept = [e for e in entries if not re.search(rf'(?m)^id\s*=\s*"{re.escape(doc_id)}"\s*$', e)]
    if len(kept) == len(entries):
        return False
    write_text_atomic(path, (head + "".join(kept)).rstrip("\n") + "\n")
    return True
