from __future__ import annotations

from celery import shared_task

from sessions_log import jobs


@shared_task(ignore_result=True)
def send_check_ins() -> int:
    return jobs.send_check_ins()


@shared_task(ignore_result=True)
def remind_upcoming_meetings() -> int:
    return jobs.remind_upcoming_meetings()


@shared_task(ignore_result=True)
def nudge_quiet_pairs() -> int:
    return jobs.nudge_quiet_pairs()


@shared_task(ignore_result=True)
def ask_pairs_to_wrap_up() -> int:
    return jobs.ask_pairs_to_wrap_up()
