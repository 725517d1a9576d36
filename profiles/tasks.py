from __future__ import annotations

from celery import shared_task

from profiles import jobs


@shared_task(ignore_result=True)
def ask_mentors_to_confirm() -> int:
    return jobs.ask_mentors_to_confirm()


@shared_task(ignore_result=True)
def announce_recruitment_windows() -> int:
    return jobs.announce_recruitment_windows()


@shared_task(ignore_result=True)
def return_away_mentors() -> int:
    return jobs.return_away_mentors()


@shared_task(ignore_result=True)
def remind_expiring_training() -> int:
    return jobs.remind_expiring_training()


@shared_task(ignore_result=True)
def digest_submitted_profiles() -> int:
    return jobs.digest_submitted_profiles()
