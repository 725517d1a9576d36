"""The recap email after a meeting is marked held: to both people, once per meeting, with the
summary, the next steps and the objectives it moved (sessions_log.services.mark_held)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils import timezone

from mentoring.emails import absolute_url, queue

if TYPE_CHECKING:
    from accounts.models import User
    from sessions_log.models import Meeting, Objective


def recap_key(meeting: Meeting, person: User) -> str:
    return f"meeting-recap:{meeting.pk}:{person.pk}"


def _ctx(meeting: Meeting, objectives: list[Objective], *, to: User, by: User) -> dict[str, Any]:
    mentorship = meeting.mentorship
    return {
        "meeting": meeting,
        "objectives": objectives,
        "by": by,
        "person": to,
        "other_name": mentorship.other_name(to),
        "zone": to.time_zone,
        "url": absolute_url(meeting.get_absolute_url()),
    }


def meeting_recap(meeting: Meeting, *, by: User) -> int:
    """Queue the recap to the mentor and the mentee (a deleted or deactivated account is left
    out). Marking the meeting held again (a correction) sends nothing new: one recap per
    meeting and person. Returns how many were queued or already there."""
    mentorship = meeting.mentorship
    objectives = list(meeting.objectives.order_by("position", "pk"))
    sent = 0
    for person in (mentorship.mentee, mentorship.mentor):
        if person is None or not person.is_active:
            continue
        queue(
            "meeting_recap",
            to=person,
            ctx=_ctx(meeting, objectives, to=person, by=by),
            dedupe_key=recap_key(meeting, person),
        )
        sent += 1
    return sent


def preview_samples() -> dict[str, dict[str, Any]]:
    """The staff email preview's sample (mentoring.backoffice.previews)."""
    from accounts.models import User
    from matching.models import Mentorship
    from sessions_log.models import Meeting, Objective

    now = timezone.now()
    mentor = User(pk=1, full_name="Daniel Okafor", email="daniel.okafor@example.org")
    mentee = User(pk=2, full_name="Maya Patel", email="maya.patel@example.org")
    pair = Mentorship(pk=1, mentor=mentor, mentee=mentee, started_at=now - timedelta(days=60))
    meeting = Meeting(
        pk=1,
        mentorship=pair,
        status=Meeting.Status.HELD,
        starts_at=(now - timedelta(days=1)).replace(hour=17, minute=0, second=0, microsecond=0),
        time_zone=settings.TIME_ZONE,
        duration_minutes=60,
        format="video",
        summary="Went through my CV line by line and agreed how to present the placement year.",
        next_steps="Rewrite the CV around achievements and send it to Daniel by Friday.",
        uid=uuid.UUID(int=1),
    )
    objectives = [
        Objective(pk=1, mentorship=pair, title="A CV that gets me interviews", status="achieved"),
        Objective(pk=2, mentorship=pair, title="Feel ready for assessment centres"),
    ]
    return {
        "meeting_recap": {
            "to": mentee,
            "meeting": meeting,
            "objectives": objectives,
            "by": mentee,
            "person": mentee,
            "other_name": mentor.full_name,
            "zone": mentee.time_zone,
            "url": f"{settings.SITE_URL}/mentorships/1/#meeting-1",
        }
    }
