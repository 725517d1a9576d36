from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from profiles import jobs


class Command(BaseCommand):
    help = "List again the mentors whose time away ends today, and tell them (safe to run again)."

    def handle(self, *args, **options):
        count = jobs.return_away_mentors()
        self.stdout.write(
            ngettext(
                "%(n)d mentor is back in the directory.",
                "%(n)d mentors are back in the directory.",
                count,
            )
            % {"n": count}
        )
