from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from matching.models import Mentorship
from matching.services import MatchingError, accept_request, end_mentorship, send_request
from sessions_log.models import Meeting
from tests.matching.conftest import MESSAGE
from tests.support import places_taken

pytestmark = pytest.mark.django_db


def test_end_records_who_why_and_when(mentorship, mentee):
    end_mentorship(
        mentorship,
        by=mentee,
        reason="achieved",
        message="  Thank you for everything.  ",
        rating=5,
        feedback=" Great match. ",
    )

    mentorship.refresh_from_db()
    assert mentorship.status == Mentorship.Status.ENDED
    assert mentorship.ended_at is not None
    assert mentorship.ended_by == mentee
    assert mentorship.end_reason == "achieved"
    assert mentorship.end_message == "Thank you for everything."
    assert (mentorship.feedback_rating, mentorship.feedback_comment) == (5, "Great match.")


@pytest.mark.parametrize("side", ["mentor", "mentee"])
def test_either_side_can_end(mentorship, side, request):
    person = request.getfixturevalue(side)

    ended = end_mentorship(mentorship, by=person, reason="circumstances")

    assert ended.status == Mentorship.Status.ENDED
    assert ended.ended_by == person


def test_end_frees_the_mentors_place(mentorship, mentor, mentor_profile):
    assert places_taken(mentor_profile) == 1

    end_mentorship(mentorship, by=mentor, reason="not_a_fit")

    assert places_taken(mentor_profile) == 0


def test_end_after_accept_gives_the_place_back(pending, mentor, mentor_profile):
    accept_request(pending, by=mentor)
    assert places_taken(mentor_profile) == 1

    end_mentorship(pending.mentorship, by=mentor, reason="achieved")

    assert places_taken(mentor_profile) == 0


def test_end_twice_returns_the_mentorship_unchanged(mentorship, mentee, mentor, mentor_profile):
    first = end_mentorship(mentorship, by=mentee, reason="achieved")

    second = end_mentorship(mentorship, by=mentor, reason="other")

    assert (second.ended_by, second.end_reason) == (mentee, "achieved")
    assert second.ended_at == first.ended_at
    assert places_taken(mentor_profile) == 0  # not decremented twice


def test_end_refused_to_a_stranger(mentorship, stranger, mentor_profile):
    with pytest.raises(MatchingError) as exc:
        end_mentorship(mentorship, by=stranger, reason="achieved")

    assert str(exc.value) == "Only the mentor or the mentee can end this mentorship."
    mentorship.refresh_from_db()
    assert mentorship.is_active
    assert places_taken(mentor_profile) == 1


def test_end_refused_without_a_valid_reason(mentorship, mentee, mentor_profile):
    with pytest.raises(MatchingError) as exc:
        end_mentorship(mentorship, by=mentee, reason="")

    assert str(exc.value) == "Please choose a reason."
    mentorship.refresh_from_db()
    assert mentorship.is_active
    assert places_taken(mentor_profile) == 1


def test_after_the_end_the_mentee_may_approach_the_same_mentor_again(mentorship, mentee, mentor):
    end_mentorship(mentorship, by=mentee, reason="circumstances")

    req = send_request(mentee=mentee, mentor=mentor, message=MESSAGE)

    assert req.is_pending


def test_ending_cancels_meetings_still_planned(mentorship, mentee):
    planned = Meeting.objects.create(
        mentorship=mentorship,
        starts_at=timezone.now() + timedelta(days=3),
        time_zone="Europe/London",
        duration_minutes=60,
        created_by=mentee,
    )

    end_mentorship(mentorship, by=mentee, reason="achieved")

    planned.refresh_from_db()
    assert planned.status == Meeting.Status.CANCELLED
    assert planned.sequence == 1  # calendar apps see the change
