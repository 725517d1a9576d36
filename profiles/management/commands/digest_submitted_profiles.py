from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from profiles import jobs


class Command(BaseCommand):
    help = (
        "Email each coordinator the mentor profiles of their programmes submitted for review "
        "in the last day (once a day, after PROFILE_DIGEST_HOUR; safe to run again)."
    )

    def handle(self, *args, **options):
        count = jobs.digest_submitted_profiles()
        self.stdout.write(
            ngettext(
                "Queued %(n)d review digest for coordinators.",
                "Queued %(n)d review digests for coordinators.",
                count,
            )
            % {"n": count}
        )
