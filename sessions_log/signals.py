"""How the sessions log reacts to a pair's change in matching, the layer below (connected from
SessionsLogConfig.ready)."""

from django.dispatch import receiver

from matching.models import Mentorship
from matching.signals import mentorship_ended
from mentoring.invitations import CONTEXT_KEY, join
from sessions_log import calendar, emails, services


@receiver(mentorship_ended, dispatch_uid="sessions_log-cancel-planned-meetings")
def cancel_planned_meetings(sender, mentorship, **kwargs) -> dict[int, dict]:
    """Cancel the meetings planned after the end; the ending's emails list them and carry
    their calendar cancellations (METHOD:CANCEL), by person (matching.signals.email_context)."""
    meetings = services.cancel_planned_meetings(mentorship)
    if not meetings:
        return {}
    cancellations = join([calendar.invitation(m, calendar.CANCEL) for m in meetings])
    ender = mentorship.ended_by if mentorship.status == Mentorship.Status.ENDED else None
    if ender is not None and mentorship.end_reason != Mentorship.EndReason.ACCOUNT_DELETED:
        # The ending's email goes to the other person; the one who ended it gets each
        # cancellation too, as both had the invitation (sessions_log.emails._meeting_email).
        emails.meetings_cancelled_by_ending(meetings, by=ender)
    return {
        person_pk: {"cancelled_meetings": meetings, CONTEXT_KEY: cancellations}
        for person_pk in (mentorship.mentor_id, mentorship.mentee_id)
        if person_pk is not None
    }
