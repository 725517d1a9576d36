from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from profiles import jobs


class Command(BaseCommand):
    help = (
        "Invite programmes' mentors to mentor in a round when its recruitment window opens "
        "(safe to run again)."
    )

    def handle(self, *args, **options):
        count = jobs.announce_recruitment_windows()
        self.stdout.write(
            ngettext(
                "Invited %(n)d mentor to a round's recruitment.",
                "Invited %(n)d mentors to a round's recruitment.",
                count,
            )
            % {"n": count}
        )
