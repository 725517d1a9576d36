from __future__ import annotations

from celery import shared_task

from mentoring import emails


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def send_outbox_email(pk: int) -> bool:
    """Send one outbox row. Safe to run twice: the row's status decides."""
    return emails.deliver(pk)


@shared_task(ignore_result=True)
def sweep_outbox() -> int:
    """Re-publish queued emails whose task was lost and retry failed sends that are due."""
    return emails.sweep()


@shared_task(ignore_result=True)
def purge_outbox() -> tuple[int, int]:
    """Retention: blank old emails' content and delete the oldest rows."""
    return emails.purge()
