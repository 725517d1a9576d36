from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from matching import jobs


class Command(BaseCommand):
    help = "Remind mentors of requests they have not answered (safe to run as often as you like)."

    def handle(self, *args, **options):
        count = jobs.remind_unanswered_requests()
        self.stdout.write(
            ngettext(
                "Reminded mentors of %(n)d unanswered request.",
                "Reminded mentors of %(n)d unanswered requests.",
                count,
            )
            % {"n": count}
        )
