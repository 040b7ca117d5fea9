"""A larger corpus made from the real one, for the benchmarks (``tools.growth``, ``tools.bench_ingest``).

For a scale N the corpus holds the real documents (their files and catalog entries, so the evaluation
questions still name them) plus new Markdown documents until the text is about N times the real corpus's.
Each new document recombines the top-level sections of one real document (a random subset, in the source
order) under a new document id (``syn-<n>-<source id>``), with the source's title, publisher, year and type
in a generated ``catalog.toml``. Titles and section texts stay identical to their source, so the chunks' and
sentences' embedding texts (title, section path and text) recur: an ingest embeds each distinct text once,
and the embedding cache supplies them after that. Rendering a section as Markdown changes a few texts (a
title line in front of the first section, a table written as Markdown rows). The corpora are nested: with
the same seed a larger scale's corpus starts with a smaller one's documents.
"""

from __future__ import annotations

import json
import random
import shutil
from dataclasses import dataclass
from pathlib import Path


class CorpusError(RuntimeError):
    pass


@dataclass
class SourceDocument:
    doc_id: str
    file: str
    title: str
    publisher: str
    year: int | None
    doc_type: str
    characters: int  # cleaned text
    sections: list[str]  # each top-level section rendered as Markdown


def _markdown_block(text: str, kind: str, level: int, cells: tuple[str, ...]) -> str:
    line = " ".join(text.split())
    if kind == "heading":
        return "#" * min(6, level + 1) + " " + line  # the document title is the one '#' heading
    if kind == "list_item":
        return "- " + line
    if kind in ("table_row", "table_header"):
        return "| " + " | ".join(" ".join(c.split()) for c in cells) + " |"
    return line


def read_sources(corpus_dir: Path) -> list[SourceDocument]:
    """The real documents with a catalog entry, parsed as ingest parses them, cut into top-level sections."""
    from index.model import DocumentInfo
    from ingest.catalog import load_catalog
    from ingest.errors import IngestError
    from ingest.loaders import load_document

    catalog = load_catalog(corpus_dir)
    sources = []
    for file, info in sorted(catalog.by_file.items()):
        try:
            doc = load_document(corpus_dir / file, DocumentInfo(**vars(info)))
        except IngestError:
            continue
        groups: list[list] = []
        for block in doc.blocks:
            if groups and block.section[:1] != groups[-1][-1].section[:1] \
                    and any(b.kind != "heading" for b in groups[-1]):
                groups.append([])
            if not groups:
                groups.append([])
            groups[-1].append(block)
        sections = ["\n\n".join(_markdown_block(doc.text[b.start:b.end], b.kind, b.level, b.cells) for b in group)
                    for group in groups]
        sources.append(SourceDocument(info.doc_id, file, info.title, info.publisher, info.year, info.doc_type,
                                      len(doc.text), sections))
    if not sources:
        raise CorpusError(f"no documents with catalog entries in {corpus_dir}; is it the corpus directory?")
    return sources


def _toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def build_corpus(corpus_dir: Path, sources: list[SourceDocument], scale: float, target: Path,
                 seed: int = 7) -> tuple[int, int]:
    """Write the real corpus plus synthetic documents up to ``scale`` times its text into ``target`` (replaced
    when it exists); returns (documents, characters)."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    catalog = (corpus_dir / "catalog.toml").read_text(encoding="utf-8")
    real = 0
    for source in sources:
        (target / source.file).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(corpus_dir / source.file, target / source.file)
        real += source.characters
    entries: list[str] = []
    rng = random.Random(seed)
    goal = int(scale * real)
    total, n = real, 0
    while total < goal:
        n += 1
        source = sources[(n - 1) % len(sources)]
        count = len(source.sections)
        keep = sorted(rng.sample(range(count), rng.randint(max(1, count // 2), count)))
        text = f"# {source.title}\n\n" + "\n\n".join(source.sections[i] for i in keep) + "\n"
        name = f"syntetisk-{n:06d}-{source.doc_id}.md"
        (target / name).write_text(text, encoding="utf-8")
        total += len(text)
        entry = ["[[document]]", f'id = "syn-{n:06d}-{source.doc_id}"', f"file = {_toml_string(name)}",
                 f"title = {_toml_string(source.title)}", f"publisher = {_toml_string(source.publisher)}",
                 f'type = "{source.doc_type}"']
        if source.year:
            entry.append(f"year = {source.year}")
        entries.append("\n".join(entry))
    (target / "catalog.toml").write_text(catalog.rstrip() + "\n\n# Synthetic documents (tools/synthetic.py)\n\n"
                                         + "\n\n".join(entries) + "\n", encoding="utf-8")
    return len(sources) + n, total
