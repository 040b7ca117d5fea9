"""Web pages as documents: the page's content as headings, paragraphs, list items and table rows, without its
menus, scripts and screen-reader duplicates; and a page ingested and answered from with exact citations."""

from __future__ import annotations

from pathlib import Path

from test_assistant import assistant_over

from index.model import DocumentInfo
from ingest.html import parse_html
from ingest.loaders import load_document

PAGE = """<!DOCTYPE html>
<html lang="sv"><head><meta charset="utf-8"><title>Cykelplan – Exempelby kommun</title>
<style>p { color: red }</style><script>var menu = "Startsida";</script></head>
<body>
<nav><ul><li><a href="/">Startsida</a></li><li><a href="/om">Om kommunen</a></li></ul></nav>
<div class="cookie">Vi använder kakor.</div>
<main>
<h1>Cykelplan 2025&ndash;2030</h1>
<p>Planen beskriver hur cykel&shy;trafiken ska byggas ut. Den antogs av kommun&shy;fullmäktige den 3 mars 2025.
<p>Planen gäller till och med 2030.</p>
<h2>Mål</h2>
<div class="callout"><span class="sr-only">Obs</span>Viktiga mål</div>
<ul><li><p>Andelen resor med cykel ska öka med 5 procentenheter till 2030.</p></li>
<li>Alla skolor ska nås via en säker cykelväg</ul>
<h2>Ansvar</h2>
<table><tr><th>Åtgärd</th><th>Ansvarig</th></tr>
<tr><td>Bygga cykelvägar</td><td><p>Tekniska nämnden</p></td></tr>
<tr><td>Cykelparkering vid stationen</td><td>Samhällsbyggnadsnämnden</td></tr></table>
<p hidden>Dold text som inte ska läsas.</p>
<div aria-hidden="true">Ikon</div>
</main>
<footer>Exempelby kommun, 123 45 Exempelby</footer>
</body></html>
"""


def test_a_page_is_read_as_its_content_without_menus_scripts_or_hidden_text():
    units, title = parse_html(PAGE)
    assert title == "Cykelplan – Exempelby kommun"
    found = [(u.kind, u.level, u.text) for u in units]
    assert found == [
        ("heading", 0, "Cykelplan 2025–2030"),  # the only H1 is the page's title, above its sections
        ("paragraph", 0, "Planen beskriver hur cykeltrafiken ska byggas ut. Den antogs av kommunfullmäktige den "
                         "3 mars 2025."),  # an unclosed <p> ends where the next begins; soft hyphens go
        ("paragraph", 0, "Planen gäller till och med 2030."),
        ("heading", 1, "Mål"),
        ("paragraph", 0, "Viktiga mål"),  # not the screen-reader "Obs"
        ("list_item", 0, "Andelen resor med cykel ska öka med 5 procentenheter till 2030."),
        ("list_item", 0, "Alla skolor ska nås via en säker cykelväg"),  # an unclosed <li> ends with its list
        ("heading", 1, "Ansvar"),
        ("table_header", 0, "Åtgärd | Ansvarig"),
        ("table_row", 0, "Bygga cykelvägar | Tekniska nämnden"),  # a paragraph inside a cell stays in the cell
        ("table_row", 0, "Cykelparkering vid stationen | Samhällsbyggnadsnämnden"),
    ]
    assert units[-1].cells == ("Cykelparkering vid stationen", "Samhällsbyggnadsnämnden")


def test_a_page_without_main_is_read_from_its_body_and_titled_by_its_page_title(tmp_path: Path):
    page = tmp_path / "sida.htm"
    page.write_bytes("<html><head><title>Taxa för bygglov</title></head><body><nav>Meny</nav>"
                     "<h2>Avgifter</h2><p>Avgiften för ett bygglov är 12 000 kronor.</p></body></html>"
                     .encode("cp1252"))  # not UTF-8: decoded as the other text formats are
    doc = load_document(page, DocumentInfo(doc_id="taxa", title="", source_file="sida.htm"))
    assert doc.info.title == "Taxa för bygglov"
    assert "Avgiften för ett bygglov är 12 000 kronor." in doc.text and "Meny" not in doc.text


def test_a_page_is_answered_from_with_citations_of_its_exact_text(make_settings, tmp_path):
    assistant = assistant_over(make_settings, tmp_path, "cykelplan.html", PAGE)
    answer = assistant.ask("Vem ansvarar för att bygga cykelvägar?")
    assert not answer.refused and "Tekniska nämnden" in answer.answer
    when = assistant.ask("När antogs cykelplanen?")
    assert "3 mars 2025" in when.answer
    for result in (answer, when):
        for citation in result.citations:
            assert assistant.document_text(citation.doc_id)[citation.start:citation.end] == citation.quote
    assert assistant.ask("Vad säger planen om kakor?").refused  # the cookie notice is no part of the page
