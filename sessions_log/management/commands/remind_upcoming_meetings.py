from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from sessions_log import jobs


class Command(BaseCommand):
    help = "Remind both people of tomorrow's planned meetings. Safe to run as often as you like."

    def handle(self, *args, **options):
        count = jobs.remind_upcoming_meetings()
        self.stdout.write(
            ngettext("Queued %(n)d meeting reminder.", "Queued %(n)d meeting reminders.", count)
            % {"n": count}
        )
