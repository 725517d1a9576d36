"""How the sessions log reacts to a pair's change in matching, the layer below (connected from
SessionsLogConfig.ready)."""

from django.dispatch import receiver

from matching.signals import mentorship_ended
from mentoring.invitations import CONTEXT_KEY, join
from sessions_log import calendar, services


@receiver(mentorship_ended, dispatch_uid="sessions_log-cancel-planned-meetings")
def cancel_planned_meetings(sender, mentorship, **kwargs) -> dict[int, dict]:
    """Cancel the meetings planned after the end; the ending's emails list them and carry
    their calendar cancellations (METHOD:CANCEL), by person (matching.signals.email_context)."""
    meetings = services.cancel_planned_meetings(mentorship)
    if not meetings:
        return {}
    cancellations = join([calendar.invitation(m, calendar.CANCEL) for m in meetings])
    return {
        person_pk: {"cancelled_meetings": meetings, CONTEXT_KEY: cancellations}
        for person_pk in (mentorship.mentor_id, mentorship.mentee_id)
        if person_pk is not None
    }
