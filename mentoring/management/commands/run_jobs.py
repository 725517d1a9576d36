"""Every scheduled job from the command line: once (cron), or in a loop beside the development
server when there is no Celery beat (`make run` without REDIS_URL)."""

import argparse
import logging
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections

logger = logging.getLogger(__name__)

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
    "digest_submitted_profiles",
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
        "(e.g. hourly: `python manage.py run_jobs`). Every job is idempotent. With --every N, "
        "run them all every N seconds until stopped: `make run` starts this beside the "
        "development server when there is no Redis (and so no Celery beat)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--every",
            type=int,
            default=0,
            metavar="SECONDS",
            help="Keep running: all the jobs, then a pause of this many seconds, and again.",
        )
        # For tests: stop after this many rounds (0: until stopped).
        parser.add_argument("--rounds", type=int, default=0, help=argparse.SUPPRESS)

    def handle(self, *args, every: int = 0, rounds: int = 0, **options):
        if not every:
            for job in JOBS:
                call_command(job, stdout=self.stdout)
            return
        self.stdout.write(f"Running the scheduled jobs every {every} seconds (Ctrl-C stops).")
        done = 0
        try:
            while True:
                self.run_round()
                done += 1
                if rounds and done >= rounds:
                    return
                # Like after a request: a connection broken or too old is not reused.
                close_old_connections()
                time.sleep(every)
        except KeyboardInterrupt:
            return

    def run_round(self) -> None:
        """Every job once; one failing job is logged and the others still run."""
        for job in JOBS:
            try:
                call_command(job, stdout=self.stdout)
            except Exception:  # noqa: BLE001 - the loop outlives one job's failure
                logger.exception("Scheduled job %s failed; the others carry on", job)
