from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from mentoring.tasks import sweep


class Command(BaseCommand):
    help = "Publish outbox emails whose send task was lost and retry failed sends that are due."

    def handle(self, *args, **options):
        count = sweep()
        self.stdout.write(
            ngettext("Published %(n)d outbox email.", "Published %(n)d outbox emails.", count)
            % {"n": count}
        )
