import imaplib

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from matching.inbound import InboundError, handle_reply


class Command(BaseCommand):
    help = (
        "Read the unseen replies in the reply mailbox over IMAP (REPLY_IMAP_HOST, _USER, "
        "_PASSWORD) and store each as a message of its conversation; every one read is marked "
        "seen, stored or refused (README: 'Reply by email')."
    )

    def handle(self, *args, **options):
        if not settings.REPLY_IMAP_HOST:
            raise CommandError("Set REPLY_IMAP_HOST, REPLY_IMAP_USER and REPLY_IMAP_PASSWORD.")
        imap = imaplib.IMAP4_SSL(settings.REPLY_IMAP_HOST, settings.REPLY_IMAP_PORT)
        stored = refused = 0
        try:
            imap.login(settings.REPLY_IMAP_USER, settings.REPLY_IMAP_PASSWORD)
            imap.select(settings.REPLY_IMAP_MAILBOX)
            _, data = imap.search(None, "UNSEEN")
            for number in (data[0] or b"").split():
                _, parts = imap.fetch(number, "(BODY.PEEK[])")
                raw = next((p[1] for p in parts if isinstance(p, tuple)), b"")
                try:
                    handle_reply(raw)
                    stored += 1
                except InboundError as exc:
                    refused += 1
                    self.stderr.write(f"Refused reply {number.decode()}: {exc}")
                imap.store(number, "+FLAGS", "\\Seen")
        finally:
            imap.logout()
        self.stdout.write(f"Stored {stored} replies; refused {refused}.")
