from __future__ import annotations

import pytest
from django.urls import reverse

from matching.models import MentorshipRequest
from matching.services import MatchingError, accept_request, send_request, withdraw_request
from tests.factories import (
    MentorProfileFactory,
    MentorshipRequestFactory,
)
from tests.matching.conftest import MESSAGE
from tests.support import messages_of

pytestmark = pytest.mark.django_db
Status = MentorshipRequest.Status


def test_withdraw_closes_the_request(pending, mentee):
    withdraw_request(pending, by=mentee)

    pending.refresh_from_db()
    assert pending.status == Status.WITHDRAWN
    assert pending.withdrawn_at is not None
    assert pending.responded_at is None


def test_withdraw_twice_returns_the_request_unchanged(pending, mentee):
    first = withdraw_request(pending, by=mentee)

    second = withdraw_request(pending, by=mentee)

    assert second.pk == first.pk
    assert second.status == Status.WITHDRAWN
    assert second.withdrawn_at == first.withdrawn_at


def test_withdraw_refused_to_the_mentor(pending, mentor):
    with pytest.raises(MatchingError) as exc:
        withdraw_request(pending, by=mentor)

    assert str(exc.value) == "Only the mentee can withdraw this request."
    pending.refresh_from_db()
    assert pending.is_pending


def test_withdraw_refused_to_a_stranger(pending, stranger):
    with pytest.raises(MatchingError) as exc:
        withdraw_request(pending, by=stranger)

    assert str(exc.value) == "Only the mentee can withdraw this request."


def test_withdraw_of_an_accepted_request_is_refused(pending, mentor, mentee):
    accept_request(pending, by=mentor)

    with pytest.raises(MatchingError) as exc:
        withdraw_request(pending, by=mentee)

    assert str(exc.value) == "This request is no longer waiting for an answer: it was accepted."
    pending.refresh_from_db()
    assert pending.status == Status.ACCEPTED


@pytest.mark.parametrize("closed", ["declined", "expired"])
def test_withdraw_of_a_closed_request_is_refused(mentee_profile, mentor_profile, closed):
    req = MentorshipRequestFactory(
        mentee=mentee_profile.user, mentor=mentor_profile.user, **{closed: True}
    )

    with pytest.raises(MatchingError) as exc:
        withdraw_request(req, by=mentee_profile.user)

    assert str(exc.value) == f"This request is no longer waiting for an answer: it was {closed}."


def test_withdraw_frees_a_slot_under_the_pending_limit(set_scheme, settings, mentee_profile):
    set_scheme(max_pending_requests=1)
    req = MentorshipRequestFactory(mentee=mentee_profile.user)
    withdraw_request(req, by=mentee_profile.user)

    # Another mentor: the same one is refused for a while after a withdrawal
    # (test_request_limits.py).
    again = send_request(
        mentee=mentee_profile.user, mentor=MentorProfileFactory().user, message=MESSAGE
    )

    assert again.is_pending
    assert again.pk != req.pk


# Through the page


def test_withdraw_returns_to_the_request(client_for, pending, mentee):
    response = client_for(mentee).post(reverse("matching:request-withdraw", args=[pending.pk]))

    pending.refresh_from_db()
    assert response["Location"] == pending.get_absolute_url()
    assert pending.status == Status.WITHDRAWN
    assert messages_of(response) == ["You have withdrawn your request to Daniel Mentor."]


def test_withdraw_after_an_accept_explains_why_not(client_for, pending, mentee, mentor):
    client_for(mentor).post(reverse("matching:request-accept", args=[pending.pk]))

    response = client_for(mentee).post(reverse("matching:request-withdraw", args=[pending.pk]))

    assert messages_of(response) == [
        "This request is no longer waiting for an answer: it was accepted."
    ]
