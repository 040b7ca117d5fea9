"""Evaluation sets: the bundled one (``tools/eval/questions.jsonl``) and the external ones under
``tools/eval/external/<name>/`` (``questions.jsonl``, ``documents/``, ``README.md``), and the builder of
the two SweFAQ sets (``faq``, ``faq_adversarial``).

``python -m tools.eval_sets build-swefaq DIR`` rebuilds both SweFAQ sets from the ``swefaq_dev.jsonl``
and ``swefaq_test.jsonl`` files of Språkbanken's SuperLim 2 (CC BY 4.0) found in DIR.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from common.settings import PROJECT_ROOT
from swedish.sentences import sentences
from swedish.tokens import STOPWORDS, words
from tools.eval_metrics import normalize

EVAL_DIR = Path(__file__).parent / "eval"
BUNDLED_QUESTIONS = EVAL_DIR / "questions.jsonl"
EXTERNAL_DIR = EVAL_DIR / "external"
CACHE_DIR = PROJECT_ROOT / ".cache" / "eval"
BUNDLED = "bundled"


def split_of(question_id: str) -> str:
    """The stable split of a question id: "dev" or "test" (never chosen by looking at results)."""
    return "dev" if int(hashlib.sha1(question_id.encode("utf-8")).hexdigest(), 16) % 2 == 0 else "test"


def question_split(question: dict) -> str:
    """The question's ``split`` field, or the split of its id when the set has none."""
    return question.get("split") or split_of(str(question.get("id", question.get("question", ""))))


def load_questions(path: Path) -> list[dict]:
    questions = []
    with path.open(encoding="utf-8") as handle:
        for n, line in enumerate(handle, start=1):
            if line.strip():
                try:
                    questions.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path}:{n}: not valid JSON ({exc})") from exc
    return questions


@dataclass(frozen=True)
class EvalSet:
    """One evaluation set. ``documents`` is None for the bundled set (it uses the main index)."""

    name: str
    questions: Path
    documents: Path | None = None

    @property
    def external(self) -> bool:
        return self.documents is not None

    @property
    def cache_dir(self) -> Path:
        return CACHE_DIR / self.name


def external_sets(root: Path = EXTERNAL_DIR) -> tuple[list[EvalSet], list[str]]:
    """The complete external sets under ``root`` in name order, and a warning for each incomplete folder."""
    found: list[EvalSet] = []
    warnings: list[str] = []
    if not root.is_dir():
        return found, warnings
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
        questions, documents = folder / "questions.jsonl", folder / "documents"
        if questions.is_file() and documents.is_dir():
            found.append(EvalSet(folder.name, questions, documents))
        else:
            warnings.append(f"{folder}: no questions.jsonl or documents/; skipped")
    return found, warnings


# --- SweFAQ ---------------------------------------------------------------------------------------------

SWEFAQ_FILES = ("swefaq_dev.jsonl", "swefaq_test.jsonl")
ADVERSARIAL_SEED = 11  # the number: a fixed seed, chosen before any result was seen
SOURCE_FILES = {  # SweFAQ source -> (file stem, publisher as it names itself)
    "Socialstyrelsen": ("socialstyrelsen", "Socialstyrelsen"),
    "Västra Götalandsregionen": ("vastra-gotalandsregionen", "Västra Götalandsregionen"),
    "Vårdguiden": ("vardguiden-1177", "1177 Vårdguiden"),
    "Härryda kommun": ("harryda-kommun", "Härryda kommun"),
    "Kammarkollegiet": ("kammarkollegiet", "Kammarkollegiet"),
}


@dataclass
class _Pair:
    qid: str
    question: str
    answer: str
    source: str
    category: str


def _read_swefaq(source_dir: Path) -> list[_Pair]:
    pairs: list[_Pair] = []
    for name in SWEFAQ_FILES:
        for row in load_questions(source_dir / name):
            meta = row["meta"]
            answer = row["candidate_answers"][row["label"]].strip()
            category = " – ".join(part.strip() for part in meta["category"].split("::"))
            pairs.append(_Pair("", row["question"].strip(), answer, meta["source"], category))
    # Ids follow the order of the categories and of the questions in them (stable across rebuilds).
    counters: dict[str, int] = {}
    for pair in pairs:
        stem = SOURCE_FILES[pair.source][0]
        counters[stem] = counters.get(stem, 0) + 1
        pair.qid = f"swefaq-{stem}-{counters[stem]:03d}"
    return pairs


def _document(source: str, pairs: list[_Pair], dropped: set[str]) -> str:
    publisher = SOURCE_FILES[source][1]
    lines = [f"# {publisher}: vanliga frågor och svar", ""]
    categories: dict[str, list[_Pair]] = {}
    for pair in pairs:
        categories.setdefault(pair.category, []).append(pair)
    for category, group in categories.items():
        lines += [f"## {category}", ""]
        lines += [line for pair in group if pair.qid not in dropped for line in (pair.answer, "")]
    return "\n".join(lines)


def content_words(text: str) -> list[str]:
    return [w for w in words(text) if w not in STOPWORDS and not w.isdigit()]


def _sentences(answer: str) -> list[str]:
    """The answer's sentences as the ingest reads them (a leading "1)" starts a list and is dropped)."""
    return [re.sub(r"^\d{1,2}[.)]\s+", "", s) for s in sentences(answer)]


def _support(answer: str, corpus_norm: str) -> list[str]:
    """Sentences of the answer with three content words or more that occur once in the whole set;
    the whole answer when none does."""
    chosen = [s for s in _sentences(answer)
              if len(content_words(s)) >= 3 and corpus_norm.count(normalize(s)) == 1]
    return chosen or [" ".join(_sentences(answer))]


def _key_facts(answer: str) -> list[str]:
    """The set's rule. FAQ answers lead with the answer and then elaborate (or give one sentence of
    background first): the fact is the answer's lead, its first or its second sentence of three content
    words or more (alternatives). A bare "Ja." / "Nej." opening the answer is a fact of its own."""
    parts = _sentences(answer)
    facts: list[str] = []
    opening = parts[0].strip().rstrip(".!").strip().lower() if parts else ""
    if opening in ("ja", "nej"):
        facts.append(opening.capitalize())
    full = [p.strip() for p in parts if len(content_words(p)) >= 3]
    if full:
        facts.append(" | ".join(full[:2]))
    return facts or [" ".join(parts)]


def _parsed_text(path: Path) -> str:
    """The document's text as the ingest cleans it (support quotes must be verbatim in it)."""
    from index.model import DocumentInfo
    from ingest.loaders import load_document

    return load_document(path, DocumentInfo(doc_id=path.stem, title="", source_file=path.name)).text


def build_swefaq(source_dir: Path, root: Path = EXTERNAL_DIR) -> dict[str, int]:
    """Write the sets ``faq`` and ``faq_adversarial`` under ``root``; returns their question counts."""
    pairs = _read_swefaq(source_dir)
    by_source: dict[str, list[_Pair]] = {}
    for pair in pairs:
        by_source.setdefault(pair.source, []).append(pair)
    rng = random.Random(ADVERSARIAL_SEED)
    ids = sorted(p.qid for p in pairs)
    removed = set(rng.sample(ids, len(ids) // 3))
    # A question whose answer is word for word another's goes with it (else its answer would stay).
    removed_answers = {normalize(p.answer) for p in pairs if p.qid in removed}
    removed |= {p.qid for p in pairs if normalize(p.answer) in removed_answers}
    # One whose answer lies inside an answer that stays is still answerable: it stays answerable.
    kept_answers = [normalize(p.answer) for p in pairs if p.qid not in removed]
    removed -= {p.qid for p in pairs if p.qid in removed and any(normalize(p.answer) in k for k in kept_answers)}
    counts = {}
    for name, dropped in (("faq", set()), ("faq_adversarial", removed)):
        folder = root / name
        documents = folder / "documents"
        documents.mkdir(parents=True, exist_ok=True)
        for old in documents.glob("*.md"):
            old.unlink()
        texts = {}
        for source, group in by_source.items():
            stem = SOURCE_FILES[source][0]
            texts[stem] = _document(source, group, dropped)
            (documents / f"{stem}.md").write_text(texts[stem], encoding="utf-8")
        corpus_norm = normalize("\n\n".join(_parsed_text(documents / f"{stem}.md") for stem in texts))
        lines = []
        for pair in pairs:
            stem = SOURCE_FILES[pair.source][0]
            answerable = pair.qid not in dropped
            item = {
                "id": pair.qid, "question": pair.question, "user": "extern",
                "kind": "general" if answerable else "unanswerable", "answerable": answerable,
                "doc_ids": [stem] if answerable else [],
                "support": _support(pair.answer, corpus_norm) if answerable else [],
                "key_facts": _key_facts(pair.answer) if answerable else [],
                "answer_hint": pair.answer if answerable else "Det framgår inte av dokumenten.",
                "split": split_of(pair.qid), "source": SOURCE_FILES[pair.source][1], "category": pair.category,
            }
            lines.append(json.dumps(item, ensure_ascii=False))
        (folder / "questions.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        counts[name] = len(lines)
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.eval_sets", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build-swefaq", help="rebuild the faq and faq_adversarial sets from SweFAQ files")
    build.add_argument("source", type=Path, help="folder with swefaq_dev.jsonl and swefaq_test.jsonl")
    args = parser.parse_args(argv)
    missing = [n for n in SWEFAQ_FILES if not (args.source / n).is_file()]
    if missing:
        print(f"error: {args.source}: missing {', '.join(missing)}", file=sys.stderr)
        return 2
    for name, count in build_swefaq(args.source).items():
        print(f"{name}: {count} questions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
