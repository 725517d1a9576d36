"""The import contracts in pyproject.toml (`make lint`): the tree keeps them, and an import that
points up a layer, or closes a cycle between two modules of an app, breaks them. The imports are
written into a copy of the packages, so the tree itself is never touched."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ["mentoring", "accounts", "profiles", "matching", "sessions_log"]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    # lint-imports reads the packages from its working directory, which it puts first on the path.
    return subprocess.run(
        [LINT_IMPORTS, "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def tree_copy(tmp_path: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    return tmp_path


def test_every_module_of_the_project_package_has_a_layer():
    """`mentoring/` holds both the top layer and the base: a module in neither would escape the
    contract, so each one must be listed (itself or its package) in pyproject.toml."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (layers,) = [c["layers"] for c in config["contracts"] if c["type"] == "layers"]
    listed = {name.strip() for layer in layers for name in layer.split(":")}
    packages = {"mentoring", "mentoring.management", "mentoring.management.commands"}
    modules = {
        ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for path in (ROOT / "mentoring").rglob("*.py")
    }

    unplaced = {
        m
        for m in modules - packages
        if not any(m == name or m.startswith(f"{name}.") for name in listed)
    }

    assert not unplaced, f"add these to a layer in pyproject.toml: {sorted(unplaced)}"


def test_the_tree_keeps_the_contracts():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "added", "broken"),
    [
        # A lower app reaching into a higher one, from a new module.
        (
            "accounts/upward.py",
            "from matching.models import Mentorship\n",
            "accounts.upward -> matching.models",
        ),
        # The base (the outbox and shared plumbing) importing an app.
        (
            "mentoring/cache.py",
            "\nfrom profiles.models import MentorProfile\n",
            "mentoring.cache -> profiles.models",
        ),
        # An app importing the cross-app pages above it, even from inside a function.
        (
            "profiles/views.py",
            "\n\ndef upward():\n    from mentoring.views import home\n\n    return home\n",
            "profiles.views -> mentoring.views",
        ),
        # Two modules of one app importing each other (the emails send what services decide).
        (
            "profiles/emails.py",
            "\nfrom profiles import services\n",
            "No cycles are allowed in profiles",
        ),
    ],
)
def test_an_upward_or_circular_import_breaks_a_contract(tree_copy, module, added, broken):
    path = tree_copy / module
    path.write_text((path.read_text() if path.exists() else "") + added)

    result = lint_imports(tree_copy)

    assert result.returncode == 1, result.stdout
    assert "1 broken" in result.stdout
    assert broken in result.stdout
