from __future__ import annotations

from celery import shared_task

from matching import jobs


@shared_task(ignore_result=True)
def remind_unanswered_requests() -> int:
    return jobs.remind_unanswered_requests()


@shared_task(ignore_result=True)
def expire_requests() -> int:
    return jobs.expire_requests()


@shared_task(ignore_result=True)
def complete_rounds() -> int:
    return jobs.complete_rounds()
