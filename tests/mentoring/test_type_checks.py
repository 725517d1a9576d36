"""The type checks of `make lint` (pyproject.toml, [tool.mypy]): they cover every module of the
kinds the project types, and a wrong type in one of them fails them. The wrong code is written
into a copy of the packages, so the tree itself is never touched."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ["mentoring", "accounts", "profiles", "matching", "sessions_log"]
KINDS = ["services.py", "selectors.py", "jobs.py", "emails.py", "tasks.py"]
BASE = [
    "mentoring/emails.py",
    "mentoring/delivery.py",
    "mentoring/tasks.py",
    "mentoring/cache.py",
    "mentoring/breaker.py",
]
MYPY = Path(sys.executable).with_name("mypy")


def _mypy_config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]


def test_every_service_selector_job_email_and_task_module_is_checked():
    """The files are listed one by one: a new app's module must be added, or it goes unchecked."""
    present = {
        f"{package}/{kind}"
        for package in PACKAGES
        for kind in KINDS
        if (ROOT / package / kind).exists()
    }
    assert present | set(BASE) <= set(_mypy_config()["files"])


def test_a_wrong_type_in_a_service_fails_the_check(tmp_path: Path):
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    services = tmp_path / "matching" / "services.py"
    # A request's mentee is empty once they deleted their account, so this is no `User`.
    services.write_text(
        services.read_text()
        + "\n\ndef _mentee_name(req: MentorshipRequest) -> str:\n"
        + "    return req.mentee.full_name\n"
    )

    result = subprocess.run(
        [MYPY, "--cache-dir", str(tmp_path / ".mypy_cache")],
        cwd=tmp_path,
        env={**os.environ, "DEBUG": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 1, result.stdout + result.stderr
    assert 'Item "None" of "User | None" has no attribute "full_name"' in result.stdout
    assert result.stdout.count(" error: ") == 1, result.stdout
