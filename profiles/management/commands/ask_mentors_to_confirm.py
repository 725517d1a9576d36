from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from profiles import jobs


class Command(BaseCommand):
    help = (
        "In each programme's confirmation month, ask its mentors to confirm their profile; in "
        "recruitment months, remind those who have not for a year. Safe to run daily."
    )

    def handle(self, *args, **options):
        count = jobs.ask_mentors_to_confirm()
        self.stdout.write(
            ngettext(
                "Asked %(n)d mentor to confirm their profile.",
                "Asked %(n)d mentors to confirm their profile.",
                count,
            )
            % {"n": count}
        )
