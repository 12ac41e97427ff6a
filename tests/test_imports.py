"""Imports say what a module depends on: at module level, not hidden inside functions (issue 18
point 4), views included. The app factory, the CLI, the queue's jobs and the demo/simulate
scripts import lazily on purpose (start-up time, optional parts)."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "review_app"
LAZY_ON_PURPOSE = {"__init__.py", "demo.py", "simulate.py"}


def function_level_imports() -> dict[str, int]:
    counts: dict[str, int] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel in LAZY_ON_PURPOSE or rel.startswith(("jobs/", "migrations/", "cli/")):
            continue
        seen = set()
        for func in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                seen.update(
                    id(node)
                    for node in ast.walk(func)
                    if isinstance(node, ast.Import | ast.ImportFrom)
                )
        if seen:
            counts[rel] = len(seen)
    return counts


def test_no_function_level_imports():
    assert function_level_imports() == {}
