from __future__ import annotations

import pytest
from django.urls import reverse

from matching.models import Mentorship, MentorshipRequest
from matching.services import MatchingError, accept_request, withdraw_request
from profiles.models import MentorProfile
from tests.factories import (
    MentorProfileFactory,
    MentorshipFactory,
    MentorshipRequestFactory,
)
from tests.support import messages_of, places_taken, text_of

pytestmark = pytest.mark.django_db
Status = MentorshipRequest.Status


def test_accept_marks_the_request_accepted(pending, mentor):
    req = accept_request(pending, by=mentor)

    req.refresh_from_db()
    assert req.status == Status.ACCEPTED
    assert req.responded_at is not None


def test_accept_creates_the_mentorship(pending, mentor, mentee):
    req = accept_request(pending, by=mentor)

    mentorship = Mentorship.objects.get()
    assert (mentorship.mentor, mentorship.mentee) == (mentor, mentee)
    assert mentorship.request == req
    assert mentorship.is_active
    assert mentorship.started_at == req.responded_at
    assert mentorship.created_by is None


def test_accept_takes_one_of_the_mentors_places(pending, mentor, mentor_profile):
    accept_request(pending, by=mentor)

    assert places_taken(mentor_profile) == 1


def test_accept_twice_returns_the_request_unchanged(pending, mentor, mentor_profile):
    first = accept_request(pending, by=mentor)

    second = accept_request(pending, by=mentor)

    assert second.pk == first.pk
    assert second.status == Status.ACCEPTED
    assert second.responded_at == first.responded_at
    assert Mentorship.objects.count() == 1
    assert places_taken(mentor_profile) == 1


def test_accept_refused_to_the_mentee(pending, mentee):
    with pytest.raises(MatchingError) as exc:
        accept_request(pending, by=mentee)

    assert str(exc.value) == "Only the mentor can accept this request."
    pending.refresh_from_db()
    assert pending.is_pending


def test_accept_refused_to_a_stranger(pending, stranger):
    with pytest.raises(MatchingError) as exc:
        accept_request(pending, by=stranger)

    assert str(exc.value) == "Only the mentor can accept this request."
    assert not Mentorship.objects.exists()


def test_accept_of_a_withdrawn_request_is_refused(pending, mentor, mentee, mentor_profile):
    withdraw_request(pending, by=mentee)

    with pytest.raises(MatchingError) as exc:
        accept_request(pending, by=mentor)

    assert str(exc.value) == ("This request is no longer waiting for an answer: it was withdrawn.")
    assert not Mentorship.objects.exists()
    assert places_taken(mentor_profile) == 0


@pytest.mark.parametrize("closed", ["declined", "expired"])
def test_accept_of_a_closed_request_is_refused(mentee_profile, mentor_profile, closed):
    req = MentorshipRequestFactory(
        mentee=mentee_profile.user, mentor=mentor_profile.user, **{closed: True}
    )

    with pytest.raises(MatchingError) as exc:
        accept_request(req, by=mentor_profile.user)

    assert str(exc.value) == f"This request is no longer waiting for an answer: it was {closed}."
    assert not Mentorship.objects.exists()


def test_accept_refused_when_the_mentor_is_full(pending, mentor, mentor_profile):
    MentorshipFactory(mentor=mentor)
    MentorshipFactory(mentor=mentor)

    with pytest.raises(MatchingError) as exc:
        accept_request(pending, by=mentor)

    assert str(exc.value) == (
        "You have no free place: you mentor 2 of 2. End a mentorship or raise your number of "
        "places first."
    )
    pending.refresh_from_db()
    assert pending.is_pending
    assert places_taken(mentor_profile) == 2


def test_accept_refused_when_the_mentee_found_a_mentor_meanwhile(
    set_scheme, settings, pending, mentor, mentee
):
    set_scheme(max_active_mentorships=1)
    MentorshipFactory(mentee=mentee)

    with pytest.raises(MatchingError) as exc:
        accept_request(pending, by=mentor)

    assert str(exc.value) == "Maya Mentee has found a mentor in the meantime."
    assert not Mentorship.objects.filter(mentor=mentor).exists()


def test_accept_at_the_active_limit_closes_the_mentees_other_requests(
    set_scheme, settings, pending, mentor, mentee
):
    set_scheme(max_active_mentorships=1)
    others = [MentorshipRequestFactory(mentee=mentee) for _ in range(2)]

    accept_request(pending, by=mentor)

    for other in others:
        other.refresh_from_db()
        # Closed by the scheme, not withdrawn by the mentee.
        assert other.status == Status.CLOSED
        assert other.close_reason == MentorshipRequest.CloseReason.MATCHED_ELSEWHERE
        assert other.closed_at is not None and other.withdrawn_at is None
        assert other.closing_note == "The mentee has been matched with a mentor."


def test_accept_at_the_active_limit_leaves_other_mentees_requests_alone(
    set_scheme, settings, pending, mentor
):
    set_scheme(max_active_mentorships=1)
    someone_elses = MentorshipRequestFactory()

    accept_request(pending, by=mentor)

    someone_elses.refresh_from_db()
    assert someone_elses.is_pending


def test_accept_below_the_active_limit_keeps_the_other_requests(
    set_scheme, settings, pending, mentor, mentee
):
    set_scheme(max_active_mentorships=2)
    other = MentorshipRequestFactory(mentee=mentee)

    accept_request(pending, by=mentor)

    other.refresh_from_db()
    assert other.is_pending


def test_the_last_free_place_can_be_taken(mentee_profile):
    profile = MentorProfileFactory(capacity=1)
    req = MentorshipRequestFactory(mentee=mentee_profile.user, mentor=profile.user)

    accept_request(req, by=profile.user)

    profile.refresh_from_db()
    assert (profile.mentee_count, profile.is_full) == (1, True)


def test_accept_works_while_the_mentor_is_switched_off(pending, mentor, mentor_profile):
    # Switching off hides a mentor from new mentees; requests already sent can still be answered.
    MentorProfile.objects.filter(pk=mentor_profile.pk).update(is_active=False)

    req = accept_request(pending, by=mentor)

    assert req.status == Status.ACCEPTED


# Through the page


def test_accept_opens_the_new_mentorship(client_for, pending, mentor):
    response = client_for(mentor).post(reverse("matching:request-accept", args=[pending.pk]))

    mentorship = Mentorship.objects.get()
    assert response["Location"] == mentorship.get_absolute_url()
    assert messages_of(response) == [
        "You are now Maya Mentee's mentor. They will arrange your first meeting."
    ]


def test_accept_when_full_returns_to_the_request_with_the_reason(client_for, pending, mentor):
    MentorshipFactory(mentor=mentor)
    MentorshipFactory(mentor=mentor)

    response = client_for(mentor).post(
        reverse("matching:request-accept", args=[pending.pk]), follow=True
    )

    assert response.redirect_chain == [(pending.get_absolute_url(), 302)]
    assert "You have no free place: you mentor 2 of 2." in text_of(response)


def test_the_mentee_cannot_accept_their_own_request(client_for, pending, mentee):
    response = client_for(mentee).post(reverse("matching:request-accept", args=[pending.pk]))

    assert response["Location"] == pending.get_absolute_url()
    assert messages_of(response) == ["Only the mentor can accept this request."]
    assert not Mentorship.objects.exists()
