"""Command line: ``python -m assistant ask "fråga"``, ``--json``, ``--batch FILE``, ``eval``."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from assistant.api import Assistant
from assistant.types import Answer, Filters
from index.reader import IndexNotReadyError


def format_answer(answer: Answer) -> str:
    lines = [answer.answer, ""]
    if answer.citations:
        lines.append("Källor:")
        for c in answer.citations:
            lines.append(f"[{c.n}] {c.source_line()}")
            lines.append(f"    ”{c.quote}”")
    for notice in answer.notices:
        lines.append(f"Obs: {notice}")
    return "\n".join(lines).rstrip()


def _answer_json(answer: Answer, extra: dict | None = None) -> str:
    data = answer.to_dict()
    if extra:
        data = {**extra, **data}
    return json.dumps(data, ensure_ascii=False)


def _ask(args: argparse.Namespace, assistant: Assistant) -> int:
    filters = Filters(doc_ids=args.doc or [], publishers=args.publisher or [], doc_types=args.type or [])
    if args.json or not args.stream:
        answer = assistant.ask(args.question, filters=filters)
        print(_answer_json(answer) if args.json else format_answer(answer))
        return 0
    streamed = False
    for item in assistant.stream(args.question, filters=filters):
        if isinstance(item, Answer):  # the checked answer, with its sources, replaces the draft
            if streamed:
                print("\n\n--- Kontrollerat svar ---", flush=True)
            print(format_answer(item))
        else:
            streamed = True
            print(item, end="", flush=True)
    return 0


def _batch(path: Path, out, assistant: Assistant) -> int:
    failures = 0
    with path.open(encoding="utf-8") as handle:
        for n, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                question = item["question"]
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                failures += 1
                print(json.dumps({"line": n, "error": f"bad input line: {exc}"}, ensure_ascii=False), file=out)
                continue
            answer = assistant.ask(str(question), history=item.get("history", []))
            print(_answer_json(answer, {"id": item.get("id")}), file=out, flush=True)
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant")
    sub = parser.add_subparsers(dest="command")
    ask = sub.add_parser("ask", help="answer one question, or a JSONL file of them with --batch")
    ask.add_argument("question", nargs="?", default="")
    ask.add_argument("--json", action="store_true", help="print one JSON object")
    ask.add_argument("--stream", action="store_true", help="print the language model's words as they arrive")
    ask.add_argument("--batch", type=Path, help='JSONL file of {"id", "question"}; writes one JSON object per line')
    ask.add_argument("--doc", action="append", help="only this document id (repeatable)")
    ask.add_argument("--publisher", action="append", help="only documents from this publisher (repeatable)")
    ask.add_argument("--type", action="append", help="only this document type (repeatable)")
    sub.add_parser("eval", help="evaluate retrieval and answers (the same as python -m tools.evaluate; "
                                "see its --help)", add_help=False)
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["eval"]:
        from tools.evaluate import main as evaluate

        return evaluate(argv[1:])
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("bm25s").setLevel(logging.WARNING)

    if args.command is None:
        parser.print_help()
        return 2
    try:
        assistant = Assistant()
        if args.batch:
            return _batch(args.batch, sys.stdout, assistant)
        if not args.question.strip():
            print("error: give a question, or --batch FILE", file=sys.stderr)
            return 2
        return _ask(args, assistant)
    except IndexNotReadyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
