"""One function per email the sessions log sends; each queues through the outbox.

Meeting times are written in the recipient's own time zone (the templates use `zone`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import reverse

from matching import engagements
from mentoring.emails import absolute_url, queue
from mentoring.invitations import CONTEXT_KEY
from sessions_log import calendar

if TYPE_CHECKING:
    from accounts.models import User
    from sessions_log.models import CheckIn, Meeting


def _meeting_ctx(meeting: Meeting, *, by: User, to: User) -> dict:
    return {
        "meeting": meeting,
        "by": by,
        "other": to,
        "zone": to.time_zone,
        "url": absolute_url(meeting.get_absolute_url()),
        # Opens without signing in (a calendar app has no session): signed for this person.
        "ics_url": calendar.meeting_ics_url(meeting, to),
    }


def _with_invitation(ctx: dict, meeting: Meeting, method: str) -> dict:
    """The context with the meeting's iCalendar invitation (REQUEST or CANCEL), which
    mentoring.invitations sends as the email's calendar part."""
    return {**ctx, CONTEXT_KEY: calendar.invitation(meeting, method)}


def _meeting_email(kind: str, meeting: Meeting, *, by: User, method: str, key: str) -> None:
    """To the other person, and a copy to the one who acted: both are attendees of the
    invitation, so both calendars hold (or drop) the same event."""
    other = meeting.mentorship.other_party(by)
    for to, own in ((other, False), (by, True)):
        if to is None:
            continue
        ctx = _meeting_ctx(meeting, by=by, to=to)
        ctx.update(own=own, partner=other if own else by)
        queue(
            kind,
            to=to,
            ctx=_with_invitation(ctx, meeting, method),
            dedupe_key=f"{key}:own" if own else key,
        )


def meeting_planned(meeting: Meeting, *, by: User) -> None:
    _meeting_email(
        "meeting_planned",
        meeting,
        by=by,
        method=calendar.REQUEST,
        key=f"meeting-planned:{meeting.pk}",
    )


def meeting_changed(meeting: Meeting, *, by: User) -> None:
    _meeting_email(
        "meeting_changed",
        meeting,
        by=by,
        method=calendar.REQUEST,
        key=f"meeting-changed:{meeting.pk}:{meeting.sequence}",
    )


def meeting_cancelled(meeting: Meeting, *, by: User) -> None:
    _meeting_email(
        "meeting_cancelled",
        meeting,
        by=by,
        method=calendar.CANCEL,
        key=f"meeting-cancelled:{meeting.pk}",
    )


def meetings_cancelled_by_ending(meetings: list[Meeting], *, by: User) -> None:
    """To the person who ended the pair: each meeting the ending cancelled, with its calendar
    cancellation, so it leaves their calendar too (the other person's ending email carries
    theirs). The key is the one of their own cancellation copy: one email per meeting."""
    for meeting in meetings:
        partner = meeting.mentorship.other_party(by)
        ctx = _meeting_ctx(meeting, by=by, to=by)
        ctx.update(own=True, ended=True, partner=partner)
        queue(
            "meeting_cancelled",
            to=by,
            ctx=_with_invitation(ctx, meeting, calendar.CANCEL),
            dedupe_key=f"meeting-cancelled:{meeting.pk}:own",
        )


def check_in_ctx(check_in: CheckIn) -> dict:
    """The check-in email's context, for the one sent at once and the scheduled job's."""
    mentorship, person = check_in.mentorship, check_in.person
    return {
        "check_in": check_in,
        "other": mentorship.other_party(person),
        "other_name": mentorship.other_name(person),
        "zone": person.time_zone,
        "url": absolute_url(check_in.get_absolute_url()),
        # An advice conversation that closed on its own (no meeting marked held): the email
        # must not thank them for a conversation that may not have happened.
        "advice_held": check_in.kind != "advice_feedback" or engagements.advice_held(mentorship),
    }


def check_in_alert(check_in: CheckIn) -> None:
    """To the scheme team: a check-in with a low rating or a request to be contacted."""
    queue(
        "check_in_alert",
        to=settings.SCHEME_CONTACT_EMAIL,
        ctx={
            "check_in": check_in,
            "person": check_in.person,
            "mentorship": check_in.mentorship,
            "admin_url": absolute_url(
                reverse("admin:sessions_log_checkin_change", args=[check_in.pk])
            ),
        },
        dedupe_key=f"check-in-alert:{check_in.pk}",
    )
