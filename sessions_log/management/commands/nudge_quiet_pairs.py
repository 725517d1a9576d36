from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from sessions_log import jobs


class Command(BaseCommand):
    help = (
        "Nudge pairs who have not met for a while (mentee first). Safe to run as often as you like."
    )

    def handle(self, *args, **options):
        count = jobs.nudge_quiet_pairs()
        self.stdout.write(
            ngettext("Nudged %(n)d quiet pair.", "Nudged %(n)d quiet pairs.", count) % {"n": count}
        )
