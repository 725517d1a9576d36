from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from matching import jobs


class Command(BaseCommand):
    help = "Expire requests nobody answered in time and tell the mentees (safe to run again)."

    def handle(self, *args, **options):
        count = jobs.expire_requests()
        self.stdout.write(
            ngettext(
                "Expired %(n)d unanswered request.", "Expired %(n)d unanswered requests.", count
            )
            % {"n": count}
        )
