"""A mentorship starts one way, whether the mentor accepts or the scheme team matches the pair."""

from __future__ import annotations

import pytest

from matching.models import Mentorship, MentorshipRequest, StatusChange
from matching.services import accept_request, create_mentorship
from tests.factories import MentorshipRequestFactory
from tests.writers import creators_of

pytestmark = pytest.mark.django_db


def _trail(req: MentorshipRequest) -> tuple:
    """What starting the pair left behind, apart from who did it."""
    req.refresh_from_db()
    mentorship = Mentorship.objects.get(request=req)
    history = StatusChange.objects.filter(request=req) | StatusChange.objects.filter(
        mentorship=mentorship
    )
    return (
        req.status,
        mentorship.status,
        mentorship.started_at == req.responded_at,
        sorted(history.values_list("from_status", "to_status")),
        req.mentor.mentor_profile.mentee_count,
    )


def test_acceptance_and_central_matching_start_a_pair_alike(admin_user):
    accepted, matched = MentorshipRequestFactory(), MentorshipRequestFactory()

    accept_request(accepted, by=accepted.mentor)
    create_mentorship(mentor=matched.mentor, mentee=matched.mentee, by=admin_user)

    assert (
        _trail(matched)
        == _trail(accepted)
        == (
            "accepted",
            "active",
            True,
            [("", "active"), ("pending", "accepted")],
            1,
        )
    )


def test_only_the_start_step_creates_mentorships():
    # The demo's showcase pair is written as history, with its start 75 days back.
    assert creators_of(Mentorship) == [
        "matching.services:_start_mentorship",
        "mentoring.demo.showcase:give_demo_pair",
    ]
