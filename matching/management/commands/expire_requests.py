from django.core.management.base import BaseCommand

from matching import jobs


class Command(BaseCommand):
    help = "Expire requests nobody answered in time and tell the mentees (safe to run again)."

    def handle(self, *args, **options):
        count = jobs.expire_requests()
        self.stdout.write(f"Expired {count} unanswered requests.")
