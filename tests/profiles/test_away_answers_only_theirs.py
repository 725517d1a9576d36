"""Going away or hiding answers only the requests waiting for the mentor's own answer (an
informal pair the mentor recorded waits for the mentee, and is left alone), and keeping
requests waiting tells each mentee when the mentor is back and when the request now expires."""

from __future__ import annotations

from datetime import date

import pytest

from matching import availability, engagements
from matching.models import Engagement, MentorshipRequest
from matching.services import send_request
from mentoring.models import Outbox
from profiles.services import set_active
from tests.factories import MenteeProfileFactory, MentorProfileFactory, ProgrammeFactory
from tests.matching.conftest import MESSAGE

pytestmark = pytest.mark.django_db

BACK = date(2026, 3, 1)


@pytest.fixture(autouse=True)
def _clock(clock):
    return clock


@pytest.fixture
def staff_programme(db):
    return ProgrammeFactory(
        name="Staff mentoring",
        engagement_types=[Engagement.LONG_TERM, Engagement.INFORMAL],
        request_expiry_days=14,
    )


@pytest.fixture
def mentor(staff_programme):
    return MentorProfileFactory(
        user__full_name="Owen Mentor", capacity=3, programmes=[staff_programme]
    )


@pytest.fixture
def requests(staff_programme, mentor):
    """One informal pair Owen recorded (Mia confirms it) and one long-term request Ned sent
    him (Owen answers it)."""
    mia = MenteeProfileFactory(
        user__full_name="Mia Mentee", user__email="mia@example.org", programmes=[staff_programme]
    ).user
    ned = MenteeProfileFactory(
        user__full_name="Ned O'Brien", user__email="ned@example.org", programmes=[staff_programme]
    ).user
    recorded = engagements.record_informal(
        by=mentor.user, programme=staff_programme, other_email=mia.email, my_role="mentor"
    )
    asked = send_request(mentee=ned, mentor=mentor.user, message=MESSAGE)
    return recorded, asked


def test_going_away_leaves_the_informal_pair_the_mentor_recorded(mentor, requests):
    recorded, asked = requests

    _, closed = availability.go_away(mentor.user, until=BACK, note="On leave")

    assert closed == 1
    recorded.refresh_from_db()
    asked.refresh_from_db()
    assert recorded.status == MentorshipRequest.Status.PENDING
    assert (asked.status, asked.close_reason) == (MentorshipRequest.Status.CLOSED, "mentor_away")
    closes = Outbox.objects.filter(kind="request_closed_mentor_away")
    assert [e.to_email for e in closes] == ["ned@example.org"]


def test_hiding_leaves_the_informal_pair_the_mentor_recorded(mentor, requests):
    recorded, asked = requests

    set_active(mentor, active=False)

    recorded.refresh_from_db()
    asked.refresh_from_db()
    assert recorded.status == MentorshipRequest.Status.PENDING
    assert asked.status == MentorshipRequest.Status.CLOSED
    assert list(
        Outbox.objects.filter(kind="request_closed_mentor_hidden").values_list(
            "to_email", flat=True
        )
    ) == ["ned@example.org"]


def test_keeping_requests_waiting_tells_each_mentee_once(mentor, requests):
    recorded, asked = requests

    availability.go_away(mentor.user, until=BACK, note="Back after my course", keep_waiting=True)
    availability.go_away(mentor.user, until=BACK, note="Back after my course", keep_waiting=True)

    recorded.refresh_from_db()
    asked.refresh_from_db()
    assert recorded.expires_after is None  # the mentee's to confirm: not moved
    assert asked.expires_after == availability.return_moment(BACK)
    email = Outbox.objects.get(kind="request_kept_waiting")
    assert email.to_email == "ned@example.org"
    assert email.subject == "Owen Mentor is away until 1 March: your request is still waiting"
    assert "away until 1 March 2026" in email.body_text
    assert "Back after my course" in email.body_text
    assert "stays open" in email.body_text
    assert "expires on 15 March 2026" in email.body_text  # 14 days after the return
    assert "Hello Ned," in email.body_text


def test_moving_the_return_date_tells_them_the_new_expiry(mentor, requests):
    availability.go_away(mentor.user, until=BACK, keep_waiting=True)
    availability.go_away(mentor.user, until=date(2026, 4, 1), keep_waiting=True)

    bodies = list(
        Outbox.objects.filter(kind="request_kept_waiting")
        .order_by("pk")
        .values_list("body_text", flat=True)
    )
    assert len(bodies) == 2
    assert "expires on 15 April 2026" in bodies[1]
