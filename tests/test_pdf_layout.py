"""Layout-aware PDF reading, on a real PDF laid out as publishers lay out reports (``layout_report.py``):
running headers and footers, headings and sections, footnotes, tables answered by row and column,
tables of contents, two columns, characters, metadata and printed page labels. And upgrades: a new
parser version parses unchanged files again; ``--rebuild`` does it on demand."""

from __future__ import annotations

import subprocess
import sys

import pytest
from layout_report import HEADER, REGULATION_HEADER, TITLE, booklet_pdf, regulation_pdf, report_pdf

from assistant import Assistant
from common.settings import PROJECT_ROOT
from index import IndexReader
from index.model import DocumentInfo
from ingest import run_ingest
from ingest.loaders import load_document


@pytest.fixture(scope="module")
def report_corpus(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("pdf-corpus")
    (corpus / "lindby-plan.pdf").write_bytes(report_pdf())
    return corpus


@pytest.fixture(scope="module")
def doc(report_corpus):
    path = report_corpus / "lindby-plan.pdf"
    return load_document(path, DocumentInfo(doc_id="lindby-plan", title="", source_file=path.name))


def block_texts(doc, kind: str) -> list[str]:
    return [doc.text[b.start:b.end] for b in doc.blocks if b.kind == kind]


def test_running_headers_footers_and_page_numbers_are_removed(doc):
    assert HEADER not in doc.text and "Plan för föräldraskapsstöd |" not in doc.text
    assert "Sida " not in doc.text and " av 4" not in doc.text


def test_headings_by_size_and_numbering_give_the_sections(doc):
    headings = {doc.text[b.start:b.end]: b.level for b in doc.blocks if b.kind == "heading"}
    assert headings["1 Inledning"] == 1 and headings["1.1 Bakgrund"] == 2 and headings["3 Insatser"] == 1
    assert headings[TITLE] == 0, "the title is the document's, not a section"
    background = doc.text.index("Nästan alla barn")
    assert doc.section_at(background) == ("1 Inledning", "1.1 Bakgrund")
    items = block_texts(doc, "list_item")
    assert items[:3] == ["1. Föräldraträffar på alla skolor varje termin.",
                         "2. Samtal med en familjebehandlare inom två veckor.",
                         "3. En uppföljning av planen varje år i socialnämnden."], "numbered items are not headings"


def test_footnote_marker_is_kept_apart_and_the_footnote_kept_as_a_footnote(doc):
    assert "Nästan alla barn i kommunen går i grundskolan. Av samtliga föräldrar" in doc.text
    assert "grundskolan.1" not in doc.text
    assert block_texts(doc, "footnote") == ["1 Källa: Skolverket, Elever i grundskolan läsåret 2023/24, tabell 2."]


def test_table_rows_keep_their_column_headers(doc):
    assert block_texts(doc, "table_header")[0] == "Årskurs | Totalt | Flickor | Pojkar"
    assert "Årskurs 9 | 123 960 | 60 367 | 63 593" in block_texts(doc, "table_row")
    row = next(b for b in doc.blocks if b.kind == "table_row" and b.cells[0] == "Årskurs 9")
    assert doc.table_header_before(row.start) == ("Årskurs", "Totalt", "Flickor", "Pojkar")


def test_table_of_contents_is_dropped_but_an_appendix_table_with_leaders_is_kept(doc):
    assert doc.text.count("Elever i grundskolan") == 2  # the heading and the footnote, not the contents line
    assert "Innehåll" not in block_texts(doc, "heading")
    rows = block_texts(doc, "table_row")
    assert {"Benzidin | 92-87-5", "Bensen | 71-43-2", "Toluen | 108-88-3"} <= set(rows)


def test_two_columns_are_read_in_order_and_chart_numbers_dropped(doc):
    assert ("bygga ut familjecentralen så att den också når föräldrar som i dag inte söker stöd, till exempel "
            "nyanlända.") in doc.text, "the sentence runs on from the first column into the second"
    for tick in ("40", "30", "20", "10"):
        assert f"\n\n{tick}\n\n" not in doc.text
    assert "Figur 1. Andel föräldrar" in block_texts(doc, "caption")[-1]


def test_ligatures_soft_hyphens_symbols_and_real_hyphens(doc):
    assert "Personalen finns på plats" in doc.text and "\ufb01" not in doc.text
    assert "alla föräldraskap ska" in doc.text and "\u00ad" not in doc.text
    assert "minst 20 °C" in doc.text and not any("\ue000" <= c <= "\uf8ff" for c in doc.text)
    assert "Leksaker ska följa Reach-förordningen och" in doc.text, "a hyphen the document writes stays"
    assert "Reachförordningen" not in doc.text


def test_metadata_and_printed_page_labels(doc):
    assert doc.info.title == TITLE and doc.info.publisher == "Lindby kommun" and doc.info.year == 2024
    assert doc.page_labels == {1: "i", 2: "ii", 3: "1", 4: "2", 5: "3", 6: "4"}
    background = doc.text.index("Nästan alla barn")
    assert doc.page_at(background) == 3 and doc.page_label(3) == "1"


@pytest.fixture(scope="module")
def report_index(report_corpus, tmp_path_factory, embedding_cache):
    import shutil

    from common.settings import Settings

    data = tmp_path_factory.mktemp("pdf-data")
    shutil.copy(embedding_cache, data / "embedding-cache.sqlite")
    settings = Settings(data_dir=data, corpus_dir=report_corpus)
    report = run_ingest(settings)
    assert not report.failed and report.pages == 6 and report.parse_seconds > 0
    return settings


def test_a_table_row_answers_by_row_and_column(report_index):
    answer = Assistant(report_index).ask("Hur många elever går i årskurs 9?")
    assert not answer.refused, answer.answer
    row = next(c for c in answer.citations if c.quote == "Årskurs 9 | 123 960 | 60 367 | 63 593")
    assert "Årskurs 9 – totalt: 123 960; flickor: 60 367; pojkar: 63 593" in answer.answer
    assert row.page == 4 and row.page_label == "2" and row.page_text == "s. 2 (PDF-sida 4)"
    assert row.source_line() == f"{TITLE} (Lindby kommun, 2024), s. 2 (PDF-sida 4), 2 Elever i grundskolan"


def test_a_new_parser_version_parses_unchanged_files_again(report_index, monkeypatch):
    reader = IndexReader.open(report_index)
    assert run_ingest(report_index).count("unchanged") == 1
    monkeypatch.setattr("ingest.loaders.PARSER_VERSION", "an upgrade")
    report = run_ingest(report_index)
    assert report.count("indexed") == 1 and report.count("unchanged") == 0
    assert IndexReader.open(report_index).generation == reader.generation + 1


def test_rebuild_parses_everything_again(report_index):
    done = subprocess.run([sys.executable, "-m", "ingest", "--rebuild", "--quiet"], cwd=PROJECT_ROOT,
                          env={**__import__("os").environ, "FSA_DATA_DIR": str(report_index.data_dir),
                               "FSA_CORPUS_DIR": str(report_index.corpus_dir)},
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "1 indexed, 0 unchanged" in done.stdout
    assert "parsing: 6 pages in" in done.stdout and "pages/s" in done.stdout


def test_a_scanned_pdf_without_tesseract_gets_a_clear_message(tmp_path, monkeypatch):
    import pypdfium2 as pdfium

    from ingest.errors import IngestError
    from ingest.ocr import tesseract_languages

    document = pdfium.PdfDocument.new()
    document.new_page(595, 842)  # a page with no text: what a scan looks like to a reader
    path = tmp_path / "skannad.pdf"
    document.save(str(path))
    tesseract_languages.cache_clear()
    monkeypatch.setenv("PATH", str(tmp_path))  # no tesseract on the path
    try:
        with pytest.raises(IngestError, match="install Tesseract with Swedish"):
            load_document(path, DocumentInfo(doc_id="skannad", title="", source_file=path.name))
    finally:
        tesseract_languages.cache_clear()


@pytest.fixture(scope="module")
def regulation(tmp_path_factory):
    path = tmp_path_factory.mktemp("regulation") / "lfs-2025-3.pdf"
    path.write_bytes(regulation_pdf())
    return load_document(path, DocumentInfo(doc_id="lfs-2025-3", title="", source_file=path.name))


def test_law_chapters_and_lowercase_numbered_items(regulation):
    headings = {regulation.text[b.start:b.end]: b.level for b in regulation.blocks if b.kind == "heading"}
    assert headings["2 kap. Stöd i föräldraskapet"] == 1, "“2 kap.” numbers a chapter"
    assert "1. har vårdnaden om ett barn," in block_texts(regulation, "list_item")
    assert not any(h.startswith(("1. har", "2. är")) for h in headings)


def test_definitions_table_keeps_explanations_of_several_lines_in_one_cell(regulation):
    assert block_texts(regulation, "table_header")[0] == "Begrepp | Betydelse"
    assert ("Föräldraskapsstöd | En aktivitet eller insats som stärker föräldrar i deras relation till barnet."
            in block_texts(regulation, "table_row"))


def test_dash_items_set_apart_by_a_tab_are_a_list_under_their_label(regulation):
    assert {"Andel föräldrar som deltagit i en träff", "Antal familjecentraler"} <= set(
        block_texts(regulation, "list_item"))
    start = regulation.text.index("Antal familjecentraler")
    assert regulation.section_at(start)[-1] == "Indikatorer"


def test_a_table_title_over_three_pages_is_one_section_and_groups_hold_their_items(regulation):
    assert block_texts(regulation, "heading").count("Gränsvärden per åldersgrupp") == 1
    assert regulation.text.count("Gränsvärden per åldersgrupp") == 1
    rows = block_texts(regulation, "table_row")
    assert "1 Barn 0–5 år; Spädbarn; Förskolebarn | 0,5 | 0,2" in rows
    assert "Övriga grupper | 0,1 | 0,1" in rows, "a bold row of its own is not an item of the group above"


def test_an_appendix_named_in_the_running_header_becomes_its_section(regulation):
    start = regulation.text.index("Kommunen rapporterar")
    assert regulation.section_at(start) == ("Bilaga 2 Uppföljning av stödet", "2 Rapportering")
    assert REGULATION_HEADER not in regulation.text


@pytest.fixture(scope="module")
def booklet(tmp_path_factory):
    path = tmp_path_factory.mktemp("booklet") / "foraldraguiden.pdf"
    path.write_bytes(booklet_pdf())
    return load_document(path, DocumentInfo(doc_id="foraldraguiden", title="", source_file=path.name))


def section_of(doc, text: str) -> tuple[str, ...]:
    return doc.section_at(doc.text.index(text))


def test_the_cover_is_the_title_and_a_divider_in_lowercase_display_type_is_a_chapter(booklet):
    assert section_of(booklet, "Här berättar föräldrar") == ("FAMILJE- STÖD",), "the cover's subtitle is no section"
    assert section_of(booklet, "Goda vanor i familjen") == ("vardag och hälsa", "Goda vanor")


def test_a_chapter_named_in_the_margin_ends_where_its_name_stops(booklet):
    assert section_of(booklet, "Omar fick stöd") == ("FAMILJE- STÖD", "Stöd i tonåren")
    assert section_of(booklet, "Allt stöd i guiden") == ("Vad kostar stödet?",), \
        "a page without the running name 'familjestöd' is no longer in that chapter"
    assert "familjestöd" not in booklet.text


def test_chapters_named_only_in_the_margin_become_sections(booklet):
    assert section_of(booklet, "Barn med födoämnesallergi") == ("ALLERGI",)
    assert section_of(booklet, "Astma hos barn") == ("ASTMA",), "a chapter of one page, its name where the others are"
    assert booklet.text.count("ALLERGI") == 1 and booklet.text.count("ASTMA") == 1, "each name once, as the heading"


def test_a_letter_spaced_heading_whose_spaces_fall_at_font_changes_is_read_as_words(booklet):
    assert "Hållbart föräldraskap" in block_texts(booklet, "heading")
    assert section_of(booklet, "Kommunen vill att stödet") == ("Hållbart föräldraskap",), "set like the heading above"
    assert section_of(booklet, "Allt stöd i guiden") == ("Vad kostar stödet?",)


def test_a_bold_label_heads_the_paragraph_under_it_but_not_a_list(booklet):
    assert section_of(booklet, "Ring kommunens kontaktcenter")[-1] == "Så bokar du ett samtal"
    assert "Du kan få hjälp med:" not in block_texts(booklet, "heading")
    assert {"sömn och mat", "gränser och konflikter"} <= set(block_texts(booklet, "list_item"))


def test_a_box_of_numbered_advice_beside_a_column_of_text(booklet):
    items = block_texts(booklet, "list_item")
    assert "3. Ingen alkohol eller med måtta under graviditeten." in items, "the item's plain second line is its own"
    assert "4. Daglig rörelse är viktigast. Även korta promenader räknas" in items
    assert not any(h.startswith(("3. Ingen", "4. Daglig")) for h in block_texts(booklet, "heading"))
    assert not any("Goda vanor i familjen" in row or "Familjecentralen ger" in row
                   for row in block_texts(booklet, "table_row")), "two columns of text are not a table"
    assert ("Råden bygger på de nationella riktlinjerna och på vad föräldrar i kommunen har frågat efter"
            in booklet.text)


def test_italic_words_inside_a_sentence_are_not_a_heading(booklet):
    assert "Föräldraträffarna ska erbjudas varje termin på alla familjecentraler." in booklet.text
    assert "Föräldraträffarna ska erbjudas" not in block_texts(booklet, "heading")


def test_a_heading_that_starts_in_the_top_margin_is_kept_though_its_first_line_repeats(booklet):
    headings = block_texts(booklet, "heading")
    for topic in ("föräldraträffar", "familjebehandling", "hembesök"):
        assert f"Förslag till ändring i riktlinjerna för {topic}" in headings
    assert section_of(booklet, "Riktlinjerna för hembesök")[-1] == "Förslag till ändring i riktlinjerna för hembesök"


def one_page_blocks(tmp_path, lines: list[str]) -> list[str]:
    """The blocks' texts of a one-page PDF of ``lines``, read as the product reads any PDF."""
    from pdfgen import make_pdf

    path = tmp_path / "sida.pdf"
    path.write_bytes(make_pdf([lines]))
    doc = load_document(path, DocumentInfo(doc_id="sida", title="", source_file=path.name))
    return [doc.text[b.start:b.end] for b in doc.blocks]


def test_a_documents_field_lines_stay_lines_of_their_own(tmp_path):
    """A policy's information block ("Utgivare: …", "Gäller till och med: …", "Antagen: …") set as lines of the
    same width and type was read as one paragraph, so "Antagen: Kommunfullmäktige 2018-06-18" was no field of its
    own. Each field line is now a block; a field's value that runs over a line still goes on."""
    lines = ["Riktlinje för lån av surfplattor", "",
             "Utgivare: Kommunledningsförvaltningen", "Gäller till och med: 2026-12-31",
             "Antagen: Kommunfullmäktige 2024-06-18 § 41",
             "Ersätter: Riktlinje för lån av bärbara datorer och riktlinje för",
             "lån av mobiltelefoner", "",
             "Surfplattor lånas ut till elever i årskurs 4 till 9. Eleven och en vårdnadshavare skriver under",
             "ett avtal innan plattan lämnas ut."]
    texts = one_page_blocks(tmp_path, lines)
    assert "Gäller till och med: 2026-12-31" in texts
    assert "Antagen: Kommunfullmäktige 2024-06-18 § 41" in texts
    assert "Ersätter: Riktlinje för lån av bärbara datorer och riktlinje för lån av mobiltelefoner" in texts
    assert any(t.startswith("Surfplattor lånas ut") and t.endswith("lämnas ut.") for t in texts)


def test_a_rule_of_underscores_ends_the_paragraph_and_is_no_text(tmp_path):
    """A regulation sets its transitional provisions apart with a rule ("__________"): the rule was glued to
    the last paragraph's sentence ("… avse föregående år. __________")."""
    lines = ["4 § Uppgifterna ska lämnas varje år och avse föregående år.", "__________",
             "Denna författning träder i kraft den 1 februari 2026."]
    texts = one_page_blocks(tmp_path, lines)
    assert "4 § Uppgifterna ska lämnas varje år och avse föregående år." in texts
    assert "Denna författning träder i kraft den 1 februari 2026." in texts
    assert not any("_" in t for t in texts)


def test_a_title_in_larger_type_under_a_definitions_table_is_a_heading(tmp_path):
    """A municipal policy (not tuned on) sets "Mål" in larger type right under its table of definitions: it was
    read as a label continuing the last term ("Informationssäkerhet; Mål"). A lone first cell in larger type
    than the row above is a heading."""
    from pdfgen import Text, make_layout_pdf

    page = [Text.of(72, 80, "Definitioner", size=13, bold=True),
            Text.of(72, 100, "Begrepp", bold=True), Text.of(250, 100, "Betydelse", bold=True)]
    y = 118
    for term, lines in (("IT-system", ("System som används för att skapa, förmedla", "eller lagra information.")),
                        ("Informationssäkerhet", ("Åtgärder som hindrar att information",
                                                  "kommer obehöriga till del."))):
        page.append(Text.of(72, y, term))
        page += [Text.of(250, y + k * 13, line) for k, line in enumerate(lines)]
        y += len(lines) * 13 + 6
    page += [Text.of(90, y + 16, "Mål", size=14),
             Text.of(72, y + 40, "Kommunens användning av IT syftar till att underlätta och utveckla servicen.")]
    path = tmp_path / "policy.pdf"
    path.write_bytes(make_layout_pdf([page]))
    doc = load_document(path, DocumentInfo(doc_id="policy", title="", source_file=path.name))
    assert "Mål" in block_texts(doc, "heading")
    rows = block_texts(doc, "table_row")
    assert any(r.startswith("Informationssäkerhet | ") for r in rows) and not any("Mål" in r for r in rows)


def test_a_header_just_inside_the_margin_on_the_line_of_the_first_row_is_running_text(tmp_path):
    """NFS 2007:10 (not tuned on) prints "NFS 2007:10" at the top of each page with its foot at 11 % of the
    page, on the same line as the first row of a definitions table, so the header was read into the text
    ("NFS 2007:10 Inventerings- Den tjänsteman …"). The same text at the same height near the edge on two
    pages in three is running text."""
    from pdfgen import Text, make_layout_pdf

    pages = []
    for number, (term, meaning) in enumerate((("Fältpersonal", "Person som inventerar i fält."),
                                               ("Föryngring", "Ett rovdjur som har fött ungar."),
                                               ("Revir", "Ett område som ett djur hävdar."))):
        pages.append([Text.of(40 if number % 2 else 420, 94, "NFS 2099:10", size=13, bold=True),
                      Text.of(151, 96, term), Text.of(250, 96, meaning),
                      Text.of(151, 130, f"Länsstyrelsen ska dokumentera varje {term.lower()} som observeras."),
                      Text.of(151, 144, f"Uppgifter om {meaning.lower()[:-1]} ska sparas i databasen.")])
    path = tmp_path / "nfs.pdf"
    path.write_bytes(make_layout_pdf(pages))
    doc = load_document(path, DocumentInfo(doc_id="nfs", title="", source_file=path.name))
    assert "NFS 2099:10" not in doc.text
    assert "Föryngring" in doc.text and "Ett rovdjur som har fött ungar." in doc.text


def test_a_definitions_tables_first_row_of_sentences_is_no_header(tmp_path):
    """A definitions table that goes on from the page before starts with a term and a sentence; the rows below
    cite a regulation ("(NFS 2099:23)"), which looked like a table of figures under a header, so every row was
    shown as "Inventeringsperiod – den tjänsteman på länsstyrelsen …: Den tid …". A cell of more than six
    words is no column's label."""
    from pdfgen import Text, make_layout_pdf

    rows = (("Ansvarig", ("Den tjänsteman på länsstyrelsen som förordnas att", "ansvara för inventeringen.")),
            ("Period", ("Den tid som är lämpligast för inventering med", "hänsyn till arternas reproduktion.")),
            ("Samordnare", ("Person i en sameby som utför inventering", "(NFS 2099:23)")),
            ("Slinga", ("Färdväg till fots för att finna spår", "(NFS 2099:23)")))
    page, y = [], 100
    for term, lines in rows:
        page.append(Text.of(151, y, term))
        page += [Text.of(250, y + k * 13, line) for k, line in enumerate(lines)]
        y += 13 * len(lines) + 6
    path = tmp_path / "definitioner.pdf"
    path.write_bytes(make_layout_pdf([page]))
    doc = load_document(path, DocumentInfo(doc_id="definitioner", title="", source_file=path.name))
    assert block_texts(doc, "table_header") == []
    assert any(r.startswith("Period | Den tid som är lämpligast") for r in block_texts(doc, "table_row"))


def test_text_left_outside_the_page_is_not_read(tmp_path):
    """A report (Klimatkollen's, not tuned on) keeps a copy of a chart beside the page, at negative x where
    nothing is printed. Its labels widened the page's text so far that the two columns were not found, and the
    columns' lines were read across ("… stora skillna- ning av utsläppen för …"). What lies wholly outside the
    page is not in the document, and the page is read column by column again."""
    from pdfgen import Text, make_layout_pdf

    left_column = ["Kommunen har kartlagt hur mycket energi", "som de egna byggnaderna använder varje",
                   "år. Skolorna står för den största delen", "av förbrukningen och ska därför",
                   "åtgärdas först i den nya planen för", "perioden fram till år 2030."]
    right_column = ["Fordonsflottan ska bytas ut mot bilar", "som drivs med el eller biogas när de",
                    "gamla bilarna har tjänat ut. Inköpen", "görs av den centrala", "upphandlingsenheten i samråd med",
                    "förvaltningarna."]
    page = [Text.of(-420, 100 + 14 * i, f"Diagram {label} 24,33 Mt") for i, label in enumerate("ABCDEFGHIJ")]
    page += [Text.of(60, 120 + 14 * i, text) for i, text in enumerate(left_column)]
    page += [Text.of(320, 120 + 14 * i, text) for i, text in enumerate(right_column)]
    path = tmp_path / "rapport.pdf"
    path.write_bytes(make_layout_pdf([page]))
    doc = load_document(path, DocumentInfo(doc_id="rapport", title="", source_file=path.name))
    assert "Diagram" not in doc.text and "24,33" not in doc.text
    assert "perioden fram till år 2030." in doc.text
    assert "Skolorna står för den största delen av förbrukningen" in doc.text  # the left column read down


def test_a_dated_line_under_the_title_is_a_field_not_a_heading(tmp_path):
    """"Beslutad december 2022" set in larger type under a policy's title (Klimatbyrån's policies, not tuned
    on) was a heading, so no answer could quote it; a participle of what was done to the document and a date
    make a field line, whatever its type. A heading with a year is still a heading."""
    from pdfgen import Line, make_pdf

    path = tmp_path / "policy.pdf"
    path.write_bytes(make_pdf([[Line("Policy för lån av lokaler", size=20), Line("Beslutad mars 2024", size=14),
                                Line("Lokaler 2025", size=16, gap_before=8),
                                Line("Föreningar får låna skolans matsal på kvällar och helger efter", gap_before=4),
                                "ansökan hos fritidsförvaltningen."]]))
    doc = load_document(path, DocumentInfo(doc_id="policy", title="", source_file=path.name))
    kinds = {doc.text[b.start:b.end]: b.kind for b in doc.blocks}
    assert kinds["Beslutad mars 2024"] == "paragraph"
    assert kinds["Lokaler 2025"] == "heading"


def test_a_heading_with_a_space_after_nearly_every_letter_is_read_as_words(tmp_path):
    """Haparanda's climate strategy (not tuned on) sets its headings with a space between most letters ("U tbi
    l d n i n g f ö r"), so the space characters fall inside words and the letters' gaps cannot tell words
    apart. No Swedish line is half one-letter words: then the usual gap is the letters' own, and only a gap
    well wider is a space between words."""
    from pdfgen import Text, make_layout_pdf

    page = [Text.of(60, 100, "U tbi l d n i n g   f ö r   h å l l b a r   h a n d e l", size=20),
            Text.of(60, 140, "Kommunen ska erbjuda utbildningar om klimat och energi till alla anställda."),
            Text.of(60, 154, "Vi är en av de få i länet som gör det.")]
    path = tmp_path / "strategi.pdf"
    path.write_bytes(make_layout_pdf([page]))
    doc = load_document(path, DocumentInfo(doc_id="strategi", title="", source_file=path.name))
    assert "Utbildning för hållbar handel" in doc.text
    assert "Vi är en av de få i länet som gör det." in doc.text  # short words of a sentence stay words


def test_a_provisions_number_in_the_margin_starts_its_text_and_is_no_cell():
    """A statute sets "1 §" in the margin, a wide gap before its text (Boverket's BFS 2020:5, not tuned on). The
    numbers of the provisions on a page lined up as a table's first column, so each provision's first line
    became a row ("1 § | Denna författning innehåller …") cut from the rest of its sentence. The number
    belongs to its text, as a heading's number does to its title."""
    from ingest.pdf_glyphs import Line, Segment
    from ingest.pdf_layout import _join_numbering

    def line(*cells: tuple[float, float, str]) -> Line:
        return Line([Segment(text, x0, x1, 100.0, 111.0, 11.0, False, 0) for x0, x1, text in cells], 109.0)

    for number in ("1 §", "12 a §", "2 kap."):
        joined = _join_numbering(line((62, 76, number), (87, 424, "Denna författning innehåller föreskrifter")))
        assert [s.text for s in joined.segments] == [f"{number} Denna författning innehåller föreskrifter"]
    # a figure in a table's first column stays a cell
    kept = _join_numbering(line((62, 90, "1 200"), (150, 200, "Kronor")))
    assert [s.text for s in kept.segments] == ["1 200", "Kronor"]


def test_a_term_and_its_definition_both_of_two_lines_are_one_row(tmp_path):
    """A definitions table where a term of two words wraps beside a definition that wraps too (MSB's
    MSBFS 2015:4, not tuned on): "samhällsviktig | En verksamhet som uppfyller minst ett av följande" over
    "verksamhet | villkor." is one row. A list's letters ("a)", "b)") stay rows of their own."""
    from pdfgen import Text, make_layout_pdf

    rows = (("kritiska", "beroenden", "Beroenden som är avgörande för att viktiga",
             "verksamheter ska kunna fungera."),
            ("risk", "", "En sammanvägning av sannolikhet och konsekvens.", ""),
            ("viktig", "verksamhet", "En verksamhet som uppfyller minst ett av följande", "villkor i denna paragraf."),
            ("a)", "", "beskrivningen av verksamheten under en lång period", ""),
            ("b)", "", "hur informationen ska utformas.", ""))
    page, y = [], 100
    for term, term_more, definition, definition_more in rows:
        page += [Text.of(60, y, term), Text.of(160, y, definition)]
        if term_more or definition_more:
            page += [Text.of(60, y + 13, term_more), Text.of(160, y + 13, definition_more)]
        y += 32
    path = tmp_path / "definitioner.pdf"
    path.write_bytes(make_layout_pdf([page]))
    doc = load_document(path, DocumentInfo(doc_id="definitioner", title="", source_file=path.name))
    rows_read = block_texts(doc, "table_row")
    assert "kritiska beroenden | Beroenden som är avgörande för att viktiga verksamheter ska kunna fungera." \
        in rows_read
    assert "viktig verksamhet | En verksamhet som uppfyller minst ett av följande villkor i denna paragraf." \
        in rows_read
    assert any(r.startswith("b) |") for r in rows_read)


def test_a_definition_ending_in_a_comma_closes_its_row(tmp_path):
    """A regulation's list "I dessa föreskrifter avses med" (Elsäkerhetsverket's ELSÄK-FS 2022:2, not tuned on) gives
    each term with a definition that ends in a comma, the last in a full stop. The next lower-case term starts a
    row of its own: "driftrum elsäkerhetsförordningen elsäkerhetslagen | ett rum …, elsäkerhetsförordning …" had been
    read as one row of three terms."""
    from pdfgen import Text, make_layout_pdf

    rows = (("driftrum", "ett rum eller en annan plats för drift av elektriska",
             "anläggningar som kan medföra risk för skada på grund av el,"),
            ("elsäkerhetslagen", "elsäkerhetslag (2016:732), eller författning som trätt i",
             "dess ställe,"),
            ("friledning", "luftledning med fritt från varandra upphängda ledare", "med tillbehör."))
    prose = ["2 § De definitioner och förkortningar som används i elsäkerhetslagen och",
             "elsäkerhetsförordningen ska ha samma betydelse i dessa föreskrifter. Detta gäller",
             "även för de föreskrifter om utförande som Elsäkerhetsverket har meddelat tidigare",
             "och för de allmänna råd som hör till dem. Begreppen används på samma sätt i hela",
             "författningen och i bilagan med skyltarnas utformning.",
             "I dessa föreskrifter avses med"]
    page, y = [], 100
    for text in prose:
        page.append(Text.of(60, y, text))
        y += 13
    for term, definition, definition_more in rows:
        page += [Text.of(60, y, term), Text.of(200, y, definition), Text.of(200, y + 13, definition_more)]
        y += 26
    path = tmp_path / "definitioner.pdf"
    path.write_bytes(make_layout_pdf([page]))
    doc = load_document(path, DocumentInfo(doc_id="definitioner", title="", source_file=path.name))
    rows_read = block_texts(doc, "table_row")
    assert "driftrum | ett rum eller en annan plats för drift av elektriska anläggningar som kan medföra risk för " \
        "skada på grund av el," in rows_read
    assert "elsäkerhetslagen | elsäkerhetslag (2016:732), eller författning som trätt i dess ställe," in rows_read
    assert any(r.startswith("friledning |") for r in rows_read)


def test_a_page_that_is_all_terms_and_explanations_is_a_table(tmp_path):
    """The second page of ELSÄK-FS 2022:2's definitions (not tuned on) holds nothing but terms beside explanations
    that fill their column; it was read as running text ("förbudsskylt skylt som förbjuder …, högspänning nominell
    spänning …"), so "Vad betyder högspänning?" found no definition. A column of terms of a word or two beside a
    full one is a table, on a whole page too."""
    from pdfgen import Text, make_layout_pdf

    line = "en text som fyller sin kolumn ända ut till kanten av sidan"
    rows = (("förbudsskylt", [line, "skylt som förbjuder ett beteende som kan innebära fara,"]),
            ("högspänning", ["nominell spänning över 1 000 V växelspänning eller mer än", "1 500 V likspänning,"]),
            ("kraftkälla", [line, line, line, "ett samlingsbegrepp för utrustningar som ger energi,"]),
            ("luftledning", [line, line, "samlingsbegrepp för ledningar ovan mark på stolpar,"]),
            ("nominell spänning", ["den spänning för vilken en starkströmsanläggning är", line, line + ","]),
            ("symbol", [line, line, line, "en bild som beskriver en situation eller föreskriver."]))
    page, y = [], 100
    for term, explanation in rows:
        page.append(Text.of(130, y, term))
        for text in explanation:
            page.append(Text.of(266, y, text))
            y += 13
    path = tmp_path / "definitioner.pdf"
    path.write_bytes(make_layout_pdf([page]))
    doc = load_document(path, DocumentInfo(doc_id="definitioner", title="", source_file=path.name))
    rows_read = block_texts(doc, "table_row")
    assert "högspänning | nominell spänning över 1 000 V växelspänning eller mer än 1 500 V likspänning," \
        in rows_read
    assert any(r.startswith("nominell spänning | den spänning") for r in rows_read)


def test_a_template_title_in_the_metadata_gives_way_to_the_first_pages_title(tmp_path):
    """Olofström's climate plan (not tuned on) keeps its template's metadata title, "Föreskriftens namn", which
    names nothing on its first page; every chunk was read under it, and its information block matched no
    question about the plan. The first page's own title is used instead; a metadata title that the first
    page bears out is kept."""
    from pdfgen import Text, make_layout_pdf

    page = [Text.of(60, 80, "Handlingsplan för lekplatser", size=20),
            Text.of(60, 130, "Kommunen ska besiktiga varje lekplats en gång om året och rusta dem som behöver det.")]
    for meta_title, expected in (("Föreskriftens namn", "Handlingsplan för lekplatser"),
                                 ("Lekplatser i kommunen 2025", "Lekplatser i kommunen 2025")):
        path = tmp_path / "plan.pdf"
        path.write_bytes(make_layout_pdf([page], info={"Title": meta_title}))
        info = DocumentInfo(doc_id="plan", title="", source_file=path.name)
        load_document(path, info)
        assert info.title == expected


def test_a_character_beyond_the_first_65536_is_read_whole():
    """SSMFS 2018:1 writes its formulas in italic math letters ("dosen 𝐻𝑇"), which PDFium reports as two UTF-16
    halves each: the halves reached the embedding cache's key and the index write failed for the whole corpus.
    The halves are one character, a math letter is its plain letter, and a lone half is dropped."""
    from ingest.cleaning import normalize_characters
    from ingest.pdf_glyphs import normalize_glyph, utf16_pair

    assert chr(utf16_pair(0xD835, 0xDC3B)) == "\U0001d43b" and normalize_glyph("\U0001d43b") == "H"
    assert utf16_pair(0xD835, 0x0041) == 0 and utf16_pair(0x0041, 0xDC3B) == 0  # not a pair
    assert normalize_characters("dosen \ud835 till vävnaden") == "dosen  till vävnaden"


def made_pdf(tmp_path, pages, info: dict[str, str] | None = None):
    """The document read from a PDF made of ``pages`` (``pdfgen.make_layout_pdf``), as the ingest reads it."""
    from pdfgen import make_layout_pdf

    path = tmp_path / "made.pdf"
    path.write_bytes(make_layout_pdf(pages, info=info))
    return load_document(path, DocumentInfo(doc_id="made", title="", source_file=path.name))


def test_the_year_is_the_documents_own_not_an_issn_or_the_files(tmp_path):
    """SSMFS 2018:1 was cited as "(dokument 2000)": its cover has "ISSN: 2000-0987" and no date, and the file's
    CreationDate ("D:20250109…") was never read. The year is the one the document gives itself: a date, else its
    statute-book number, else a year on the cover that is no ISSN, else the file's date."""
    from pdfgen import Text

    def year_of(lines: list[str], created: str = "D:20250109161447+01'00'") -> int | None:
        page = [Text.of(72, 80 + 24 * i, line, size=18 if i == 3 else 11) for i, line in enumerate(lines)]
        text = [Text.of(72, 80, "1 § Dessa föreskrifter gäller all verksamhet.")]
        return made_pdf(tmp_path, [page, text], info={"CreationDate": created}).info.year

    cover = ["Lindby myndighets författningssamling", "LMFS 2018:1", "ISSN: 2000-0987",
             "Lindby myndighets föreskrifter om tillstånd"]
    assert year_of(cover) == 2018
    assert year_of([cover[0], cover[2], cover[3]]) == 2025  # no number, no year but the ISSN: the file's date
    assert year_of([cover[0], "Beslutade den 4 juni 2021.", cover[2], cover[3]]) == 2021


def test_a_regulations_title_is_its_own_not_its_statute_books(tmp_path):
    """Elsäkerhetsverket's, Boverket's and Skatteverket's regulations were titled "… författningssamling" (the
    statute book's name, largest on the first page and in the file's Title) or by their number alone: the title
    is the regulation's own, the next largest text, without the ";" that leads into its footnote."""
    from pdfgen import Text

    page = [Text.of(72, 60, "Lindby myndighets författningssamling", size=20),
            Text.of(72, 100, "LMFS 2022:1", size=16),
            Text.of(72, 130, "Lindby myndighets föreskrifter om", size=14),
            Text.of(72, 150, "tillsyn av lekplatser;", size=14),
            Text.of(72, 190, "beslutade den 21 april 2022.", size=11),
            Text.of(72, 210, "1 § Dessa föreskrifter gäller alla kommunala lekplatser i länet.", size=11),
            Text.of(72, 226, "2 § Lekplatserna ska besiktas en gång om året.", size=11)]
    doc = made_pdf(tmp_path, [page], info={"Title": "Lindby myndighets författningssamling"})
    assert doc.info.title == "Lindby myndighets föreskrifter om tillsyn av lekplatser"
    # A committee directive's cover says "Kommittédirektiv" largest of all, the kind of document; its title is
    # the next, broken over lines as set.
    page = [Text.of(72, 60, "Kommittédirektiv", size=22),
            Text.of(72, 100, "Tilläggsdirektiv till utredningen om genom-", size=16),
            Text.of(72, 122, "förande av nya regler för lekplatser", size=16),
            Text.of(400, 100, "Dir. 2014:158", size=14),
            Text.of(72, 170, "Beslut vid regeringssammanträde den 18 december 2014.", size=12),
            Text.of(72, 200, "Utredningen ska också föreslå hur lekplatserna ska besiktas.", size=12),
            Text.of(72, 216, "Uppdraget ska redovisas senast den 1 mars 2016.", size=12)]
    title = made_pdf(tmp_path, [page]).info.title
    assert title == "Tilläggsdirektiv till utredningen om genomförande av nya regler för lekplatser"


def test_a_raised_digit_of_a_formula_or_unit_is_text_not_a_footnote(tmp_path):
    """Vansbro's climate plan writes "CO²" and "m²" with raised digits, which were taken for footnote markers:
    the plan read "224,59 ton CO" (carbon monoxide) and "61294 m BRA". A raised digit right after a greenhouse
    gas's formula or a unit of length belongs to it; after another word it is still a footnote's marker."""
    from pdfgen import Run, Text

    page = [Text.of(72, 60, "Klimatplan för Lindby", size=20),
            Text(72, 100, (Run("Bilarna släpper ut 120 g CO", 11), Run("2", 7, rise=4), Run(" per km.", 11))),
            Text(72, 116, (Run("Lokalerna har en yta om 5 000 m", 11), Run("2", 7, rise=4), Run(" BRA.", 11))),
            Text(72, 132, (Run("Planen följer direktivet om energi", 11), Run("1", 7, rise=4), Run(" fullt ut.", 11))),
            Text.of(72, 700, "1 Europaparlamentets och rådets direktiv 2012/27/EU.", size=8)]
    doc = made_pdf(tmp_path, [page])
    assert "120 g CO2 per km" in doc.text
    assert "5 000 m2 BRA" in doc.text
    assert "energi1" not in doc.text and "direktivet om energi fullt ut" in doc.text
