from django.core.management.base import BaseCommand, CommandError

from matching import jobs
from matching.inbound import InboundError


class Command(BaseCommand):
    help = (
        "Read the unseen replies in the reply mailbox over IMAP (REPLY_IMAP_HOST, _USER, "
        "_PASSWORD) and store each as a message of its conversation; every one read is marked "
        "seen, stored or refused (README: 'Reply by email')."
    )

    def handle(self, *args, **options):
        try:
            stored, refused = jobs.fetch_reply_emails()
        except InboundError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Stored {stored} replies by email; refused {refused}.")
