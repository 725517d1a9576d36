from __future__ import annotations

import pytest
from django.urls import reverse

from matching.models import Mentorship, MentorshipRequest
from matching.services import MatchingError, decline_request, withdraw_request
from tests.factories import (
    MentorshipRequestFactory,
)
from tests.support import messages_of, text_of

pytestmark = pytest.mark.django_db
Status = MentorshipRequest.Status


def test_decline_records_the_reason_and_message(pending, mentor):
    decline_request(pending, by=mentor, reason="not_my_area", message="  Try Priya in audit.  ")

    pending.refresh_from_db()
    assert pending.status == Status.DECLINED
    assert pending.decline_reason == "not_my_area"
    assert pending.response_message == "Try Priya in audit."
    assert pending.responded_at is not None


def test_decline_without_a_message_is_fine(pending, mentor):
    req = decline_request(pending, by=mentor, reason="full")

    assert req.status == Status.DECLINED
    assert req.response_message == ""


def test_decline_does_not_create_a_mentorship_or_take_a_place(pending, mentor, mentor_profile):
    decline_request(pending, by=mentor, reason="full")

    mentor_profile.refresh_from_db()
    assert mentor_profile.mentee_count == 0
    assert not Mentorship.objects.exists()


def test_decline_twice_returns_the_request_unchanged(pending, mentor):
    first = decline_request(pending, by=mentor, reason="full", message="Sorry.")

    second = decline_request(pending, by=mentor, reason="other", message="Changed my mind.")

    assert second.pk == first.pk
    assert (second.decline_reason, second.response_message) == ("full", "Sorry.")
    assert second.responded_at == first.responded_at


def test_decline_refused_to_the_mentee(pending, mentee):
    with pytest.raises(MatchingError) as exc:
        decline_request(pending, by=mentee, reason="full")

    assert str(exc.value) == "Only the mentor can decline this request."
    pending.refresh_from_db()
    assert pending.is_pending


def test_decline_refused_to_a_stranger(pending, stranger):
    with pytest.raises(MatchingError) as exc:
        decline_request(pending, by=stranger, reason="full")

    assert str(exc.value) == "Only the mentor can decline this request."


def test_decline_refused_without_a_valid_reason(pending, mentor):
    with pytest.raises(MatchingError) as exc:
        decline_request(pending, by=mentor, reason="bored")

    assert str(exc.value) == "Please choose a reason."
    pending.refresh_from_db()
    assert pending.is_pending


def test_decline_of_a_withdrawn_request_is_refused(pending, mentor, mentee):
    withdraw_request(pending, by=mentee)

    with pytest.raises(MatchingError) as exc:
        decline_request(pending, by=mentor, reason="full")

    assert str(exc.value) == "This request is no longer waiting for an answer: it was withdrawn."


@pytest.mark.parametrize("closed", ["accepted", "expired"])
def test_decline_of_a_closed_request_is_refused(mentee_profile, mentor_profile, closed):
    req = MentorshipRequestFactory(
        mentee=mentee_profile.user, mentor=mentor_profile.user, **{closed: True}
    )

    with pytest.raises(MatchingError) as exc:
        decline_request(req, by=mentor_profile.user, reason="full")

    assert str(exc.value) == f"This request is no longer waiting for an answer: it was {closed}."
    req.refresh_from_db()
    assert req.status == closed


# Through the page


def test_decline_without_a_reason_shows_the_error(client_for, pending, mentor):
    response = client_for(mentor).post(
        reverse("matching:request-decline", args=[pending.pk]), {"message": "Sorry, not now."}
    )

    assert response.status_code == 200
    assert response.context["decline_form"].errors["reason"] == [
        "Please choose a reason; the mentee will see it."
    ]
    assert "Please choose a reason; the mentee will see it." in text_of(response)
    assert "Sorry, not now.</textarea>" in text_of(response)
    # The error summary's link leads to the first choice (a radio group has no single input).
    assert '<a href="#id_reason_0">' in text_of(response)
    pending.refresh_from_db()
    assert pending.is_pending


def test_decline_with_a_reason_returns_to_the_request(client_for, pending, mentor):
    response = client_for(mentor).post(
        reverse("matching:request-decline", args=[pending.pk]), {"reason": "full"}
    )

    pending.refresh_from_db()
    assert response["Location"] == pending.get_absolute_url()
    assert pending.status == Status.DECLINED
    assert messages_of(response) == [
        "You have declined Maya Mentee's request. Thank you for answering."
    ]


def test_the_mentee_cannot_decline_their_own_request(client_for, pending, mentee):
    response = client_for(mentee).post(
        reverse("matching:request-decline", args=[pending.pk]), {"reason": "full"}
    )

    assert messages_of(response) == ["Only the mentor can decline this request."]
    pending.refresh_from_db()
    assert pending.is_pending
