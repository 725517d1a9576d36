"""An SMTP server slower than EMAIL_TIMEOUT to confirm DATA: each attempt's outcome is unknown
(the server may have the message), so it is retried, but never more than OUTBOX_MAX_ATTEMPTS
times, and the row ends `failed` saying why."""

from __future__ import annotations

import pytest

from mentoring.models import Outbox
from tests.delivery.conftest import sweep_until

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

MAX_ATTEMPTS = 3


def test_smtp_slower_than_the_timeout_at_data_sends_at_most_max_attempts_copies_then_fails(
    settings, smtp_sink, publish_to_redis, celery_processes, queue_pings
):
    settings.OUTBOX_MAX_ATTEMPTS, settings.OUTBOX_BACKOFF_SECONDS = MAX_ATTEMPTS, 1
    smtp_sink.delay = 2.5  # the 250 after DATA comes later than the worker waits
    celery_processes(
        "worker", EMAIL_TIMEOUT=1, OUTBOX_MAX_ATTEMPTS=MAX_ATTEMPTS, OUTBOX_BACKOFF_SECONDS=1
    )
    [row] = queue_pings(1)

    sweep_until(
        lambda: Outbox.objects.filter(pk=row.pk, status=Outbox.Status.FAILED).exists(),
        timeout=90,
        every=0.25,
    )

    row.refresh_from_db()
    assert row.attempts == MAX_ATTEMPTS
    copies = smtp_sink.message_ids()[row.message_id]
    assert 1 <= copies <= MAX_ATTEMPTS
    assert "timed out" in row.last_error
    assert "the server may have the message" in row.last_error
