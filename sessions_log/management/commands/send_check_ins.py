from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from sessions_log import jobs


class Command(BaseCommand):
    help = "Email the 6-week, 6-month and ending check-in surveys that are due. Safe to run as often as you like."

    def handle(self, *args, **options):
        count = jobs.send_check_ins()
        self.stdout.write(
            ngettext("Sent %(n)d check-in.", "Sent %(n)d check-ins.", count) % {"n": count}
        )
