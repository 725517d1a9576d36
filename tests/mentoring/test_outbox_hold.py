"""Holding an email for a while and cancelling it before it leaves (issue 10: a request withdrawn
inside the hold sends nothing)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from mentoring import delivery, emails
from mentoring import tasks as outbox_tasks
from mentoring.models import Outbox
from mentoring.tasks import send_outbox_email
from tests import mailers
from tests.support import use_test_templates

pytestmark = pytest.mark.django_db

START = datetime(2030, 1, 7, 9, 0, tzinfo=UTC)
HOLD = timedelta(minutes=5)


@pytest.fixture(autouse=True)
def _outbox_settings(settings):
    use_test_templates(settings)
    settings.OUTBOX_MAX_ATTEMPTS = 3
    settings.OUTBOX_BACKOFF_SECONDS = 60
    settings.OUTBOX_SWEEP_GRACE_SECONDS = 120


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(START, tick=False)
    return time_machine


def _ping(user, key: str = "ping:1", hold: timedelta | None = None) -> Outbox:
    return emails.queue("ping", to=user, ctx={"name": user.full_name}, dedupe_key=key, hold=hold)


def test_held_email_is_not_published_after_commit(
    mentee, clock, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        row = _ping(mentee, hold=HOLD)

    assert callbacks == []
    assert mailoutbox == []
    row.refresh_from_db()
    assert row.status == Outbox.Status.QUEUED
    assert row.next_attempt_at == START + HOLD
    # No task is outstanding, so the sweep publishes it as soon as it is due.
    assert row.queued_at is None


def test_held_email_is_sent_by_the_sweep_once_the_hold_ends(
    mentee, clock, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        row = _ping(mentee, hold=HOLD)

    clock.shift(HOLD - timedelta(seconds=1))
    assert outbox_tasks.sweep() == 0
    assert mailoutbox == []
    clock.shift(timedelta(seconds=1))
    assert outbox_tasks.sweep() == 1

    row.refresh_from_db()
    assert row.status == Outbox.Status.SENT
    assert [m.to for m in mailoutbox] == [["maya@example.org"]]


def test_deliver_refuses_a_held_email_before_its_time(mentee, clock, mailoutbox):
    # A stray task (a redelivery, a retry clicked early) must not end the hold.
    row = _ping(mentee, hold=HOLD)
    clock.shift(HOLD - delivery.CLOCK_MARGIN - timedelta(seconds=1))

    assert send_outbox_email(row.pk) is False

    row.refresh_from_db()
    assert row.status == Outbox.Status.QUEUED
    assert row.attempts == 0
    assert mailoutbox == []


def test_deliver_refuses_a_failed_send_before_its_backoff_ends(
    mentee, settings, clock, mailoutbox, django_capture_on_commit_callbacks
):
    settings.MAILERS = {"default": {"BACKEND": "tests.mailers.FailingBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        row = _ping(mentee)
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    clock.shift(timedelta(seconds=60) - delivery.CLOCK_MARGIN - timedelta(seconds=1))

    assert send_outbox_email(row.pk) is False

    row.refresh_from_db()
    assert row.attempts == 1
    assert mailoutbox == []


def test_cancel_queued_stops_a_held_email(
    mentee, clock, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        row = _ping(mentee, key="request-received:7", hold=HOLD)

    assert emails.cancel_queued("request-received:7") is True

    clock.shift(HOLD + timedelta(days=1))
    assert outbox_tasks.sweep() == 0
    assert send_outbox_email(row.pk) is False
    row.refresh_from_db()
    assert row.status == Outbox.Status.CANCELLED
    assert row.sent_at is None
    assert mailoutbox == []


def test_cancel_queued_leaves_a_sent_email_alone(
    mentee, clock, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        row = _ping(mentee, key="request-received:7")

    assert emails.cancel_queued("request-received:7") is False

    row.refresh_from_db()
    assert row.status == Outbox.Status.SENT
    assert len(mailoutbox) == 1


def test_cancel_queued_leaves_a_failed_email_alone(mentee, clock):
    row = _ping(mentee, key="request-received:7")
    Outbox.objects.filter(pk=row.pk).update(status=Outbox.Status.FAILED)

    assert emails.cancel_queued("request-received:7") is False

    row.refresh_from_db()
    assert row.status == Outbox.Status.FAILED


def test_cancel_queued_of_an_unknown_key_is_false(db):
    assert emails.cancel_queued("request-received:404") is False


def test_cancel_queued_twice_is_true_then_false(mentee, clock):
    _ping(mentee, key="request-received:7", hold=HOLD)

    assert emails.cancel_queued("request-received:7") is True
    assert emails.cancel_queued("request-received:7") is False


def test_cancel_queued_only_touches_its_own_key(mentee, clock):
    _ping(mentee, key="request-received:7", hold=HOLD)
    other = _ping(mentee, key="request-received:8", hold=HOLD)

    emails.cancel_queued("request-received:7")

    other.refresh_from_db()
    assert other.status == Outbox.Status.QUEUED


def test_a_cancelled_email_is_not_queued_again_by_the_same_key(
    mentee, clock, mailoutbox, django_capture_on_commit_callbacks
):
    # The dedupe key stays taken: re-queuing the same event returns the cancelled row.
    _ping(mentee, key="request-received:7", hold=HOLD)
    emails.cancel_queued("request-received:7")

    with django_capture_on_commit_callbacks(execute=True):
        again = _ping(mentee, key="request-received:7")

    assert again.status == Outbox.Status.CANCELLED
    assert mailoutbox == []


def test_retry_now_in_the_admin_leaves_cancelled_and_held_emails_alone(
    mentee, clock, admin_user, client_for
):
    cancelled = _ping(mentee, key="request-received:7", hold=HOLD)
    emails.cancel_queued("request-received:7")
    held = _ping(mentee, key="request-received:8", hold=HOLD)

    response = client_for(admin_user).post(
        "/admin/mentoring/outbox/",
        {"action": "retry_now", "_selected_action": [cancelled.pk, held.pk]},
    )

    assert response.status_code == 302
    cancelled.refresh_from_db()
    held.refresh_from_db()
    assert cancelled.status == Outbox.Status.CANCELLED
    assert held.next_attempt_at == START + HOLD


@pytest.mark.django_db(
    transaction=True, available_apps=["accounts", "allauth.account", "mentoring"]
)
def test_cancel_during_a_send_leaves_it_to_finish_and_reports_it_not_cancelled(
    mentee, settings, mailoutbox, monkeypatch
):
    row = Outbox.objects.create(
        kind="ping",
        to_email=mentee.email,
        subject="Ping",
        body_text="Hello",
        dedupe_key="request-received:7",
        message_id="<race@example.org>",
    )
    monkeypatch.setattr(mailers.BlockingBackend, "sending", threading.Event())
    monkeypatch.setattr(mailers.BlockingBackend, "release", threading.Event())
    settings.MAILERS = {"default": {"BACKEND": "tests.mailers.BlockingBackend"}}
    results = {}

    def run(name: str, call) -> None:
        try:
            results[name] = call()
        finally:
            connection.close()

    sender = threading.Thread(target=run, args=("sent", lambda: delivery.deliver(row.pk)))
    canceller = threading.Thread(
        target=run, args=("cancelled", lambda: emails.cancel_queued("request-received:7"))
    )
    sender.start()
    # The sender is in the middle of the SMTP conversation: the server may already have the
    # email, so it can no longer be cancelled. No lock is held meanwhile, so the cancel does not
    # wait for the SMTP server.
    assert mailers.BlockingBackend.sending.wait(timeout=10)
    canceller.start()
    canceller.join(timeout=5)
    assert results == {"cancelled": False}
    mailers.BlockingBackend.release.set()
    sender.join(timeout=10)

    assert results == {"sent": True, "cancelled": False}
    row.refresh_from_db()
    assert row.status == Outbox.Status.SENT
    assert len(mailoutbox) == 1


def test_deliver_sends_a_fresh_email_to_a_worker_whose_clock_is_a_little_behind(
    mentee, clock, mailoutbox
):
    row = _ping(mentee)
    clock.shift(-delivery.CLOCK_MARGIN + timedelta(milliseconds=100))

    assert send_outbox_email(row.pk) is True
    assert [m.to for m in mailoutbox] == [["maya@example.org"]]
