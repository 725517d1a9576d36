from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, transaction
from kombu.exceptions import OperationalError

from mentoring import delivery, emails
from mentoring import tasks as outbox_tasks
from mentoring.models import Outbox
from mentoring.tasks import send_outbox_email, send_outbox_emails
from tests import mailers
from tests.support import use_test_templates

pytestmark = pytest.mark.django_db

FAILING = {"default": {"BACKEND": "tests.mailers.FailingBackend"}}
WORKING = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
START = datetime(2030, 1, 7, 9, 0, tzinfo=UTC)
# Transactional tests empty the tables of these apps only, so rows that other apps' migrations
# seed (which --reuse-db never re-creates) survive them.
transactional = pytest.mark.django_db(
    transaction=True, available_apps=["accounts", "allauth.account", "mentoring"]
)


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


def _ping(user, key: str = "ping:1") -> Outbox:
    return emails.queue("ping", to=user, ctx={"name": user.full_name}, dedupe_key=key)


def _broker_down(*args, **kwargs):
    raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def test_queue_writes_one_row_with_subject_text_and_html_rendered(mentee):
    with transaction.atomic():
        row = _ping(mentee)

    assert Outbox.objects.count() == 1
    row.refresh_from_db()
    assert row.kind == "ping"
    assert row.recipient == mentee
    assert row.to_email == "maya@example.org"
    assert row.subject == "Ping for Maya Mentee"
    assert "Hello Maya Mentee," in row.body_text
    assert "http://testserver/ping/" in row.body_text
    assert 'href="http://testserver/ping/"' in row.body_html
    assert row.context == {"name": "Maya Mentee"}
    assert row.status == Outbox.Status.QUEUED
    assert row.queued_at is not None


def test_queued_email_is_sent_after_commit(mentee, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        row = _ping(mentee)
        # Nothing leaves before the transaction commits.
        assert mailoutbox == []

    row.refresh_from_db()
    assert [m.to for m in mailoutbox] == [["maya@example.org"]]
    assert row.status == Outbox.Status.SENT
    assert row.sent_at is not None
    assert row.attempts == 1


def test_message_carries_the_rows_message_id_and_an_html_alternative(
    mentee, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        row = _ping(mentee)

    [message] = mailoutbox
    assert message.message()["Message-ID"] == row.message_id
    assert message.subject == "Ping for Maya Mentee"
    assert message.body == row.body_text
    assert [(a.content, a.mimetype) for a in message.alternatives] == [(row.body_html, "text/html")]


def test_send_task_run_twice_sends_once(mentee, mailoutbox):
    row = _ping(mentee)

    first = send_outbox_email(row.pk)
    second = send_outbox_email(row.pk)

    assert (first, second) == (True, False)
    assert len(mailoutbox) == 1
    row.refresh_from_db()
    assert row.attempts == 1


@transactional
def test_two_workers_delivering_the_same_row_send_once(mentee, settings, mailoutbox, monkeypatch):
    row = Outbox.objects.create(
        kind="ping",
        to_email=mentee.email,
        subject="Ping",
        body_text="Hello",
        dedupe_key="ping:race",
        message_id="<race@example.org>",
    )
    monkeypatch.setattr(mailers.BlockingBackend, "sending", threading.Event())
    monkeypatch.setattr(mailers.BlockingBackend, "release", threading.Event())
    settings.MAILERS = {"default": {"BACKEND": "tests.mailers.BlockingBackend"}}
    results = {}

    def worker(name: str) -> None:
        try:
            results[name] = delivery.deliver(row.pk)
        finally:
            connection.close()

    first = threading.Thread(target=worker, args=("first",))
    second = threading.Thread(target=worker, args=("second",))
    first.start()
    # The first worker is in the middle of the SMTP conversation, holding the row.
    assert mailers.BlockingBackend.sending.wait(timeout=10)
    second.start()
    second.join(timeout=5)
    mailers.BlockingBackend.release.set()
    first.join(timeout=10)
    second.join(timeout=10)

    assert results == {"first": True, "second": False}
    assert len(mailoutbox) == 1
    row.refresh_from_db()
    assert row.status == Outbox.Status.SENT
    assert row.attempts == 1


def test_same_dedupe_key_queued_twice_gives_one_row_and_one_email(
    mentee, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = _ping(mentee, key="request-accepted:7")
        second = _ping(mentee, key="request-accepted:7")

    assert first.pk == second.pk
    assert Outbox.objects.count() == 1
    assert len(mailoutbox) == 1


def test_rolled_back_transaction_leaves_no_row_and_sends_nothing(
    mentee, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            _ping(mentee)
            raise RuntimeError("the change failed after the email was queued")

    assert Outbox.objects.count() == 0
    assert callbacks == []
    assert mailoutbox == []


def test_failed_send_is_recorded_with_backoff(
    mentee, settings, clock, mailoutbox, django_capture_on_commit_callbacks
):
    settings.MAILERS = FAILING

    with django_capture_on_commit_callbacks(execute=True):
        row = _ping(mentee)

    row.refresh_from_db()
    assert row.status == Outbox.Status.QUEUED
    assert row.attempts == 1
    assert row.last_error.startswith("SMTPServerDisconnected: Connection unexpectedly closed")
    assert row.next_attempt_at == START + timedelta(seconds=60)
    assert row.sent_at is None
    assert mailoutbox == []


def test_sweep_retries_a_failed_send_when_it_is_due(
    mentee, settings, clock, django_capture_on_commit_callbacks
):
    settings.MAILERS = FAILING
    with django_capture_on_commit_callbacks(execute=True):
        row = _ping(mentee)

    clock.shift(timedelta(seconds=59))
    assert outbox_tasks.sweep() == 0
    clock.shift(timedelta(seconds=1))
    assert outbox_tasks.sweep() == 1

    row.refresh_from_db()
    assert row.attempts == 2
    # The backoff doubles: 60 s after the first failure, 120 s after the second.
    assert row.next_attempt_at == START + timedelta(seconds=60 + 120)


def test_sweep_sends_a_failed_email_once_the_server_recovers(
    mentee, settings, clock, mailoutbox, django_capture_on_commit_callbacks
):
    settings.MAILERS = FAILING
    with django_capture_on_commit_callbacks(execute=True):
        row = _ping(mentee)
    settings.MAILERS = WORKING
    clock.shift(timedelta(seconds=60))

    assert outbox_tasks.sweep() == 1

    row.refresh_from_db()
    assert row.status == Outbox.Status.SENT
    assert row.attempts == 2
    assert row.last_error == ""
    assert len(mailoutbox) == 1


def test_send_is_marked_failed_after_max_attempts_and_not_retried(
    mentee, settings, clock, mailoutbox, django_capture_on_commit_callbacks
):
    settings.MAILERS = FAILING
    with django_capture_on_commit_callbacks(execute=True):
        row = _ping(mentee)
    for _ in range(2):
        row.refresh_from_db()
        clock.move_to(row.next_attempt_at, tick=False)
        outbox_tasks.sweep()
    row.refresh_from_db()
    assert row.status == Outbox.Status.FAILED
    assert row.attempts == 3

    settings.MAILERS = WORKING
    clock.shift(timedelta(days=2))
    assert outbox_tasks.sweep() == 0
    assert send_outbox_email(row.pk) is False

    row.refresh_from_db()
    assert row.status == Outbox.Status.FAILED
    assert row.attempts == 3
    assert mailoutbox == []


def test_sweep_skips_a_row_queued_within_the_grace_period(mentee, clock, mailoutbox):
    # Queued but the on-commit publish is not run: its task is presumed still in the queue.
    row = _ping(mentee)

    clock.shift(timedelta(seconds=119))
    assert outbox_tasks.sweep() == 0
    clock.shift(timedelta(seconds=1))
    assert outbox_tasks.sweep() == 1

    row.refresh_from_db()
    assert row.status == Outbox.Status.SENT
    assert len(mailoutbox) == 1


def test_sweep_publishes_at_once_a_row_whose_publish_failed(
    mentee, clock, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    with monkeypatch.context() as patch:
        patch.setattr(send_outbox_email, "delay", _broker_down)
        with django_capture_on_commit_callbacks(execute=True):
            row = _ping(mentee)
    row.refresh_from_db()
    assert row.queued_at is None

    assert outbox_tasks.sweep() == 1

    row.refresh_from_db()
    assert row.status == Outbox.Status.SENT
    assert len(mailoutbox) == 1


@transactional
def test_broker_down_at_publish_keeps_the_commit_and_leaves_the_row_for_the_sweep(
    mentee, mailoutbox, monkeypatch
):
    monkeypatch.setattr(send_outbox_email, "delay", _broker_down)

    # No exception may escape: the user's change is committed whatever the broker does.
    with transaction.atomic():
        mentee.full_name = "Maya Renamed"
        mentee.save(update_fields=["full_name"])
        _ping(mentee)

    mentee.refresh_from_db()
    assert mentee.full_name == "Maya Renamed"
    row = Outbox.objects.get()
    assert row.status == Outbox.Status.QUEUED
    assert row.queued_at is None
    assert mailoutbox == []


def test_sweep_leaves_rows_for_the_next_sweep_when_the_broker_is_down(
    mentee, stranger, monkeypatch
):
    _ping(mentee, key="ping:1")
    _ping(stranger, key="ping:2")
    Outbox.objects.update(queued_at=None)
    monkeypatch.setattr(send_outbox_emails, "delay", _broker_down)

    assert outbox_tasks.sweep() == 0

    assert list(Outbox.objects.values_list("status", "queued_at")) == [
        (Outbox.Status.QUEUED, None),
        (Outbox.Status.QUEUED, None),
    ]
