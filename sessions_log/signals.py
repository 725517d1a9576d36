"""How the sessions log reacts to a pair's change in matching, the layer below (connected from
SessionsLogConfig.ready)."""

from django.dispatch import receiver

from matching.signals import mentorship_ended
from sessions_log import services


@receiver(mentorship_ended, dispatch_uid="sessions_log-cancel-planned-meetings")
def cancel_planned_meetings(sender, mentorship, **kwargs) -> None:
    services.cancel_planned_meetings(mentorship)
