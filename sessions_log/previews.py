"""Sample data for the staff email previews (mentoring.backoffice.previews) of the sessions log
emails."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from accounts.models import User
from matching.models import Mentorship
from profiles.models import Programme, Round
from sessions_log.models import CheckIn, Meeting


def samples() -> dict[str, dict[str, Any]]:
    now = timezone.now()
    mentor = User(pk=1, full_name="Daniel Okafor", email="daniel.okafor@example.org")
    mentee = User(pk=2, full_name="Maya Patel", email="maya.patel@example.org")
    mentorship = Mentorship(pk=1, mentor=mentor, mentee=mentee, started_at=now - timedelta(days=60))
    meeting = Meeting(
        pk=1,
        mentorship=mentorship,
        starts_at=(now + timedelta(days=7)).replace(hour=10, minute=0, second=0, microsecond=0),
        time_zone=settings.TIME_ZONE,
        duration_minutes=60,
        format="video",
        location="https://meet.example.org/maya-daniel",
        agenda="Feedback on my CV, and how to prepare for assessment centres.",
        uid=uuid.UUID(int=1),
    )
    pair_url = f"{settings.SITE_URL}/mentorships/1/"
    meeting_ctx = {
        "meeting": meeting,
        "by": mentee,
        "other": mentor,
        "zone": mentor.time_zone,
        "url": f"{pair_url}#meeting-1",
        "ics_url": f"{pair_url}meetings/1.ics",
    }
    check_in = CheckIn(
        pk=1,
        mentorship=mentorship,
        person=mentee,
        kind=CheckIn.Kind.SIX_WEEKS,
        expires_at=now + timedelta(days=settings.SCHEME_CHECK_IN_VALID_DAYS),
        rating=2,
        comment="We have struggled to find times to meet since my placement started.",
        wants_contact=True,
    )
    return {
        "meeting_planned": {"to": mentor, **meeting_ctx},
        "meeting_changed": {"to": mentor, **meeting_ctx},
        "meeting_cancelled": {"to": mentor, **meeting_ctx},
        "check_in": {
            "to": mentee,
            "check_in": check_in,
            "other": mentor,
            "other_name": mentor.full_name,
            "zone": mentee.time_zone,
            "url": f"{settings.SITE_URL}/check-ins/sample/",
        },
        "check_in_alert": {
            "to": settings.SCHEME_CONTACT_EMAIL,
            "check_in": check_in,
            "person": mentee,
            "mentorship": mentorship,
            "admin_url": f"{settings.SITE_URL}/admin/sessions_log/checkin/1/change/",
        },
        "meeting_reminder": {
            "to": mentee,
            **meeting_ctx,
            "person": mentee,
            "other": mentor,
            "zone": mentee.time_zone,
            "unsubscribe_url": f"{settings.SITE_URL}/email/unsubscribe/sample/",
        },
        "no_meeting_nudge": {
            "to": mentee,
            "mentorship": mentorship,
            "person": mentee,
            "other": mentor,
            "role": "mentee",
            "last_meeting": now - timedelta(days=34),
            "never_met": False,
            "url": pair_url,
            "unsubscribe_url": f"{settings.SITE_URL}/email/unsubscribe/sample/",
        },
        "round_wrap_up": _round_wrap_up(mentor=mentor, mentee=mentee, now=now),
    }


def _round_wrap_up(*, mentor: User, mentee: User, now) -> dict[str, Any]:
    """Two weeks before a round's term ends (sessions_log.jobs.ask_pairs_to_wrap_up)."""
    programme = Programme(pk=1, name="Alumni career mentoring", slug="careers")
    round_ = Round(
        pk=1,
        programme=programme,
        name="2026–27",
        mentee_opens_on=(now - timedelta(days=240)).date(),
        mentee_closes_on=(now - timedelta(days=150)).date(),
        term_ends_on=(now + timedelta(days=14)).date(),
    )
    pair = Mentorship(
        pk=1, mentor=mentor, mentee=mentee, programme=programme, round=round_, started_at=now
    )
    check_in = CheckIn(
        pk=2,
        mentorship=pair,
        person=mentee,
        kind=CheckIn.Kind.ENDING,
        expires_at=now + timedelta(days=settings.SCHEME_CHECK_IN_VALID_DAYS),
    )
    return {
        "to": mentee,
        "check_in": check_in,
        "other": mentor,
        "other_name": mentor.full_name,
        "zone": mentee.time_zone,
        "url": f"{settings.SITE_URL}/check-ins/sample/",
        "mentorship": pair,
        "programme": programme,
        "round": round_,
        "pair_url": f"{settings.SITE_URL}/mentorships/1/",
    }
