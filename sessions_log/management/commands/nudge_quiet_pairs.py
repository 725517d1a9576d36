from django.core.management.base import BaseCommand

from sessions_log import jobs


class Command(BaseCommand):
    help = (
        "Nudge pairs who have not met for a while (mentee first). Safe to run as often as you like."
    )

    def handle(self, *args, **options):
        count = jobs.nudge_quiet_pairs()
        self.stdout.write(f"Nudged {count} quiet pairs.")
