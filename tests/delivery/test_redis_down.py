"""Redis down while 200 mentees press Interested: every request succeeds for the user, and every
`request_received` email goes out once Redis is back."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from matching.models import MentorshipRequest
from mentoring.models import Outbox
from tests.delivery.conftest import make_pairs, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

N = 200
THREADS = 16
MESSAGE = "I hope to move into corporate finance within a year. Could we meet once a month?"


def test_redis_down_while_200_mentees_press_interested(
    settings, caplog, redis_server, smtp_sink, publish_to_redis, celery_processes, client_for
):
    # As in production, Redis is also the shared cache: the request path must not need it.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_server.url,
        }
    }
    # Each email is published at once, as without a hold (tests/matching/test_request_email_hold.py
    # is about holding them).
    settings.REQUEST_EMAIL_HOLD_MINUTES = 0
    profiles, mentees = make_pairs(N)
    worker = celery_processes("worker", pool="prefork", concurrency=2, wait=False)
    # A real beat publishes the sweep every 2 seconds (instead of 30), through the outage too:
    # it shows beat itself survives losing Redis.
    beat = celery_processes("beat", wait=False, OUTBOX_SWEEP_SECONDS=2)
    clients = [client_for(mentee) for mentee in mentees]  # signed in before the outage
    worker.wait_ready()
    beat.wait_ready()

    redis_server.stop()
    responses: dict[int, tuple[int, str, float]] = {}

    def press_interested(indexes: range) -> None:
        try:
            for i in indexes:
                start = time.monotonic()
                try:
                    response = clients[i].post(
                        f"/mentors/{profiles[i].pk}/interested/", {"message": MESSAGE}
                    )
                except Exception as exc:  # noqa: BLE001 - the test client re-raises a 500's error
                    responses[i] = (500, repr(exc), time.monotonic() - start)
                    continue
                took = time.monotonic() - start
                responses[i] = (response.status_code, response.get("Location", ""), took)
        finally:
            if threading.current_thread() is not threading.main_thread():
                connection.close()

    # The first mentee alone, to time one request against the dead broker; then the other 199
    # at once (those timings mostly measure this test's threads waiting for each other).
    press_interested(range(1))
    alone = responses[0][2]
    assert alone < 3, f"a request waited {alone:.1f}s with the broker down"
    threads = [
        threading.Thread(target=press_interested, args=(range(1 + t, N, THREADS),))
        for t in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)

    # Every mentee was sent on to their request's page, as if nothing had happened...
    failed = {i: r for i, r in responses.items() if r[0] != 302}
    assert not failed, f"{len(failed)} requests failed, e.g. {next(iter(failed.values()))}"
    requests = {r.mentee_id: r for r in MentorshipRequest.objects.all()}
    assert len(requests) == N
    for i, mentee in enumerate(mentees):
        assert responses[i][1] == requests[mentee.pk].get_absolute_url()
    # ...the first publish failure opened the broker's breaker and was logged, once for the
    # whole outage (the other publishes were skipped), and each row says it was never published.
    warnings = [r for r in caplog.records if "is unavailable" in r.getMessage()]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert warnings[0].name == "mentoring.breaker"
    rows = Outbox.objects.filter(kind="request_received")
    assert rows.count() == N
    assert not rows.exclude(status=Outbox.Status.QUEUED).exists()
    assert not rows.filter(queued_at__isnull=False).exists()
    assert smtp_sink.message_ids() == {}

    redis_server.start()
    back = time.monotonic()
    wait_for(
        lambda: not rows.exclude(status=Outbox.Status.SENT).exists(),
        timeout=60,
        every=0.25,
        what="every request_received email to be sent within 60s of Redis coming back",
    )
    delivered_within = time.monotonic() - back

    counts = smtp_sink.message_ids()
    assert set(counts) == set(rows.values_list("message_id", flat=True))
    assert sum(counts.values()) == N, "none twice"
    assert smtp_sink.recipients() == {p.user.email: 1 for p in profiles}
    assert worker.alive() and beat.alive(), "worker and beat rode out the outage"
    assert delivered_within < 60
