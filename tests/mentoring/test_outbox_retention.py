"""Retention (issue 10): sent emails lose their content after OUTBOX_BODY_RETENTION_DAYS and are
deleted after OUTBOX_DELETE_AFTER_DAYS; failed and cancelled ones likewise, counted from when
they were written; queued ones are never touched."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mentoring import delivery, emails
from mentoring.celery import app as celery_app
from mentoring.models import Outbox
from mentoring.tasks import purge_outbox
from tests.support import use_test_templates

pytestmark = pytest.mark.django_db

START = datetime(2030, 1, 7, 9, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)


@pytest.fixture(autouse=True)
def _outbox_settings(settings):
    use_test_templates(settings)
    settings.OUTBOX_BODY_RETENTION_DAYS = 30
    settings.OUTBOX_DELETE_AFTER_DAYS = 365


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(START, tick=False)
    return time_machine


def _queued(user, key: str) -> Outbox:
    return emails.queue("ping", to=user, ctx={"name": user.full_name}, dedupe_key=key)


def _sent(user, key: str = "ping:sent") -> Outbox:
    row = _queued(user, key)
    assert delivery.deliver(row.pk)
    row.refresh_from_db()
    return row


def _with_status(user, key: str, status: str) -> Outbox:
    row = _queued(user, key)
    Outbox.objects.filter(pk=row.pk).update(status=status)
    return row


def _has_content(row: Outbox) -> bool:
    row.refresh_from_db()
    return bool(row.body_text or row.body_html or row.headers or row.context)


def test_sent_email_keeps_its_content_for_the_retention_period(mentee, clock):
    row = _sent(mentee)

    clock.shift(timedelta(days=30))
    assert delivery.purge() == (0, 0)

    assert _has_content(row)


def test_sent_email_loses_its_content_after_the_retention_period(mentee, clock):
    row = _sent(mentee)

    clock.shift(timedelta(days=30) + SECOND)
    assert delivery.purge() == (1, 0)

    row.refresh_from_db()
    assert (row.body_text, row.body_html, row.headers, row.context) == ("", "", {}, {})
    # What remains says who was sent what, and when.
    assert (row.kind, row.to_email, row.subject, row.status) == (
        "ping",
        "maya@example.org",
        "Ping for Maya Mentee",
        Outbox.Status.SENT,
    )
    assert row.sent_at == START


def test_retention_counts_from_when_the_email_was_sent(mentee, clock):
    # Written at the start, sent (after retries) ten days later.
    row = _queued(mentee, "ping:late")
    clock.shift(timedelta(days=10))
    delivery.deliver(row.pk)

    clock.shift(timedelta(days=30))
    assert delivery.purge() == (0, 0)
    clock.shift(SECOND)
    assert delivery.purge() == (1, 0)


def test_sent_email_is_deleted_after_a_year(mentee, clock):
    row = _sent(mentee)

    clock.shift(timedelta(days=365))
    delivery.purge()
    assert Outbox.objects.filter(pk=row.pk).exists()

    clock.shift(SECOND)
    assert delivery.purge() == (0, 1)
    assert not Outbox.objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize("status", [Outbox.Status.FAILED, Outbox.Status.CANCELLED])
def test_failed_and_cancelled_emails_lose_their_content_then_go(mentee, clock, status):
    row = _with_status(mentee, "ping:done", status)

    clock.shift(timedelta(days=30))
    assert delivery.purge() == (0, 0)
    clock.shift(SECOND)
    assert delivery.purge() == (1, 0)
    assert not _has_content(row)

    clock.move_to(START + timedelta(days=365), tick=False)
    assert delivery.purge() == (0, 0)
    clock.shift(SECOND)
    assert delivery.purge() == (0, 1)
    assert not Outbox.objects.filter(pk=row.pk).exists()


def test_queued_email_is_never_purged(mentee, clock):
    # However old, an unsent email is still owed to someone: the sweep's backoff decides.
    row = _queued(mentee, "ping:stuck")

    clock.shift(timedelta(days=400))
    assert delivery.purge() == (0, 0)

    assert _has_content(row)


def test_purge_is_idempotent(mentee, clock):
    _sent(mentee)
    clock.shift(timedelta(days=31))

    assert delivery.purge() == (1, 0)
    assert delivery.purge() == (0, 0)


def test_retention_periods_come_from_settings(mentee, clock, settings):
    settings.OUTBOX_BODY_RETENTION_DAYS = 7
    settings.OUTBOX_DELETE_AFTER_DAYS = 90
    row = _sent(mentee)

    clock.shift(timedelta(days=7) + SECOND)
    assert delivery.purge() == (1, 0)
    clock.shift(timedelta(days=83))
    assert delivery.purge() == (0, 1)
    assert not Outbox.objects.filter(pk=row.pk).exists()


def _purge_queries() -> int:
    with CaptureQueriesContext(connection) as queries:
        delivery.purge()
    return len(queries)


def _make_purgeable(user, count: int, offset: int) -> None:
    for n in range(count):
        _sent(user, f"ping:old:{offset + n}")
        _with_status(user, f"ping:failed:{offset + n}", Outbox.Status.FAILED)


def test_purge_runs_a_constant_number_of_queries(mentee, clock):
    _make_purgeable(mentee, 2, offset=0)
    clock.shift(timedelta(days=31))
    few = _purge_queries()

    # 40 rows to delete and 40 to blank, all in the same two statements.
    clock.move_to(START, tick=False)
    _make_purgeable(mentee, 20, offset=100)
    clock.move_to(START + timedelta(days=370), tick=False)
    _make_purgeable(mentee, 20, offset=200)
    clock.shift(timedelta(days=31))
    with CaptureQueriesContext(connection) as queries:
        assert delivery.purge() == (40, 44)

    assert len(queries) == few
    statements = [q["sql"].split()[0] for q in queries.captured_queries]
    assert statements.count("DELETE") == 1
    assert statements.count("UPDATE") == 1


def test_purge_outbox_command_says_what_it_did(mentee, clock):
    _sent(mentee, "ping:1")
    _sent(mentee, "ping:2")
    clock.shift(timedelta(days=31))
    out = StringIO()

    call_command("purge_outbox", stdout=out)

    assert out.getvalue() == (
        "Blanked the content of 2 outbox emails older than 30 days; "
        "deleted 0 older than 365 days.\n"
    )


def test_run_jobs_includes_the_purge(mentee, clock):
    row = _sent(mentee)
    clock.shift(timedelta(days=31))
    out = StringIO()

    call_command("run_jobs", stdout=out)

    assert "Blanked the content of 1 outbox email older than" in out.getvalue()
    assert not _has_content(row)


def test_purge_is_a_daily_beat_task(settings, mentee, clock):
    entry = settings.CELERY_BEAT_SCHEDULE["purge-outbox"]
    assert entry["task"] == "mentoring.tasks.purge_outbox"
    assert entry["task"] in celery_app.tasks
    schedule = entry["schedule"]
    assert (len(schedule.hour), len(schedule.minute), len(schedule.day_of_week)) == (1, 1, 7)

    row = _sent(mentee)
    clock.shift(timedelta(days=31))
    purge_outbox.delay()

    assert not _has_content(row)
