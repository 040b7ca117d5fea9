"""Structured knowledge extracted from a parsed document at ingest time.

Every item keeps the offsets of the text it came from, so an answer built from it
cites the exact passage. Extracted here:

* glossary: abbreviations and defined terms ("BVC - Barnavårdscentral",
  "Myndigheten för familjerätt och föräldraskapsstöd (MFoF)", "ANDTS står för …",
  "Preventionsparadoxen innebär att …", the prevention levels); it also feeds query
  expansion;
* programs: the rows of a table of evaluated parenting programmes (name, type, ages,
  problem, form, effect) and the sentences that qualify the table (caveats);
* commitments: what a strategy says shall be done — the items of "Det ska" lists and
  of "Insatsområden" lists, grouped by target area — and its statements about
  follow-up, responsibility, revision and validity.
"""

from __future__ import annotations

import re
from collections import Counter

from index.knowledge import CommitmentItem, GlossaryEntry, HeadingNote, Knowledge, ProgramRecord
from index.model import SECTION_SEPARATOR, ParsedDocument
from ingest.cleaning import DEFINITION_ENTRY_RE
from ingest.tables import PROGRAM_COLUMNS
from swedish.names import long_forms
from swedish.numbers import NUMBER_WORD_PATTERN
from swedish.questions import leans_on_previous
from swedish.sentences import sentence_spans
from swedish.tokens import STOPWORDS, words

# --- glossary --------------------------------------------------------------------------

_ABBR = r"[A-ZÅÄÖ][A-ZÅÄÖa-zåäö/]{1,9}"
_PAREN_ABBR_RE = re.compile(rf"\(({_ABBR})\)")
_STAR_FOR_RE = re.compile(rf"\b({_ABBR}) står för ([^.]+)\.")
_DEFINES_RE = re.compile(
    r"^(?:Ett |En |Med )?(?P<term>[A-ZÅÄÖa-zåäö][a-zåäö]+(?: [a-zåäö]+)?) (?:innebär att|avses|definieras som|kallas)"
)
_LEVEL_RE = re.compile(
    r"^(?:Ett |Det )?(?P<term>(?:[Uu]niversell|[Ss]elektiv|[Ii]ndikera[dt]|[Uu]niversiell)\w*"
    r"(?: föräldraskapsstöd| stöd| insatser)?"
    r"|Insatser på (?:universell|selektiv|indikerad) nivå|Selektiva och indikerade insatser)"
    r" (?:är|ges|har fokus|fokuserar|fungerar|kallas|riktar|vänder)"
)
_PRONOUN_CALLED_RE = re.compile(r"\b(?:det|den|detta|denna|dessa|de)\s+(?:\w+\s+)?kallas\b", re.IGNORECASE)
_CALLED_RE = re.compile(r"\bkallas (?:ibland )?(?:också )?(?:för )?([a-zåäö]+(?: [a-zåäö]+)?)(?: \[\d+\])?\.?$")
_NOT_TERMS = {"det", "den", "denna", "detta", "ett", "en", "att", "med", "stöd", "barns", "dessa", "vi", "man"}
_DEFINITION_SECTIONS = re.compile(r"^(definition(er)?|begrepp|ordlista|förkortningar)$", re.I)


def _is_abbreviation(token: str) -> bool:
    capitals = sum(1 for c in token if c.isupper())
    return capitals >= 2 and len(token) <= 10


def _expansion_before(text: str, abbr: str) -> str | None:
    """The words before "(ABBR)" that the abbreviation's letters spell, as written, if any."""
    matches = list(re.finditer(r"[\wÅÄÖåäö'-]+", text))
    words = [m.group(0) for m in matches]
    letters = [c.lower() for c in abbr if c.isalpha()]
    for size in long_forms(abbr, words):
        initials = sum(1 for w in words[-size:] if w[0].lower() in letters)
        if initials * 2 >= len(letters) or size == 1:
            return text[matches[-size].start():].strip(" ,")
    return None


def extract_glossary(doc: ParsedDocument) -> list[GlossaryEntry]:
    entries: list[GlossaryEntry] = []
    defined: list[GlossaryEntry] = []  # "X innebär att …", "Med X avses …"
    text, doc_id = doc.text, doc.info.doc_id
    for block in doc.blocks:
        block_text = text[block.start:block.end]
        if block.kind == "paragraph" and DEFINITION_ENTRY_RE.match(block_text):
            term, _, definition = re.split(r" ([-–]) ", block_text, maxsplit=1)
            kind = "abbreviation" if _is_abbreviation(term) else "definition"
            # A term is explained in a phrase; "Korttidsvistelse - Korttidsboende" is a title with another name.
            if kind == "abbreviation" or len(definition.split()) >= 3:
                entries.append(GlossaryEntry(term, definition.strip(), kind, doc_id, block.start, block.end))
                continue
        if block.kind == "paragraph" and block.section and _DEFINITION_SECTIONS.match(block.section[-1]):
            head = re.match(r"^([A-ZÅÄÖ][a-zåäö]+) ([A-ZÅÄÖ].+)$", block_text)  # "Arenor Platser där …"
            if head:
                entries.append(
                    GlossaryEntry(head.group(1), head.group(2), "definition", doc_id, block.start, block.end))
                continue
        if block.kind in ("heading", "caption", "table_row", "table_header"):
            continue
        previous: int | None = None
        for s, e in sentence_spans(text, block.start, block.end):
            sentence = text[s:e]
            before, previous = previous, s  # where the sentence before this one (in this block) starts
            for match in _STAR_FOR_RE.finditer(sentence):
                entries.append(GlossaryEntry(match.group(1), match.group(2).strip(), "abbreviation", doc_id, s, e))
            for match in _PAREN_ABBR_RE.finditer(sentence):
                abbr = match.group(1)
                if not _is_abbreviation(abbr):
                    continue
                expansion = _expansion_before(sentence[:match.start()], abbr)
                if expansion and expansion.lower() != abbr.lower():
                    entries.append(GlossaryEntry(abbr, expansion, "abbreviation", doc_id, s, e))
            if len(sentence) > 400:
                continue
            for pattern in (_DEFINES_RE, _LEVEL_RE):
                found = pattern.match(sentence)
                if found and found.group("term").lower() not in _NOT_TERMS \
                        and not any(w in STOPWORDS for w in words(found.group("term"))):  # "Vad som avses …"
                    entries.append(GlossaryEntry(found.group("term"), sentence, "definition", doc_id, s, e))
                    if pattern is _DEFINES_RE:
                        defined.append(entries[-1])
                    break
            called = _CALLED_RE.search(sentence)  # "… kallas ibland också för riktat stöd"
            if called:
                # "Det kallas för preventionsparadoxen.": the sentence before says what "det" is
                # and so does "… föreslår att det skall kallas rättsinformationssystemet."
                points_back = leans_on_previous(sentence) or _PRONOUN_CALLED_RE.search(sentence) is not None
                start = before if before is not None and points_back else s
                entries.append(GlossaryEntry(called.group(1), text[start:e], "definition", doc_id, start, e))
    # A word "defined" twice in other words points back to what the text just said ("Ändringen innebär att
    # dagar …", "Ändringen innebär att tredje stycket upphävs."): it is no term. So does a word in its
    # definite form that the document uses all over ("Föreskriften innebär att …" in a regulation), unlike a
    # concept named once or twice ("Preventionsparadoxen innebär att …").
    times = Counter(entry.term for entry in defined)
    pointers = {id(entry) for entry in defined
                if times[entry.term] > 1 or _common_definite(entry.term, doc)}
    return [entry for entry in entries if id(entry) not in pointers]


def _common_definite(term: str, doc: ParsedDocument, blocks: int = 5) -> bool:
    """``term`` is one word in the definite form ("Föreskriften", "Förslaget") whose base the document writes
    in ``blocks`` blocks or more."""
    found = re.fullmatch(r"([A-ZÅÄÖa-zåäö]{4,}?)(en|et|n|t)", term)
    if found is None or " " in term:
        return False
    base = re.compile(rf"\b{found.group(1)}", re.IGNORECASE)
    return sum(1 for b in doc.blocks if base.search(doc.text, b.start, b.end)) >= blocks


# --- programs --------------------------------------------------------------------------

_EFFECT_LEVELS = [
    (re.compile(r"måttlig eller stor|stor", re.I), 3),
    (re.compile(r"små till måttliga|måttlig", re.I), 2),
    (re.compile(r"positiv", re.I), 2),
    (re.compile(r"liten|små", re.I), 1),
    (re.compile(r"ingen", re.I), 0),
]


def parse_age_ranges(text: str) -> list[tuple[int, int]]:
    if re.search(r"alla åldrar", text, re.I):
        return [(0, 18)]
    return [(int(a), int(b)) for a, b in re.findall(r"(\d+)\s*[–-]\s*(\d+)\s*år", text)]


def effect_level(text: str) -> int:
    for pattern, level in _EFFECT_LEVELS:
        if pattern.search(text):
            return level
    return -1


def extract_programs(doc: ParsedDocument) -> tuple[list[ProgramRecord], list[tuple[int, int]]]:
    programs: list[ProgramRecord] = []
    headers = [b for b in doc.blocks if b.kind == "table_header" and list(b.cells) == PROGRAM_COLUMNS]
    if not headers:
        return [], []
    section = headers[0].section
    for block in doc.blocks:
        if block.kind != "table_row" or len(block.cells) != 5:
            continue
        name, program_type, ages, form, effect = block.cells
        problem = re.search(r"\(med ([^)]+)\)", ages)
        programs.append(ProgramRecord(
            name=name, program_type=program_type, ages=ages, age_ranges=parse_age_ranges(ages),
            problem=problem.group(1) if problem else "", form=form, effect=effect,
            effect_level=effect_level(effect), doc_id=doc.info.doc_id, start=block.start, end=block.end,
        ))
    # Sentences in the table's section that qualify what the table can be used for.
    caveats = []
    for block in doc.blocks:
        if block.section[:len(section)] != section or block.kind not in ("paragraph", "caption"):
            continue
        for s, e in sentence_spans(doc.text, block.start, block.end):
            sentence = doc.text[s:e].lower()
            if re.search(r"utvärderingarna gjordes|högre effekt|mätbara effekter|på lång sikt|når utsatta", sentence):
                caveats.append((s, e))
    return programs, caveats


# --- commitments ---------------------------------------------------------------------

_TARGET_AREAS_RE = re.compile(rf"\b(?:{NUMBER_WORD_PATTERN}) målområden[;:]\s*([^.]+)\.")
_AREA_HEADING_RE = re.compile(r"^(?:Målområde|Övergripande mål)\s*(\d)\s*[–:-]*\s*(.*)$")
_STATEMENT_PATTERNS = [
    ("follow_up", re.compile(r"följ\w* upp|uppföljning|\bföljs\b.*\bupp\b", re.I)),
    ("revision", re.compile(r"revider|revision", re.I)),
    ("responsibility", re.compile(r"\bansvar\w*|i uppdrag|har till uppgift|leds av", re.I)),
    ("validity", re.compile(r"\bgäller\b.*\b20\d\d|\b20\d\d\s*[-–]\s*20\d\d\b.*\b(period|gäller)|"
                            r"Dokumentet gäller|Fastställt av|Datum:", re.I)),
]


def _target_area_names(doc: ParsedDocument) -> tuple[list[str], tuple[int, int] | None]:
    """The target areas as the text names them, and the sentence that names them."""
    match = _TARGET_AREAS_RE.search(doc.text)
    if not match:
        return [], None
    names = [n.strip() for n in re.split(r",\s*|\s+och\s+", match.group(1)) if n.strip()]
    span = next(((s, e) for s, e in sentence_spans(doc.text) if s <= match.start() < e), None)
    return names, span


def extract_commitments(doc: ParsedDocument) -> tuple[list[CommitmentItem], list[HeadingNote]]:
    text, doc_id = doc.text, doc.info.doc_id
    items: list[CommitmentItem] = []
    notes: list[HeadingNote] = []
    names, names_span = _target_area_names(doc)
    blocks = doc.blocks

    def area_label(number: int, heading: str) -> str:
        if names and number <= len(names):
            return f"Målområde {number} – {names[number - 1][0].upper()}{names[number - 1][1:]}"
        return heading

    # "Det ska" lists: the n-th list belongs to the n-th target area (two-column layouts
    # can put an area's heading after some of its items, so the order is what counts).
    group_number = 0
    for i, block in enumerate(blocks):
        if block.kind != "paragraph" or text[block.start:block.end].strip() != "Det ska":
            continue
        group_number += 1
        heading = next((b for b in blocks[i::-1] if b.kind == "heading" and b.level == 2), None)
        heading_text = text[heading.start:heading.end] if heading else ""
        label = area_label(group_number, heading_text)
        for item in blocks[i + 1:]:
            item_text = text[item.start:item.end]
            if item.kind == "heading" or item_text.strip() == "Det ska" or not item_text[:1].islower():
                if item.kind == "heading" and _AREA_HEADING_RE.match(item_text):
                    continue  # a target-area heading set between items of the same column
                break
            items.append(CommitmentItem(label, f"Det ska {item_text}", doc_id, item.start, item.end,
                                        lead_start=block.start, lead_end=block.end))
    # The source's own headings may disagree with the names its text gives the target areas.
    for block in blocks:
        if block.kind != "heading":
            continue
        heading = _AREA_HEADING_RE.match(text[block.start:block.end])
        if heading and names and int(heading.group(1)) <= len(names):
            said = names[int(heading.group(1)) - 1]
            if said.lower() not in heading.group(2).lower() and names_span:
                notes.append(HeadingNote(heading=text[block.start:block.end], number=int(heading.group(1)),
                                         named=said, heading_span=(block.start, block.end), names_span=names_span))

    # "Insatsområden" lists under each goal heading.
    for i, block in enumerate(blocks):
        if block.kind != "heading" or not text[block.start:block.end].lower().startswith("insatsområde"):
            continue
        goal = next((text[b.start:b.end] for b in blocks[i::-1]
                     if b.kind == "heading" and _AREA_HEADING_RE.match(text[b.start:b.end])), "")
        for item in blocks[i + 1:]:
            if item.kind != "list_item":
                break
            items.append(CommitmentItem(goal, text[item.start:item.end], doc_id, item.start, item.end))

    # Follow-up, responsibility, revision and validity statements.
    seen = {(c.start, c.end) for c in items}
    for block in blocks:
        if block.kind in ("heading", "caption", "table_row", "table_header", "footnote", "quote"):
            continue
        for s, e in sentence_spans(text, block.start, block.end):
            if (s, e) in seen or e - s > 400:
                continue
            sentence = text[s:e]
            for kind, pattern in _STATEMENT_PATTERNS:
                if pattern.search(sentence):
                    group = SECTION_SEPARATOR.join(block.section[-1:])
                    items.append(CommitmentItem(group, sentence, doc_id, s, e, kind=kind))
                    break
    return items, notes


def _unique(entries: list[GlossaryEntry]) -> list[GlossaryEntry]:
    seen: set[tuple[str, str]] = set()
    result = []
    for entry in entries:
        key = (entry.term.lower(), entry.definition.lower())
        if key not in seen:
            seen.add(key)
            result.append(entry)
    return result


def extract_knowledge(doc: ParsedDocument) -> Knowledge:
    """All knowledge of one document (stored with the parsed document)."""
    programs, caveats = extract_programs(doc)
    commitments, notes = extract_commitments(doc) if doc.info.doc_type in ("strategi", "") else ([], [])
    return Knowledge(
        glossary=_unique(extract_glossary(doc)), programs=programs, program_caveats=caveats,
        commitments=commitments, notes=notes,
    )
