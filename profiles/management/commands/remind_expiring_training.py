from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from profiles import jobs


class Command(BaseCommand):
    help = (
        "Remind each person whose training expires within 30 days, once per expiry. Safe to "
        "run daily."
    )

    def handle(self, *args, **options):
        count = jobs.remind_expiring_training()
        self.stdout.write(
            ngettext(
                "Reminded %(n)d person of training that expires soon.",
                "Reminded %(n)d people of training that expires soon.",
                count,
            )
            % {"n": count}
        )
