from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tests.factories import MeetingFactory, MentorshipFactory, ObjectiveFactory

LONDON = ZoneInfo("Europe/London")


def local_input(when: datetime, zone: str = "Europe/London") -> str:
    """`when` as a `datetime-local` input value in `zone`, the way a browser posts it."""
    return when.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")


def next_week() -> datetime:
    return (timezone.now() + timedelta(days=7)).replace(second=0, microsecond=0)


def hours_ago(hours: int) -> datetime:
    return (timezone.now() - timedelta(hours=hours)).replace(second=0, microsecond=0)


@pytest.fixture
def mentorship(mentor, mentee):
    """Daniel mentoring Maya since thirty days ago."""
    return MentorshipFactory(
        mentor=mentor, mentee=mentee, started_at=timezone.now() - timedelta(days=30)
    )


@pytest.fixture
def ended(mentorship):
    """The same mentorship, ended by Maya."""
    mentorship.status = "ended"
    mentorship.ended_at = timezone.now()
    mentorship.ended_by = mentorship.mentee
    mentorship.end_reason = "achieved"
    mentorship.save()
    return mentorship


@pytest.fixture
def objective(mentorship):
    return ObjectiveFactory(mentorship=mentorship, title="Lead a project from start to finish")


@pytest.fixture
def planned(mentorship):
    """A meeting Maya planned for next week."""
    return MeetingFactory(mentorship=mentorship, starts_at=next_week())


@pytest.fixture
def started(mentorship):
    """A meeting Maya planned for an hour ago, not yet marked held: it can be marked held."""
    return MeetingFactory(mentorship=mentorship, starts_at=hours_ago(1))


@pytest.fixture
def held(mentorship):
    return MeetingFactory(mentorship=mentorship, held=True, starts_at=hours_ago(3))


@pytest.fixture
def other_pair():
    """Another mentorship, with its own objective and meeting, that Daniel and Maya are not in."""
    mentorship = MentorshipFactory(started_at=timezone.now() - timedelta(days=30))
    return {
        "mentorship": mentorship,
        "objective": ObjectiveFactory(mentorship=mentorship),
        "meeting": MeetingFactory(mentorship=mentorship),
    }
