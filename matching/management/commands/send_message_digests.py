from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from matching import jobs


class Command(BaseCommand):
    help = (
        "Send the daily digest of unread messages to the people who chose one (once "
        "MESSAGE_DIGEST_HOUR has passed; safe to run as often as you like)."
    )

    def handle(self, *args, **options):
        count = jobs.send_message_digests()
        self.stdout.write(
            ngettext(
                "Queued %(n)d message digest.",
                "Queued %(n)d message digests.",
                count,
            )
            % {"n": count}
        )
