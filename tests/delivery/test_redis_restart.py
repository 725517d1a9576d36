"""Redis restarted (with no persistence) while the send tasks of 1,000 emails wait in it: every
task message is gone, and the outbox rows plus the sweep still deliver every email exactly once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.db.models import F

from mentoring import emails
from mentoring.models import Outbox
from tests.delivery.conftest import sweep_until

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

N = 1000


def test_redis_restart_with_1000_emails_queued_delivers_each_once(
    settings, smtp_sink, publish_to_redis, celery_processes, queue_pings
):
    redis = publish_to_redis
    ping = emails.render("ping", to="bulk@example.org", ctx={"name": "Bulk"}, dedupe_key="-")
    rows = [
        Outbox(
            kind=ping.kind,
            to_email=f"bulk{i}@example.org",
            subject=ping.subject,
            body_text=ping.body_text,
            body_html=ping.body_html,
            dedupe_key=f"bulk:{i}",
        )
        for i in range(N)
    ]
    with transaction.atomic():
        assert emails.queue_many(rows) == N
    # No worker is running: the batch tasks of all 1,000 emails wait in Redis.
    assert redis.queued() == N // settings.OUTBOX_SEND_BATCH

    redis.restart()
    assert redis.queued() == 0, "a restart without persistence loses every queued message"
    assert Outbox.objects.filter(status=Outbox.Status.QUEUED).count() == N

    # The outage lasted longer than the sweep's grace period: move the rows' publish time back.
    grace = timedelta(seconds=settings.OUTBOX_SWEEP_GRACE_SECONDS + 1)
    Outbox.objects.update(queued_at=F("queued_at") - grace)
    celery_processes("worker", pool="prefork", concurrency=2)  # as in production
    sweep_until(
        lambda: not Outbox.objects.exclude(status=Outbox.Status.SENT).exists(),
        timeout=120,
        every=1,
    )

    counts = smtp_sink.message_ids()
    assert set(counts) == {row.message_id for row in rows}
    assert sum(counts.values()) == N, "none twice"
    assert Outbox.objects.filter(status=Outbox.Status.SENT, attempts=1).count() == N
