"""The external evaluation sets hold what they claim: the support quotes are verbatim in the text the real
ingest makes of the set's documents, unanswerable questions have no support, and splits are fixed by hashes.

The sets ``docs`` and ``plans`` (public Swedish PDFs with hand-written questions) are checked strictly by
``tools/check_eval_set.py``, each against its own ``sources.json``; every other set under
``tools/eval/external/`` must pass the checks of the shared format.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from tools import check_eval_set as check
from tools.eval_sets import EXTERNAL_DIR as EXTERNAL

DOCS_SET = EXTERNAL / "docs"
PLANS_SET = EXTERNAL / "plans"


@pytest.fixture(scope="module")
def docs_documents() -> dict:
    return check.load_documents(DOCS_SET / "documents")


@pytest.fixture(scope="module")
def docs_rows() -> list[dict]:
    rows, errors = check.read_questions(DOCS_SET / "questions.jsonl")
    assert not errors
    return rows


def test_docs_set_passes_its_strict_check(docs_documents: dict, docs_rows: list[dict]) -> None:
    errors, counts = check.check_rows(docs_rows, docs_documents, strict=True)
    errors += check._check_files(DOCS_SET / "documents")
    assert not errors, "\n".join(errors)
    assert counts["questions"] >= 60 and counts["unanswerable"] >= 15 and counts["follow_ups"] >= 6
    assert counts["documents"] == 3 and counts["dev"] and counts["test"]
    assert {r["user"] for r in docs_rows} == {"politiker", "ny_medarbetare", "yrkesverksam"}


def test_plans_set_passes_its_strict_check() -> None:
    errors, counts = check.check_set(PLANS_SET, strict=True)
    assert not errors, "\n".join(errors)
    assert counts["questions"] >= 64 and counts["unanswerable"] >= 15 and counts["follow_ups"] >= 6
    assert counts["documents"] == 2 and counts["dev"] and counts["test"]
    rows, _ = check.read_questions(PLANS_SET / "questions.jsonl")
    assert {r["user"] for r in rows} == {"politiker", "ny_medarbetare", "yrkesverksam"}


def test_docs_set_check_finds_broken_questions(docs_documents: dict, docs_rows: list[dict]) -> None:
    """The check can fail: each kind of damage to a copy of the set is reported."""
    answerable = next(r for r in docs_rows if r["answerable"] and not r.get("history"))
    unanswerable = next(r for r in docs_rows if not r["answerable"])
    follow_up = next(r for r in docs_rows if r.get("history"))
    damaged = copy.deepcopy(docs_rows)
    by_id = {r["id"]: r for r in damaged}
    by_id[answerable["id"]]["support"] = [answerable["support"][0] + " och något som inte står där"]
    by_id[answerable["id"]]["key_facts"] = ["ett påhittat faktum"]
    by_id[answerable["id"]]["split"] = "test" if answerable["split"] == "dev" else "dev"
    by_id[unanswerable["id"]]["support"] = ["Arbetsgivaren ansvarar för att bestämmelserna i detta kapitel följs."]
    by_id[unanswerable["id"]]["absent"] = ["arbetsgivaren"]
    by_id[follow_up["id"]]["history"] = []
    errors, _ = check.check_rows(damaged, docs_documents, strict=True)
    text = "\n".join(errors)
    assert f"{answerable['id']}: support not in the document text" in text
    assert f"{answerable['id']}: key fact not worded as in the document" in text
    assert f"{answerable['id']}: split" in text
    assert f"{unanswerable['id']}: unanswerable but has support" in text
    assert f"{unanswerable['id']}: 'absent' term occurs in a document" in text
    assert f"{follow_up['id']}: history" in text


def test_docs_set_support_is_whitespace_and_case_insensitive(docs_documents: dict, docs_rows: list[dict]) -> None:
    row = copy.deepcopy(next(r for r in docs_rows if r["answerable"] and not r.get("history")))
    row["support"] = ["  " + "\n".join(row["support"][0].upper().split()) + " "]
    errors, _ = check.check_rows([row], docs_documents, strict=False)
    assert not errors, errors


def _other_sets() -> list[Path]:
    """The other complete sets (questions, documents and README), the ones the evaluation runner runs."""
    parts = ("questions.jsonl", "documents", "README.md")
    return sorted(p for p in EXTERNAL.iterdir() if p.is_dir() and p not in (DOCS_SET, PLANS_SET)
                  and all((p / part).exists() for part in parts)) if EXTERNAL.is_dir() else []


@pytest.mark.parametrize("set_dir", _other_sets(), ids=lambda p: p.name)
def test_other_external_sets_follow_the_shared_format(set_dir: Path) -> None:
    errors, counts = check.check_set(set_dir, strict=False)
    assert not errors, "\n".join(errors[:30])
    assert counts["questions"] > 0


def test_docs_questions_are_one_json_object_a_line() -> None:
    lines = [line for line in (DOCS_SET / "questions.jsonl").read_text(encoding="utf-8").splitlines() if line]
    assert all(isinstance(json.loads(line), dict) for line in lines)
