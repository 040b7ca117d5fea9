"""``python -m tools.evaluate`` (also ``python -m assistant eval``): retrieval and answer quality on the
project's own question set (``tools/eval/questions.jsonl``), side by side with a plain llama-index baseline
(same embedder, default chunking).

Printed figures: hit@1/3/5 and MRR@10 of retrieval, share of answers citing a supporting
passage, refusal accuracy on unanswerable questions, false-refusal rate on answerable
ones, citation validity (every marker resolves, every quote verbatim) and latency
p50/p95, overall and per group of questions.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from assistant import Answer, Assistant

DEFAULT_QUESTIONS = Path(__file__).parent / "eval" / "questions.jsonl"
KNOWLEDGE_KINDS = {"glossary", "program", "commitment", "comparison"}


def normalize(text: str) -> str:
    text = text.replace("\u00ad", "").replace("’", "'")
    text = re.sub(r"(\w)-\s*\n\s*([a-zåäö])", r"\1\2", text)
    return re.sub(r"\s+", " ", text).strip().casefold()


def load_questions(path: Path) -> list[dict]:
    questions = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                questions.append(json.loads(line))
    return questions


def supports(text: str, quotes: list[str]) -> bool:
    norm = normalize(text)
    return any(normalize(q) in norm for q in quotes)


def quote_supports(quote: str, support: list[str]) -> bool:
    """A cited sentence supports the answer when it contains a support quote or lies inside one."""
    nq = normalize(quote)
    for s in support:
        ns = normalize(s)
        if ns in nq or (len(nq) > 20 and nq in ns):
            return True
    return False


def first_hit_rank(texts: list[str], quotes: list[str]) -> int | None:
    for rank, text in enumerate(texts[:10], start=1):
        if supports(text, quotes):
            return rank
    return None


def citations_valid(answer: Answer, documents: dict[str, str]) -> bool:
    markers = {int(m) for m in re.findall(r"\[(\d+)\]", answer.answer)}
    numbers = {c.n for c in answer.citations}
    if not markers <= numbers:
        return False
    for c in answer.citations:
        text = documents.get(c.doc_id, "")
        if text[c.start:c.end] != c.quote or not c.quote:
            return False
    return True


@dataclass
class Row:
    question: dict
    rank: int | None = None
    refused: bool = False
    cites_support: bool = False
    valid: bool = True
    latency_ms: float = 0.0
    docs_covered: bool = True
    answer: dict = field(default_factory=dict)


def _pct(values: list[bool]) -> str:
    return f"{100 * sum(values) / len(values):5.1f} %" if values else "   n/a "


def summarize(rows: list[Row], with_answers: bool = True) -> dict[str, str]:
    answerable = [r for r in rows if r.question.get("answerable", True)]
    unanswerable = [r for r in rows if not r.question.get("answerable", True)]
    ranks = [r.rank for r in answerable]
    out = {
        "questions": f"{len(rows)} ({len(answerable)}+{len(unanswerable)} not)",
        "hit@1": _pct([r is not None and r <= 1 for r in ranks]),
        "hit@3": _pct([r is not None and r <= 3 for r in ranks]),
        "hit@5": _pct([r is not None and r <= 5 for r in ranks]),
        "MRR@10": f"{statistics.mean([1 / r if r else 0.0 for r in ranks]):.3f}" if ranks else "n/a",
    }
    multi = [r for r in answerable if len(r.question.get("doc_ids", [])) >= 2]
    if multi:
        out["all named docs in top 10"] = _pct([r.docs_covered for r in multi])
    if with_answers:
        out["answers citing support"] = _pct([r.cites_support for r in answerable])
        out["unanswerable refused"] = _pct([r.refused for r in unanswerable])
        out["false refusals"] = _pct([r.refused for r in answerable])
        out["valid citations"] = _pct([r.valid for r in rows])
        out.update(guardrail_shares(rows))
        latencies = sorted(r.latency_ms for r in rows)
        if latencies:
            p95 = latencies[min(len(latencies) - 1, int(round(0.95 * (len(latencies) - 1))))]
            out["latency p50 / p95"] = f"{statistics.median(latencies):.0f} / {p95:.0f} ms"
    return out


def guardrail_shares(rows: list[Row]) -> dict[str, str]:
    """With the generative engine: of the answers the model wrote, the share that passed the guard rails
    unrepaired, was repaired, or fell back to the extractive answer; and the share it was not asked."""
    outcomes = [r.answer.get("guardrails", "") for r in rows]
    if not any(outcomes):
        return {}
    asked = [o for o in outcomes if o in ("unrepaired", "repaired", "fallback")]
    return {
        "LLM: guard rails unrepaired": _pct([o == "unrepaired" for o in asked]),
        "LLM: repaired": _pct([o == "repaired" for o in asked]),
        "LLM: fell back to extractive": _pct([o == "fallback" for o in asked]),
        "LLM: not asked (refused/structured)": _pct([o == "skipped" for o in outcomes]),
    }


def evaluate_assistant(assistant: Assistant, questions: list[dict]) -> list[Row]:
    documents = {d: doc.text for d, doc in assistant.index.documents.items()}
    assistant.ask("uppvärmning")  # load models and caches before timing
    rows = []
    for q in questions:
        started = time.perf_counter()
        answer = assistant.ask(q["question"], history=q.get("history", []))
        latency = (time.perf_counter() - started) * 1000
        support = q.get("support", [])
        texts = [p.text for p in answer.passages]
        row = Row(question=q, latency_ms=latency, refused=answer.refused, answer=answer.to_dict())
        row.rank = first_hit_rank(texts, support) if support else None
        row.cites_support = not answer.refused and any(quote_supports(c.quote, support) for c in answer.citations)
        row.valid = citations_valid(answer, documents)
        wanted = set(q.get("doc_ids", []))
        row.docs_covered = wanted <= {p.doc_id for p in answer.passages[:10]}
        rows.append(row)
    return rows


def evaluate_baseline(assistant: Assistant, questions: list[dict]) -> list[Row]:
    """A plain llama-index VectorStoreIndex: raw files, default SentenceSplitter, same embedder."""
    from llama_index.core import Document, VectorStoreIndex
    from llama_index.core.node_parser import SentenceSplitter

    from index.embedders import EmbeddingCache, embed_with_cache
    from index.layout import DataLayout

    index = assistant.index
    docs = []
    for entry in index.entries.values():
        raw = Path(entry.source_path).read_text(encoding="utf-8", errors="replace")
        docs.append(Document(text=raw, metadata={"doc_id": entry.doc_id}))
    nodes = SentenceSplitter().get_nodes_from_documents(docs)
    cache = EmbeddingCache(DataLayout(assistant.settings.data_dir).embedding_cache)
    try:
        vectors, _ = embed_with_cache(index.embedder, [n.get_content(metadata_mode="embed") for n in nodes], cache)
    finally:
        cache.close()
    for node, vector in zip(nodes, vectors):
        node.embedding = vector
    retriever = VectorStoreIndex(nodes, embed_model=index.embedder).as_retriever(similarity_top_k=10)
    rows = []
    for q in questions:
        started = time.perf_counter()
        results = retriever.retrieve(q["question"])
        row = Row(question=q, latency_ms=(time.perf_counter() - started) * 1000)
        support = q.get("support", [])
        row.rank = first_hit_rank([r.node.get_content() for r in results], support) if support else None
        wanted = set(q.get("doc_ids", []))
        row.docs_covered = wanted <= {r.node.metadata.get("doc_id") for r in results}
        rows.append(row)
    return rows


def _groups(rows: list[Row]) -> dict[str, list[Row]]:
    groups: dict[str, list[Row]] = {"all": rows}
    groups["general"] = [r for r in rows if r.question.get("kind") in ("general", "two_documents", "unanswerable")]
    groups["knowledge"] = [r for r in rows if r.question.get("kind") in KNOWLEDGE_KINDS]
    for kind in sorted({r.question.get("kind", "general") for r in rows}):
        groups[f"  kind={kind}"] = [r for r in rows if r.question.get("kind") == kind]
    return {k: v for k, v in groups.items() if v}


def print_table(title: str, groups: dict[str, dict[str, str]]) -> None:
    print(f"\n{title}")
    metrics = list(next(iter(groups.values())).keys())
    names = list(groups.keys())
    width = max(len(m) for m in metrics) + 2
    cells = [n.strip() for n in names] + [v for group in groups.values() for v in group.values()]
    column = 2 + max(len(c) for c in cells)
    print(" " * width + "".join(f"{n.strip():>{column}}" for n in names))
    for metric in metrics:
        print(f"{metric:<{width}}" + "".join(f"{groups[n].get(metric, ''):>{column}}" for n in names))


def run_evaluation(args: argparse.Namespace) -> int:
    path = args.questions or DEFAULT_QUESTIONS
    questions = load_questions(path)
    if getattr(args, "limit", None):
        questions = questions[: args.limit]
    assistant = Assistant()
    if getattr(args, "llm", False):
        from assistant.llm_backends import NOT_CONFIGURED, LLMConfigError

        try:
            if assistant.settings.llm_backend == "none":
                raise LLMConfigError(NOT_CONFIGURED)
            assistant.warm_up()
        except LLMConfigError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    started = time.perf_counter()
    rows = evaluate_assistant(assistant, questions)
    engines: dict[str, int] = {}
    for r in rows:
        engines[r.answer.get("engine", "")] = engines.get(r.answer.get("engine", ""), 0) + 1
    engine = ", ".join(f"{name} ({count} answers)" for name, count in engines.items())
    print(f"Evaluation set: {path} ({len(questions)} questions); engine: {engine}")
    if getattr(args, "llm", False):
        s = assistant.settings
        print(f"Language model: backend={s.llm_backend} model={s.llm_model or s.llm_model_path} "
              f"timeout={s.llm_timeout_s:g} s context={s.llm_context_tokens} tokens")
    answers = "generative answers, guard-railed" if getattr(args, "llm", False) else "extractive answers"
    print_table(f"The assistant (hybrid retrieval, {answers})",
                {name: summarize(group) for name, group in _groups(rows).items()})
    if not args.no_baseline:
        baseline = evaluate_baseline(assistant, questions)
        print_table("Baseline: plain llama-index VectorStoreIndex, same embedder, default chunking (retrieval only)",
                    {name: summarize(group, with_answers=False) for name, group in _groups(baseline).items()})
    print(f"\n({time.perf_counter() - started:.0f} s)")
    if args.json:
        args.json.write_text("\n".join(json.dumps({"question": r.question, "rank": r.rank, "refused": r.refused,
                                                   "cites_support": r.cites_support, "valid": r.valid,
                                                   "latency_ms": r.latency_ms, "answer": r.answer},
                                                  ensure_ascii=False) for r in rows), encoding="utf-8")
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m tools.evaluate``: the options of ``python -m assistant eval``."""
    import logging

    from index.reader import IndexNotReadyError

    parser = argparse.ArgumentParser(prog="python -m tools.evaluate", description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=None, help=f"JSON lines (default: {DEFAULT_QUESTIONS})")
    parser.add_argument("--no-baseline", action="store_true", help="skip the plain llama-index baseline")
    parser.add_argument("--llm", action="store_true", help="evaluate the configured language model engine")
    parser.add_argument("--json", type=Path, help="also write the per-question results here")
    parser.add_argument("--limit", type=int, default=None, help="evaluate only the first N questions")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    try:
        return run_evaluation(args)
    except IndexNotReadyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
