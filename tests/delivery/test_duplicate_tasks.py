"""Three copies of each email's send task, taken by three worker processes at the same moment
(what a sweep racing a late publish, or a redelivery, produces): the row lock lets one send it and
the others skip it."""

from __future__ import annotations

import re

import pytest

from mentoring.models import Outbox
from mentoring.tasks import send_outbox_email
from tests.delivery.conftest import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

N, COPIES = 20, 3
SENT_RESULT = re.compile(r"send_outbox_email\[[^\]]+\] succeeded in \S+: (True|False)$", re.M)


def test_copies_of_a_send_task_run_at_once_send_the_email_once(
    smtp_sink, publish_to_redis, celery_processes, queue_pings
):
    redis = publish_to_redis
    smtp_sink.delay = 0.2  # a slow server: the copies arrive while the first send is under way
    rows = queue_pings(N)
    redis.client().delete("celery")  # drop the one task each row got...
    for row in rows:  # ...and publish the copies back to back, so they are taken together
        for _ in range(COPIES):
            send_outbox_email.delay(row.pk)
    assert redis.queued() == N * COPIES

    worker = celery_processes("worker", pool="prefork", concurrency=COPIES)
    results = wait_for(
        lambda: len(found := SENT_RESULT.findall(worker.log())) == N * COPIES and found,
        timeout=60,
        what="the worker to run every copy",
    )

    assert smtp_sink.message_ids() == {row.message_id: 1 for row in rows}
    assert Outbox.objects.filter(status=Outbox.Status.SENT, attempts=1).count() == N
    # One copy of each sent it; the others found the row locked (or already sent) and skipped.
    assert sorted(results) == ["False"] * N * (COPIES - 1) + ["True"] * N
