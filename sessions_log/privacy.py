"""The sessions log's part of a person's data export (accounts.privacy).

Deleting an account needs nothing from here: the person's private notes, check-ins and calendar
feed cascade with the user row, and the pair's objectives and meetings stay for the other
person (their author fields are SET_NULL)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.dispatch import receiver
from django.utils.translation import gettext_noop

from accounts.models import User
from accounts.privacy import collect_personal_data
from matching.models import Mentorship
from sessions_log.models import (
    CalendarFeed,
    CheckIn,
    Meeting,
    MeetingPrivateNote,
    Objective,
    ObjectiveUpdate,
)


@receiver(collect_personal_data, dispatch_uid="sessions-log-personal-data")
def personal_data(sender, *, user: User, **kwargs) -> dict[str, list[dict[str, Any]]]:
    pairs = Mentorship.objects.for_user(user)
    objectives = (
        Objective.objects.filter(mentorship__in=pairs)
        .order_by("mentorship_id", "position", "pk")
        .prefetch_related(
            Prefetch("updates", queryset=ObjectiveUpdate.objects.order_by("created_at", "pk"))
        )
    )
    # Only the person's own private notes: the other person's are never theirs to read.
    own_notes = MeetingPrivateNote.objects.filter(author=user)
    meetings = (
        Meeting.objects.filter(mentorship__in=pairs)
        .order_by("mentorship_id", "starts_at", "pk")
        .prefetch_related(Prefetch("private_notes", queryset=own_notes, to_attr="own_notes"))
    )
    check_ins = CheckIn.objects.filter(person=user).order_by("created_at", "pk")
    feed = CalendarFeed.objects.filter(user=user).first()
    return {
        gettext_noop("Objectives"): [
            {
                gettext_noop("Mentorship"): o.mentorship_id,
                gettext_noop("Objective"): o.title,
                gettext_noop("What success looks like"): o.success,
                gettext_noop("Target date"): o.target_date,
                gettext_noop("Status"): o.get_status_display(),
                gettext_noop("Achieved on"): o.achieved_on,
                gettext_noop("Updates"): [
                    f"{u.created_at:%Y-%m-%d}: {u.get_status_display() or 'note'}"
                    + (f" – {u.note}" if u.note else "")
                    for u in o.updates.all()
                ],
            }
            for o in objectives
        ],
        gettext_noop("Meetings"): [
            {
                gettext_noop("Mentorship"): m.mentorship_id,
                gettext_noop("Date and time"): m.starts_at,
                gettext_noop("Status"): m.get_status_display(),
                gettext_noop("Duration (minutes)"): m.duration_minutes,
                gettext_noop("Format"): m.get_format_display(),
                gettext_noop("Place or link"): m.location,
                gettext_noop("Agenda"): m.agenda,
                gettext_noop("Summary"): m.summary,
                gettext_noop("Next steps"): m.next_steps,
                gettext_noop("Your private note"): m.own_notes[0].text if m.own_notes else "",
            }
            for m in meetings
        ],
        gettext_noop("Check-ins you were sent"): [
            {
                gettext_noop("Mentorship"): c.mentorship_id,
                gettext_noop("Check-in"): c.get_kind_display(),
                gettext_noop("Sent"): c.sent_at,
                gettext_noop("Answered"): c.answered_at,
                gettext_noop("Rating"): c.rating,
                gettext_noop("Comment"): c.comment,
                gettext_noop("Asked the scheme team to contact you"): c.wants_contact,
            }
            for c in check_ins
        ],
        gettext_noop("Calendar feed"): (
            [{gettext_noop("Subscription address created"): feed.created_at}]
            if feed is not None
            else []
        ),
    }
