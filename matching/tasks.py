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


@shared_task(ignore_result=True)
def notify_new_messages() -> int:
    return jobs.notify_new_messages()


@shared_task(ignore_result=True)
def send_message_digests() -> int:
    return jobs.send_message_digests()


@shared_task(ignore_result=True)
def complete_advice_conversations() -> int:
    return jobs.complete_advice_conversations()


@shared_task(ignore_result=True)
def update_reply_times() -> int:
    return jobs.update_reply_times()


@shared_task(ignore_result=True)
def email_never_approached_mentors() -> int:
    return jobs.email_never_approached_mentors()
