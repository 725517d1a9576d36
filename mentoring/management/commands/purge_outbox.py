from django.conf import settings
from django.core.management.base import BaseCommand

from mentoring import delivery


class Command(BaseCommand):
    help = (
        "Blank the content of outbox emails finished more than OUTBOX_BODY_RETENTION_DAYS ago "
        "and delete those older than OUTBOX_DELETE_AFTER_DAYS."
    )

    def handle(self, *args, **options):
        blanked, deleted = delivery.purge()
        self.stdout.write(
            f"Blanked the content of {blanked} outbox emails older than "
            f"{settings.OUTBOX_BODY_RETENTION_DAYS} days; deleted {deleted} older than "
            f"{settings.OUTBOX_DELETE_AFTER_DAYS} days."
        )
