"""Typed knowledge records: what ingest extracts from a document (``ingest/knowledge.py``),
what the index stores beside it as JSON, and what the assistant answers from.

Every record keeps the offsets of the text it came from (``document.text[start:end]``), so an
answer built from it cites the exact passage.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

GlossaryKind = Literal["abbreviation", "definition"]
CommitmentKind = Literal["commitment", "follow_up", "responsibility", "revision", "validity"]


@dataclass
class GlossaryEntry:
    term: str  # as written: "BVC", "Familjecentral", "Preventionsparadoxen"
    definition: str  # "Barnavårdscentral", or the defining sentence
    kind: GlossaryKind
    doc_id: str
    start: int  # the cited span in the document text
    end: int


@dataclass
class ProgramRecord:
    """A row of a table of evaluated parenting programmes."""

    name: str
    program_type: str  # Universell | Selektiv | Indikerad
    ages: str  # as written: "3–12 år (med utagerande problematik)"
    age_ranges: list[tuple[int, int]]
    problem: str  # "utagerande problematik", or ""
    form: str
    effect: str
    effect_level: int  # 0 none/small … 3 moderate-large; -1 unknown
    doc_id: str
    start: int
    end: int


@dataclass
class CommitmentItem:
    """What a strategy says shall be done, or how it is followed up, revised, owned and valid."""

    group: str  # "Målområde 1 – Ett kunskapsbaserat arbetssätt"
    text: str  # the statement as it reads with its lead-in: "Det ska erbjudas …"
    doc_id: str
    start: int  # the item's own text (what the citation quotes)
    end: int
    kind: CommitmentKind = "commitment"
    lead_start: int = -1  # the lead-in the item continues ("Det ska"), when it is a block of its own
    lead_end: int = -1

    @property
    def lead(self) -> tuple[int, int] | None:
        return (self.lead_start, self.lead_end) if self.lead_start >= 0 else None


@dataclass
class HeadingNote:
    """A source inconsistency: a heading that names a target area differently from the text."""

    heading: str
    number: int
    named: str
    heading_span: tuple[int, int]
    names_span: tuple[int, int]


@dataclass
class Knowledge:
    """All knowledge extracted from one document."""

    glossary: list[GlossaryEntry] = field(default_factory=list)
    programs: list[ProgramRecord] = field(default_factory=list)
    program_caveats: list[tuple[int, int]] = field(default_factory=list)  # sentences that qualify the table
    commitments: list[CommitmentItem] = field(default_factory=list)
    notes: list[HeadingNote] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Knowledge:
        return cls(
            glossary=[GlossaryEntry(**g) for g in data.get("glossary", [])],
            programs=[ProgramRecord(**{**p, "age_ranges": [tuple(r) for r in p["age_ranges"]]})
                      for p in data.get("programs", [])],
            program_caveats=[(int(s), int(e)) for s, e in data.get("program_caveats", [])],
            commitments=[CommitmentItem(**c) for c in data.get("commitments", [])],
            notes=[HeadingNote(**{**n, "heading_span": tuple(n["heading_span"]), "names_span": tuple(n["names_span"])})
                   for n in data.get("notes", [])],
        )
