"""The typed records that flow through ingest and into the index.

``ParsedDocument`` is a cleaned document: its text plus the structure found in it
(blocks with section paths and pages). ``Chunk`` is a citable span of that text.
Both serialise to plain dicts, which is how they are stored beside the vector index.
"""

from __future__ import annotations

import bisect
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Literal

BlockKind = Literal[
    "heading", "paragraph", "list_item", "table_row", "table_header", "caption", "quote", "footnote"
]

SECTION_SEPARATOR = " › "


@dataclass
class DocumentInfo:
    """Catalog facts about one document (empty where unknown)."""

    doc_id: str
    title: str
    source_file: str
    publisher: str = ""
    year: int | None = None
    doc_type: str = ""
    valid_from: int | None = None
    valid_to: int | None = None
    note: str = ""
    page_numbers: Literal["top", "bottom"] = "top"
    aliases: list[str] = field(default_factory=list)  # how people name the document in questions
    about: str = ""  # id of the document this one is about (a referral letter, an answer to it)
    # The document's own words → the everyday words people ask with instead (lowercase word beginnings or
    # phrases): {"utagerande": ["bråk", "slåss", "aggressiv"]}.
    synonyms: dict[str, list[str]] = field(default_factory=dict)
    in_catalog: bool = False

    @property
    def validity(self) -> str:
        if self.valid_from and self.valid_to:
            return f"{self.valid_from}–{self.valid_to}"
        if self.valid_to:
            return f"t.o.m. {self.valid_to}"
        return ""


@dataclass
class Block:
    """A structural unit of the cleaned text: ``text[start:end]``."""

    kind: BlockKind
    start: int
    end: int
    section: tuple[str, ...] = ()
    level: int = 0  # heading level; 0 for other blocks
    cells: tuple[str, ...] = ()  # table rows: the cell texts


@dataclass
class ParsedDocument:
    info: DocumentInfo
    text: str
    blocks: list[Block]
    # (offset, page) pairs, sorted by offset: the page that starts at that offset. The page is the
    # physical page of a PDF (1 = its first page), or the printed number found in a text extraction.
    page_starts: list[tuple[int, int]] = field(default_factory=list)
    content_hash: str = ""
    warnings: list[str] = field(default_factory=list)
    table_columns: dict[str, list[str]] = field(default_factory=dict)  # caption -> header cells
    page_labels: dict[int, str] = field(default_factory=dict)  # page -> printed label, where they differ

    def page_at(self, offset: int) -> int | None:
        if not self.page_starts:
            return None
        i = bisect.bisect_right([o for o, _ in self.page_starts], offset) - 1
        return self.page_starts[max(i, 0)][1]

    def page_range(self, start: int, end: int) -> tuple[int | None, int | None]:
        return self.page_at(start), self.page_at(max(start, end - 1))

    def page_label(self, page: int | None) -> str:
        """The printed label of ``page`` when it differs from the page's number ("iv", "7"), else ""."""
        return self.page_labels.get(page, "") if page is not None else ""

    def table_header_before(self, offset: int) -> tuple[str, ...]:
        """The cells of the last table header row before ``offset`` (the columns of a row there)."""
        return next((b.cells for b in reversed(self.blocks) if b.kind == "table_header" and b.start < offset), ())

    def block_index(self, offset: int) -> int | None:
        """The position in ``blocks`` of the block that holds ``offset``; None between blocks."""
        i = bisect.bisect_right(self._block_starts, offset) - 1
        return i if 0 <= i < len(self.blocks) and offset < self.blocks[i].end else None

    @cached_property
    def _block_starts(self) -> list[int]:
        return [b.start for b in self.blocks]

    def section_at(self, offset: int) -> tuple[str, ...]:
        for block in self.blocks:
            if block.start <= offset < block.end or block.start > offset:
                return block.section
        return self.blocks[-1].section if self.blocks else ()

    def to_dict(self) -> dict:
        return {
            "info": asdict(self.info),
            "text": self.text,
            "blocks": [asdict(b) for b in self.blocks],
            "page_starts": self.page_starts,
            "content_hash": self.content_hash,
            "warnings": self.warnings,
            "table_columns": self.table_columns,
            "page_labels": {str(k): v for k, v in self.page_labels.items()},
        }

    @classmethod
    def from_dict(cls, data: dict) -> ParsedDocument:
        blocks = [
            Block(**{**b, "section": tuple(b["section"]), "cells": tuple(b.get("cells", ()))})
            for b in data["blocks"]
        ]
        return cls(
            info=DocumentInfo(**data["info"]),
            text=data["text"],
            blocks=blocks,
            page_starts=[tuple(p) for p in data["page_starts"]],
            content_hash=data["content_hash"],
            warnings=list(data.get("warnings", [])),
            table_columns=dict(data.get("table_columns", {})),
            page_labels={int(k): v for k, v in data.get("page_labels", {}).items()},
        )


@dataclass
class Chunk:
    """A citable span ``text == document.text[start:end]`` with its location."""

    chunk_id: str
    doc_id: str
    doc_hash: str
    index: int
    text: str
    start: int
    end: int
    section: tuple[str, ...]
    page_start: int | None
    page_end: int | None
    kind: Literal["text", "table_row"] = "text"
    context: str = ""  # what is embedded in front of the text: title, section, table header

    @property
    def section_path(self) -> str:
        return SECTION_SEPARATOR.join(self.section)

    @property
    def embed_text(self) -> str:
        return f"{self.context}\n{self.text}" if self.context else self.text

    def to_metadata(self, info: DocumentInfo) -> dict[str, str | int | float | bool]:
        """Flat metadata for the vector store (Chroma allows no None values)."""
        meta: dict[str, str | int | float | bool] = {
            "doc_id": self.doc_id,
            "doc_hash": self.doc_hash,
            "chunk_index": self.index,
            "title": info.title,
            "publisher": info.publisher,
            "doc_type": info.doc_type,
            "source_file": info.source_file,
            "section": self.section_path,
            "start": self.start,
            "end": self.end,
            "kind": self.kind,
        }
        if info.year is not None:
            meta["year"] = info.year
        if self.page_start is not None:
            meta["page_start"] = self.page_start
            meta["page_end"] = self.page_end or self.page_start
        return meta

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Chunk:
        return cls(**{**data, "section": tuple(data["section"])})
