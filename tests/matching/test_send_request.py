from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from matching.models import MentorshipRequest
from matching.services import MatchingError, send_request
from tests.factories import (
    MenteeProfileFactory,
    MentorProfileFactory,
    MentorshipFactory,
    MentorshipRequestFactory,
    UserFactory,
)
from tests.matching.conftest import MESSAGE

pytestmark = pytest.mark.django_db


def test_send_creates_a_pending_request(mentee_profile, mentor_profile):
    req = send_request(mentee=mentee_profile.user, mentor=mentor_profile.user, message=MESSAGE)

    assert req.status == MentorshipRequest.Status.PENDING
    assert (req.mentee, req.mentor) == (mentee_profile.user, mentor_profile.user)
    assert req.message == MESSAGE
    assert req.responded_at is None


def test_send_strips_the_message(mentee_profile, mentor_profile):
    req = send_request(
        mentee=mentee_profile.user, mentor=mentor_profile.user, message=f"  {MESSAGE}\n\n"
    )

    assert req.message == MESSAGE


def test_send_does_not_take_a_place(mentee_profile, mentor_profile):
    send_request(mentee=mentee_profile.user, mentor=mentor_profile.user, message=MESSAGE)

    mentor_profile.refresh_from_db()
    assert mentor_profile.mentee_count == 0


def test_send_refused_without_a_mentee_profile(mentee, mentor_profile):
    with pytest.raises(MatchingError) as exc:
        send_request(mentee=mentee, mentor=mentor_profile.user, message=MESSAGE)

    assert str(exc.value) == "Please create your mentee profile before you approach a mentor."
    assert not MentorshipRequest.objects.exists()


def test_send_refused_to_yourself(mentee_profile):
    MentorProfileFactory(user=mentee_profile.user)
    me = mentee_profile.user

    with pytest.raises(MatchingError) as exc:
        send_request(mentee=me, mentor=me, message=MESSAGE)

    assert str(exc.value) == "You cannot send a request to yourself."
    assert not MentorshipRequest.objects.exists()


def test_send_refused_to_someone_who_is_not_a_mentor(mentee_profile, stranger):
    with pytest.raises(MatchingError) as exc:
        send_request(mentee=mentee_profile.user, mentor=stranger, message=MESSAGE)

    assert str(exc.value) == "Sasha Stranger is not a mentor in the scheme."


@pytest.mark.parametrize(
    "unlisted",
    [
        {"review_status": "draft"},
        {"review_status": "submitted"},
        {"review_status": "changes_requested"},
        {"is_active": False},
        {"user__is_active": False},
    ],
    ids=["draft", "submitted", "changes-requested", "switched-off", "account-closed"],
)
def test_send_refused_when_mentor_is_not_approved_and_active(mentee_profile, unlisted):
    profile = MentorProfileFactory(user__full_name="Una Listed", **unlisted)

    with pytest.raises(MatchingError) as exc:
        send_request(mentee=mentee_profile.user, mentor=profile.user, message=MESSAGE)

    assert str(exc.value) == "Una Listed is not taking new mentees at the moment."
    assert not MentorshipRequest.objects.exists()


def test_send_refused_when_mentor_is_full(mentee_profile, mentor_profile):
    MentorshipFactory(mentor=mentor_profile.user)
    MentorshipFactory(mentor=mentor_profile.user)

    with pytest.raises(MatchingError) as exc:
        send_request(mentee=mentee_profile.user, mentor=mentor_profile.user, message=MESSAGE)

    assert str(exc.value) == (
        "Daniel Mentor has no free place at the moment. Please approach another mentor."
    )
    assert not MentorshipRequest.objects.filter(mentee=mentee_profile.user).exists()


def test_send_refused_when_a_request_to_this_mentor_is_pending(mentee_profile, pending):
    with pytest.raises(MatchingError) as exc:
        send_request(
            mentee=mentee_profile.user, mentor=pending.mentor, message=f"A new wording. {MESSAGE}"
        )

    assert str(exc.value) == "You already have a request waiting for Daniel Mentor's answer."
    assert MentorshipRequest.objects.count() == 1


def test_send_of_the_same_message_twice_returns_the_first_request(mentee_profile, mentor_profile):
    first = send_request(mentee=mentee_profile.user, mentor=mentor_profile.user, message=MESSAGE)

    second = send_request(mentee=mentee_profile.user, mentor=mentor_profile.user, message=MESSAGE)

    assert second.pk == first.pk
    assert MentorshipRequest.objects.count() == 1


def test_send_refused_when_mentor_is_already_your_mentor(mentee_profile, mentorship):
    with pytest.raises(MatchingError) as exc:
        send_request(mentee=mentee_profile.user, mentor=mentorship.mentor, message=MESSAGE)

    assert str(exc.value) == "Daniel Mentor is already your mentor."


def test_send_allowed_again_once_a_decline_is_old_enough(settings, mentee_profile, mentor_profile):
    days = settings.REQUEST_COOLDOWN_AFTER_DECLINE_DAYS
    MentorshipRequestFactory(
        mentee=mentee_profile.user,
        mentor=mentor_profile.user,
        declined=True,
        created_at=timezone.now() - timedelta(days=days + 2),
        responded_at=timezone.now() - timedelta(days=days),
    )

    req = send_request(mentee=mentee_profile.user, mentor=mentor_profile.user, message=MESSAGE)

    assert req.is_pending
    assert MentorshipRequest.objects.filter(mentee=mentee_profile.user).count() == 2


def test_send_refused_at_the_pending_limit(set_scheme, settings, mentee_profile):
    set_scheme(max_pending_requests=3)
    for _ in range(3):
        MentorshipRequestFactory(mentee=mentee_profile.user)
    fourth = MentorProfileFactory()

    with pytest.raises(MatchingError) as exc:
        send_request(mentee=mentee_profile.user, mentor=fourth.user, message=MESSAGE)

    assert str(exc.value) == (
        "You already have 3 requests waiting for an answer. Withdraw one, or wait for a reply, "
        "before you approach another mentor."
    )
    assert not MentorshipRequest.objects.filter(mentor=fourth.user).exists()


def test_pending_limit_follows_the_setting(set_scheme, settings, mentee_profile):
    set_scheme(max_pending_requests=1)
    MentorshipRequestFactory(mentee=mentee_profile.user)

    with pytest.raises(MatchingError) as exc:
        send_request(
            mentee=mentee_profile.user, mentor=MentorProfileFactory().user, message=MESSAGE
        )

    assert str(exc.value) == (
        "You already have 1 request waiting for an answer. Withdraw one, or wait for a reply, "
        "before you approach another mentor."
    )


def test_closed_requests_do_not_count_towards_the_pending_limit(
    set_scheme, settings, mentee_profile
):
    set_scheme(max_pending_requests=1)
    MentorshipRequestFactory(mentee=mentee_profile.user, declined=True)
    MentorshipRequestFactory(mentee=mentee_profile.user, withdrawn=True)
    MentorshipRequestFactory(mentee=mentee_profile.user, expired=True)

    req = send_request(
        mentee=mentee_profile.user, mentor=MentorProfileFactory().user, message=MESSAGE
    )

    assert req.is_pending


def test_send_refused_at_the_active_mentorship_limit(
    set_scheme, settings, mentee_profile, mentorship
):
    set_scheme(max_active_mentorships=1)
    other = MentorProfileFactory()

    with pytest.raises(MatchingError) as exc:
        send_request(mentee=mentee_profile.user, mentor=other.user, message=MESSAGE)

    assert str(exc.value) == (
        "You already have a mentor. End that mentorship before you approach another."
    )


def test_send_refused_at_a_higher_active_mentorship_limit(
    set_scheme, settings, mentee_profile, mentorship
):
    set_scheme(max_active_mentorships=2)
    MentorshipFactory(mentee=mentee_profile.user)

    with pytest.raises(MatchingError) as exc:
        send_request(
            mentee=mentee_profile.user, mentor=MentorProfileFactory().user, message=MESSAGE
        )

    assert str(exc.value) == (
        "You already have 2 mentors. End one of those mentorships before you approach another."
    )


def test_send_allowed_below_a_higher_active_mentorship_limit(
    set_scheme, settings, mentee_profile, mentorship
):
    set_scheme(max_active_mentorships=2)

    req = send_request(
        mentee=mentee_profile.user, mentor=MentorProfileFactory().user, message=MESSAGE
    )

    assert req.is_pending


def test_an_ended_mentorship_does_not_count_towards_the_limit(set_scheme, settings, mentee_profile):
    set_scheme(max_active_mentorships=1)
    MentorshipFactory(mentee=mentee_profile.user, ended=True)

    req = send_request(
        mentee=mentee_profile.user, mentor=MentorProfileFactory().user, message=MESSAGE
    )

    assert req.is_pending


def test_a_mentor_who_is_also_a_mentee_can_approach_another_mentor():
    both = MentorProfileFactory(user=MenteeProfileFactory().user).user
    other = MentorProfileFactory().user

    req = send_request(mentee=both, mentor=other, message=MESSAGE)

    assert (req.mentee, req.mentor) == (both, other)


def test_a_user_without_any_profile_is_told_to_create_the_mentee_profile(mentor_profile):
    nobody = UserFactory()

    with pytest.raises(MatchingError) as exc:
        send_request(mentee=nobody, mentor=mentor_profile.user, message=MESSAGE)

    assert "create your mentee profile" in str(exc.value)
