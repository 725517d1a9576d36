from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from matching import jobs


class Command(BaseCommand):
    help = (
        "Complete the pairs of rounds whose term has ended and tell both people (safe to run "
        "again)."
    )

    def handle(self, *args, **options):
        count = jobs.complete_rounds()
        self.stdout.write(
            ngettext(
                "Completed %(n)d pair at the end of its round's term.",
                "Completed %(n)d pairs at the end of their round's term.",
                count,
            )
            % {"n": count}
        )
