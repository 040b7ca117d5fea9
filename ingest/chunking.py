"""Structure-aware chunking, and the answerable sentences of each chunk.

Chunks follow sections (a chunk never mixes two top-level parts of a document), are
cut at block and sentence boundaries, and each table row is a chunk of its own that
carries the table header in its embedding context. Every chunk's text is exactly
``document.text[start:end]`` so a citation can quote and locate it.
"""

from __future__ import annotations

from collections.abc import Iterator

from index.model import SECTION_SEPARATOR, Block, Chunk, ParsedDocument
from ingest.cleaning import TABLE_CAPTION_RE
from swedish.sentences import sentence_spans


def chunk_document(doc: ParsedDocument, target_chars: int = 700, max_chars: int = 1100) -> list[Chunk]:
    """Cut ``doc`` into chunks; see the module docstring."""
    spans: list[tuple[int, int, tuple[str, ...], str, str]] = []  # start, end, section, kind, extra context
    for group in _section_groups(doc.blocks):
        for row in (b for b in group if b.kind == "table_row"):
            spans.append((row.start, row.end, row.section, "table_row", _table_context(doc, row)))
        for prose in _prose_runs(group):
            for start, end in _pack(doc.text, prose, target_chars, max_chars):
                spans.append((start, end, _section_of(prose, start), "text", ""))
    spans.sort()
    chunks = []
    for i, (start, end, section, kind, extra) in enumerate(spans):
        page_start, page_end = doc.page_range(start, end)
        context = " – ".join(p for p in (doc.info.title, SECTION_SEPARATOR.join(section)) if p)
        chunks.append(
            Chunk(
                chunk_id=f"{doc.info.doc_id}:{doc.content_hash[:12]}:{i:04d}",
                doc_id=doc.info.doc_id,
                doc_hash=doc.content_hash,
                index=i,
                text=doc.text[start:end],
                start=start,
                end=end,
                section=section,
                page_start=page_start,
                page_end=page_end,
                kind=kind,  # type: ignore[arg-type]
                context=f"{context}\n{extra}" if extra else context,
            )
        )
    return chunks


def _section_groups(blocks: list[Block]) -> Iterator[list[Block]]:
    """Blocks grouped by top-level section; heading-only sections join what follows."""
    group: list[Block] = []
    for block in blocks:
        if group and block.section[:1] != group[-1].section[:1] and any(b.kind != "heading" for b in group):
            yield group
            group = []
        group.append(block)
    if group:
        yield group


def _prose_runs(group: list[Block]) -> Iterator[list[Block]]:
    """Runs of consecutive non-table blocks: a text chunk never spans a table."""
    run: list[Block] = []
    for block in group:
        if block.kind in ("table_row", "table_header"):
            if run:
                yield run
            run = []
        else:
            run.append(block)
    if run:
        yield run


def _section_of(blocks: list[Block], offset: int) -> tuple[str, ...]:
    """The section of the first non-heading block at or after ``offset``."""
    for block in blocks:
        if block.end > offset and block.kind != "heading":
            return block.section
    for block in blocks:
        if block.end > offset:
            return block.section
    return blocks[-1].section if blocks else ()


def _pack(text: str, blocks: list[Block], target: int, maximum: int) -> Iterator[tuple[int, int]]:
    """Spans of consecutive blocks up to ``target`` characters, cut at sentence boundaries.

    A new subsection starts a new chunk once the current one is half full, and a heading
    never ends a chunk (it belongs to the text below it).
    """
    pieces: list[tuple[int, int, Block]] = []
    for block in blocks:
        if block.end - block.start <= maximum:
            pieces.append((block.start, block.end, block))
        else:
            pieces.extend((s, e, block) for s, e in _sentence_windows(text, block, target))
    current: list[tuple[int, int, Block]] = []
    size = 0
    for start, end, block in pieces:
        length = end - start
        new_subsection = bool(current) and block.kind == "heading" and size >= target // 2
        if current and (size + length > maximum or (size >= target and block.kind != "heading") or new_subsection):
            if current[-1][2].kind == "heading" and len(current) > 1 and not new_subsection:
                carried = current.pop()
                yield current[0][0], current[-1][1]
                current, size = [carried], carried[1] - carried[0]
            else:
                yield current[0][0], current[-1][1]
                current, size = [], 0
        current.append((start, end, block))
        size += length
    if current:
        yield current[0][0], current[-1][1]


def _sentence_windows(text: str, block: Block, target: int) -> Iterator[tuple[int, int]]:
    window: list[tuple[int, int]] = []
    for start, end in sentence_spans(text, block.start, block.end):
        if window and end - window[0][0] > target:
            yield window[0][0], window[-1][1]
            window = []
        window.append((start, end))
    if window:
        yield window[0][0], window[-1][1]


def _table_context(doc: ParsedDocument, row: Block) -> str:
    """Header-labelled cells and the caption, so a row is findable by what its cells mean."""
    caption = next(
        (doc.text[b.start:b.end] for b in doc.blocks
         if b.start > row.start and b.kind == "caption" and TABLE_CAPTION_RE.match(doc.text[b.start:b.end])),
        "",
    )
    columns = doc.table_columns.get(caption) or list(doc.table_header_before(row.start))
    labelled = "; ".join(f"{col}: {cell}" for col, cell in zip(columns, row.cells)) if columns else ""
    return " ".join(p for p in (caption, labelled) if p)


def document_sentences(doc: ParsedDocument, chunks: list[Chunk]) -> list[tuple[int, int]]:
    """The answerable units of a document: its sentences, and each table row whole."""
    spans: list[tuple[int, int]] = []
    for chunk in chunks:
        if chunk.kind == "table_row":
            spans.append((chunk.start, chunk.end))
            continue
        for i, block in enumerate(doc.blocks):
            if block.end <= chunk.start or block.start >= chunk.end:
                continue
            if block.kind == "caption" and not doc.text[block.start:block.end].startswith(("Tabell", "Table")):
                continue  # figure captions and labels answer nothing on their own
            if block.kind == "heading":
                following = doc.blocks[i + 1] if i + 1 < len(doc.blocks) else None
                if following is not None and following.kind == "list_item":
                    spans.append((block.start, block.end))  # a heading over a list introduces it
                continue
            spans.extend(sentence_spans(doc.text, max(block.start, chunk.start), min(block.end, chunk.end)))
    return sorted(set(spans))
