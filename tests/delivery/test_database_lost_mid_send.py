"""The worker's database connection dies while the SMTP server is still talking (a failover, a
pooler restart, pg_terminate_backend, Postgres's idle_in_transaction_session_timeout): the email
goes out once, and its row still ends `sent` with the attempt counted.

Before issue #11 the send held its transaction open for the whole SMTP conversation, so a dead
connection rolled back the "sent" and the sweep sent the email again."""

from __future__ import annotations

import pytest

from mentoring.models import Outbox
from tests.delivery.conftest import database_url_for_tests, sweep_until, terminate_backends

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SENT = Outbox.Status.SENT
WORKER_DB = "delivery-worker"


def _all_sent() -> bool:
    return not Outbox.objects.exclude(status=SENT).exists()


@pytest.mark.parametrize(
    "stage",
    [
        pytest.param("rcpt", id="killed-while-the-server-holds-rcpt"),
        pytest.param("data", id="killed-while-the-server-holds-data"),
    ],
)
def test_database_connection_killed_mid_send_sends_once_and_records_sent(
    stage, settings, smtp_sink, publish_to_redis, celery_processes, queue_pings
):
    settings.OUTBOX_SWEEP_GRACE_SECONDS = 2
    # The third SMTP conversation stalls at RCPT TO, or after DATA before the 250 reply.
    smtp_sink.hold = (stage, 3)
    rows = queue_pings(5)
    celery_processes("worker", DATABASE_URL=database_url_for_tests(application_name=WORKER_DB))
    assert smtp_sink.held.wait(timeout=30), "the third send never reached the SMTP server"

    assert terminate_backends(WORKER_DB) >= 1, "the worker had no database session to kill"
    smtp_sink.release.set()
    sweep_until(_all_sent, timeout=60)

    assert smtp_sink.message_ids() == {row.message_id: 1 for row in rows}
    in_flight = Outbox.objects.get(to_email=smtp_sink.held_address)
    assert (in_flight.status, in_flight.attempts, in_flight.last_error) == (SENT, 1, "")
    assert in_flight.claimed_by, "the row names the worker that sent it"


def test_idle_in_transaction_timeout_shorter_than_an_smtp_reply_sends_each_email_once(
    settings, smtp_sink, publish_to_redis, celery_processes, queue_pings
):
    settings.OUTBOX_SWEEP_GRACE_SECONDS = 2
    smtp_sink.delay = 1.0  # each DATA is answered after a second
    # Only the worker's sessions get the 500 ms limit; the shared server's settings stay as they are.
    worker_db = database_url_for_tests(
        application_name=WORKER_DB, options="-c idle_in_transaction_session_timeout=500"
    )
    rows = queue_pings(4)
    celery_processes("worker", DATABASE_URL=worker_db)

    sweep_until(_all_sent, timeout=60)

    assert smtp_sink.message_ids() == {row.message_id: 1 for row in rows}
    assert set(Outbox.objects.values_list("attempts", "last_error")) == {(1, "")}
