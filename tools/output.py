"""What the tools print: aligned text tables on stdout, progress lines on stderr."""

from __future__ import annotations

import sys


def text_table(rows: list[list[str]], left_columns: int = 1) -> str:
    """``rows`` (the first is the header) as aligned columns under a line of dashes; the first
    ``left_columns`` columns are left-aligned, the others right-aligned."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) if i < left_columns else cell.rjust(w)
                       for i, (cell, w) in enumerate(zip(row, widths))) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def log(message: str) -> None:
    """A progress line on stderr (stdout holds the results)."""
    print(message, file=sys.stderr, flush=True)
