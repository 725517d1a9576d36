from __future__ import annotations

from celery import shared_task

from mentoring import emails


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def send_outbox_email(pk: int) -> bool:
    """Send one outbox row. Safe to run twice: the row's status decides."""
    return emails.deliver(pk)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def send_outbox_emails(pks: list[int]) -> int:
    """Send a batch of outbox rows over one SMTP connection; returns how many this run sent."""
    return emails.deliver_many(pks)


@shared_task(ignore_result=True)
def sweep_outbox() -> int:
    """Re-publish queued emails whose task was lost, retry failed sends that are due and sends
    whose claim expired."""
    return emails.sweep()


@shared_task(ignore_result=True)
def purge_outbox() -> tuple[int, int]:
    """Retention: blank old emails' content and delete the oldest rows."""
    return emails.purge()
