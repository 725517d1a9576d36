from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from sessions_log import jobs


class Command(BaseCommand):
    help = (
        "Ask the pairs of rounds whose term ends within two weeks to wrap up, with their ending "
        "check-in (safe to run again)."
    )

    def handle(self, *args, **options):
        count = jobs.ask_pairs_to_wrap_up()
        self.stdout.write(
            ngettext(
                "Asked %(n)d person to wrap up before their round's term ends.",
                "Asked %(n)d people to wrap up before their round's term ends.",
                count,
            )
            % {"n": count}
        )
