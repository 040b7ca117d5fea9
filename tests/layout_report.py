"""A municipality's report as a real PDF, laid out the way publishers lay out theirs: a title page and
a table of contents with roman page labels, running headers and footers, numbered headings in two
sizes, a footnote with a raised marker, a numbered list, a statistics table with a header row, chart
axis numbers, a two-column page whose sentence runs on into the second column, ligatures, a soft
hyphen, symbol-font glyphs, real hyphens, and an appendix table with dot leaders.

``FACTS`` lists what a correct reading must give; ``tests/test_pdf_layout.py`` checks them."""

from __future__ import annotations

import textwrap

from pdfgen import Run, Text, make_layout_pdf

HEADER = "Plan för föräldraskapsstöd | Lindby kommun"
TITLE = "Plan för föräldraskapsstöd i Lindby kommun 2024–2027"
LEFT, WIDTH_CHARS, LEADING = 72.0, 92, 13.0


def paragraph(text: str, y: float, x: float = LEFT, width: int = WIDTH_CHARS) -> tuple[list[Text], float]:
    """``text`` wrapped at about ``width`` characters from (x, y); returns the lines and the next y."""
    lines = [Text.of(x, y + i * LEADING, line) for i, line in enumerate(textwrap.wrap(text, width))]
    return lines, y + len(lines) * LEADING + 8


def running(page_number: int, pages: int) -> list[Text]:
    return [Text.of(LEFT, 40, HEADER, size=8), Text.of(LEFT, 812, f"Sida {page_number} av {pages}", size=8)]


def report_pdf() -> bytes:
    pages: list[list[Text]] = []

    # i: the title page
    pages.append([Text.of(LEFT, 200, TITLE, size=20, bold=True), Text.of(LEFT, 240, "Lindby kommun", size=12),
                  Text.of(LEFT, 262, "Antagen av kommunfullmäktige 2024-02-12", size=10)])

    # ii: the table of contents, page numbers right-aligned, no leaders
    toc = [("1 Inledning", "1"), ("1.1 Bakgrund", "1"), ("2 Elever i grundskolan", "2"), ("3 Insatser", "3"),
           ("Bilaga 1 Ämnen som omfattas", "4")]
    page = [Text.of(LEFT, 90, "Innehåll", size=16, bold=True)]
    for i, (title, number) in enumerate(toc):
        page += [Text.of(LEFT, 130 + 18 * i, title), Text.of(500, 130 + 18 * i, number)]
    pages.append(page)

    # 1: headings, a footnote, a numbered list
    page = running(1, 4) + [Text.of(LEFT, 90, "1 Inledning", size=16, bold=True)]
    lines, y = paragraph("Lindby kommun vill ge alla föräldrar ett jämlikt stöd i föräldraskapet under hela "
                         "barnets uppväxt. Planen beskriver vad kommunen ska göra under perioden 2024–2027 och "
                         "hur arbetet följs upp.", 120)
    page += lines + [Text.of(LEFT, y + 6, "1.1 Bakgrund", size=13, bold=True)]
    y += 30
    page += [Text(LEFT, y, (Run("Nästan alla barn i kommunen går i grundskolan."), Run("1", 6, rise=4),
                            Run(" Av samtliga föräldrar har var tredje deltagit i en föräldraträff."))),
             Text.of(LEFT, y + LEADING, "Kommunen ska därför erbjuda följande:")]
    y += 2 * LEADING + 8
    for n, item in enumerate(("Föräldraträffar på alla skolor varje termin.",
                              "Samtal med en familjebehandlare inom två veckor.",
                              "En uppföljning av planen varje år i socialnämnden."), start=1):
        page.append(Text.of(LEFT, y, f"{n}. {item}"))
        y += LEADING
    page.append(Text(LEFT, 770, (Run("1", 5, rise=3), Run(" Källa: Skolverket, Elever i grundskolan läsåret "
                                                          "2023/24, tabell 2.", 8))))
    pages.append(page)

    # 2: a statistics table and a chart's axis numbers
    page = running(2, 4) + [Text.of(LEFT, 90, "2 Elever i grundskolan", size=16, bold=True)]
    lines, y = paragraph("Tabellen visar hur många elever som gick i de högre årskurserna i landet.", 120)
    page += lines
    columns = (LEFT, 220, 320, 420)
    for k, cell in enumerate(("Årskurs", "Totalt", "Flickor", "Pojkar")):
        page.append(Text.of(columns[k], y, cell, bold=True))
    for r, row in enumerate((("Årskurs 7", "120 455", "58 901", "61 554"), ("Årskurs 8", "122 310", "59 700",
                             "62 610"), ("Årskurs 9", "123 960", "60 367", "63 593"))):
        for k, cell in enumerate(row):
            page.append(Text.of(columns[k], y + (r + 1) * 15, cell))
    y += 4 * 15 + 10
    page.append(Text.of(LEFT, y, "Tabell 1. Elever per årskurs läsåret 2023/24.", size=9))
    for i, tick in enumerate(("40", "30", "20", "10", "0")):
        page.append(Text.of(LEFT, y + 40 + 20 * i, tick, size=7))
    page.append(Text.of(LEFT, y + 160, "Figur 1. Andel föräldrar som deltagit i en föräldraträff, procent.", size=9))
    pages.append(page)

    # 3: two columns, one sentence running on into the second; ligature, soft hyphen, symbols, hyphens
    page = running(3, 4) + [Text.of(LEFT, 90, "3 Insatser", size=16, bold=True)]
    left = ["Familjecentralen samlar mödrahälsovård,", "barnhälsovård, öppen förskola och",
            "socialtjänst. Där finns stöd för alla", "föräldrar med barn i åldern noll till sex",
            "år. Kommunen ska under perioden bygga", "ut familjecentralen så att den också når",
            "föräldrar som"]
    right = ["i dag inte söker stöd, till exempel", "nyanlända. Kemikalier i lokalerna",
             "hanteras enligt Reach-förordningen och", "den svenska lagstiftningen. Leksaker",
             "ska följa Reach-", "förordningen och vara märkta med CE.", "Detta gäller alla lekrum."]
    for i, line in enumerate(left):
        page.append(Text.of(LEFT, 120 + i * LEADING, line))
    for i, line in enumerate(right):
        page.append(Text.of(320, 120 + i * LEADING, line))
    y = 120 + 8 * LEADING + 20
    page += [Text(LEFT, y, (Run("Personalen "),
                            Run("\ufb01nns på plats varje vardag. Stödet till alla föräld\u00ad", special=True))),
             Text.of(LEFT, y + LEADING, "raskap ska vara lätt att hitta för alla."),
             Text(LEFT, y + 2 * LEADING, (Run("Rummen ska hålla minst 20 \uf0b0C och ", special=True),
                                          Run("barnvagnar får stå i entrén.")))]
    pages.append(page)

    # 4: an appendix table with dot leaders (not a table of contents)
    page = running(4, 4) + [Text.of(LEFT, 90, "Bilaga 1 Ämnen som omfattas", size=16, bold=True)]
    for i, (name, number) in enumerate((("Benzidin", "92-87-5"), ("Bensen", "71-43-2"), ("Toluen", "108-88-3"))):
        page.append(Text.of(LEFT, 120 + i * 15, f"{name} {'.' * 40} {number}"))
    pages.append(page)

    return make_layout_pdf(pages, labels=[(0, "r", 1), (2, "D", 1)],
                           info={"Title": TITLE, "Author": "Lindby kommun", "CreationDate": "D:20240215120000"})


REGULATION_HEADER = "LFS 2025:3"
REGULATION_TITLE = "Länsstyrelsens föreskrifter om stöd till föräldrar"


def regulation_pdf() -> bytes:
    """An agency's regulation: chapters written "2 kap.", a list of definitions as a two-column table
    whose explanations run over several lines, items marked with a dash set apart by a tab under a bold
    label, a numbered list in lowercase, a table of limits whose groups hold the items listed under them,
    printed under the same title at the top of three pages, and an appendix named only in the running
    header, with its own numbering."""
    pages: list[list[Text]] = []

    def header(part: str = "") -> list[Text]:
        texts = [Text.of(430, 40, REGULATION_HEADER, size=9, bold=True)]
        return texts + ([Text.of(430, 52, part, size=9)] if part else [])

    page = header() + [Text.of(LEFT, 90, REGULATION_TITLE, size=18, bold=True),
                       Text.of(LEFT, 130, "2 kap. Stöd i föräldraskapet", size=16, bold=True),
                       Text.of(LEFT, 160, "1 § Med förälder jämställs den som", size=10)]
    for i, item in enumerate(("1. har vårdnaden om ett barn,", "2. är familjehemsförälder, eller",
                              "3. bor tillsammans med barnet.")):
        page.append(Text.of(LEFT + 20, 174 + i * LEADING, item))
    page += [Text.of(LEFT, 230, "Definitioner", size=13, bold=True),
             Text.of(LEFT, 250, "Begrepp", bold=True), Text.of(250, 250, "Betydelse", bold=True)]
    y = 268
    for term, explanation in (("Föräldraskapsstöd", ("En aktivitet eller insats som stärker", "föräldrar i deras",
                                                     "relation till barnet.")),
                              ("Universellt stöd", ("Stöd som erbjuds alla föräldrar.",))):
        page.append(Text.of(LEFT, y, term))
        for k, line in enumerate(explanation):
            page.append(Text.of(250, y + k * LEADING, line))
        y += len(explanation) * LEADING + 6
    page += [Text.of(LEFT, y + 10, "Indikatorer", size=10, bold=True)]
    for i, item in enumerate(("Andel föräldrar som deltagit i en träff", "Antal familjecentraler")):
        page += [Text.of(LEFT + 18, y + 24 + i * LEADING, "-"), Text.of(LEFT + 36, y + 24 + i * LEADING, item)]
    pages.append(page)

    columns = (LEFT, 260, 360)
    groups = (("1 Barn 0–5 år", "0,5", "0,2", ("Spädbarn", "Förskolebarn")),
              ("2 Barn 6–12 år", "0,3", "0,1", ("Lågstadiet", "Mellanstadiet")),
              ("3 Tonåringar", "0,2", "0,1", ("Högstadiet",)))
    for number in range(3):  # the same table title over three pages
        page = header() + [Text.of(LEFT, 100, "Gränsvärden per åldersgrupp", size=13, bold=True)]
        for k, cell in enumerate(("Grupp", "Nivå A", "Nivå B")):
            page.append(Text.of(columns[k], 130, cell, bold=True))
        name, a, b, items = groups[number]
        page += [Text.of(columns[0], 148, name, bold=True), Text.of(columns[1], 148, a, bold=True),
                 Text.of(columns[2], 148, b, bold=True)]
        page += [Text.of(columns[0], 148 + (i + 1) * 14, item) for i, item in enumerate(items)]
        page += [Text.of(columns[0], 220, "Övriga grupper", bold=True), Text.of(columns[1], 220, "0,1"),
                 Text.of(columns[2], 220, "0,1")]
        pages.append(page)

    page = header("Bilaga 2") + [Text.of(LEFT, 90, "Uppföljning av stödet", size=16, bold=True),
                                 Text.of(LEFT, 124, "1 Omfattning", size=13, bold=True)]
    lines, _ = paragraph("Uppföljningen omfattar alla insatser som kommunen ger föräldrar enligt 2 kap.", 144)
    pages.append(page + lines)
    page = header("Bilaga 2") + [Text.of(LEFT, 90, "2 Rapportering", size=13, bold=True)]
    lines, _ = paragraph("Kommunen rapporterar uppföljningen till länsstyrelsen varje år i mars.", 110)
    pages.append(page + lines)
    return make_layout_pdf(pages, info={"Title": REGULATION_TITLE, "Author": "Länsstyrelsen"})
