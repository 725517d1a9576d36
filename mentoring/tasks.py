"""The outbox's Celery tasks, and publishing them: after a commit (`mentoring.emails`) and from
the sweep. A publish never waits on a broken broker (see `mentoring.breaker`): the row waits for
the next sweep instead."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from mentoring import breaker, delivery
from mentoring.models import Outbox

logger = logging.getLogger(__name__)

SWEEP_BATCH = 500


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def send_outbox_email(pk: int) -> bool:
    """Send one outbox row. Safe to run twice: the row's status decides."""
    return delivery.deliver(pk)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def send_outbox_emails(pks: list[int]) -> int:
    """Send a batch of outbox rows over one SMTP connection; returns how many this run sent."""
    return delivery.deliver_many(pks)


@shared_task(ignore_result=True)
def sweep_outbox() -> int:
    """Re-publish queued emails whose task was lost, retry failed sends that are due and sends
    whose claim expired."""
    return sweep()


@shared_task(ignore_result=True)
def purge_outbox() -> tuple[int, int]:
    """Retention: blank old emails' content and delete the oldest rows."""
    return delivery.purge()


def publish_many(pks: list[int]) -> None:
    """Publish one batch task per OUTBOX_SEND_BATCH rows: each sends its rows over one SMTP
    connection."""
    size = settings.OUTBOX_SEND_BATCH
    for start in range(0, len(pks), size):
        if not _send_task(send_outbox_emails, pks[start : start + size]):
            # The broker is down: the rest wait for the sweep, which publishes them at once.
            Outbox.objects.filter(pk__in=pks[start:], status=Outbox.Status.QUEUED).update(
                queued_at=None
            )
            return


def publish(pk: int) -> bool:
    if not _send_task(send_outbox_email, pk):
        # The broker is unreachable. The row is safe in the database; clearing queued_at tells
        # the next sweep to publish it without waiting for the grace period.
        Outbox.objects.filter(pk=pk, status=Outbox.Status.QUEUED).update(queued_at=None)
        return False
    return True


def _send_task(task: Any, arg: Any) -> bool:
    """Publish `task(arg)`; False if the broker failed, or is skipped while its breaker is open
    (the breaker logs the outage once, so a request does not)."""
    conf = task.app.conf
    # An eager task (no REDIS_URL) runs here and now: there is no broker to guard.
    guard = None if conf.task_always_eager else breaker.for_redis(conf.broker_url)
    if guard is not None and not guard.allow():
        return False
    try:
        task.delay(arg)
    except Exception as exc:  # noqa: BLE001 - any broker failure: the sweep retries
        if guard is not None and isinstance(exc, breaker.UNAVAILABLE):
            guard.failed(exc)
        else:
            logger.warning(
                "Could not publish %s(%s); the sweep will retry", task.name, arg, exc_info=True
            )
        return False
    if guard is not None:
        guard.succeeded()
    return True


def sweep(now: datetime | None = None) -> int:
    """Retry expired claims, then publish batch send tasks for every due row; returns how many
    rows were published. Safe to run twice at once: a row is published by one sweep (SKIP
    LOCKED), and a task sends only rows it can claim."""
    now = now or timezone.now()
    delivery.expire_claims(now)
    with transaction.atomic():
        pks = list(
            delivery.due_for_sweep(now)
            .order_by("next_attempt_at")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:SWEEP_BATCH]
        )
        Outbox.objects.filter(pk__in=pks).update(queued_at=now)
    size = settings.OUTBOX_SEND_BATCH
    for published in range(0, len(pks), size):
        if not _send_task(send_outbox_emails, pks[published : published + size]):
            logger.info(
                "Sweep could not publish; %s emails wait for the next sweep", len(pks) - published
            )
            Outbox.objects.filter(pk__in=pks[published:], status=Outbox.Status.QUEUED).update(
                queued_at=None
            )
            return published
    return len(pks)
