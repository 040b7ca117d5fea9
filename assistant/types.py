"""The typed results the assistant returns (the contract with the UI and the CLI)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Generic, TypeVar

from index.knowledge import CommitmentItem, GlossaryEntry, ProgramRecord

Record = TypeVar("Record", GlossaryEntry, ProgramRecord, CommitmentItem)


def page_text(page: int | None, label: str = "") -> str:
    """"s. 12", or "s. iv (PDF-sida 6)" when the printed label and the PDF page differ; "" without a page."""
    if page is None:
        return ""
    return f"s. {label} (PDF-sida {page})" if label else f"s. {page}"


@dataclass
class Citation:
    """What an inline marker [n] resolves to: a verbatim quote at a known place."""

    n: int
    doc_id: str
    source_file: str
    title: str
    publisher: str
    year: int | None
    page: int | None  # the PDF's page (1 = its first), or the printed page of a text extraction
    section: str
    quote: str
    start: int  # offsets of the quote in the document's cleaned text
    end: int
    chunk_id: str = ""
    page_label: str = ""  # the page's printed label when it differs from ``page`` ("iv", "12")

    @property
    def page_text(self) -> str:
        return page_text(self.page, self.page_label)

    def source_line(self) -> str:
        """"Titel (Utgivare, 2023), s. 12, Avsnitt": what is known, and no empty parentheses."""
        details = ", ".join(x for x in (self.publisher, str(self.year) if self.year else "") if x)
        return ", ".join(x for x in (f"{self.title} ({details})" if details else self.title, self.page_text,
                                     self.section) if x)


@dataclass
class Passage:
    """A retrieved passage, in rank order."""

    doc_id: str
    source_file: str
    title: str
    page: int | None
    section: str
    text: str
    score: float
    chunk_id: str = ""
    start: int = 0
    end: int = 0
    page_label: str = ""  # the page's printed label when it differs from ``page``


@dataclass
class Answer:
    question: str
    answer: str  # Markdown with [n] markers
    refused: bool
    citations: list[Citation] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)  # e.g. "searched words only: the vector store is down"
    effective_question: str = ""  # the question as understood with the conversation so far
    engine: str = "extractive"  # the answerer that wrote it: extractive | generative
    kind: str = "search"  # search | glossary | programs | commitments | comparison
    # Generative answerer only: how the model's answer fared in the guard rails (assistant/guardrails.py):
    # unrepaired | repaired | fallback (the extractive answer instead) | skipped (model not asked); "" otherwise.
    guardrails: str = ""
    guardrail_issues: list[str] = field(default_factory=list)  # why: restatement, fewer_facts_than_extractive …

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class DocumentSummary:
    doc_id: str
    title: str
    publisher: str
    year: int | None
    doc_type: str
    validity: str
    source_file: str
    chunks: int
    indexed_at: str
    note: str = ""


@dataclass
class Filters:
    """Restrict a search to some documents, publishers or document types (empty = all)."""

    doc_ids: list[str] = field(default_factory=list)
    publishers: list[str] = field(default_factory=list)
    doc_types: list[str] = field(default_factory=list)

    def is_empty(self) -> bool:
        return not (self.doc_ids or self.publishers or self.doc_types)


@dataclass
class Sourced(Generic[Record]):
    """A knowledge record with the citation of the passage it was extracted from."""

    record: Record
    source: Citation


@dataclass
class KnowledgeTables:
    """What the documents define, recommend and commit to, for browsing (see ``index/knowledge.py``)."""

    glossary: list[Sourced[GlossaryEntry]] = field(default_factory=list)
    programs: list[Sourced[ProgramRecord]] = field(default_factory=list)
    commitments: list[Sourced[CommitmentItem]] = field(default_factory=list)
