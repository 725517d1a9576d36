from django.core.management import call_command
from django.core.management.base import BaseCommand

JOBS = [
    "remind_requests",
    "expire_requests",
    "ask_pairs_to_wrap_up",
    "complete_rounds",
    "complete_advice_conversations",
    "send_check_ins",
    "remind_upcoming_meetings",
    "nudge_quiet_pairs",
    "ask_mentors_to_confirm",
    "announce_recruitment_windows",
    "remind_expiring_training",
    "return_away_mentors",
    "update_reply_times",
    "email_never_approached_mentors",
    "notify_new_messages",
    "send_message_digests",
    "sweep_outbox",
    "purge_outbox",
]


class Command(BaseCommand):
    help = (
        "Run every scheduled job once, for cron users who do not run Celery beat "
        "(e.g. hourly: `python manage.py run_jobs`). Every job is idempotent."
    )

    def handle(self, *args, **options):
        for job in JOBS:
            call_command(job, stdout=self.stdout)
