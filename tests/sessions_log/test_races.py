"""Double clicks and two people at once: the locks and constraints keep the space consistent.

Threaded tests commit for real (`transaction=True`); see tests/matching/test_races.py.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from mentoring.models import Outbox
from sessions_log import services
from sessions_log.models import CheckIn
from sessions_log.services import SessionsError
from tests.factories import CheckInFactory, MeetingFactory, MentorshipFactory, UserFactory
from tests.matching.test_races import _race, _reseed_expertise_areas  # noqa: F401

racing = pytest.mark.django_db(transaction=True)


def _pair():
    return MentorshipFactory(
        mentee=UserFactory(), mentor=UserFactory(), started_at=timezone.now() - timedelta(days=9)
    )


@racing
def test_objectives_added_at_once_get_distinct_places_in_the_plan():
    mentorship = _pair()
    people = [mentorship.mentee, mentorship.mentor] * 4

    results = _race(
        [
            lambda i=i, by=by: services.add_objective(mentorship, by=by, title=f"Objective {i}")
            for i, by in enumerate(people)
        ]
    )

    assert all(not isinstance(r, BaseException) for r in results), results
    positions = sorted(mentorship.objectives.values_list("position", flat=True))
    assert positions == list(range(8))


@racing
def test_a_check_in_answered_in_two_tabs_at_once_counts_once_and_alerts_once():
    mentorship = _pair()
    check_in = CheckInFactory(mentorship=mentorship, person=mentorship.mentee)
    by = mentorship.mentee

    results = _race(
        [lambda: services.answer_check_in(check_in, by=by, rating=1, wants_contact=True)] * 5
    )

    answered = [r for r in results if isinstance(r, CheckIn)]
    refused = [r for r in results if isinstance(r, SessionsError)]
    assert (len(answered), len(refused)) == (1, 4)
    assert all("already answered" in str(e) for e in refused)
    assert Outbox.objects.filter(kind="check_in_alert").count() == 1


@racing
def test_cancel_and_mark_held_at_once_leave_one_outcome():
    mentorship = _pair()
    meeting = MeetingFactory(mentorship=mentorship, starts_at=timezone.now() - timedelta(hours=2))

    results = _race(
        [
            lambda: services.cancel_meeting(meeting, by=mentorship.mentor),
            lambda: services.mark_held(
                meeting, by=mentorship.mentee, starts_at=meeting.starts_at, duration_minutes=60
            ),
        ]
    )

    meeting.refresh_from_db()
    errors = [r for r in results if isinstance(r, SessionsError)]
    assert len(errors) == 1
    if meeting.status == "cancelled":
        assert "was cancelled" in str(errors[0])
    else:
        assert meeting.status == "held"
        assert "has been held" in str(errors[0])
        assert not Outbox.objects.filter(kind="meeting_cancelled").exists()
