"""The evaluation's measures on hand-made answers, the BM25 fixed-chunk baseline, and the external sets'
files (support quotes verbatim in the documents, removed answers gone). No index, no embedding model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tools.baselines import FixedChunkBM25, fixed_word_chunks
from tools.eval_metrics import answer_text, fact_covered, first_hit_rank, key_fact_share, normalize
from tools.eval_sets import EXTERNAL_DIR, _parsed_text, external_sets, question_split, split_of
from tools.evaluate import Row, answer_figures, failures, groups, key_facts_of, retrieval_figures


def test_fact_alternatives_match_as_whole_words() -> None:
    answer = "Remissvaret ska vara inne senast den 12 maj 2023 [1] och kostar 100 kr/st."
    assert fact_covered("2023-05-12 | 12 maj 2023", answer)
    assert fact_covered("100 kr", answer)
    assert not fact_covered("2023-05-13 | 13 maj 2023", answer)
    assert not fact_covered("12 maj 2024", answer)
    assert not fact_covered("kro", answer)  # a part of a word is no match


def test_fact_held_by_the_stems_of_its_content_words() -> None:
    answer = "Föräldrapenningen betalas ut av Försäkringskassan till båda föräldrarna."
    assert fact_covered("Försäkringskassan betalar föräldrapenning", answer)  # other inflections, other order
    assert not fact_covered("Skatteverket betalar föräldrapenning", answer)  # one content word missing
    assert not fact_covered("och av till", answer)  # only stop words: no stems, no vacuous match


def test_key_fact_share_counts_each_fact() -> None:
    answer = answer_text("**Svaret:** BVC står för barnavårdscentral [1]. Den finns i varje kommun [2].")
    assert key_fact_share(["barnavårdscentral", "Örebro | Västerås"], answer) == 0.5
    assert key_fact_share(["barnavårdscentral", "varje kommun"], answer) == 1.0
    assert key_fact_share([], answer) == 1.0


def test_key_facts_fall_back_to_the_short_gold_answer() -> None:
    assert key_facts_of({"key_facts": ["12 maj"], "answer": "x"}) == ["12 maj"]
    assert key_facts_of({"answer": "Region Örebro län"}) == ["Region Örebro län"]
    assert key_facts_of({"question": "?"}) == []


def test_answer_figures_on_hand_made_rows() -> None:
    def q(n: int, answerable: bool = True, split: str = "dev") -> dict:
        return {"id": f"q{n}", "question": "?", "answerable": answerable, "support": ["s"] if answerable else [],
                "user": "extern", "kind": "general" if answerable else "unanswerable", "split": split}

    rows = [
        Row(q(1), rank=1, cites_support=True, facts_share=1.0, latency_ms=10),
        Row(q(2), rank=4, cites_support=True, facts_share=0.5, latency_ms=20),
        Row(q(3, split="test"), rank=None, refused=True, facts_share=0.0, latency_ms=30),
        Row(q(4, answerable=False, split="test"), refused=True, latency_ms=40),
        Row(q(5, answerable=False), refused=False, latency_ms=50),
    ]
    r = retrieval_figures(rows)
    assert r["hit@1"] == pytest.approx(1 / 3) and r["hit@5"] == pytest.approx(2 / 3)
    assert r["MRR@10"] == pytest.approx((1 + 0.25 + 0) / 3)
    a = answer_figures(rows)
    assert a["key facts"] == pytest.approx(1 / 3) and a["fact share"] == pytest.approx(0.5)
    assert a["refused"] == 0.5 and a["false refusals"] == pytest.approx(1 / 3)
    assert a["refusal precision"] == 0.5  # q3 (answerable) and q4 (not) were refused
    assert a["p50 ms"] == 30
    by_group = groups(rows, ("all", "dev", "test"))
    assert [len(by_group[g]) for g in ("all", "dev", "test")] == [5, 3, 2]
    assert len(by_group["all · kind=unanswerable"]) == 2 and "dev · kind=unanswerable" not in by_group
    assert len(groups(rows, ("dev",))["dev · kind=unanswerable"]) == 1
    failed = {r.question["id"]: why for r, why in failures(rows)}
    assert failed == {"q2": ["key facts 50%"], "q3": ["refused"], "q5": ["not refused"]}


def test_first_hit_rank_normalises_text() -> None:
    passages = ["Inget här.", "Det  ska finnas ett\nFÖRÄLDRASKAPSSTÖD i länet.", "Det ska finnas ett föräldraskapsstöd"]
    assert first_hit_rank(passages, ["ska finnas ett föräldraskapsstöd"]) == 2
    assert first_hit_rank(passages, ["saknas helt"]) is None


def test_split_is_stable_and_taken_from_the_question_when_given() -> None:
    assert split_of("q001") == split_of("q001") in ("dev", "test")
    assert {split_of(f"q{n:03d}") for n in range(20)} == {"dev", "test"}
    assert question_split({"id": "q001", "split": "test"}) == "test"
    assert question_split({"id": "q001"}) == split_of("q001")


def test_bm25_fixed_chunks_find_the_obvious_passage() -> None:
    filler = " ".join(f"ord{n}" for n in range(450))
    target = "Föräldrapenning betalas ut av Försäkringskassan när barnet har fötts."
    baseline = FixedChunkBM25([("a", filler), ("b", f"{filler} {target} {filler}"), ("c", "Skolan börjar i augusti.")])
    assert [len(c.text.split()) for c in fixed_word_chunks("a", filler)] == [200, 200, 50]
    hits = baseline.search("När betalar Försäkringskassan ut föräldrapenningen?", k=10)
    assert hits and hits[0].doc_id == "b" and target in hits[0].text
    assert baseline.search("zebrafink", k=10) == []


def test_external_sets_are_found_and_incomplete_folders_reported(tmp_path: Path) -> None:
    (tmp_path / "good" / "documents").mkdir(parents=True)
    (tmp_path / "good" / "questions.jsonl").write_text("{}\n", encoding="utf-8")
    (tmp_path / "half").mkdir()
    found, warnings = external_sets(tmp_path)
    assert [s.name for s in found] == ["good"] and len(warnings) == 1 and "half" in warnings[0]


def _load(name: str) -> tuple[list[dict], dict[str, str]]:
    folder = EXTERNAL_DIR / name
    questions = [json.loads(line) for line in (folder / "questions.jsonl").read_text(encoding="utf-8").splitlines()]
    texts = {p.stem: normalize(_parsed_text(p)) for p in sorted((folder / "documents").glob("*.md"))}
    return questions, texts


@pytest.mark.parametrize("name", ["faq", "faq_adversarial"])
def test_faq_sets_support_is_verbatim_in_the_cleaned_documents(name: str) -> None:
    questions, texts = _load(name)
    assert 150 <= len(questions) <= 300 and sum(len(t) for t in texts.values()) < 150_000
    for q in questions:
        assert q["split"] == split_of(q["id"])
        assert all(normalize(q["question"]) not in text for text in texts.values()), q["id"]
        if q["answerable"]:
            assert q["support"] and 1 <= len(q["key_facts"]) <= 4, q["id"]
            assert all(normalize(s) in texts[q["doc_ids"][0]] for s in q["support"]), q["id"]


def test_faq_adversarial_removed_answers_are_gone() -> None:
    full = {q["id"]: q for q in _load("faq")[0]}
    questions, texts = _load("faq_adversarial")
    everything = " ".join(texts.values())
    gone = [q for q in questions if not q["answerable"]]
    assert len(gone) == pytest.approx(len(questions) / 3, abs=5)
    for q in gone:
        assert not any(normalize(s) in everything for s in full[q["id"]]["support"]), q["id"]
