"""An SMTP server that refuses: a temporary failure is retried by the sweep with backoff and
delivered once; a permanent one (5xx) ends `failed` at once, with the reply in the row."""

from __future__ import annotations

import time

import pytest

from mentoring import tasks as outbox_tasks
from mentoring.models import Outbox
from tests.delivery.conftest import sweep_until

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

MAX_ATTEMPTS = 3
BACKOFF = 1  # seconds before the first retry, doubled for each further one


def test_refusing_smtp_server_is_retried_with_backoff_then_delivered_or_failed(
    settings, smtp_sink, publish_to_redis, celery_processes, queue_pings
):
    settings.OUTBOX_MAX_ATTEMPTS, settings.OUTBOX_BACKOFF_SECONDS = MAX_ATTEMPTS, BACKOFF

    def refuse(message, attempt):
        if message.to == ("flaky0@example.org",) and attempt <= 2:
            return "451 4.3.0 Mailbox busy, try again later"
        if message.to == ("broken0@example.org",):
            return "554 5.7.1 Message rejected"
        return None

    smtp_sink.refuse = refuse
    # The worker is the process that decides on retries: it gets the small limits too.
    celery_processes("worker", OUTBOX_MAX_ATTEMPTS=MAX_ATTEMPTS, OUTBOX_BACKOFF_SECONDS=BACKOFF)
    [flaky] = queue_pings(1, prefix="flaky")
    [broken] = queue_pings(1, prefix="broken")
    [healthy] = queue_pings(1, prefix="healthy")

    def settled() -> bool:
        statuses = dict(Outbox.objects.values_list("pk", "status"))
        return statuses == {flaky.pk: "sent", broken.pk: "failed", healthy.pk: "sent"}

    sweep_until(settled, timeout=60, every=0.25)
    # A failed email is left alone: more sweeps send nothing more.
    for _ in range(8):
        time.sleep(0.25)
        assert Outbox.objects.get(pk=broken.pk).status == Outbox.Status.FAILED
        outbox_tasks.sweep()

    flaky.refresh_from_db()
    assert (flaky.status, flaky.attempts, flaky.last_error) == ("sent", 3, "")
    tries = smtp_sink.attempts_for("flaky0@example.org")
    assert len(tries) == 3
    gaps = [later.at - earlier.at for earlier, later in zip(tries, tries[1:], strict=False)]
    # Backoff: at least 1s before the second attempt, 2s before the third.
    assert gaps[0] >= BACKOFF * 0.9 and gaps[1] >= 2 * BACKOFF * 0.9, gaps

    # A 5xx is permanent: the row fails at the first refusal, with no retry.
    broken.refresh_from_db()
    assert (broken.status, broken.attempts, broken.sent_at) == ("failed", 1, None)
    assert "554" in broken.last_error and "Message rejected" in broken.last_error
    assert len(smtp_sink.attempts_for("broken0@example.org")) == 1

    counts = smtp_sink.message_ids()
    assert counts == {flaky.message_id: 1, healthy.message_id: 1}, "delivered once, never twice"
