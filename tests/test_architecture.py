"""The layering the README describes holds in the code: imports follow the flow of data
(swedish, common → index → ingest; index → assistant → ui), the UI uses only the public APIs of
``assistant`` and ``ingest``, and the product never imports the tools."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from common.settings import PROJECT_ROOT

PACKAGES = ("swedish", "common", "index", "ingest", "assistant", "ui", "tools")
# What each product package may import from the project (besides itself).
ALLOWED = {
    "swedish": set(),
    "common": set(),
    "index": {"common", "swedish"},
    "ingest": {"common", "swedish", "index"},
    "assistant": {"common", "swedish", "index"},
    "ui": {"common", "assistant", "ingest"},
}
# Packages whose public API (the package itself, not its modules) is all another layer may use.
PUBLIC_ONLY = {"ui": {"assistant", "ingest"}}
# ``python -m assistant eval`` is an alias of ``python -m tools.evaluate``.
EXCEPTIONS = {("assistant/__main__.py", "tools.evaluate")}


def project_imports(path: Path) -> list[str]:
    """Dotted names of the project modules ``path`` imports (at any depth, lazy imports included)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
    return [name for name in found if name.split(".")[0] in PACKAGES]


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_imports_follow_the_flow_of_data(package: str) -> None:
    wrong = []
    for path in sorted((PROJECT_ROOT / package).rglob("*.py")):
        relative = path.relative_to(PROJECT_ROOT).as_posix()
        for name in project_imports(path):
            top = name.split(".")[0]
            if top == package or (relative, name) in EXCEPTIONS:
                continue
            if top not in ALLOWED[package]:
                wrong.append(f"{relative} imports {name}")
            elif top in PUBLIC_ONLY.get(package, ()) and name != top:
                wrong.append(f"{relative} imports {name}, not the public API of {top}")
    assert not wrong, "\n".join(wrong)
