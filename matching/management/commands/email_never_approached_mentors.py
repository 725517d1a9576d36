from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from matching import jobs


class Command(BaseCommand):
    help = (
        "Email mentors listed for six weeks whom no mentee has approached, once each "
        "(safe to run again)."
    )

    def handle(self, *args, **options):
        count = jobs.email_never_approached_mentors()
        self.stdout.write(
            ngettext(
                "Emailed %(n)d mentor nobody has approached yet.",
                "Emailed %(n)d mentors nobody has approached yet.",
                count,
            )
            % {"n": count}
        )
