"""Sending outside any database transaction (issue #11): a send claims its row in a short
committed transaction, talks SMTP with none open, and records the outcome in another; an expired
claim is retried as an attempt that may have been delivered; a 5xx is not retried."""

from __future__ import annotations

import os
import smtplib
import socket
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection, connections

from mentoring import delivery, emails
from mentoring import tasks as outbox_tasks
from mentoring.models import Outbox
from tests.support import use_test_templates

pytestmark = pytest.mark.django_db

START = datetime(2030, 1, 7, 9, 0, tzinfo=UTC)
CLAIM = 300
transactional = pytest.mark.django_db(
    transaction=True, available_apps=["accounts", "allauth.account", "mentoring"]
)


class ScriptedBackend(LocmemBackend):
    """Counts the SMTP connections it opens, runs `during_send` inside each send and raises the
    next exception of `failures` (None sends)."""

    opened = 0
    failures: list[Exception | None] = []
    during_send = None

    def open(self):
        if getattr(self, "is_open", False):
            return False
        self.is_open = True
        type(self).opened += 1
        return True

    def close(self):
        self.is_open = False

    def send_messages(self, messages):
        if type(self).during_send:
            type(self).during_send(messages)
        if type(self).failures and (failure := type(self).failures.pop(0)) is not None:
            raise failure
        return super().send_messages(messages)


@pytest.fixture(autouse=True)
def _outbox_settings(settings, monkeypatch):
    use_test_templates(settings)
    settings.OUTBOX_MAX_ATTEMPTS = 3
    settings.OUTBOX_BACKOFF_SECONDS = 60
    settings.OUTBOX_CLAIM_SECONDS = CLAIM
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.ScriptedBackend"}}
    monkeypatch.setattr(ScriptedBackend, "opened", 0)
    monkeypatch.setattr(ScriptedBackend, "failures", [])
    monkeypatch.setattr(ScriptedBackend, "during_send", None)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(START, tick=False)
    return time_machine


def _row(n: int = 1, **fields) -> Outbox:
    return Outbox.objects.create(
        kind="ping",
        to_email=f"person{n}@example.org",
        subject="Ping",
        body_text="Hello",
        dedupe_key=f"ping:{n}",
        message_id=f"<ping{n}@example.org>",
        **fields,
    )


@transactional
def test_smtp_runs_with_the_row_claimed_and_no_transaction_open(mailoutbox):
    row = _row()
    seen = {}

    def during_send(messages):
        seen["in_transaction"] = connection.in_atomic_block
        # What the database sees of this connection, asked from another one.
        pid = connection.connection.info.backend_pid
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                cursor.execute("SELECT state FROM pg_stat_activity WHERE pid = %s", [pid])
                seen["backend_state"] = cursor.fetchone()[0]
        finally:
            other.close()
        seen["row"] = Outbox.objects.values("status", "attempts", "claimed_by").get(pk=row.pk)

    ScriptedBackend.during_send = staticmethod(during_send)
    assert delivery.deliver(row.pk) is True

    assert seen["in_transaction"] is False
    assert seen["backend_state"] == "idle", "not 'idle in transaction' while SMTP talks"
    assert seen["row"] == {
        "status": "sending",
        "attempts": 1,
        "claimed_by": f"{socket.gethostname()}:{os.getpid()}",
    }
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == ("sent", 1, "")
    assert len(mailoutbox) == 1


@transactional
def test_database_connection_lost_during_smtp_still_records_the_email_sent(mailoutbox):
    row = _row()

    def kill_my_connection(messages):
        pid = connection.connection.info.backend_pid
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        finally:
            other.close()

    ScriptedBackend.during_send = staticmethod(kill_my_connection)
    assert delivery.deliver(row.pk) is True

    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 1)
    assert len(mailoutbox) == 1


def test_claim_records_when_and_by_whom(clock, mailoutbox):
    row = _row()
    ScriptedBackend.failures = [smtplib.SMTPServerDisconnected("Connection unexpectedly closed")]

    delivery.deliver(row.pk)

    row.refresh_from_db()
    assert row.claimed_at == START
    assert row.claimed_by.startswith(f"{socket.gethostname()}:")


def test_a_row_being_sent_is_not_sent_by_another_task(clock, mailoutbox):
    row = _row(status=Outbox.Status.SENDING, attempts=1, claimed_at=START)

    assert delivery.deliver(row.pk) is False
    assert mailoutbox == []


def test_batch_sends_every_due_row_over_one_smtp_connection(clock, mailoutbox):
    rows = [_row(n) for n in range(5)]
    held = _row(9, next_attempt_at=START + timedelta(minutes=5))

    sent = delivery.deliver_many([row.pk for row in [*rows, held]])

    assert sent == 5
    assert ScriptedBackend.opened == 1
    assert sorted(m.extra_headers["Message-ID"] for m in mailoutbox) == sorted(
        row.message_id for row in rows
    )
    assert set(Outbox.objects.filter(pk__in=[r.pk for r in rows]).values_list("status")) == {
        ("sent",)
    }
    held.refresh_from_db()
    assert (held.status, held.attempts) == ("queued", 0)


def test_a_failure_in_a_batch_leaves_the_other_rows_sent(clock, mailoutbox):
    rows = [_row(n) for n in range(3)]
    ScriptedBackend.failures = [None, smtplib.SMTPDataError(451, b"Try again later"), None]

    assert delivery.deliver_many([row.pk for row in rows]) == 2

    statuses = [Outbox.objects.get(pk=row.pk).status for row in rows]
    assert statuses == ["sent", "queued", "sent"]


@pytest.mark.parametrize(
    "refusal",
    [
        pytest.param(
            smtplib.SMTPRecipientsRefused({"person1@example.org": (550, b"No such user")}),
            id="recipient-refused-550",
        ),
        pytest.param(smtplib.SMTPDataError(554, b"Message rejected"), id="data-refused-554"),
        pytest.param(
            smtplib.SMTPSenderRefused(553, b"Sender not allowed", "noreply@example.org"),
            id="sender-refused-553",
        ),
    ],
)
def test_a_permanent_refusal_fails_the_row_at_once(refusal, clock, mailoutbox):
    row = _row()
    ScriptedBackend.failures = [refusal]

    assert delivery.deliver(row.pk) is False

    row.refresh_from_db()
    assert (row.status, row.attempts) == ("failed", 1)
    assert type(refusal).__name__ in row.last_error
    assert delivery.MAY_HAVE_BEEN_DELIVERED not in row.last_error


@pytest.mark.parametrize(
    "refusal",
    [
        pytest.param(
            smtplib.SMTPRecipientsRefused({"person1@example.org": (450, b"Mailbox busy")}),
            id="recipient-refused-450",
        ),
        pytest.param(smtplib.SMTPDataError(451, b"Try again later"), id="data-refused-451"),
    ],
)
def test_a_temporary_refusal_is_retried_with_backoff(refusal, clock, mailoutbox):
    row = _row()
    ScriptedBackend.failures = [refusal]

    delivery.deliver(row.pk)

    row.refresh_from_db()
    assert (row.status, row.attempts, row.queued_at) == ("queued", 1, None)
    assert row.next_attempt_at == START + timedelta(seconds=60)
    assert delivery.MAY_HAVE_BEEN_DELIVERED not in row.last_error


def test_a_timeout_after_data_is_retried_as_an_attempt_that_may_have_been_delivered(
    clock, mailoutbox
):
    row = _row()
    ScriptedBackend.failures = [
        smtplib.SMTPServerDisconnected("Connection unexpectedly closed: timed out")
    ]

    delivery.deliver(row.pk)

    row.refresh_from_db()
    assert (row.status, row.attempts) == ("queued", 1)
    assert row.last_error.startswith("SMTPServerDisconnected: Connection unexpectedly closed")
    assert delivery.MAY_HAVE_BEEN_DELIVERED in row.last_error


def test_a_server_that_cannot_be_reached_never_had_the_message(clock, settings, mailoutbox):
    row = _row()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            # Nothing listens on port 9 (discard) here: the connection is refused.
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 1},
        }
    }

    delivery.deliver(row.pk)

    row.refresh_from_db()
    assert (row.status, row.attempts) == ("queued", 1)
    assert row.last_error.startswith("ConnectionRefusedError")
    assert delivery.MAY_HAVE_BEEN_DELIVERED not in row.last_error


def test_the_sweep_retries_an_expired_claim_as_an_attempt_that_may_have_been_delivered(
    clock, mailoutbox
):
    stuck = _row(1, status=Outbox.Status.SENDING, attempts=1, claimed_at=START)
    recent_claim = START + timedelta(seconds=2)
    recent = _row(2, status=Outbox.Status.SENDING, attempts=1, claimed_at=recent_claim)
    clock.shift(timedelta(seconds=CLAIM + 1))

    assert delivery.expire_claims(START + timedelta(seconds=CLAIM + 1)) == 1

    stuck.refresh_from_db()
    assert (stuck.status, stuck.attempts, stuck.queued_at) == ("queued", 1, None)
    assert stuck.last_error == delivery.CLAIM_EXPIRED
    assert stuck.next_attempt_at == START + timedelta(seconds=CLAIM + 1)
    recent.refresh_from_db()
    assert (recent.status, recent.claimed_at) == ("sending", recent_claim)


def test_an_expired_claim_on_the_last_attempt_fails_the_row_with_the_reason(clock, mailoutbox):
    stuck = _row(status=Outbox.Status.SENDING, attempts=3, claimed_at=START)
    clock.shift(timedelta(seconds=CLAIM + 1))

    outbox_tasks.sweep()

    stuck.refresh_from_db()
    assert (stuck.status, stuck.attempts) == ("failed", 3)
    assert stuck.last_error.startswith(delivery.CLAIM_EXPIRED)
    assert mailoutbox == []


def test_an_expired_claim_is_sent_again_by_the_sweep_and_counted(clock, mailoutbox):
    stuck = _row(status=Outbox.Status.SENDING, attempts=1, claimed_at=START)
    clock.shift(timedelta(seconds=CLAIM + 1))

    outbox_tasks.sweep()

    stuck.refresh_from_db()
    assert (stuck.status, stuck.attempts) == ("sent", 2)
    assert [m.extra_headers["Message-ID"] for m in mailoutbox] == [stuck.message_id]


def test_a_late_success_after_the_claim_expired_marks_the_row_sent(clock, mailoutbox):
    row = _row()

    def slower_than_the_claim(messages):
        clock.shift(timedelta(seconds=CLAIM + 1))
        delivery.expire_claims(START + timedelta(seconds=CLAIM + 1))

    ScriptedBackend.during_send = staticmethod(slower_than_the_claim)
    assert delivery.deliver(row.pk) is True

    # The sweep had queued it again; the late "sent" stops that retry's copy.
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == ("sent", 1, "")


def test_a_late_outcome_does_not_overwrite_a_newer_attempt(clock, mailoutbox):
    row = _row()

    def reclaimed_meanwhile(messages):
        Outbox.objects.filter(pk=row.pk).update(
            claimed_at=START + timedelta(seconds=CLAIM + 1), claimed_by="other:1", attempts=2
        )

    ScriptedBackend.during_send = staticmethod(reclaimed_meanwhile)
    ScriptedBackend.failures = [smtplib.SMTPDataError(451, b"Try again later")]
    delivery.deliver(row.pk)

    row.refresh_from_db()
    assert (row.status, row.attempts, row.claimed_by, row.last_error) == (
        "sending",
        2,
        "other:1",
        "",
    )


def test_cancel_leaves_a_row_being_sent_alone(clock):
    row = _row(status=Outbox.Status.SENDING, attempts=1, claimed_at=START)

    assert emails.cancel_queued(row.dedupe_key) is False
    row.refresh_from_db()
    assert row.status == "sending"


def test_rows_written_by_queue_many_are_sent_as_one_batch(
    mentee, stranger, clock, mailoutbox, django_capture_on_commit_callbacks
):
    rows = [
        emails.render("ping", to=user, ctx={"name": user.full_name}, dedupe_key=f"ping:{user.pk}")
        for user in (mentee, stranger)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        assert emails.queue_many(rows) == 2

    assert sorted(m.to[0] for m in mailoutbox) == sorted([mentee.email, stranger.email])
    assert ScriptedBackend.opened == 1
    assert set(Outbox.objects.values_list("status", "attempts", "claimed_at")) == {
        ("sent", 1, START)
    }


def test_rows_left_when_the_claim_is_half_way_to_expiring_go_back_to_the_queue(
    settings, mailoutbox
):
    settings.OUTBOX_CLAIM_SECONDS = 1
    rows = [_row(n) for n in range(3)]
    ScriptedBackend.during_send = staticmethod(lambda messages: time.sleep(0.6))

    assert delivery.deliver_many([row.pk for row in rows]) == 1

    states = [Outbox.objects.values_list("status", "attempts").get(pk=row.pk) for row in rows]
    assert states == [("sent", 1), ("queued", 0), ("queued", 0)]
    assert Outbox.objects.get(pk=rows[1].pk).queued_at is None, "the sweep publishes them at once"


def test_retry_now_in_the_admin_leaves_a_row_being_sent_alone(clock, admin_user, client_for):
    sending = _row(1, status=Outbox.Status.SENDING, attempts=1, claimed_at=START)
    failed = _row(2, status=Outbox.Status.FAILED, attempts=3, last_error="SMTPDataError: 451")

    response = client_for(admin_user).post(
        "/admin/mentoring/outbox/",
        {"action": "retry_now", "_selected_action": [sending.pk, failed.pk]},
    )

    assert response.status_code == 302
    sending.refresh_from_db()
    failed.refresh_from_db()
    assert (sending.status, sending.attempts) == ("sending", 1)
    assert (failed.status, failed.attempts) == ("queued", 0)


def test_the_outbox_admin_lists_and_filters_rows_being_sent(clock, admin_user, client_for):
    _row(1, status=Outbox.Status.SENDING, attempts=1, claimed_at=START, claimed_by="web1:42")

    response = client_for(admin_user).get("/admin/mentoring/outbox/?status__exact=sending")

    assert response.status_code == 200
    assert list(response.context["cl"].result_list.values_list("to_email", flat=True)) == [
        "person1@example.org"
    ]
    detail = client_for(admin_user).get(
        f"/admin/mentoring/outbox/{Outbox.objects.get().pk}/change/"
    )
    assert b"web1:42" in detail.content
