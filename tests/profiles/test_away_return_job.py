"""The return job tells only the mentors it lists again that they are back in the directory,
and counts the return date in the scheme's time zone (London), not UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from mentoring.models import Outbox
from profiles import jobs
from profiles.models import MentorProfile
from tests.factories import MentorProfileFactory

pytestmark = pytest.mark.django_db


def _away(until: date, **fields) -> MentorProfile:
    profile = MentorProfileFactory(**fields)
    MentorProfile.objects.filter(pk=profile.pk).update(away_until=until)
    return profile


def test_only_mentors_listed_again_are_told_they_are_back(time_machine):
    time_machine.move_to(datetime(2026, 3, 1, 9, tzinfo=UTC), tick=False)
    listed = _away(date(2026, 3, 1))
    hidden = _away(date(2026, 3, 1), is_active=False)
    unapproved = _away(date(2026, 3, 1), review_status=MentorProfile.ReviewStatus.SUBMITTED)

    assert jobs.return_away_mentors() == 3

    assert list(Outbox.objects.filter(kind="mentor_back").values_list("to_email", flat=True)) == [
        listed.user.email
    ]
    for profile in (hidden, unapproved):
        profile.refresh_from_db()
        assert profile.away_until is None and not profile.is_listed


def test_the_return_date_is_the_schemes_local_date(time_machine):
    """Half past midnight on 1 July in London is still 30 June in UTC."""
    profile = _away(date(2026, 7, 1))
    time_machine.move_to(datetime(2026, 6, 30, 22, 59, tzinfo=UTC), tick=False)

    assert jobs.return_away_mentors() == 0

    time_machine.move_to(datetime(2026, 6, 30, 23, 30, tzinfo=UTC), tick=False)
    assert jobs.return_away_mentors() == 1
    profile.refresh_from_db()
    assert profile.away_until is None and profile.is_listed
