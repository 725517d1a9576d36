from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from mentoring import delivery


class Command(BaseCommand):
    help = (
        "Blank the content of outbox emails finished more than OUTBOX_BODY_RETENTION_DAYS ago "
        "and delete those older than OUTBOX_DELETE_AFTER_DAYS."
    )

    def handle(self, *args, **options):
        blanked, deleted = delivery.purge()
        keep, delete = settings.OUTBOX_BODY_RETENTION_DAYS, settings.OUTBOX_DELETE_AFTER_DAYS
        self.stdout.write(
            ngettext(
                "Blanked the content of %(n)d outbox email",
                "Blanked the content of %(n)d outbox emails",
                blanked,
            )
            % {"n": blanked}
            + ngettext(" older than %(n)d day;", " older than %(n)d days;", keep) % {"n": keep}
            + f" deleted {deleted}"
            + ngettext(" older than %(n)d day.", " older than %(n)d days.", delete) % {"n": delete}
        )
