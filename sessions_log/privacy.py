"""The sessions log's part of a person's data export (accounts.privacy).

Deleting an account needs nothing from here: the person's private notes, check-ins and calendar
feed cascade with the user row, and the pair's objectives and meetings stay for the other
person (their author fields are SET_NULL)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.dispatch import receiver

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
        "Objectives": [
            {
                "Mentorship": o.mentorship_id,
                "Objective": o.title,
                "What success looks like": o.success,
                "Target date": o.target_date,
                "Status": o.get_status_display(),
                "Achieved on": o.achieved_on,
                "Updates": [
                    f"{u.created_at:%Y-%m-%d}: {u.get_status_display() or 'note'}"
                    + (f" – {u.note}" if u.note else "")
                    for u in o.updates.all()
                ],
            }
            for o in objectives
        ],
        "Meetings": [
            {
                "Mentorship": m.mentorship_id,
                "Date and time": m.starts_at,
                "Status": m.get_status_display(),
                "Duration (minutes)": m.duration_minutes,
                "Format": m.get_format_display(),
                "Place or link": m.location,
                "Agenda": m.agenda,
                "Summary": m.summary,
                "Next steps": m.next_steps,
                "Your private note": m.own_notes[0].text if m.own_notes else "",
            }
            for m in meetings
        ],
        "Check-ins you were sent": [
            {
                "Mentorship": c.mentorship_id,
                "Check-in": c.get_kind_display(),
                "Sent": c.sent_at,
                "Answered": c.answered_at,
                "Rating": c.rating,
                "Comment": c.comment,
                "Asked the scheme team to contact you": c.wants_contact,
            }
            for c in check_ins
        ],
        "Calendar feed": (
            [{"Subscription address created": feed.created_at}] if feed is not None else []
        ),
    }
