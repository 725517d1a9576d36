"""Every scheduled job of an app lives in `<app>/jobs.py`; its beat task (`<app>/tasks.py`, the
name the beat schedule uses) and its command only call it."""

from __future__ import annotations

import ast
from importlib import import_module
from pathlib import Path

import pytest
from django.conf import settings

from tests.writers import ROOT

APPS = ["accounts", "profiles", "matching", "sessions_log"]
# accounts' one command rotates the MFA key: no scheduled job.
JOB_COMMANDS = sorted(
    path
    for app in ["profiles", "matching", "sessions_log"]
    for path in (ROOT / app / "management" / "commands").glob("[!_]*.py")
)
APP_TASKS = sorted(
    entry["task"]
    for entry in settings.CELERY_BEAT_SCHEDULE.values()
    if entry["task"].split(".", 1)[0] in APPS
)


def _only_calls_a_job(body: list[ast.stmt]) -> str | None:
    """The name of the one `jobs.<name>(...)` the body calls, or None if it calls none or more."""
    calls = [
        node
        for stmt in body
        for node in ast.walk(stmt)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "jobs"
    ]
    return calls[0].func.attr if len(calls) == 1 else None


def test_the_beat_schedule_names_the_same_tasks():
    assert APP_TASKS == [
        "matching.tasks.complete_advice_conversations",
        "matching.tasks.complete_rounds",
        "matching.tasks.email_never_approached_mentors",
        "matching.tasks.expire_requests",
        "matching.tasks.notify_new_messages",
        "matching.tasks.remind_unanswered_requests",
        "matching.tasks.send_message_digests",
        "matching.tasks.update_reply_times",
        "profiles.tasks.announce_recruitment_windows",
        "profiles.tasks.ask_mentors_to_confirm",
        "profiles.tasks.digest_submitted_profiles",
        "profiles.tasks.remind_expiring_training",
        "profiles.tasks.return_away_mentors",
        "sessions_log.tasks.ask_pairs_to_wrap_up",
        "sessions_log.tasks.nudge_quiet_pairs",
        "sessions_log.tasks.remind_upcoming_meetings",
        "sessions_log.tasks.send_check_ins",
    ]


@pytest.mark.parametrize("task", APP_TASKS)
def test_each_beat_task_only_calls_its_apps_job(task):
    app, _, name = task.split(".")
    tree = ast.parse((ROOT / app / "tasks.py").read_text())
    [func] = [f for f in tree.body if isinstance(f, ast.FunctionDef) and f.name == name]

    assert _only_calls_a_job(func.body) == name
    assert callable(getattr(import_module(f"{app}.jobs"), name))


@pytest.mark.parametrize("command", JOB_COMMANDS, ids=lambda p: p.stem)
def test_each_job_command_only_calls_a_job(command: Path):
    tree = ast.parse(command.read_text())
    [handle] = [f for f in ast.walk(tree) if isinstance(f, ast.FunctionDef) and f.name == "handle"]
    app = command.parent.parent.parent.name

    job = _only_calls_a_job(handle.body)

    assert job is not None
    assert callable(getattr(import_module(f"{app}.jobs"), job))
