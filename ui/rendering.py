"""Rendering: answers, sources, documents, knowledge tables and statuses as HTML or Markdown.

Pure functions. Every piece of outside text (a question, a document, a model's answer) goes through
``esc`` or ``md_text`` before it is shown: HTML in a question or a document is shown as text and
never executed.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from assistant import Answer, Citation, DocumentSummary, KnowledgeTables, Sourced, page_text
from ingest import IngestReport

REFUSAL_TITLE = "Svaret finns inte i dokumenten"
DOC_TYPE_LABELS = {
    "strategi": "Strategi", "rapport": "Rapport", "handbok": "Handbok", "remiss": "Remiss",
    "remissvar": "Remissvar",
}
MARKER = re.compile(r"\[(\d+)\]")
CONTEXT_CHARS = 320
STOCKHOLM = ZoneInfo("Europe/Stockholm")

Surrounding = Callable[[str, int, int], tuple[str, str, str]]

log = logging.getLogger(__name__)


# =============================================================================================
# Answers and their sources
# =============================================================================================


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # C0/C1 controls except tab and newlines


def esc(text: object) -> str:
    """Text for HTML (element content or attribute value); control characters are dropped."""
    return html.escape(_CONTROL.sub("", "" if text is None else str(text)), quote=True)


def md_text(text: str) -> str:
    """Document or answer text for the Markdown renderer: HTML is escaped and brackets cannot form
    links or images, while the answer's own Markdown (lists, emphasis) still renders."""
    return html.escape(text, quote=False).replace("[", "&#91;").replace("]", "&#93;")


_MD_LITERAL = {c: f"&#{ord(c)};" for c in "\\`*_{}[]()#+-!|~>"}


def md_literal(text: str) -> str:
    """Text shown exactly as typed (a question): no HTML, no Markdown, no control characters."""
    escaped = html.escape(_CONTROL.sub("", text), quote=False)
    return "".join(_MD_LITERAL.get(c, c) for c in escaped)


def cite_link(turn: int, n: int) -> str:
    return f'<a href="#kalla-{turn}-{n}" class="fsa-cite"><span class="fsa-sr">Källa </span>[{n}]</a>'


def link_markers(text: str, turn: int, known: set[int]) -> str:
    """Escape ``text`` and turn its [n] markers (those with a citation) into links to the sources panel."""
    parts: list[str] = []
    last = 0
    for match in MARKER.finditer(text):
        parts.append(md_text(text[last:match.start()]))
        n = int(match.group(1))
        parts.append(cite_link(turn, n) if n in known else md_text(match.group(0)))
        last = match.end()
    parts.append(md_text(text[last:]))
    return "".join(parts)


def render_answer(answer: Answer, turn: int) -> str:
    """The chat message for one answer (Markdown with a little safe HTML)."""
    body = link_markers(answer.answer.strip(), turn, {c.n for c in answer.citations})
    blocks: list[str] = []
    if answer.refused:
        blocks += ['<div class="fsa-refusal">', f'<p class="fsa-refusal-title">{REFUSAL_TITLE}</p>', body, "</div>"]
    else:
        blocks.append(body)
    for notice in answer.notices:
        if notice:
            blocks.append(f'<p class="fsa-notice">Obs! {esc(notice)}</p>')
    blocks.append(f'<p class="fsa-tools"><a href="#kopiera-{turn}" class="fsa-copy">Kopiera svaret med källor</a></p>')
    return "\n\n".join(blocks)


def render_error(message: str) -> str:
    return f'<div class="fsa-error">{esc(message)}</div>'


def _trim_before(text: str, limit: int = CONTEXT_CHARS) -> str:
    if len(text) <= limit:
        return text
    cut = text[-limit:]
    space = cut.find(" ")
    return "…" + (cut[space + 1:] if 0 <= space < 40 else cut)


def _trim_after(text: str, limit: int = CONTEXT_CHARS) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit - 40 else cut) + "…"


def _lines(text: str) -> str:
    """Paragraph breaks as single line breaks (the passage is shown with ``white-space: pre-line``)."""
    return re.sub(r"[ \t]*\n\s*\n\s*", "\n", text)


def format_year(year: int | None) -> str:
    return str(year) if year else "uppgift saknas"


def format_page(page: int | None, label: str = "") -> str:
    return page_text(page, label) or "sidnummer saknas i källan"


def format_indexed(value: str) -> str:
    try:
        return datetime.fromisoformat(value).astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError):
        return value or "–"


def _where(page: int | None, label: str, section: str) -> list[tuple[str, str]]:
    return [("Sida", page_text(page, label).removeprefix("s. ") or "saknas i källan"), ("Avsnitt", section or "–")]


def _source_item(element_id: str, title_html: str, meta_html: str, passage_html: str) -> str:
    """One entry of the sources panel: a title, facts about the source, and the passage."""
    return (f'<li class="fsa-source" id="{element_id}" tabindex="-1"><p class="fsa-source-title">{title_html}</p>'
            f'{meta_html}<blockquote class="fsa-passage">{passage_html}</blockquote></li>')


def _meta(rows: list[tuple[str, str]]) -> str:
    return '<dl class="fsa-meta">' + "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in rows if v) + "</dl>"


def render_sources_for_turn(turn: int, answer: Answer, surrounding: Surrounding | None,
                            documents: dict[str, DocumentSummary]) -> str:
    """The sources of one answer: each citation with title, publisher, year, page, section and the
    quoted sentence highlighted within its surrounding passage (``surrounding(doc_id, start, end)`` gives
    the text before, the quote and the text after, as ``Assistant.surrounding`` does)."""
    items: list[str] = []
    unverified = 0
    for c in sorted(answer.citations, key=lambda c: c.n):
        doc = documents.get(c.doc_id)
        before, quote, after = "", c.quote, ""
        if surrounding is not None:
            try:
                before, quote, after = surrounding(c.doc_id, c.start, c.end)
            except Exception:  # the document left the index since the answer: show the quote alone
                log.warning("no surrounding text for %s %s-%s", c.doc_id, c.start, c.end, exc_info=True)
        warning = ""
        if quote != c.quote:
            unverified += 1
            warning = '<p class="fsa-warning">Citatet kunde inte kontrolleras mot dokumenttexten.</p>'
            before, quote, after = "", c.quote, ""
        doc_type = DOC_TYPE_LABELS.get(doc.doc_type, doc.doc_type) if doc else ""
        passage = (f"{esc(_trim_before(_lines(before)))}<mark>{esc(quote)}</mark>"
                   f"{esc(_trim_after(_lines(after)))}")
        items.append(_source_item(f"kalla-{turn}-{c.n}", f'<span class="fsa-badge">[{c.n}]</span> {esc(c.title)}',
                                  _meta([("Utgivare", c.publisher), ("År", format_year(c.year)), ("Typ", doc_type),
                                         *_where(c.page, c.page_label, c.section)]) + warning, passage))
    if not items and answer.passages:
        for i, p in enumerate(answer.passages[:3], start=1):
            doc = documents.get(p.doc_id)
            meta = _meta([("Utgivare", doc.publisher if doc else ""), ("År", format_year(doc.year) if doc else ""),
                          *_where(p.page, p.page_label, p.section)])
            items.append(_source_item(f"avsnitt-{turn}-{i}", esc(p.title), meta, esc(_trim_after(_lines(p.text), 600))))
    label_class = "fsa-turn-label fsa-refused" if answer.refused else "fsa-turn-label"
    label = f"Svar {turn}" + (" – inget svar" if answer.refused else "")
    note = ""
    if answer.refused:
        note = ('<p class="fsa-turn-note">Svaret finns inte i dokumenten. Här är de närmaste avsnitten.</p>'
                if items else '<p class="fsa-turn-note">Svaret finns inte i dokumenten.</p>')
    elif items and not unverified:
        note = _guardrail_note(answer)
    listing = f'<ol class="fsa-sources">{"".join(items)}</ol>' if items else ""
    return (
        f'<details class="fsa-turn" id="kallor-{turn}" open>'
        f'<summary><span class="{label_class}">{esc(label)}</span>{esc(answer.question)}</summary>'
        f"{note}{listing}</details>"
    )


def _guardrail_note(answer: Answer) -> str:
    """"Kontrollerade" only for an answer shown as written: quotes, or a model's answer that passed the guard
    rails unchanged; what happened otherwise, in plain Swedish."""
    if answer.guardrails == "repaired":
        return ('<p class="fsa-turn-note fsa-repaired">Språkmodellens svar har justerats innan det visades '
                "(se meddelandet vid svaret). Varje mening som är kvar har en källa nedan.</p>")
    if answer.guardrails == "fallback":
        return ('<p class="fsa-turn-note fsa-fallback">Språkmodellens svar visas inte (se meddelandet vid svaret); '
                "här visas i stället ordagranna citat ur dokumenten.</p>")
    return '<p class="fsa-verified">Alla citat är kontrollerade mot dokumenttexten.</p>'


EMPTY_SOURCES = (
    '<p class="fsa-empty">Här visas källorna till svaret: dokument, utgivare, år, sida och avsnitt, '
    "med det citerade stycket markerat i sitt sammanhang. Klicka på en hänvisning, till exempel [1], "
    "i svaret för att gå direkt till källan.</p>"
)


def render_sources_panel(turn_fragments: list[str]) -> str:
    """All answers' sources, newest first (older ones folded)."""
    if not turn_fragments:
        body = EMPTY_SOURCES
    else:
        newest_first = list(reversed(turn_fragments))
        body = newest_first[0] + "".join(f.replace(" open>", ">", 1) for f in newest_first[1:])
    return (
        '<h2 class="fsa-panel-title" id="fsa-sources-title">Källor</h2>'
        f'<div class="fsa-sources-scroll" role="region" aria-labelledby="fsa-sources-title" tabindex="0">'
        f"{body}</div>"
    )


def render_status(state: str, message: str) -> str:
    css = {"ready": "fsa-status", "loading": "fsa-status fsa-loading", "error": "fsa-status fsa-error"}[state]
    role = ' role="alert"' if state == "error" else ' role="status"'
    return f'<p class="{css}"{role}>{esc(message)}</p>'


def _table(caption: str, headers: list[str], rows: list[list[str]], numeric: set[int] | None = None) -> str:
    """An accessible table; the cells are HTML made by the caller (escape there)."""
    numeric = numeric or set()
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in headers)
    body = "".join(
        "<tr>" + "".join(f'<td class="fsa-num">{cell}</td>' if i in numeric else f"<td>{cell}</td>"
                         for i, cell in enumerate(row)) + "</tr>"
        for row in rows
    )
    return (f'<div class="fsa-table-wrap" role="region" aria-label="{esc(caption)}" tabindex="0">'
            f'<table class="fsa-table"><caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>")


def render_documents(documents: list[DocumentSummary]) -> str:
    if not documents:
        return '<p class="fsa-empty">Inga dokument är indexerade.</p>'
    rows = []
    for d in documents:
        title = esc(d.title) + (f'<span class="fsa-note">{esc(d.note)}</span>' if d.note else "")
        rows.append([
            title, esc(d.publisher), esc(format_year(d.year)),
            f'<span class="fsa-type">{esc(DOC_TYPE_LABELS.get(d.doc_type, d.doc_type))}</span>',
            esc(d.validity or "–"), esc(d.chunks), esc(format_indexed(d.indexed_at)),
        ])
    caption = f"Dokument i indexet ({len(documents)})"
    return _table(caption, ["Titel", "Utgivare", "År", "Typ", "Giltighet", "Textavsnitt", "Indexerat"], rows,
                  numeric={2, 5})


# =============================================================================================
# Knowledge tabs: what the documents define, recommend and commit to
# =============================================================================================

COMMITMENT_KINDS = {"commitment": "Åtagande", "follow_up": "Uppföljning", "responsibility": "Ansvar",
                    "revision": "Revidering", "validity": "Giltighet"}


def render_source_cell(source: Citation, shown_title: bool = False) -> str:
    """Where a record comes from, with its quote behind a "Visa citat" toggle."""
    title = "" if shown_title else source.title  # already in a column of the row
    where = ", ".join(str(x) for x in (title, format_page(source.page, source.page_label), source.section) if x)
    details = (f'<details><summary>Visa citat</summary><blockquote class="fsa-passage">{esc(source.quote)}'
               "</blockquote></details>") if source.quote else ""
    return f"{esc(where)}{details}"


def _knowledge_table(name: str, headers: list[str], rows: list[tuple[list[str], Sourced]],
                     shown_title: bool) -> str:
    body = [[esc(cell) for cell in cells] + [render_source_cell(item.source, shown_title)] for cells, item in rows]
    return _table(f"{name} ({len(rows)})", headers + ["Källa"], body)


def render_glossary(items: list[Sourced]) -> str:
    rows = [([g.record.term, g.record.definition, g.source.title], g) for g in items]
    return _knowledge_table("Begrepp", ["Begrepp", "Förklaring", "Dokument"], rows, shown_title=True)


def render_programs(items: list[Sourced]) -> str:
    rows = [([p.record.name, p.record.program_type, p.record.ages, p.record.form, p.record.effect], p)
            for p in items]
    return _knowledge_table("Program", ["Program", "Typ", "Ålder", "Tillämpning", "Effekt"], rows, shown_title=False)


def render_commitments(items: list[Sourced]) -> str:
    rows = [([c.source.title, c.record.group, COMMITMENT_KINDS.get(c.record.kind, c.record.kind), c.record.text], c)
            for c in items]
    return _knowledge_table("Åtaganden", ["Dokument", "Område", "Typ", "Innehåll"], rows, shown_title=True)


# Tab name -> (the records it shows, how they are rendered). A tab is shown only when it has records.
KNOWLEDGE_TABS: dict[str, tuple[Callable[[KnowledgeTables], list[Sourced]], Callable[[list[Sourced]], str]]] = {
    "Begrepp": (lambda tables: tables.glossary, render_glossary),
    "Program": (lambda tables: tables.programs, render_programs),
    "Åtaganden": (lambda tables: tables.commitments, render_commitments),
}


# =============================================================================================
# Filters, the API payload, feedback and administration
# =============================================================================================


def publisher_choices(documents: list[DocumentSummary]) -> list[tuple[str, str]]:
    """The organisations behind the documents ("A, B och C" → A, B, C) as (label, value) for the
    publisher filter; the assistant matches a value as a part of a document's publisher."""
    found: dict[str, str] = {}
    for d in documents:
        text = re.sub(r"\s*\([^)]*\)", "", d.publisher)
        for part in re.split(r",\s*|\s+och\s+", text):
            part = part.strip()
            if part and part.lower() not in found:
                found[part.lower()] = part
    return sorted(((value[:1].upper() + value[1:], value) for value in found.values()), key=lambda c: c[0].lower())


def filter_choices(documents: list[DocumentSummary]) -> tuple[list, list, list]:
    """Choices of the document, publisher and document-type filters as (label, value) pairs."""
    return ([(d.title, d.doc_id) for d in documents], publisher_choices(documents),
            [(DOC_TYPE_LABELS.get(t, t), t) for t in sorted({d.doc_type for d in documents})])


def answer_payload(answer_id: str, answer: Answer, turn: int = 1) -> dict:
    """What the ``ask`` API returns: the answer, its citations and the HTML the chat shows."""
    return {
        "answer_id": answer_id,
        "question": answer.question,
        "answer": answer.answer,
        "refused": answer.refused,
        "kind": answer.kind,
        "effective_question": answer.effective_question,
        "notices": list(answer.notices),
        "engine": answer.engine,
        "guardrails": answer.guardrails,  # with a language model: unrepaired | repaired | fallback | skipped
        "guardrail_issues": list(answer.guardrail_issues),
        "citations": [asdict(c) for c in answer.citations],
        "passages": [{k: v for k, v in asdict(p).items() if k != "text"} for p in answer.passages],
        "question_html": md_literal(answer.question),
        "answer_html": render_answer(answer, turn),
        "timings_ms": dict(answer.timings_ms),
    }


def feedback_prompt(turn: int, question: str) -> str:
    short = question if len(question) <= 90 else question[:87] + "…"
    return f"**Var svar {turn} hjälpsamt?** Gäller frågan ”{md_literal(short)}”."


def ingest_summary(report: IngestReport) -> str:
    lines = [
        f"**Klart på {report.seconds:.1f} s.** {report.documents} dokument och {report.chunks} textavsnitt i "
        f"indexet: {report.count('indexed')} indexerade, {report.count('unchanged')} oförändrade (hoppades över), "
        f"{report.count('removed')} borttagna, {report.count('failed')} misslyckades.",
    ]
    for result in report.results:
        if result.status == "failed":
            lines.append(f"- Misslyckades: {md_literal(Path(result.path).name)} – {md_literal(result.message)}")
    for warning in report.warnings:
        lines.append(f"- Varning: {md_literal(warning)}")
    return "\n".join(lines)


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower().translate(str.maketrans("åäö", "aao"))).strip("-")
