from django.core.management.base import BaseCommand

from sessions_log import jobs


class Command(BaseCommand):
    help = "Email the 6-week, 6-month and ending check-in surveys that are due. Safe to run as often as you like."

    def handle(self, *args, **options):
        count = jobs.send_check_ins()
        self.stdout.write(f"Sent {count} check-ins.")
