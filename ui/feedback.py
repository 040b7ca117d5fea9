"""Feedback on answers: a local SQLite file and a CSV export.

One row per answer (rated again = updated): when, the rating (``hjälpsamt`` / ``inte hjälpsamt``),
an optional comment, and what was rated — the question, the answer and its citations as JSON.

Export it with::

    python -m ui.feedback export out.csv            # the data directory from the settings
    python -m ui.feedback export out.csv --db path/to/feedback.sqlite
"""

from __future__ import annotations

import argparse
import csv
import json
import sqlite3
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

HELPFUL = "hjälpsamt"
NOT_HELPFUL = "inte hjälpsamt"
RATINGS = (HELPFUL, NOT_HELPFUL)
FILE_NAME = "feedback.sqlite"
MAX_COMMENT_CHARS = 4000

COLUMNS = ("timestamp", "rating", "comment", "question", "answer", "refused", "citations", "user", "answer_id")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    answer_id TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    rating TEXT NOT NULL DEFAULT '',
    comment TEXT NOT NULL DEFAULT '',
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    refused INTEGER NOT NULL DEFAULT 0,
    citations TEXT NOT NULL DEFAULT '[]',
    user TEXT NOT NULL DEFAULT ''
)
"""


def normalize_rating(rating: str | bool | None) -> str:
    """``True``/"up"/"hjälpsamt" → ``hjälpsamt``; ``False``/"down"/"inte hjälpsamt" → ``inte hjälpsamt``."""
    if isinstance(rating, bool):
        return HELPFUL if rating else NOT_HELPFUL
    value = (rating or "").strip().lower()
    if value in (HELPFUL, "up", "like", "ja", "+1", "1"):
        return HELPFUL
    if value in (NOT_HELPFUL, "down", "dislike", "nej", "-1", "0"):
        return NOT_HELPFUL
    if value == "":
        return ""
    raise ValueError(f"okänt betyg: {rating!r} (använd {HELPFUL!r} eller {NOT_HELPFUL!r})")


class FeedbackStore:
    """The feedback table in ``<data_dir>/feedback.sqlite`` (safe to share between threads)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute(_SCHEMA)

    @classmethod
    def for_data_dir(cls, data_dir: Path) -> FeedbackStore:
        return cls(Path(data_dir) / FILE_NAME)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """A connection that commits on success and is always closed."""
        db = sqlite3.connect(self.path, timeout=10)
        db.row_factory = sqlite3.Row
        try:
            with db:
                yield db
        finally:
            db.close()

    def record(self, *, answer_id: str, question: str, answer: str, citations: Sequence[dict] | str,
               refused: bool = False, rating: str | bool | None = None, comment: str | None = None,
               user: str = "") -> None:
        """Save or update the feedback on one answer; ``None`` leaves a field as it was."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        rating_value = None if rating is None else normalize_rating(rating)
        comment_value = None if comment is None else comment.strip()[:MAX_COMMENT_CHARS]
        citations_json = citations if isinstance(citations, str) else json.dumps(list(citations), ensure_ascii=False)
        with self._lock, self._connect() as db:
            db.execute(
                """
                INSERT INTO feedback (answer_id, created_at, updated_at, rating, comment, question, answer,
                                      refused, citations, user)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(answer_id) DO UPDATE SET
                    updated_at = excluded.updated_at,
                    rating = CASE WHEN ? IS NULL THEN feedback.rating ELSE excluded.rating END,
                    comment = CASE WHEN ? IS NULL THEN feedback.comment ELSE excluded.comment END
                """,
                (answer_id, now, now, rating_value or "", comment_value or "", question, answer, int(bool(refused)),
                 citations_json, user or "", rating_value, comment_value),
            )

    def rows(self) -> list[dict]:
        with self._lock, self._connect() as db:
            found = db.execute("SELECT * FROM feedback ORDER BY id").fetchall()
        return [
            {"timestamp": r["updated_at"], "rating": r["rating"], "comment": r["comment"], "question": r["question"],
             "answer": r["answer"], "refused": bool(r["refused"]), "citations": r["citations"], "user": r["user"],
             "answer_id": r["answer_id"]}
            for r in found
        ]

    def export_csv(self, out: Path) -> int:
        """Write all feedback to ``out`` (UTF-8, header row); returns the number of rows."""
        return write_csv(out, self.rows())


def write_csv(out: Path, rows: list[dict]) -> int:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "refused": "ja" if row["refused"] else "nej"})
    return len(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ui.feedback", description="Återkoppling på svaren.")
    commands = parser.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export", help="exportera återkopplingen till en CSV-fil (UTF-8)")
    export.add_argument("out", type=Path, help="CSV-filen att skriva")
    export.add_argument("--db", type=Path, default=None,
                        help=f"SQLite-filen (standard: datamappen i inställningarna / {FILE_NAME})")
    args = parser.parse_args(argv)

    if args.db is None:
        from common.settings import get_settings

        db_path = get_settings().data_dir / FILE_NAME
    else:
        db_path = args.db
    if not db_path.exists():
        write_csv(args.out, [])
        print(f"Ingen återkoppling ännu ({db_path} finns inte); {args.out} har bara rubrikraden.", file=sys.stderr)
        return 0
    count = FeedbackStore(db_path).export_csv(args.out)
    print(f"{count} rader exporterade till {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
