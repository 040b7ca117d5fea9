"""Structure of the real parsed documents: section paths, recovered page numbers, the programme table, Markdown."""

from __future__ import annotations

import re

import pytest

from common.settings import PROJECT_ROOT
from index.model import ParsedDocument
from ingest.catalog import load_catalog
from ingest.cleaning import RawUnit
from ingest.loaders import load_document
from ingest.structure import first_heading_title

CORPUS = PROJECT_ROOT / "corpus"
STRATEGY = "regional-strategi-foraldraskapsstod-orebro-lan-2024-2030-remiss.txt"
DIALOGUES = "kommundialoger-foraldraskapsstod-orebro-lan-2016.txt"
HANDBOOK = "regional-samling-foraldraskapsstod-vastmanland.txt"
LINDESBERG = "lindesberg-strategi-foraldraskapsstod-2023-2026.md"


@pytest.fixture(scope="module")
def docs() -> dict[str, ParsedDocument]:
    catalog = load_catalog(CORPUS)
    assert not catalog.errors
    return {name: load_document(CORPUS / name, info) for name, info in catalog.by_file.items()}


def raw(name: str) -> str:
    return (CORPUS / name).read_text(encoding="utf-8")


def block_text(doc: ParsedDocument, block) -> str:
    return doc.text[block.start:block.end]


def headings(doc: ParsedDocument) -> dict[str, object]:
    return {block_text(doc, b): b for b in doc.blocks if b.kind == "heading"}


def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_every_catalogued_document_parses_into_consistent_blocks(docs):
    assert len(docs) == 6
    for name, doc in docs.items():
        assert doc.blocks, name
        previous_end = 0
        for block in doc.blocks:
            text = block_text(doc, block)
            assert text and text == text.strip(), (name, block)
            assert block.start >= previous_end, (name, block)
            previous_end = block.end
        offsets = [o for o, _ in doc.page_starts]
        assert offsets == sorted(offsets), name
        if name.endswith(".txt"):
            pages = [p for _, p in doc.page_starts]
            assert pages == sorted(pages) and pages, name


def test_section_paths_follow_the_heading_hierarchy(docs):
    doc = docs[STRATEGY]
    by_text = {block_text(doc, b): b for b in doc.blocks}
    goal_area = ("5. Ett mål och tre målområden", "Målområde 2 – Ett tillgängligt stöd")
    item = by_text["utvecklas arbetssätt för att nå de föräldrar som inte nås"]
    assert item.section == goal_area
    assert headings(doc)["Målområde 2 – Ett tillgängligt stöd"].level == 2
    assert headings(doc)["5. Ett mål och tre målområden"].level == 1
    assert any(b.section == goal_area and b.kind != "heading" for b in doc.blocks)
    # A numbered chapter closes the previous chapter's subsections.
    assert by_text["Det krävs ett aktivt och systematiskt arbete på olika nivåer hos och mellan de aktörer som möter "
                   "barn och föräldrar för att kunna erbjuda och bedriva ett jämlikt och jämställt "
                   "föräldraskapsstöd. Här ansvarar såväl länets kommuner, Region Örebro län, Länsstyrelsen i "
                   "Örebro län och civilsamhället för sina olika uppdrag och ansvarsområden."].section == (
        "6. Tillsammans för ett stärkt föräldraskapsstöd",)
    # Every numbered chapter of the strategy is a level-1 heading, in order.
    numbered = [t for t, b in headings(doc).items() if re.match(r"\d\. ", t) and b.level == 1]
    assert [t[0] for t in numbered] == ["1", "2", "3", "4", "5", "6"]


def test_a_sentence_leading_into_what_follows_is_not_a_heading(docs):
    doc = docs[HANDBOOK]
    by_text = {block_text(doc, b): b for b in doc.blocks}
    lead_in = by_text["Kartläggningen bestod av fyra delar:"]
    assert lead_in.kind == "paragraph"  # it introduces the parts; it does not head them
    part = headings(doc)["Del 1. Litteraturstudie"]
    assert part.section[:-1] == lead_in.section  # the parts are subsections of the section it is in


def test_regional_strategy_pages_come_from_its_running_headers(docs):
    doc = docs[STRATEGY]
    assert doc.page_at(headings(doc)["2. Varför en regional strategi?"].start) == 10
    lines = raw(STRATEGY).split("\n")
    checked = 0
    for i, line in enumerate(lines):
        m = re.search(r"\|\s*(\d{1,3})\s*$", line) or re.match(r"^\s*(\d{1,3})\s*\|.*\|", line)
        if not m:
            continue
        # The first line with words after the header is on that page.
        following = next(collapse(x) for x in lines[i + 1:] if re.search(r"[A-Za-zÅÄÖåäö]{3}", x))
        offset = doc.text.find(following)
        assert offset >= 0, following
        assert doc.page_at(offset) == int(m.group(1)), (line, following)
        checked += 1
    assert checked == 3


def test_report_headings_are_on_the_pages_its_table_of_contents_gives(docs):
    doc = docs[DIALOGUES]
    toc = {collapse(m.group(1)): int(m.group(2))
           for m in re.finditer(r"^(\S.*?)\s*\.{4,}\s*(\d+)\s*$", raw(DIALOGUES), flags=re.M)}
    assert toc["Resultat från kommundialogerna"] == 17 and len(toc) == 29
    found = headings(doc)
    for title in ("Resultat från kommundialogerna", "Reflektioner av resultat", "Spridning av resultat"):
        assert doc.page_at(found[title].start) == toc[title]
    for title, page in toc.items():
        if title not in doc.text:
            assert title == "Referenser"  # the extraction ends before the reference list
            continue
        assert title in found, title
        assert doc.page_at(found[title].start) == page, title


def test_handbook_pages_come_from_its_page_footers(docs):
    doc = docs[HANDBOOK]
    lines = raw(HANDBOOK).split("\n")
    checked = 0
    for i, line in enumerate(lines):
        if not (re.fullmatch(r"\s*\d{1,3}\s*", line) and not lines[i - 1].strip() and not lines[i + 1].strip()):
            continue
        before = next(collapse(x) for x in reversed(lines[:i]) if x.strip())
        if before.isdigit():
            continue  # an empty page (a full-page picture)
        assert doc.text.count(before) == 1, before
        assert doc.page_at(doc.text.index(before)) == int(line), before
        checked += 1
    assert checked == 2


def test_programme_table_rows_have_five_cells(docs):
    doc = docs[HANDBOOK]
    rows = [b for b in doc.blocks if b.kind == "table_row"]
    headers = [b for b in doc.blocks if b.kind == "table_header"]
    assert len(rows) == 8
    assert all(len(r.cells) == 5 for r in rows)
    assert len(headers) == 1
    assert headers[0].cells == ("Program", "Typ av program", "Målgrupp, föräldrar med barn i åldrarna",
                                "Tillämpning", "Effekt")
    assert headers[0].end < rows[0].start
    connect = next(r for r in rows if r.cells[0] == "Connect")
    assert connect.cells == ("Connect", "Selektiv", "8–18 år (med utagerande problematik)",
                             "Handledning i mindre grupp", "Positiva effekter")
    assert block_text(doc, connect) == " | ".join(connect.cells)
    # The programmes are the eight the handbook's text names, universal ones first.
    names = [r.cells[0] for r in rows]
    assert names == ["Alla barn i centrum", "Ömsesidig respekt", "Triple P nivå 1–3 (av 5)", "Aktivt föräldraskap",
                     "Cope", "Connect", "De otroliga åren", "Komet"]
    prose = collapse(raw(HANDBOOK))
    assert "där Alla barn i centrum, Ömsesidig respekt, Triple P nivå 1–3 (av 5) och Aktivt föräldraskap" in prose
    assert "Cope, Connect, De otroliga åren och Komet bedömdes som selektivt stöd" in prose
    assert [r.cells[1] for r in rows] == ["Universell"] * 4 + ["Selektiv"] * 4
    for row in rows:  # every cell is text of the flattened table in the source
        for cell in row.cells:
            assert cell in prose, cell
    # The caption follows the table, and the rows sit in the section that introduces them.
    caption = next(b for b in doc.blocks if b.kind == "caption" and block_text(doc, b).startswith("Tabell 1."))
    assert rows[-1].end < caption.start
    assert rows[0].section[-1] == "Utvärderade föräldraskapsstödjande program och metoder"
    assert {doc.page_at(r.start) for r in rows} == {doc.page_at(caption.start)}


def test_markdown_headings_become_sections(docs):
    doc = docs[LINDESBERG]
    source = raw(LINDESBERG)
    marked = [(len(m.group(1)), m.group(2).replace("**", "").strip())
              for m in re.finditer(r"^(#{1,6})\s+(.+?)\s*$", source, flags=re.M)]
    assert len(marked) == 26
    in_order = [(b.level, block_text(doc, b)) for b in doc.blocks if b.kind == "heading"]
    # The single H1 is the document title (level 0, outside section paths); "##" is level 1, and so on.
    expected = [(hashes - 1, text) for hashes, text in marked]
    assert expected[0] == (0, "Kommunövergripande strategi för ett stärkt föräldraskapsstöd i Lindesbergs kommun")
    remaining = iter(in_order)
    assert all(heading in remaining for heading in expected), (expected, in_order)  # in order, none missing
    assert doc.blocks[0].kind == "heading" and doc.blocks[0].section == ()
    extra = [h for h in in_order if h not in expected]  # a bold line of its own also heads a section
    assert extra == [(3, "Uppdrag styrgrupp familjecentral och föräldraskapsstöd Lindesbergs kommun")]
    found = headings(doc)
    assert found["Syfte"].section == ("Kommunövergripande strategi för ett stärkt föräldraskapsstöd i Lindesbergs "
                                      "kommun", "Syfte")
    assert found["Jämlikhet i hälsa"].section == ("Nationell strategi", "Jämlikhet i hälsa")


def test_markdown_markup_is_gone_and_footnotes_are_marked(docs):
    doc = docs[LINDESBERG]
    source = raw(LINDESBERG)
    assert "<sup>" in source and "**" in source
    assert "<sup>" not in doc.text and "</sup>" not in doc.text and "**" not in doc.text and "#" not in doc.text
    notes = re.findall(r"^<sup>\d+</sup>\s*(.+?)\s*$", source, flags=re.M)
    assert len(notes) == 8
    footnotes = [block_text(doc, b) for b in doc.blocks if b.kind == "footnote"]
    assert len(footnotes) == len(notes)
    for note, footnote in zip(notes, footnotes):
        assert footnote.startswith(note[:40])
    assert "Alkohol, Narkotika, Doping, Tobak och Spel om pengar" in footnotes
    # The reference mark is gone from the body text, and the word after it is whole again.
    assert "stärka föräldrars relation till varandra eller deras sociala nätverk." in doc.text
    assert "folkhälsa och ANDTS-förebyggande arbete" in doc.text


@pytest.mark.parametrize("line, leads", [
    ("Anteckningarna enligt 3 § ska innehålla uppgift om", True),  # no heading ends with a preposition
    ("Kartläggningen bestod av fyra delar:", True),
    ("Stärk föräldraskapsstödsarbetet genom att", True),
    ("Perspektiv som ska genomsyra arbetet med strategin", False),
    ("Exempel:", False),  # a short label may head what follows
    ("Del 1. Litteraturstudie", False),
])
def test_a_line_that_goes_on_in_the_next_is_no_heading(line, leads):
    from ingest.structure import leads_into_next

    assert leads_into_next(line) is leads


def test_a_markdown_file_without_markup_is_read_as_text_with_one_paragraph_a_line(tmp_path):
    """Botkyrka's guidelines (not tuned on) come as ".md" files saved from Word: no "#", one paragraph a line, no
    blank lines between them. Read as Markdown, every line joined the one before into one paragraph ("Diarienummer:
    … Dokumentet är beslutat av: … Innehåll Inledning 3 Syfte 3 …") and the title was the last heading. Read as
    text, the first line is the title, each field line stands alone (not as a heading), and a short line after a
    paragraph's last sentence heads the next one."""
    from index.model import DocumentInfo

    path = tmp_path / "riktlinje.md"
    path.write_text("Riktlinje för lekplatser\nFritidsförvaltningen\n\n\nDiarienummer: FRI/2025:12\n"
                    "Dokumentet är beslutat av: Fritidsnämnden\nDokumentansvarig är: Lekplatssamordnare\n\n"
                    "Syfte\nRiktlinjen ska ge alla barn i kommunen tillgång till trygga och tillgängliga lekplatser "
                    "nära hemmet, och den ska ge förvaltningen ett gemensamt sätt att planera, sköta och förnya dem.\n"
                    "Besiktning\nVarje lekplats besiktigas en gång om året av en certifierad besiktningsman, som "
                    "skriver ett protokoll över brister och föreslår åtgärder som förvaltningen ska genomföra.\n"
                    "Varje lekplats ska ha:\n· gungor för små barn\n· en sandlåda med lock\n"
                    "Underhåll\nBrister som kan skada ett barn åtgärdas samma vecka som de upptäcks, och övriga "
                    "brister åtgärdas inom tre månader enligt den plan som förvaltningen fastställer varje år.\n",
                    encoding="utf-8")
    info = DocumentInfo(doc_id="riktlinje", title="", source_file=path.name)
    doc = load_document(path, info)
    assert info.title == "Riktlinje för lekplatser"
    kinds = {block_text(doc, b): b.kind for b in doc.blocks}
    assert kinds["Dokumentet är beslutat av: Fritidsnämnden"] == "paragraph"
    assert kinds["Dokumentansvarig är: Lekplatssamordnare"] == "paragraph"
    assert kinds["Besiktning"] == "heading" and kinds["Syfte"] == "heading"
    assert any(text.startswith("Varje lekplats besiktigas") for text in kinds)  # not glued to "Besiktning"
    assert kinds["gungor för små barn"] == kinds["en sandlåda med lock"] == "list_item"  # "·", a Word bullet


def test_a_document_that_opens_with_its_information_block_is_titled_by_its_first_heading():
    """Olofström's action plan (a PDF not tuned on) prints its information block above its title, in the body
    font: its first line "Antagen av: Koncernchefsgruppen" became the title of every citation. A field line opens
    an information block; it names no document."""
    units = [RawUnit("paragraph", "Antagen av: Koncernchefsgruppen"), RawUnit("paragraph", "Datum: 2023-03-31"),
             RawUnit("paragraph", "Giltighetstid: 31 december 2026"),
             RawUnit("heading", "Handlingsplan för cykeltrafik", level=1), RawUnit("heading", "Bakgrund", level=2),
             RawUnit("paragraph", "Fler ska cykla till arbetet och skolan.")]
    assert first_heading_title(units) == "Handlingsplan för cykeltrafik"
    titled = [RawUnit("paragraph", "Plan för cykeltrafik i Exempelby"), *units]
    assert first_heading_title(titled) == "Plan för cykeltrafik i Exempelby"  # a first line without a colon


def test_markdown_escapes_are_undone_and_a_table_of_contents_of_links_is_no_text(tmp_path):
    """Regeringskansliet's list of new laws (Markdown, not tuned on) wrote "hälso\\- och" and "(2023:490\\)", quoted
    with their backslashes, and its table of contents, a line of links to its own sections each, became one long
    paragraph that answered every question."""
    from index.model import DocumentInfo

    path = tmp_path / "lagar.md"
    path.write_text("# Nya lagar\n\n## Innehåll\n\n**[Finansdepartementet](#R3)**\n[Sänkt skatt på bensin](#F1)\n"
                    "[Statsbidrag till hälso\\- och sjukvården](#F2)\n\n## Statsbidrag\n\n"
                    "Förordningen (2023:490\\) om statsbidrag till hälso\\- och sjukvårdens beredskap börjar gälla. "
                    "Läs mer hos [Regeringen](https://www.regeringen.se).\n", encoding="utf-8")
    doc = load_document(path, DocumentInfo(doc_id="lagar", title="", source_file=path.name))
    assert "\\" not in doc.text and "Sänkt skatt på bensin" not in doc.text
    assert "Förordningen (2023:490) om statsbidrag till hälso- och sjukvårdens beredskap börjar gälla." in doc.text
    assert "Läs mer hos Regeringen." in doc.text  # a link to elsewhere keeps its text


def test_yaml_front_matter_gives_the_title_and_is_not_text(tmp_path):
    """Botkyrka's documents converted to Markdown (not tuned on) begin with YAML front matter ("title: …",
    "source_url: https://…"): it was read as the first paragraph and quoted as the answer to "Vad är syftet med
    …?". Its title is the document's title; the fields are no text to answer from."""
    from index.model import DocumentInfo

    path = tmp_path / "uppdrag.md"
    path.write_text('---\ntitle: "Uppdragsbeskrivning för daglig verksamhet"\ndate: 2025-06-16\n'
                    'source_url: "https://intranat.example.se/uppdrag.docx"\n---\n\n# Uppdrag\n\n'
                    "Verksamheten ska ge deltagarna meningsfull sysselsättning.\n", encoding="utf-8")
    info = DocumentInfo(doc_id="uppdrag", title="", source_file=path.name)
    doc = load_document(path, info)
    assert info.title == "Uppdragsbeskrivning för daglig verksamhet" and info.year == 2025
    assert "source_url" not in doc.text and "https://" not in doc.text
    assert doc.text.lstrip().startswith("Uppdrag")
    # A rule at the top of a text is no front matter.
    path.write_text("---\n\nTexten börjar efter ett streck.\n", encoding="utf-8")
    assert "Texten börjar" in load_document(path, DocumentInfo(doc_id="x", title="", source_file=path.name)).text
