"""Knowledge from the real documents: terms, programmes, commitments and comparisons, asked in everyday words."""

from __future__ import annotations

import json
import re

import pytest

from assistant import Assistant


@pytest.fixture(scope="module")
def assistant(corpus_settings) -> Assistant:
    return Assistant(corpus_settings)


def quotes(answer) -> str:
    return "\n".join(c.quote for c in answer.citations)


def assert_verbatim(answer, assistant) -> None:
    for c in answer.citations:
        assert assistant.document_text(c.doc_id)[c.start:c.end] == c.quote
    markers = {int(m) for m in re.findall(r"\[(\d+)\]", answer.answer)}
    assert markers == {c.n for c in answer.citations}


# --- glossary ----------------------------------------------------------------------------


def test_glossary_holds_the_documents_own_definitions(assistant):
    terms = {item.record.term.lower() for item in assistant.knowledge().glossary}
    expected = {"bhv", "bmm", "bvc", "cope", "icdp", "ifo", "mhv", "mfof", "andts", "familjecentral",
                "familjecentralsliknande verksamhet", "preventionsparadoxen", "riktat stöd"}
    assert expected <= terms
    assert any(t.startswith("universell") for t in terms)
    assert any(t.startswith("selektiv") for t in terms)
    assert any("indikera" in t for t in terms)


def test_an_abbreviation_gets_a_crisp_cited_answer(assistant):
    answer = assistant.ask("Jag ser ICDP i en rapport – vad är det för förkortning?")
    assert answer.kind == "glossary"
    assert "International children's development program" in quotes(answer)
    assert len(answer.citations) == 1
    assert_verbatim(answer, assistant)


def test_each_side_of_a_difference_gets_its_own_definitions(assistant):
    """"selektivt" and "indikerat stöd" each find their entries; the entry that names both ("Selektiva och
    indikerade insatser kallas …") does not crowd out the definition of one side."""
    answer = assistant.ask("Vad är skillnaden mellan selektivt och indikerat stöd?")
    assert answer.kind == "glossary"
    assert "selektivt stöd fokuserar på att vända en negativ utveckling" in quotes(answer)
    assert "Indikerat stöd ges ofta individuellt" in quotes(answer)
    assert_verbatim(answer, assistant)


def test_difference_between_two_terms_cites_both_definitions(assistant):
    answer = assistant.ask("Vad skiljer en familjecentral från en familjecentralsliknande verksamhet?")
    assert answer.kind == "glossary"
    assert "gemensamma lokaler" in quotes(answer)
    assert "saknar en eller fler verksamheter" in quotes(answer)
    assert_verbatim(answer, assistant)


def test_a_concept_named_with_other_words(assistant):
    answer = assistant.ask("Vad menas egentligen med riktat stöd?")
    assert "kallas ibland också för riktat stöd" in quotes(answer)


def test_a_name_given_with_det_kallas_is_defined_by_the_sentence_before(assistant):
    """"Det kallas för preventionsparadoxen." says what the paradox is only with the sentence before it."""
    answer = assistant.ask("Vad är preventionsparadoxen?")
    assert "en liten insats till många har större preventiv effekt" in quotes(answer)
    assert_verbatim(answer, assistant)


# --- programmes ---------------------------------------------------------------------------


def test_programme_table_is_structured(assistant):
    rows = {item.record.name: item.record for item in assistant.knowledge().programs}
    assert len(rows) == 8
    assert rows["Connect"].program_type == "Selektiv" and rows["Connect"].ages.startswith("8–18 år")
    assert rows["Connect"].age_ranges == [(8, 18)]
    assert rows["De otroliga åren"].effect == "Liten effekt"


def test_teenager_with_acting_out_gets_matching_programmes(assistant):
    answer = assistant.ask("Jag träffar en pappa vars 14-årige son bråkar och slåss hemma. Finns det något program?")
    assert answer.kind == "programs" and not answer.refused
    rows = [c.quote for c in answer.citations if " | " in c.quote]
    assert rows[0].startswith("Connect | Selektiv")
    assert not any(r.startswith(("Cope |", "De otroliga åren |", "Komet |")) for r in rows)  # too young
    assert "2010–2015" in quotes(answer)  # the handbook's caveat about old evaluations
    assert_verbatim(answer, assistant)


def test_universal_programmes_for_parents_of_small_children(assistant):
    answer = assistant.ask("Vilka program kan vi erbjuda alla föräldrar med småbarn?")
    names = [c.quote.split(" | ")[0] for c in answer.citations if " | " in c.quote]
    assert names and all(n in {"Alla barn i centrum", "Ömsesidig respekt", "Triple P nivå 1–3 (av 5)",
                               "Aktivt föräldraskap"} for n in names)
    assert "högre effekt än universella insatser" in quotes(answer)


def test_never_recommends_a_programme_outside_the_table(assistant):
    answer = assistant.ask("Vilket föräldraprogram passar föräldrar till 25-åringar?")
    assert answer.refused
    assert answer.answer.startswith("Inget av programmen i tabellen i Region Västmanland")
    table = {item.record.name for item in assistant.knowledge().programs}
    named = {c.quote.split(" | ")[0] for c in answer.citations if " | " in c.quote}
    assert named <= table


# --- commitments --------------------------------------------------------------------------


def test_commitments_grouped_by_target_area_following_the_text(assistant):
    answer = assistant.ask("Vad förbinder den regionala strategin kommunerna till?")
    assert answer.kind == "commitments"
    text = answer.answer
    assert "Målområde 1 – Ett kunskapsbaserat arbetssätt" in text
    assert "Målområde 2 – Ett tillgängligt stöd" in text
    assert "Målområde 3 – En stödjande organisation" in text
    assert text.index("kompetenshöjande insatser") < text.index("Målområde 2")
    assert "minst en per kommun" in quotes(answer)
    assert "vartannat år" in quotes(answer)
    assert "stämmer" not in text or "texten kallar målområde 1" in text  # the source's heading quirk is explained
    assert "Obs:" in text
    assert_verbatim(answer, assistant)


def test_lindesbergs_commitments(assistant):
    answer = assistant.ask("Vad har Lindesberg åtagit sig att göra?")
    assert {c.doc_id for c in answer.citations} == {"lindesberg-strategi-2023-2026"}
    assert "Kartlägga utbudet av föräldraskapsstöd" in quotes(answer)
    assert "följs årligen upp av styrgruppen" in quotes(answer)


def test_a_topic_narrows_the_commitments(assistant):
    answer = assistant.ask("Lovar länsstrategin något om kompetensutveckling för oss som jobbar med föräldrar?")
    assert "kompetenshöjande insatser för professioner" in quotes(answer)
    everything = assistant.ask("Vad förbinder den regionala strategin kommunerna till?")
    assert len(answer.citations) <= 6 < len(everything.citations)
    # The item stands in its goal area: the area's other commitments come with it, no other area's.
    assert "*Målområde 1 – Ett kunskapsbaserat arbetssätt*" in answer.answer
    assert "Målområde 2" not in answer.answer and "Målområde 3" not in answer.answer
    assert "validerade indikatorer" in quotes(answer)


def test_a_follow_up_naming_the_second_goal_area_by_its_ordinal_gets_that_area(assistant):
    first = "Vilka är den regionala strategins tre målområden?"
    answer = assistant.ask("Vad ska göras inom det andra?", history=[first])
    assert answer.kind == "commitments"
    assert "*Målområde 2 – Ett tillgängligt stöd*" in answer.answer
    assert "Målområde 1" not in answer.answer and "Målområde 3" not in answer.answer


# --- comparisons --------------------------------------------------------------------------


def test_comparison_side_by_side_each_side_from_its_own_documents(assistant):
    answer = assistant.ask("Hur skiljer sig Lindesbergs strategi från den regionala strategin?")
    assert answer.kind == "comparison"
    for heading in ("Giltighetstid", "Uppföljning"):
        assert f"**{heading}**" in answer.answer
    by_doc = {}
    for c in answer.citations:
        by_doc.setdefault(c.doc_id, []).append(c.quote)
    assert any("2023 - 2026" in q for q in by_doc["lindesberg-strategi-2023-2026"])
    regional = [q for d, qs in by_doc.items() if d != "lindesberg-strategi-2023-2026" for q in qs]
    assert any("2024" in q and "2030" in q for q in regional)
    assert any("vartannat år" in q for q in regional)
    assert any("årligen" in q for q in by_doc["lindesberg-strategi-2023-2026"])
    assert_verbatim(answer, assistant)


def test_a_comparison_with_a_topic_of_its_own_is_answered_on_that_topic(assistant):
    answer = assistant.ask("Vilket slags stöd har Lindesbergs strategi respektive länsstrategin tyngdpunkt på?")
    assert answer.kind == "comparison" and "**Giltighetstid**" not in answer.answer  # not the whole overview
    lindesberg = [c.quote for c in answer.citations if c.doc_id == "lindesberg-strategi-2023-2026"]
    assert any("tyngdpunkt på det universella stödet" in q for q in lindesberg)
    # Words that name a document choose no aspect: "följebrevet" is not "följa upp".
    named = assistant.ask("Vad säger följebrevet respektive remissvaret om handlingsplaner?")
    assert named.kind == "comparison" and "**Uppföljning**" not in named.answer
    assert_verbatim(answer, assistant)


def test_knowledge_tables_link_every_row_to_its_passage(assistant):
    tables = assistant.knowledge()
    for items in (tables.glossary, tables.programs, tables.commitments):
        assert items
        for item in items:
            source = item.source
            assert (source.doc_id, source.start, source.end) == (item.record.doc_id, item.record.start,
                                                                 item.record.end)
            assert assistant.document_text(source.doc_id)[source.start:source.end] == source.quote


def test_knowledge_records_round_trip_through_json(reader):
    from index.knowledge import Knowledge

    for knowledge in reader.knowledge.values():
        assert Knowledge.from_dict(json.loads(json.dumps(knowledge.to_dict()))) == knowledge


def test_follow_up_narrows_the_programmes_to_the_new_age(assistant):
    first = "Vilka program finns för föräldrar med småbarn?"
    answer = assistant.ask("Och för tonåringar då?", history=[first])
    names = {c.quote.split(" | ")[0] for c in answer.citations if " | " in c.quote}
    assert names and not names & {"De otroliga åren", "Komet", "Cope"}  # none of them reach the teens
    assert "Aktivt föräldraskap" in names


def test_a_follow_up_on_a_programme_uses_the_table_only_for_what_its_columns_hold(assistant):
    history = ["Vad innebär Komet?"]
    usage = assistant.ask("Hur vanligt är det i Västmanland?", history=history)
    assert usage.kind == "search" and "Komet var den mest använda metoden." in usage.answer
    effect = assistant.ask("Vilken effekt har det?", history=history)  # the table's "Effekt" column
    assert effect.kind == "programs" and effect.answer.startswith("- Komet – ")


def test_commitment_lead_in_leads_the_items_and_is_not_a_quote_of_its_own(assistant):
    answer = assistant.ask("Vad kräver den regionala strategin inom målområdet ett tillgängligt stöd?")
    lines = answer.answer.splitlines()
    assert "Det ska …" in lines  # the lead-in is shown once, before the items that continue it
    for line in lines:
        if line.startswith("- "):
            assert not line.startswith("- Det ska") and line.rstrip().endswith("]")  # each item is cited
    assert not any(c.quote.strip(" :") == "Det ska" for c in answer.citations)


def test_a_condition_no_programme_is_for_is_named_not_answered_with_the_list(assistant):
    answer = assistant.ask("Vilket föräldraprogram passar föräldrar till barn med autism?")
    assert answer.refused
    assert answer.answer.startswith("Inget av programmen i tabellen i Region Västmanland och Länsstyrelsen i "
                                    "Västmanland (handbok) nämner ”autism”.")
    fits = assistant.ask("Vilket program passar föräldrar till barn med utagerande beteende?")
    assert not fits.refused and "utagerande" in fits.answer


def test_the_glossarys_generic_words_come_from_its_terms_not_from_a_list():
    from assistant.knowledge import _generic_term_words, _term_key

    terms = ["Universella insatser", "Selektiva insatser", "Indikerade insatser", "Riktat stöd", "Selektivt stöd",
             "Indikerat stöd", "Universellt hamnstöd", "Hamnstatskontroll"]
    generic = _generic_term_words(tuple(terms))
    assert {"insatser", "stöd", "hamnstöd"} <= generic, "head nouns of three terms or more, and compounds of them"
    assert "hamnstatskontroll" not in generic and "selektiva" not in generic
    assert _term_key("Universellt hamnstöd", generic) == ["universel"]
    assert _term_key("Hamnstatskontroll", generic) == ["hamnstatskontro"]
    assert _term_key("Vad som", generic) == []  # function words only: it would match every "Vad …?"


def test_a_word_defined_twice_in_other_words_points_back_and_is_no_term(tmp_path):
    """"Ändringen innebär att …" twice with different content refers to what the text just said; "Ett
    etableringssamtal innebär att …" once is a definition."""
    from index.model import DocumentInfo
    from ingest.knowledge import extract_glossary
    from ingest.loaders import load_document

    path = tmp_path / "proposition.md"
    path.write_text(
        "# Förslag\n\n## Sjukperioder\n\nEn bestämmelse om sjukperioder ändras. Ändringen innebär att dagar i "
        "sjukperioder läggs samman.\n\n## Tredje stycket\n\nTredje stycket i 4 § ändras. Ändringen innebär att "
        "tredje stycket upphävs.\n\n## Samtal\n\nEtableringssamtal innebär att den nyanlände och handläggaren "
        "går igenom utbildning och erfarenhet. Vad som avses här är dock något annat.\n", encoding="utf-8")
    doc = load_document(path, DocumentInfo(doc_id="prop", title="Förslag", source_file=path.name))
    assert [entry.term for entry in extract_glossary(doc)] == ["Etableringssamtal"]  # not "Vad som" either


def test_a_definite_word_the_document_uses_all_over_is_no_term(tmp_path):
    """"Föreskriften innebär att …" in a regulation that writes "föreskrift" everywhere points back; a concept
    the text names once ("Hissnormen innebär att …") is a term."""
    from index.model import DocumentInfo
    from ingest.knowledge import extract_glossary
    from ingest.loaders import load_document

    sections = "".join(f"## {i} §\n\nDenna föreskrift gäller anordning nummer {i}.\n\n" for i in range(1, 7))
    path = tmp_path / "foreskrift.md"
    path.write_text(
        f"# Föreskrifter om hissar\n\n{sections}## Skyltar\n\nFöreskriften innebär att även små hissar ska ha "
        "en skylt.\n\n## Normer\n\nHissnormen innebär att en hiss ska stanna inom en meter.\n", encoding="utf-8")
    doc = load_document(path, DocumentInfo(doc_id="bfs", title="Föreskrifter", source_file=path.name))
    assert [entry.term for entry in extract_glossary(doc)] == ["Hissnormen"]


def test_a_name_given_to_it_in_a_clause_is_defined_by_the_sentence_before(tmp_path):
    """"Arbetsgruppen föreslår att det skall kallas rättsinformationssystemet." (Ds 1998:10, not tuned on) names
    what the sentence before describes: "det" points back there, as "Det kallas …" does at a sentence's start."""
    from index.model import DocumentInfo
    from ingest.knowledge import extract_glossary
    from ingest.loaders import load_document

    path = tmp_path / "promemoria.md"
    path.write_text(
        "# Promemoria\n\n## Förslag\n\nArbetsgruppen föreslår en gemensam webbplats där alla kommuners "
        "föreskrifter samlas. Gruppen föreslår att den ska kallas kommunportalen.\n", encoding="utf-8")
    doc = load_document(path, DocumentInfo(doc_id="ds", title="Promemoria", source_file=path.name))
    [entry] = [e for e in extract_glossary(doc) if e.term == "kommunportalen"]
    assert entry.definition.startswith("Arbetsgruppen föreslår en gemensam webbplats")


def test_a_title_with_another_name_after_a_dash_is_no_definition(tmp_path):
    """"Korttidsvistelse - Korttidsboende" (a municipality's LSS assignment, not tuned on) names the service twice;
    "Familjecentral - En samlokaliserad verksamhet med mödrahälsovård och barnhälsovård" explains a term and
    "BVC - Barnavårdscentral" spells out an abbreviation."""
    from index.model import DocumentInfo
    from ingest.knowledge import extract_glossary
    from ingest.loaders import load_document

    path = tmp_path / "uppdrag.md"
    path.write_text(
        "# Uppdrag\n\n## Insatser\n\nKorttidsvistelse - Korttidsboende\n\nFamiljecentral - En samlokaliserad "
        "verksamhet med mödrahälsovård och barnhälsovård.\n\nBVC - Barnavårdscentral\n", encoding="utf-8")
    doc = load_document(path, DocumentInfo(doc_id="uppdrag", title="Uppdrag", source_file=path.name))
    assert sorted(entry.term for entry in extract_glossary(doc)) == ["BVC", "Familjecentral"]
