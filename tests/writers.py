"""Find the code that writes a model field, to hold each state change to one owner.

A write is an assignment to `<anything>.<field>`, a `<field>=` keyword to anything but a
lookup or an annotation (`filter`, `annotate`, …), `setattr(..., "<field>", ...)`, or SQL text that
updates the column. New rows given their starting value in a dict (the demo seeder's COPY) are
not changes and are not counted.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["accounts", "profiles", "matching", "sessions_log", "mentoring", "bench"]
# Code that builds rows for tests must go through the services too.
TEST_BUILDERS = ["tests/factories.py", "tests/support.py"]
LOOKUPS = {"filter", "exclude", "get", "Q", "get_object_or_404", "annotate", "alias"}


def _sources() -> list[Path]:
    files = [p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")]
    files += [ROOT / name for name in TEST_BUILDERS if (ROOT / name).exists()]
    return sorted(p for p in files if "migrations" not in p.parts)


def _called_name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _targets(node: ast.AST) -> list[ast.expr]:
    if isinstance(node, ast.Assign):
        found, stack = [], list(node.targets)
        while stack:
            target = stack.pop()
            if isinstance(target, ast.Tuple | ast.List):
                stack.extend(target.elts)
            else:
                found.append(target)
        return found
    if isinstance(node, ast.AugAssign | ast.AnnAssign):
        return [node.target]
    return []


def _writes(node: ast.AST, field: str, sql: re.Pattern) -> bool:
    if any(isinstance(t, ast.Attribute) and t.attr == field for t in _targets(node)):
        return True
    if isinstance(node, ast.Call):
        name = _called_name(node.func)
        if name == "setattr" and len(node.args) > 1:
            key = node.args[1]
            return isinstance(key, ast.Constant) and key.value == field
        if name not in LOOKUPS and any(k.arg == field for k in node.keywords):
            return True
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and bool(sql.search(node.value))
    )


def writers_of(field: str) -> list[str]:
    """`module:function` for each place outside tests and migrations that writes `field`."""
    sql = re.compile(rf"\bUPDATE\b.*\bSET\b.*\b{field}\b", re.IGNORECASE | re.DOTALL)
    found = set()
    for path in _sources():
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        tree = ast.parse(path.read_text(), filename=str(path))
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if any(_writes(node, field, sql) for node in ast.walk(func)):
                found.add(f"{module}:{func.name}")
    return sorted(found)


def _creates(node: ast.AST, model: str, sql: re.Pattern) -> bool:
    if isinstance(node, ast.Call):
        func = node.func
        if (
            isinstance(func, ast.Attribute)
            and func.attr in {"create", "get_or_create", "update_or_create", "bulk_create"}
            and isinstance(func.value, ast.Attribute)
            and isinstance(func.value.value, ast.Name)
            and func.value.value.id == model
        ):
            return True
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and bool(sql.search(node.value))
    )


def creators_of(model: type) -> list[str]:
    """`module:function` for each place outside tests and migrations that saves new rows of
    `model` through its manager or with SQL into its table (unsaved instances, such as the email
    previews' samples, and factories are not counted)."""
    name, table = model.__name__, model._meta.db_table
    sql = re.compile(rf"\bINSERT\s+INTO\s+{table}\b|\bCOPY\s+{table}\b", re.IGNORECASE)
    found = set()
    for path in _sources():
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        tree = ast.parse(path.read_text(), filename=str(path))
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if any(_creates(node, name, sql) for node in ast.walk(func)):
                found.add(f"{module}:{func.name}")
    return sorted(found)
