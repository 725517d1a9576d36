from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from matching import jobs


class Command(BaseCommand):
    help = "Work out each mentor's usual reply time from their recent answers (safe to run again)."

    def handle(self, *args, **options):
        count = jobs.update_reply_times()
        self.stdout.write(
            ngettext(
                "Updated the reply time of %(n)d mentor.",
                "Updated the reply times of %(n)d mentors.",
                count,
            )
            % {"n": count}
        )
