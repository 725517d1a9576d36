"""Central matching: an administrator pairs a mentor and a mentee directly."""

from __future__ import annotations

import pytest

from matching.models import Mentorship, MentorshipRequest
from matching.services import MatchingError, create_mentorship
from tests.factories import (
    MentorProfileFactory,
    MentorshipFactory,
    MentorshipRequestFactory,
)

pytestmark = pytest.mark.django_db
Status = MentorshipRequest.Status


def test_create_pairs_them_and_records_the_administrator(
    mentor_profile, mentee_profile, admin_user
):
    mentorship = create_mentorship(
        mentor=mentor_profile.user, mentee=mentee_profile.user, by=admin_user
    )

    assert (mentorship.mentor, mentorship.mentee) == (mentor_profile.user, mentee_profile.user)
    assert mentorship.is_active
    assert mentorship.created_by == admin_user
    assert mentorship.request is None


def test_create_takes_one_of_the_mentors_places(mentor_profile, mentee_profile, admin_user):
    create_mentorship(mentor=mentor_profile.user, mentee=mentee_profile.user, by=admin_user)

    mentor_profile.refresh_from_db()
    assert mentor_profile.mentee_count == 1


def test_create_accepts_the_pairs_pending_request(pending, admin_user):
    mentorship = create_mentorship(mentor=pending.mentor, mentee=pending.mentee, by=admin_user)

    pending.refresh_from_db()
    assert pending.status == Status.ACCEPTED
    assert mentorship.request == pending


def test_create_at_the_active_limit_closes_the_mentees_other_requests(
    set_scheme, settings, mentor_profile, mentee_profile, admin_user
):
    set_scheme(max_active_mentorships=1)
    other = MentorshipRequestFactory(mentee=mentee_profile.user)

    create_mentorship(mentor=mentor_profile.user, mentee=mentee_profile.user, by=admin_user)

    other.refresh_from_db()
    assert (other.status, other.close_reason) == (Status.CLOSED, "matched_elsewhere")
    assert other.closing_note == "The mentee has been matched with a mentor."


def test_create_refused_for_a_switched_off_mentor(mentee_profile, admin_user):
    # Switched off means "not taking new mentees": the scheme team does not give them one
    # either (they switch it back on, or are asked to, first).
    profile = MentorProfileFactory(is_active=False, user__full_name="Toby Ward")

    with pytest.raises(MatchingError) as exc:
        create_mentorship(mentor=profile.user, mentee=mentee_profile.user, by=admin_user)

    assert str(exc.value) == "Toby Ward is not taking new mentees at the moment."
    assert not Mentorship.objects.exists()


def test_create_refused_with_yourself(mentee_profile, admin_user):
    MentorProfileFactory(user=mentee_profile.user)

    with pytest.raises(MatchingError) as exc:
        create_mentorship(mentor=mentee_profile.user, mentee=mentee_profile.user, by=admin_user)

    assert str(exc.value) == "A person cannot mentor themselves."
    assert not Mentorship.objects.exists()


def test_create_refused_when_the_mentor_has_no_mentor_profile(mentee_profile, stranger, admin_user):
    with pytest.raises(MatchingError) as exc:
        create_mentorship(mentor=stranger, mentee=mentee_profile.user, by=admin_user)

    assert str(exc.value) == "Sasha Stranger is not a mentor in the scheme."


def test_create_refused_when_the_mentee_has_no_mentee_profile(mentor_profile, mentee, admin_user):
    with pytest.raises(MatchingError) as exc:
        create_mentorship(mentor=mentor_profile.user, mentee=mentee, by=admin_user)

    assert str(exc.value) == "Maya Mentee has no mentee profile yet."
    assert not Mentorship.objects.exists()


@pytest.mark.parametrize("status", ["draft", "submitted", "changes_requested"])
def test_create_refused_when_the_mentor_is_not_approved(mentee_profile, admin_user, mentor, status):
    MentorProfileFactory(user=mentor, review_status=status)

    with pytest.raises(MatchingError) as exc:
        create_mentorship(mentor=mentor, mentee=mentee_profile.user, by=admin_user)

    assert str(exc.value) == "Daniel Mentor's mentor profile is not approved."


def test_create_refused_when_they_are_already_paired(mentorship, admin_user):
    with pytest.raises(MatchingError) as exc:
        create_mentorship(mentor=mentorship.mentor, mentee=mentorship.mentee, by=admin_user)

    assert str(exc.value) == "Daniel Mentor already mentors Maya Mentee."
    assert Mentorship.objects.count() == 1


def test_create_refused_when_the_mentor_is_full(mentor_profile, mentee_profile, admin_user):
    MentorshipFactory(mentor=mentor_profile.user)
    MentorshipFactory(mentor=mentor_profile.user)

    with pytest.raises(MatchingError) as exc:
        create_mentorship(mentor=mentor_profile.user, mentee=mentee_profile.user, by=admin_user)

    assert str(exc.value) == "Daniel Mentor has no free place."
    mentor_profile.refresh_from_db()
    assert mentor_profile.mentee_count == 2


def test_create_refused_when_the_mentee_has_a_mentor(
    set_scheme, settings, mentor_profile, mentee_profile, admin_user
):
    set_scheme(max_active_mentorships=1)
    MentorshipFactory(mentee=mentee_profile.user)

    with pytest.raises(MatchingError) as exc:
        create_mentorship(mentor=mentor_profile.user, mentee=mentee_profile.user, by=admin_user)

    assert str(exc.value) == "Maya Mentee already has a mentor in Mentoring scheme."


def test_a_refused_create_leaves_the_pending_request_pending(pending, admin_user, mentor):
    MentorshipFactory(mentor=mentor)
    MentorshipFactory(mentor=mentor)

    with pytest.raises(MatchingError):
        create_mentorship(mentor=pending.mentor, mentee=pending.mentee, by=admin_user)

    pending.refresh_from_db()
    assert pending.is_pending


def test_create_pairs_a_mentee_below_a_higher_active_limit(
    set_scheme, settings, admin_user, mentee_profile
):
    set_scheme(max_active_mentorships=2)
    MentorshipFactory(mentee=mentee_profile.user)

    mentorship = create_mentorship(
        mentor=MentorProfileFactory().user, mentee=mentee_profile.user, by=admin_user
    )

    assert Mentorship.objects.active().filter(mentee=mentee_profile.user).count() == 2
    assert mentorship.is_active
