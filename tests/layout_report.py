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


BOOKLET_TITLE = "Föräldraguiden"


def _spaced(pieces: list[str], size: float = 14.0, small: float = 10.0, gap: float = 3.0) -> tuple[Run, ...]:
    """Letter-spaced bold text whose own spaces fall where the font size changes (a designed heading:
    "H åll b ar t"): every other piece is set smaller, a narrow space between pieces, a real space
    between words ("|")."""
    runs: list[Run] = []
    for k, piece in enumerate(pieces):
        if piece == "|":
            runs.append(Run(" ", size, True, spacing=gap))
            continue
        if runs and runs[-1].text != " ":
            runs.append(Run(" ", 1.0, True))  # the document's own space, hardly wider than the letters' gaps
        runs.append(Run(piece, size if k % 2 else small, True, spacing=gap))
    return tuple(runs)


def booklet_pdf() -> bytes:
    """A municipality's designed booklet: a divider page whose chapter name then runs small in the top
    margin and stops where the chapter ends; chapters named only in that margin (one of them a single
    page); a letter-spaced heading whose own spaces fall at changes of font size; a bold label over a
    paragraph and one over a list; a box of numbered advice whose items start in bold, beside a column
    of text whose lines do not share baselines with it; italic words inside a sentence; and headings
    that start high on the page, their first line printed on three pages."""
    pages: list[list[Text]] = []

    def margin(name: str) -> list[Text]:
        return [Text.of(260, 40, name, size=8)] if name else []

    def footer(number: int) -> list[Text]:
        return [Text.of(540, 815, str(number), size=8)]

    pages.append([Text.of(LEFT, 200, BOOKLET_TITLE, size=28, bold=True), Text.of(LEFT, 240, "Lindby kommun", size=12)])
    pages.append([Text.of(LEFT, 300, "FAMILJE-", size=60, bold=True), Text.of(LEFT, 370, "STÖD", size=60, bold=True)]
                 + paragraph("Här berättar föräldrar i Lindby om stödet de har fått.", 420)[0] + footer(2))
    stories = (("Träffar för nyblivna föräldrar", "Anna gick på föräldraträffar på familjecentralen när hennes "
                "dotter var nyfödd. Där träffade hon andra föräldrar i samma situation."),
               ("Stöd i tonåren", "Omar fick stöd i en föräldragrupp när sonen började högstadiet. Gruppen "
                "träffades sex gånger under en termin."),
               ("Samtal med familjebehandlare", "Lisa och Jonas fick tre samtal med en familjebehandlare "
                "inom två veckor efter att de hade hört av sig."))
    for number, (heading, text) in enumerate(stories, start=3):
        lines, y = paragraph(text, 130)
        page = margin("familjestöd") + [Text.of(LEFT, 100, heading, size=14, bold=True)] + lines + footer(number)
        if number == 5:
            page += [Text.of(LEFT, y + 14, "Så bokar du ett samtal:", bold=True)]
            more, y = paragraph("Ring kommunens kontaktcenter och be att få tala med familjebehandlarna.",
                                y + 14 + LEADING)
            page += more + [Text.of(LEFT, y + 14, "Du kan få hjälp med:", bold=True),
                            Text.of(LEFT, y + 14 + LEADING, "- sömn och mat"),
                            Text.of(LEFT, y + 14 + 2 * LEADING, "- gränser och konflikter")]
        pages.append(page)
    lines, y = paragraph("Allt stöd i guiden är gratis för föräldrar som bor i kommunen.", 130)
    spaced = _spaced(["H", "åll", "b", "ar", "t", "|", "f", "ör", "ä", "ldr", "a", "sk", "ap"])
    more, _ = paragraph("Kommunen vill att stödet ska vara hållbart och nå alla föräldrar.", y + 40)
    pages.append([Text.of(LEFT, 100, "Vad kostar stödet?", size=14, bold=True)] + lines
                 + [Text(LEFT, y + 14, spaced)] + more + footer(6))
    for number, (name, text) in enumerate((("ALLERGI", "Pollenallergi är vanligt hos barn i förskoleåldern."),
                                           ("ALLERGI", "Barn med födoämnesallergi får anpassad kost i skolan."),
                                           ("ASTMA", "Astma hos barn följs upp av barnhälsovården varje år.")),
                                          start=7):
        pages.append(margin(name) + paragraph(text, 100)[0] + footer(number))

    # A divider in lowercase display type, its two lines in two sizes.
    pages.append([Text.of(LEFT, 300, "vardag och", size=60, bold=True), Text.of(LEFT, 350, "hälsa", size=48, bold=True)]
                 + footer(10))
    # A column of text beside a box of numbered advice, set at another leading: some lines share a baseline.
    body = ("Goda vanor i familjen ger barnen en bra start i livet. Familjecentralen ger råd om mat, sömn och "
            "rörelse till alla föräldrar som vill ha det. Råden bygger på de nationella riktlinjerna och "
            "på vad föräldrar i kommunen har frågat efter under de senaste åren. Barnhälsovården följer "
            "upp barnens vikt och längd vid varje besök och tar upp vanorna med föräldrarna.")
    page = [Text.of(LEFT, 90, "Goda vanor", size=14, bold=True)] + paragraph(body, 120, width=40)[0]
    advice = (("1. Ät frukost varje dag.", ()), ("2. Rör på er tillsammans.", ()),
              ("3. Ingen alkohol eller med", ("måtta under graviditeten.",)),
              ("4. Daglig rörelse är viktigast. Även korta", ("promenader räknas",)))
    y = 120.0
    for first, rest in advice:
        page.append(Text.of(320, y, first, size=12, bold=True))
        for line in rest:
            y += 17
            page.append(Text.of(338, y, line, size=12))
        y += 17
    pages.append(page + footer(11))

    for number, topic in enumerate(("föräldraträffar", "familjebehandling", "hembesök"), start=12):
        page = [Text.of(LEFT, 52, "Förslag till ändring i riktlinjerna för", size=13),
                Text.of(LEFT, 68, topic, size=13)]
        lines, y = paragraph(f"Riktlinjerna för {topic} ändras från och med den 1 juli 2025.", 100)
        page += lines
        if number == 13:
            page += [Text(LEFT, y + 14, (Run("Föräldraträffarna ska erbjudas", italic=True),)),
                     Text.of(LEFT, y + 14 + LEADING, "varje termin på alla familjecentraler.")]
        pages.append(page + footer(number))
    return make_layout_pdf(pages, info={"Title": BOOKLET_TITLE, "Author": "Lindby kommun"})
