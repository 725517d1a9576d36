"""A worker SIGKILLed in the middle of an SMTP conversation loses nothing, and doubles at most the
one email whose DATA the server had already taken (the documented window): its row stays
`sending`, and once the claim expires the sweep retries it as an attempt that may have been
delivered."""

from __future__ import annotations

import pytest

from mentoring.models import Outbox
from tests.delivery.conftest import sweep_until

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SENDING, SENT = Outbox.Status.SENDING, Outbox.Status.SENT


@pytest.mark.parametrize(
    "stage",
    [
        pytest.param("rcpt", id="killed-before-the-server-has-the-message"),
        pytest.param("data", id="killed-after-the-server-took-the-message"),
    ],
)
def test_worker_killed_mid_send_loses_nothing_and_doubles_at_most_the_one_in_flight(
    stage, settings, smtp_sink, publish_to_redis, celery_processes, queue_pings
):
    redis = publish_to_redis
    settings.OUTBOX_SWEEP_GRACE_SECONDS = 2
    settings.OUTBOX_CLAIM_SECONDS = 3
    # The sixth SMTP conversation stalls (at RCPT TO, or after DATA before the 250 reply).
    smtp_sink.hold = (stage, 6)
    rows = queue_pings(20)
    assert redis.queued() == 20

    worker = celery_processes("worker")
    assert smtp_sink.held.wait(timeout=30), "the sixth send never reached the SMTP server"
    worker.kill()
    smtp_sink.release.set()

    in_flight = Outbox.objects.get(to_email=smtp_sink.held_address)
    # The claim was committed before the SMTP conversation: the row is `sending` with its attempt
    # counted, its task message sits unacknowledged in Redis (redelivered only after the
    # hour-long visibility timeout), and the five sends before it were recorded.
    assert (in_flight.status, in_flight.attempts) == (SENDING, 1)
    assert Outbox.objects.filter(status=SENT).count() == 5
    assert (redis.unacked(), redis.queued()) == (1, 14)

    celery_processes("worker")
    sweep_until(lambda: not Outbox.objects.exclude(status=SENT).exists(), timeout=60)

    counts = smtp_sink.message_ids()
    assert set(counts) == {row.message_id for row in rows}, "every email arrived"
    duplicates = {message_id: n for message_id, n in counts.items() if n > 1}
    if stage == "rcpt":
        assert duplicates == {}
    else:
        # The one duplicate is the message in flight at the kill: the server had it, the worker
        # died before it could mark the row sent.
        assert smtp_sink.held_message_id == in_flight.message_id
        assert duplicates == {in_flight.message_id: 2}
    assert len(duplicates) <= 1
    # The killed attempt counts: the sweep's retry was the second.
    in_flight.refresh_from_db()
    assert (in_flight.status, in_flight.attempts) == (SENT, 2)
