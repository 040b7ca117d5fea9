"""Chunks of the real documents are exact, located spans; Swedish sentence ends; one chunk per table row."""

from __future__ import annotations

import re

import pytest

from common.settings import PROJECT_ROOT
from index.model import SECTION_SEPARATOR, ParsedDocument
from ingest.catalog import load_catalog
from ingest.chunking import chunk_document
from ingest.loaders import content_hash, load_document
from ingest.tables import PROGRAM_COLUMNS
from swedish.sentences import ABBREVIATIONS as SWEDISH_ABBREVIATIONS
from swedish.sentences import sentence_spans

CORPUS = PROJECT_ROOT / "corpus"
HANDBOOK = "regional-samling-foraldraskapsstod-vastmanland.txt"


@pytest.fixture(scope="module")
def docs() -> dict[str, ParsedDocument]:
    catalog = load_catalog(CORPUS)
    parsed = {}
    for name, info in catalog.by_file.items():
        path = CORPUS / name
        doc = load_document(path, info)
        doc.content_hash = content_hash(path.read_bytes(), info)
        parsed[name] = doc
    return parsed


@pytest.mark.parametrize(("target", "maximum"), [(700, 1100), (300, 500)])
def test_chunks_are_exact_located_spans(docs, target, maximum):
    for name, doc in docs.items():
        chunks = chunk_document(doc, target, maximum)
        assert chunks, name
        assert [c.index for c in chunks] == list(range(len(chunks)))
        assert len({c.chunk_id for c in chunks}) == len(chunks)
        for chunk in chunks:
            assert chunk.text == doc.text[chunk.start:chunk.end]
            assert chunk.text == chunk.text.strip() and chunk.text
            assert chunk.doc_id == doc.info.doc_id and chunk.doc_hash == doc.content_hash
            assert chunk.chunk_id.startswith(f"{doc.info.doc_id}:{doc.content_hash[:12]}:")
            assert chunk.context.startswith(doc.info.title)
            if chunk.section:
                assert chunk.section_path == SECTION_SEPARATOR.join(chunk.section)
                assert chunk.section_path in chunk.context
            assert (chunk.page_start, chunk.page_end) == doc.page_range(chunk.start, chunk.end)
            if name.endswith(".txt"):
                assert chunk.page_start is not None and chunk.page_start <= chunk.page_end
            else:
                assert chunk.page_start is None  # Markdown has no pages
            if chunk.kind == "text":
                # The limit counts the text below headings (a heading travels with its text, blank lines
                # between blocks are not counted); only a single longer sentence may exceed it.
                body = sum(min(b.end, chunk.end) - max(b.start, chunk.start) for b in doc.blocks
                           if b.start < chunk.end and b.end > chunk.start and b.kind != "heading")
                assert body <= maximum or len(sentence_spans(doc.text, chunk.start, chunk.end)) == 1, chunk.text
        for left, right in zip(chunks, chunks[1:]):
            assert left.end <= right.start  # in document order, never overlapping


def test_chunks_cover_all_text_except_table_headers(docs):
    for name, doc in docs.items():
        chunks = chunk_document(doc)
        covered = bytearray(len(doc.text))
        for chunk in chunks:
            covered[chunk.start:chunk.end] = b"\x01" * (chunk.end - chunk.start)
        for block in doc.blocks:
            if block.kind == "table_header":
                continue
            # Every character of the block (the spaces between sentences of a long block aside) is in a chunk.
            missed = [ch for ch, c in zip(doc.text[block.start:block.end], covered[block.start:block.end])
                      if not c and not ch.isspace()]
            assert not missed, (name, doc.text[block.start:block.end][:80])


def test_a_chunk_stays_within_one_top_level_section(docs):
    for name, doc in docs.items():
        for chunk in chunk_document(doc):
            inside = [b for b in doc.blocks if b.start < chunk.end and b.end > chunk.start]
            tops = {b.section[:1] for b in inside if b.kind != "heading"}
            assert len(tops) <= 1, (name, chunk.index, tops)
            if tops:
                assert chunk.section[:1] in tops


def test_chunk_pages_span_a_page_break(docs):
    doc = docs["regional-strategi-foraldraskapsstod-orebro-lan-2024-2030-remiss.txt"]
    chunks = chunk_document(doc)
    spanning = [c for c in chunks if c.page_start != c.page_end]
    assert spanning
    for chunk in spanning:
        # The chunk really holds text from both pages: a page starts inside it.
        assert any(chunk.start < offset < chunk.end and page == chunk.page_end for offset, page in doc.page_starts)
    varfor = next(c for c in chunks if "Örebro läns strategi ska bidra till att främja" in c.text)
    assert varfor.page_start == 10 and varfor.section == ("2. Varför en regional strategi?",)


# --- sentences ---------------------------------------------------------------------------

# Sentences in the documents' own words and names, with a Swedish abbreviation before a
# capitalised word (where a naive splitter cuts), each followed by a real second sentence.
ABBREVIATED = [
    ("Strategin har tagits fram av bl.a. Region Örebro län och Länsstyrelsen i Örebro län.",
     "Den ska ge länet en gemensam riktning."),
    ("Selektiva program som t.ex. Komet och Connect riktar sig till föräldrar med barn i mer specifika åldersspann.",
     "Komet var den mest använda metoden."),
    ("En familjecentral ska minst innehålla mödra- och barnhälsovård, öppen förskola m.m. (Socialstyrelsen, 2008).",
     "Verksamheten bedrivs i gemensamma lokaler."),
    ("Flera kommuner erbjuder s.k. ICDP-grupper för föräldrar.",
     "ICDP står för International children's development program."),
    ("Barnhälsovården, dvs. BVC, når nästan alla föräldrar.",
     "BVC gör fler anmälningar till socialtjänsten när BVC är samlokaliserad på en familjecentral."),
    ("Föräldrar till barn i åldern 0–18 år, d.v.s. Alla föräldrar, ska erbjudas stöd.",
     "Det framgår av den nationella strategin."),
    # A bill's budget reference (Prop. 2013/14:104, not tuned on): "utg. omr. 13" cut "… 13, avsnitt 3.6.3 …,
    # uppgår till sammanlagt 4 miljoner kronor" off its subject.
    ("Ökningen, som är beaktad i budgetpropositionen (se prop. 2099/00:1 utg. omr. 13), uppgår till 4 miljoner kronor.",
     "Kommunernas kostnader påverkas inte."),
]


@pytest.mark.parametrize(("first", "second"), ABBREVIATED)
def test_abbreviations_do_not_end_sentences(first, second):
    text = f"{first} {second}"
    spans = sentence_spans(text)
    assert [text[s:e] for s, e in spans] == [first, second]


def test_a_reply_word_belongs_to_the_sentence_it_introduces():
    """"Nej." alone answers a question the text does not repeat (a FAQ page without its questions): quoted
    apart, the sentence after it loses what it answers, and "Nej." itself is a fragment."""
    text = "Nej. Ditt barn kan inte skadas av röken. Ja, det går bra. Han sa nej. Sedan gick han."
    assert [text[s:e] for s, e in sentence_spans(text)] == [
        "Nej. Ditt barn kan inte skadas av röken.", "Ja, det går bra.", "Han sa nej.", "Sedan gick han."]


def test_real_sentence_ends_split_and_offsets_are_absolute(docs):
    doc = docs["kommundialoger-foraldraskapsstod-orebro-lan-2016.txt"]
    start = doc.text.index("Länsstyrelsen i Örebro län (enheten för Social hållbarhet)")
    end = doc.text.index("ideell sektor som verkar inom föräldraskapsstödsområdet.") + len(
        "ideell sektor som verkar inom föräldraskapsstödsområdet.")
    spans = sentence_spans(doc.text, start, end)
    sentences = [doc.text[s:e] for s, e in spans]
    assert len(sentences) == 2
    assert sentences[0].endswith("för en dialog inom området föräldraskapsstöd, så kallad kommundialog.")
    assert sentences[1].startswith("Målgruppen för dialogerna var förtroendevalda")
    assert spans[0][0] == start and spans[-1][1] == end


def test_no_sentence_in_the_corpus_ends_with_an_abbreviation(docs):
    count = 0
    for doc in docs.values():
        for block in doc.blocks:
            for s, e in sentence_spans(doc.text, block.start, block.end):
                count += 1
                last = doc.text[s:e].split()[-1].lower().rstrip(".")
                if e < block.end:  # a sentence cut inside a block must not be cut at an abbreviation
                    assert last not in SWEDISH_ABBREVIATIONS, doc.text[s:e]
    assert count > 1000


# --- tables ------------------------------------------------------------------------------


def test_each_table_row_is_one_chunk_with_the_column_names(docs):
    doc = docs[HANDBOOK]
    chunks = chunk_document(doc)
    rows = [b for b in doc.blocks if b.kind == "table_row"]
    row_chunks = [c for c in chunks if c.kind == "table_row"]
    assert len(row_chunks) == len(rows) == 8
    for block, chunk in zip(rows, row_chunks):
        assert (chunk.start, chunk.end) == (block.start, block.end)
        assert chunk.text == " | ".join(block.cells)
        for column in PROGRAM_COLUMNS:
            assert column in chunk.context
        for column, cell in zip(PROGRAM_COLUMNS, block.cells):
            assert f"{column}: {cell}" in chunk.context
        assert "Tabell 1. Utvärderade program och metoder" in chunk.context
        assert chunk.embed_text.endswith(chunk.text) and chunk.context in chunk.embed_text
    connect = next(c for c in row_chunks if c.text.startswith("Connect |"))
    assert "Målgrupp, föräldrar med barn i åldrarna: 8–18 år (med utagerande problematik)" in connect.context


def test_no_text_chunk_contains_a_table_row(docs):
    for name, doc in docs.items():
        chunks = chunk_document(doc)
        rows = [b for b in doc.blocks if b.kind in ("table_row", "table_header")]
        for chunk in (c for c in chunks if c.kind == "text"):
            for row in rows:
                assert row.end <= chunk.start or row.start >= chunk.end, (name, chunk.text[:80])
            assert not re.search(r" \| (Universell|Selektiv|Indikerad) \| ", chunk.text)
