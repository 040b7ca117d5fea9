"""``python -m tools.evaluate`` (also ``python -m assistant eval``): retrieval and answer quality on the
bundled question set (``tools/eval/questions.jsonl``) and on every external set under
``tools/eval/external/<name>/``, each beside plain Swedish BM25 over fixed 200-word chunks (and, on the
bundled set, a plain llama-index dense index).

Printed per set, per split (dev, test, both), per user group and per kind: hit@1/3/5 and MRR@10 of
retrieval (first passage holding a support quote), the share of answerable questions whose answer holds
all key facts and the mean share of key facts held, answers citing a supporting passage, unanswerable
questions refused (refusal recall), refusal precision (of the refusals, the share that were right), false
refusals, valid citations (every marker resolves, every quote verbatim) and latency p50/p95. An external
set's index is built once with the real ingest into ``.cache/eval/<name>/`` and brought up to date
incrementally on later runs.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from assistant import Answer, Assistant
from common.settings import Settings
from index.embedders import EmbedderError
from index.reader import IndexNotReadyError
from index.vectorstore import StoreError
from ingest.pipeline import IngestLockedError
from tools.baselines import FixedChunkBM25, raw_document_text
from tools.eval_metrics import (
    answer_text,
    citations_valid,
    first_hit_rank,
    key_fact_share,
    mean,
    normalize,
    percentile,
    quote_supports,
    supports,
)
from tools.eval_sets import (
    BUNDLED,
    BUNDLED_QUESTIONS,
    CACHE_DIR,
    EvalSet,
    external_sets,
    load_questions,
    question_split,
)
from tools.output import log, text_table

DEFAULT_QUESTIONS = BUNDLED_QUESTIONS
KNOWLEDGE_KINDS = {"glossary", "program", "commitment", "comparison"}
SPLITS = ("dev", "test")
GUARDRAIL_OUTCOMES = ("unrepaired", "repaired", "fallback")  # of an answer the model wrote (Answer.guardrails)
LOCK_WAIT_S = 1800.0  # how long to wait for another run that builds the same external index

__all__ = [  # also what other tools and tests import from here
    "DEFAULT_QUESTIONS", "GUARDRAIL_OUTCOMES", "Row", "citations_valid", "evaluate_assistant", "evaluate_baseline",
    "evaluate_bm25", "first_hit_rank", "key_facts_of", "load_questions", "main", "normalize", "quote_supports",
    "run_evaluation", "summarize", "supports",
]


@dataclass
class Row:
    question: dict
    rank: int | None = None
    refused: bool = False
    cites_support: bool = False
    valid: bool = True
    latency_ms: float = 0.0
    docs_covered: bool = True
    facts_share: float | None = None  # share of the key facts the answer holds (None: no key facts)
    answer: dict = field(default_factory=dict)

    @property
    def answerable(self) -> bool:
        return bool(self.question.get("answerable", True))

    @property
    def facts_held(self) -> bool | None:
        return None if self.facts_share is None else self.facts_share >= 1.0


def key_facts_of(question: dict) -> list[str]:
    """The key facts an answer must hold: ``key_facts``, else the short gold ``answer`` as one fact."""
    facts = [f for f in question.get("key_facts") or [] if f.strip()]
    if not facts and str(question.get("answer", "")).strip():
        facts = [str(question["answer"]).strip()]
    return facts


def evaluate_assistant(assistant: Assistant, questions: list[dict],
                       progress: Callable[[int, int], None] | None = None) -> list[Row]:
    """Ask every question (with its ``history``) and measure retrieval, answer and citations."""
    documents = {d: doc.text for d, doc in assistant.index.documents.items()}
    assistant.ask("uppvärmning")  # load models and caches before timing
    rows = []
    for n, q in enumerate(questions, start=1):
        started = time.perf_counter()
        answer = assistant.ask(q["question"], history=q.get("history", []))
        latency = (time.perf_counter() - started) * 1000
        rows.append(score_answer(q, answer, latency, documents))
        if progress:
            progress(n, len(questions))
    return rows


def score_answer(q: dict, answer: Answer, latency_ms: float, documents: dict[str, str]) -> Row:
    """The measures of one answer to question ``q``."""
    support = q.get("support", [])
    row = Row(question=q, latency_ms=latency_ms, refused=answer.refused, answer=answer.to_dict())
    row.rank = first_hit_rank([p.text for p in answer.passages], support) if support else None
    row.cites_support = not answer.refused and any(quote_supports(c.quote, support) for c in answer.citations)
    row.valid = citations_valid(answer, documents)
    row.docs_covered = set(q.get("doc_ids", [])) <= {p.doc_id for p in answer.passages[:10]}
    facts = key_facts_of(q)
    if facts and q.get("answerable", True):
        row.facts_share = 0.0 if answer.refused else key_fact_share(facts, answer_text(answer.answer))
    return row


def evaluate_baseline(assistant: Assistant, questions: list[dict]) -> list[Row]:
    """A plain llama-index VectorStoreIndex: raw files, default SentenceSplitter, same embedder."""
    from llama_index.core import Document, VectorStoreIndex
    from llama_index.core.node_parser import SentenceSplitter

    from index.embedders import EmbeddingCache, embed_with_cache

    index = assistant.index
    docs = []
    for entry in index.entries.values():
        parsed = index.documents[entry.doc_id].text if entry.doc_id in index.documents else ""
        raw = raw_document_text(Path(entry.source_path), parsed)
        docs.append(Document(text=raw, metadata={"doc_id": entry.doc_id}))
    nodes = SentenceSplitter().get_nodes_from_documents(docs)
    cache = EmbeddingCache(CACHE_DIR / "baseline-embeddings.sqlite")  # never the index's own data directory
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
        row.docs_covered = set(q.get("doc_ids", [])) <= {r.node.metadata.get("doc_id") for r in results}
        rows.append(row)
    return rows


def set_documents(assistant: Assistant) -> list[tuple[str, str]]:
    """(doc id, raw text) of every indexed document: the file for text formats, else the parsed text."""
    index = assistant.index
    found = []
    for entry in index.entries.values():
        parsed = index.documents[entry.doc_id].text if entry.doc_id in index.documents else ""
        found.append((entry.doc_id, raw_document_text(Path(entry.source_path), parsed)))
    return found


def evaluate_bm25(documents: Sequence[tuple[str, str]], questions: list[dict]) -> list[Row]:
    """Plain Swedish BM25 over fixed 200-word chunks of the raw documents, top 10."""
    baseline = FixedChunkBM25(documents)
    rows = []
    for q in questions:
        started = time.perf_counter()
        results = baseline.search(q["question"], k=10)
        row = Row(question=q, latency_ms=(time.perf_counter() - started) * 1000)
        support = q.get("support", [])
        row.rank = first_hit_rank([c.text for c in results], support) if support else None
        row.docs_covered = set(q.get("doc_ids", [])) <= {c.doc_id for c in results}
        rows.append(row)
    return rows


# --- figures --------------------------------------------------------------------------------------------


def _share(values: list[bool]) -> float | None:
    return sum(values) / len(values) if values else None


def retrieval_figures(rows: list[Row]) -> dict[str, float | None]:
    ranks = [r.rank for r in rows if r.answerable and r.question.get("support")]
    figures = {f"hit@{k}": _share([r is not None and r <= k for r in ranks]) for k in (1, 3, 5)}
    figures["MRR@10"] = mean([1 / r if r else 0.0 for r in ranks])
    multi = [r for r in rows if r.answerable and len(r.question.get("doc_ids", [])) >= 2]
    figures["docs@10"] = _share([r.docs_covered for r in multi])
    return figures


def answer_figures(rows: list[Row]) -> dict[str, float | None]:
    answerable = [r for r in rows if r.answerable]
    with_facts = [r for r in answerable if r.facts_share is not None]
    latencies = [r.latency_ms for r in rows]
    return {
        "key facts": _share([bool(r.facts_held) for r in with_facts]),
        "fact share": mean([r.facts_share for r in with_facts]),
        "cites support": _share([r.cites_support for r in answerable if r.question.get("support")]),
        "refused": _share([r.refused for r in rows if not r.answerable]),
        # Of the refusals, the share the documents could not answer (recall is "refused" above).
        "refusal precision": _share([not r.answerable for r in rows if r.refused])
        if any(not r.answerable for r in rows) else None,
        "false refusals": _share([r.refused for r in answerable]),
        "valid citations": _share([r.valid for r in rows]),
        "p50 ms": percentile(latencies, 0.5) if latencies else None,
        "p95 ms": percentile(latencies, 0.95) if latencies else None,
    }


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}"


def _num(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def summarize(rows: list[Row], with_answers: bool = True) -> dict[str, str]:
    """The figures of ``rows`` as printable strings (percentages, MRR, latency)."""
    answerable = sum(r.answerable for r in rows)
    out = {"questions": f"{len(rows)} ({answerable}+{len(rows) - answerable} not)"}
    for name, value in retrieval_figures(rows).items():
        if value is not None or name != "docs@10":
            out[name] = _num(value) if name == "MRR@10" else _pct(value)
    if with_answers:
        for name, value in answer_figures(rows).items():
            out[name] = f"{value:.0f}" if name.endswith("ms") and value is not None else _pct(value)
        out.update(guardrail_shares(rows))
    return out


def guardrail_shares(rows: list[Row]) -> dict[str, str]:
    """With the generative engine: of the answers the model wrote, the share that passed the guard rails
    unrepaired, was repaired, or fell back to the extractive answer; and the share it was not asked."""
    outcomes = [r.answer.get("guardrails", "") for r in rows]
    if not any(outcomes):
        return {}
    asked = [o for o in outcomes if o in GUARDRAIL_OUTCOMES]
    return {
        "LLM: guard rails unrepaired": _pct(_share([o == "unrepaired" for o in asked])),
        "LLM: repaired": _pct(_share([o == "repaired" for o in asked])),
        "LLM: fell back to extractive": _pct(_share([o == "fallback" for o in asked])),
        "LLM: not asked (refused/structured)": _pct(_share([o == "skipped" for o in outcomes])),
    }


def groups(rows: list[Row], scopes: Sequence[str], breakdown: bool = True) -> dict[str, list[Row]]:
    """Rows by split scope ("all", "dev", "test"); with ``breakdown``, the rows of the first scope also by
    user group and by kind (``python -m assistant eval --split dev`` gives them for the dev split)."""
    found: dict[str, list[Row]] = {}
    for scope in scopes:
        found[scope] = [r for r in rows if scope == "all" or question_split(r.question) == scope]
    if breakdown and scopes:
        first = found[scopes[0]]
        users = sorted({str(r.question.get("user", "")) for r in first})
        kinds = sorted({str(r.question.get("kind", "general")) for r in first})
        if len(users) > 1:
            for user in users:
                found[f"{scopes[0]} · {user}"] = [r for r in first if str(r.question.get("user", "")) == user]
        if len(kinds) > 1:
            for kind in kinds:
                found[f"{scopes[0]} · kind={kind}"] = [r for r in first
                                                        if str(r.question.get("kind", "general")) == kind]
    return {name: group for name, group in found.items() if group}


@dataclass
class SetResult:
    name: str
    rows: list[Row]
    baselines: dict[str, list[Row]]  # baseline name -> rows (retrieval only)
    seconds: float = 0.0


def print_set(result: SetResult, scopes: Sequence[str]) -> None:
    rows = result.rows
    answerable = sum(r.answerable for r in rows)
    splits = {s: sum(question_split(r.question) == s for r in rows) for s in SPLITS}
    engines: dict[str, int] = {}
    for r in rows:
        engines[r.answer.get("engine", "")] = engines.get(r.answer.get("engine", ""), 0) + 1
    print(f"\n=== Set {result.name}: {len(rows)} questions ({answerable} answerable, {len(rows) - answerable} not; "
          f"dev {splits['dev']}, test {splits['test']}); engine: "
          + ", ".join(f"{e} ({n})" for e, n in engines.items()) + f"; {result.seconds:.0f} s ===")
    ours = groups(rows, scopes)
    base_groups = {name: groups(b, scopes) for name, b in result.baselines.items()}
    # Retrieval, ours beside each baseline.
    header = ["group", "n", "hit@1", "hit@3", "hit@5", "MRR"]
    for name in result.baselines:
        header += [f"{name} h@1", f"{name} h@5", f"{name} MRR"]
    with_docs = any(retrieval_figures(g)["docs@10"] is not None for g in ours.values())
    if with_docs:
        header += ["docs@10"] + [f"{name} docs@10" for name in result.baselines]
    table = [header]
    for group, group_rows in ours.items():
        f = retrieval_figures(group_rows)
        if f["hit@1"] is None:
            continue  # no answerable question with support quotes
        line = [group, str(sum(r.answerable for r in group_rows)), _pct(f["hit@1"]), _pct(f["hit@3"]), _pct(f["hit@5"]),
                _num(f["MRR@10"])]
        for name in result.baselines:
            b = retrieval_figures(base_groups[name].get(group, []))
            line += [_pct(b["hit@1"]), _pct(b["hit@5"]), _num(b["MRR@10"])]
        if with_docs:
            line += [_pct(f["docs@10"])] + [_pct(retrieval_figures(base_groups[n].get(group, []))["docs@10"])
                                            for n in result.baselines]
        table.append(line)
    print("\nRetrieval (n answerable questions; % with a supporting passage in the top k; ours, then baselines)")
    print(text_table(table))
    table = [["group", "n", "key facts", "fact share", "cites support", "unans. refused", "refusal prec.",
              "false refusals", "valid cit.", "p50 ms", "p95 ms"]]
    for group, group_rows in ours.items():
        f = answer_figures(group_rows)
        table.append([group, str(len(group_rows)), _pct(f["key facts"]), _pct(f["fact share"]),
                      _pct(f["cites support"]), _pct(f["refused"]), _pct(f["refusal precision"]),
                      _pct(f["false refusals"]),
                      _pct(f["valid citations"]), _num(f["p50 ms"], 0), _num(f["p95 ms"], 0)])
    print("\nAnswers (%; key facts: answerable questions whose answer holds all key facts)")
    print(text_table(table))
    shares = guardrail_shares(rows)
    if shares:
        print("Language model: " + "; ".join(f"{k} {v} %" for k, v in shares.items()))


def print_summary(results: list[SetResult], scopes: Sequence[str]) -> None:
    table = [["set", "split", "n", "hit@5", "BM25 hit@5", "Δ", "MRR", "BM25 MRR", "key facts", "cites",
              "refused", "ref. prec.", "false ref.", "valid", "p95 ms"]]
    for result in results:
        for scope in scopes:
            rows = groups(result.rows, [scope], breakdown=False).get(scope, [])
            if not rows:
                continue
            bm25 = groups(result.baselines.get("BM25", []), [scope], breakdown=False).get(scope, [])
            r, a = retrieval_figures(rows), answer_figures(rows)
            b = retrieval_figures(bm25)
            delta = None if r["hit@5"] is None or b["hit@5"] is None else r["hit@5"] - b["hit@5"]
            table.append([result.name, scope, str(len(rows)), _pct(r["hit@5"]), _pct(b["hit@5"]),
                          "-" if delta is None else f"{100 * delta:+.1f}", _num(r["MRR@10"]), _num(b["MRR@10"]),
                          _pct(a["key facts"]), _pct(a["cites support"]), _pct(a["refused"]),
                          _pct(a["refusal precision"]), _pct(a["false refusals"]), _pct(a["valid citations"]),
                          _num(a["p95 ms"], 0)])
    print("\n=== Summary (targets: hit@5 ≥ BM25 + 3; key facts ≥ 85 %; cites ≥ 92 %; refused ≥ 95 % bundled, "
          "≥ 50 % adversarial; false refusals ≤ 5 %; valid 100 %; p95 ≤ 150 ms) ===")
    print(text_table(table, left_columns=2))


def failures(rows: list[Row]) -> list[tuple[Row, list[str]]]:
    """The questions the assistant got wrong, with what was wrong."""
    found = []
    for r in rows:
        why = []
        if r.answerable:
            if r.refused:
                why.append("refused")
            if r.facts_held is False and not r.refused:
                why.append(f"key facts {r.facts_share:.0%}")
            if r.question.get("support") and not r.cites_support and not r.refused:
                why.append("no supporting citation")
        elif not r.refused:
            why.append("not refused")
        if not r.valid:
            why.append("invalid citation")
        if why:
            found.append((r, why))
    return found


def print_failures(result: SetResult, split: str, limit: int) -> None:
    rows = [r for r in result.rows if question_split(r.question) == split]
    failed = failures(rows)
    print(f"\n--- {result.name}: {len(failed)} of {len(rows)} {split} questions failed; "
          f"the first {min(limit, len(failed))}:")
    for r, why in failed[:limit]:
        q = r.question
        first = next((line for line in str(r.answer.get("answer", "")).splitlines() if line.strip()), "")
        print(f"[{q.get('id')}] {q['question']}")
        print(f"    wrong: {', '.join(why)}; retrieval rank {r.rank or '-'}")
        if key_facts_of(q) and r.answerable:
            print(f"    key facts: {' ; '.join(key_facts_of(q))}")
        print(f"    answer: {first[:200]}")


# --- sets -----------------------------------------------------------------------------------------------


def external_settings(eval_set: EvalSet, others: Sequence[EvalSet] = ()) -> Settings:
    """Settings for an external set: its documents as the corpus, its own data directory in the cache, an
    embedded store (never a Chroma server that the real index may use)."""
    data_dir = eval_set.cache_dir / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    cache = data_dir / "embedding-cache.sqlite"
    if not cache.exists():  # sets built from the same texts share most vectors
        for other in others:
            seed = other.cache_dir / "data" / "embedding-cache.sqlite"
            if other.name != eval_set.name and seed.exists():
                shutil.copy(seed, cache)
                break
    return Settings(corpus_dir=eval_set.documents, data_dir=data_dir, chroma_host=None)


def build_index(eval_set: EvalSet, others: Sequence[EvalSet] = ()) -> Settings:
    """Bring the set's cached index up to date with the real ingest (unchanged documents are skipped)."""
    from ingest import run_ingest

    settings = external_settings(eval_set, others)
    waited = 0.0
    while True:
        try:
            report = run_ingest(settings)
            break
        except IngestLockedError:  # another evaluation builds the same set: wait for it
            if waited == 0.0:
                log(f"{eval_set.name}: another run is building this index; waiting")
            if waited > LOCK_WAIT_S:
                raise
            time.sleep(2.0)
            waited += 2.0
    for warning in report.warnings:
        log(f"warning: {eval_set.name}: {warning}")
    for r in report.results:
        if r.status == "failed":
            log(f"warning: {eval_set.name}: {r.path}: {r.message}")
    log(f"{eval_set.name}: {report.summary()}")
    return settings


def select(questions: list[dict], split: str, limit: int | None) -> list[dict]:
    chosen = [q for q in questions if split == "all" or question_split(q) == split]
    return chosen[:limit] if limit else chosen


def evaluate_set(eval_set: EvalSet, assistant: Assistant, questions: list[dict], baseline: bool,
                 dense: bool) -> SetResult:
    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        if done % 50 == 0 or done == total:
            log(f"{eval_set.name}: {done}/{total} questions")

    rows = evaluate_assistant(assistant, questions, progress)
    baselines: dict[str, list[Row]] = {}
    if baseline:
        baselines["BM25"] = evaluate_bm25(set_documents(assistant), questions)
        if dense:
            baselines["dense"] = evaluate_baseline(assistant, questions)
    return SetResult(eval_set.name, rows, baselines, time.perf_counter() - started)


def run_evaluation(args: argparse.Namespace) -> int:
    """Evaluate the chosen sets; print their tables and a summary. Exit status 2 for bad options."""
    split = getattr(args, "split", "all") or "all"
    scopes = ("all", *SPLITS) if split == "all" else (split,)
    limit = getattr(args, "limit", None)
    externals, warnings = external_sets()
    for warning in warnings:
        log(f"warning: {warning}")
    bundled = EvalSet(BUNDLED, getattr(args, "questions", None) or DEFAULT_QUESTIONS)
    available = {s.name: s for s in [bundled, *externals]}
    wanted = getattr(args, "set", None) or list(available)
    unknown = [name for name in wanted if name not in available]
    if unknown:
        print(f"error: unknown set(s) {', '.join(unknown)}; available: {', '.join(available)}", file=sys.stderr)
        return 2
    use_llm = getattr(args, "llm", False)
    started = time.perf_counter()
    results: list[SetResult] = []
    failed_sets: list[str] = []
    for name in dict.fromkeys(wanted):
        eval_set = available[name]
        try:
            questions = select(load_questions(eval_set.questions), split, limit)
        except (OSError, ValueError, KeyError) as exc:
            print(f"error: {name}: {exc}", file=sys.stderr)
            return 2
        if not questions:
            log(f"{name}: no {split} questions; skipped")
            continue
        if eval_set.external:
            try:
                assistant = Assistant(build_index(eval_set, externals))
            except (IndexNotReadyError, StoreError, EmbedderError, IngestLockedError, OSError) as exc:
                print(f"error: {name}: the set's index could not be built: {exc}; set skipped", file=sys.stderr)
                failed_sets.append(name)
                continue
        else:
            assistant = Assistant()
        if use_llm:
            from assistant.llm_backends import NOT_CONFIGURED, LLMConfigError

            try:
                if assistant.settings.llm_backend == "none":
                    raise LLMConfigError(NOT_CONFIGURED)
                assistant.warm_up()
            except LLMConfigError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 2
        result = evaluate_set(eval_set, assistant, questions, not args.no_baseline, dense=not eval_set.external)
        results.append(result)
        print_set(result, scopes)
        sys.stdout.flush()
    if use_llm and results:
        s = assistant.settings
        print(f"\nLanguage model: backend={s.llm_backend} model={s.llm_model or s.llm_model_path} "
              f"timeout={s.llm_timeout_s:g} s context={s.llm_context_tokens} tokens")
    if results:
        print_summary(results, scopes)
    show = getattr(args, "show_failures", 0) or 0
    if show:
        failure_split = "test" if split == "test" else "dev"  # test failures only when asked for explicitly
        for result in results:
            print_failures(result, failure_split, show)
    print(f"\n({time.perf_counter() - started:.0f} s)")
    if getattr(args, "json", None):
        write_json(args.json, results, scopes)
    return 1 if failed_sets else 0


def write_json(path: Path, results: list[SetResult], scopes: Sequence[str]) -> None:
    """Per-question results as JSON lines at ``path``; the figures per set and group beside it
    (``<path>.summary.json``)."""
    lines = []
    summary: dict[str, dict] = {}
    for result in results:
        for r in result.rows:
            lines.append(json.dumps({"set": result.name, "split": question_split(r.question), "question": r.question,
                                     "rank": r.rank, "refused": r.refused, "cites_support": r.cites_support,
                                     "facts_share": r.facts_share, "valid": r.valid, "latency_ms": r.latency_ms,
                                     "answer": r.answer}, ensure_ascii=False))
        summary[result.name] = {
            group: {"ours": {**retrieval_figures(rows), **answer_figures(rows)},
                    **{name: retrieval_figures(groups(b, scopes).get(group, []))
                       for name, b in result.baselines.items()}}
            for group, rows in groups(result.rows, scopes).items()}
    path.write_text("\n".join(lines) + ("\n" if lines else ""), encoding="utf-8")
    path.with_name(path.name + ".summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1),
                                                           encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """``python -m tools.evaluate``: the options of ``python -m assistant eval``."""
    import logging

    parser = argparse.ArgumentParser(
        prog="python -m assistant eval",
        description="Retrieval and answer quality on the bundled set and every external set in "
                    "tools/eval/external/, beside plain Swedish BM25 over fixed 200-word chunks.")
    parser.add_argument("--set", action="append", metavar="NAME",
                        help=f"only this set (repeatable): {BUNDLED} or a folder of tools/eval/external/")
    parser.add_argument("--split", choices=("dev", "test", "all"), default="all",
                        help="evaluate only this split (default: all, reported as dev, test and both)")
    parser.add_argument("--questions", type=Path, default=None,
                        help=f"questions of the bundled set (default: {DEFAULT_QUESTIONS})")
    parser.add_argument("--no-baseline", action="store_true", help="skip the BM25 and llama-index baselines")
    parser.add_argument("--llm", action="store_true", help="evaluate the configured language model engine")
    parser.add_argument("--json", type=Path, help="also write the per-question results here (JSON lines)")
    parser.add_argument("--limit", type=int, default=None, help="evaluate only the first N questions of each set")
    parser.add_argument("--show-failures", type=int, default=0, metavar="N",
                        help="print N failed questions per set with the answer's first line "
                             "(dev split; test only with --split test)")
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
