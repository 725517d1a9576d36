from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from matching import jobs


class Command(BaseCommand):
    help = (
        "Complete one-off advice conversations whose meeting was held, or whose meeting's date "
        "is a week past (safe to run again)."
    )

    def handle(self, *args, **options):
        count = jobs.complete_advice_conversations()
        self.stdout.write(
            ngettext(
                "Completed %(n)d advice conversation.",
                "Completed %(n)d advice conversations.",
                count,
            )
            % {"n": count}
        )
