from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from matching import jobs


class Command(BaseCommand):
    help = (
        "Email people about new messages they have not read on the site (one email per "
        "conversation's burst; safe to run as often as you like, e.g. every minute)."
    )

    def handle(self, *args, **options):
        count = jobs.notify_new_messages()
        self.stdout.write(
            ngettext(
                "Queued %(n)d new-message email.",
                "Queued %(n)d new-message emails.",
                count,
            )
            % {"n": count}
        )
