"""Joining, leaving and approval in a programme (profiles.services), and who may do each."""

from __future__ import annotations

import pytest

from matching.models import MentorshipRequest
from matching.services import send_request
from mentoring.models import Outbox
from profiles.models import Membership, MentorProfile
from profiles.services import (
    ProfileError,
    apply_to_be_matched,
    approve_membership,
    approve_profile,
    join_only_programme,
    join_programme,
    leave_programme,
    request_changes,
    submit_for_review,
)
from tests.factories import (
    ExpertiseAreaFactory,
    MenteeProfileFactory,
    MentorProfileFactory,
    ProgrammeFactory,
    UserFactory,
)
from tests.matching.conftest import MESSAGE

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return ProgrammeFactory(
        name="Professional staff mentoring",
        slug="staff",
        mentor_email_domains=["uni.example"],
        mentee_email_domains=["uni.example"],
        mentor_training_required=True,
    )


@pytest.fixture
def careers():
    return ProgrammeFactory(
        name="Alumni career mentoring", slug="careers", mentor_approval_required=True
    )


def _coordinator(*programmes):
    user = UserFactory(is_staff=True)
    for programme in programmes:
        programme.coordinators.add(user)
    return user


def test_a_mentee_takes_part_as_soon_as_they_join(careers):
    user = UserFactory()

    membership = join_programme(user=user, programme=careers, role="mentee")

    assert (membership.status, membership.approved_at is not None) == ("approved", True)


def test_a_mentor_waits_for_approval_where_the_programme_approves_mentors(careers):
    membership = join_programme(user=UserFactory(), programme=careers, role="mentor")

    assert membership.status == "pending"


def test_a_mentor_takes_part_at_once_where_the_programme_does_not_approve(careers):
    careers.mentor_approval_required = False
    careers.save()

    membership = join_programme(user=UserFactory(), programme=careers, role="mentor")

    assert membership.status == "approved"


@pytest.mark.parametrize("email", ["sam@uni.example", "sam@Staff.UNI.example"])
def test_an_address_in_the_programmes_domain_may_join(staff, email):
    membership = join_programme(user=UserFactory(email=email), programme=staff, role="mentee")

    assert membership.status == "approved"


def test_an_address_outside_the_programmes_domains_is_refused_with_the_reason(staff):
    with pytest.raises(ProfileError) as exc:
        join_programme(user=UserFactory(email="sam@gmail.example"), programme=staff, role="mentee")

    assert str(exc.value) == (
        "Professional staff mentoring is open to a mentee with an @uni.example email address. "
        "Add one to your account (Account, Email addresses) and try again."
    )
    assert not Membership.objects.filter(programme=staff).exists()


def test_an_invitation_opens_a_programme_by_invitation_or_domain(staff):
    staff.invitation_only = True
    staff.save()
    outsider = UserFactory(email="sam@gmail.example")

    with pytest.raises(ProfileError, match="is by invitation"):
        join_programme(user=UserFactory(email="kim@uni.example"), programme=staff, role="mentee")
    membership = join_programme(user=outsider, programme=staff, role="mentee", invited=True)

    assert membership.by_invitation


@pytest.mark.parametrize(
    ("status", "refusal"),
    [
        ("draft", "is not open"),
        ("archived", "is not open"),
        ("closed", "is not taking new members"),
    ],
)
def test_a_programme_not_open_takes_nobody(careers, status, refusal):
    careers.status = status
    careers.save()

    with pytest.raises(ProfileError, match=refusal):
        join_programme(user=UserFactory(), programme=careers, role="mentee")


def test_joining_twice_keeps_one_membership(careers):
    user = UserFactory()

    first = join_programme(user=user, programme=careers, role="mentee")
    second = join_programme(user=user, programme=careers, role="mentee")

    assert first.pk == second.pk
    assert Membership.objects.filter(user=user).count() == 1


def test_leaving_closes_the_mentees_waiting_requests_in_that_programme_only(careers):
    advice = ProgrammeFactory(name="Advice point", slug="advice")
    mentee = MenteeProfileFactory(programmes=[careers, advice]).user
    mentor = MentorProfileFactory(programmes=[careers, advice]).user
    here = send_request(mentee=mentee, mentor=mentor, message=MESSAGE, programme=careers)
    there = send_request(mentee=mentee, mentor=mentor, message=MESSAGE, programme=advice)
    membership = Membership.objects.get(user=mentee, programme=careers)

    leave_programme(membership, by=mentee)

    assert MentorshipRequest.objects.get(pk=here.pk).status == "withdrawn"
    assert MentorshipRequest.objects.get(pk=there.pk).status == "pending"
    membership.refresh_from_db()
    assert (membership.status, membership.left_at is not None) == ("left", True)


def test_a_mentor_who_leaves_closes_their_waiting_requests_kindly_without_a_wait(careers):
    advice = ProgrammeFactory(name="Advice point", slug="advice")
    mentee = MenteeProfileFactory(programmes=[careers, advice]).user
    mentor = MentorProfileFactory(programmes=[careers, advice], user=UserFactory()).user
    req = send_request(mentee=mentee, mentor=mentor, message=MESSAGE, programme=careers)

    leave_programme(
        Membership.objects.get(user=mentor, programme=careers, role="mentor"), by=mentor
    )

    req.refresh_from_db()
    assert (req.status, req.close_reason, req.closing_note) == (
        "closed",
        "mentor_left",
        f"{mentor.full_name} has stepped back from mentoring in Alumni career mentoring.",
    )
    [email] = Outbox.objects.filter(kind="request_closed_mentor_left")
    assert email.to_email == mentee.email
    assert "it does not stop you asking another mentor now" in email.body_text
    assert "?programme=careers" in email.body_text
    # No wait follows, as after a decline: the mentee may ask them in another programme.
    assert send_request(mentee=mentee, mentor=mentor, message=MESSAGE, programme=advice).is_pending
    assert MentorProfile.objects.get(user=mentor).programme_ids == [advice.pk]


def test_leaving_clears_the_application_to_be_matched(careers):
    mentee = MenteeProfileFactory(programmes=[careers]).user
    membership = Membership.objects.get(user=mentee, programme=careers)
    apply_to_be_matched(membership, application="Someone in finance")

    leave_programme(membership, by=mentee)

    membership.refresh_from_db()
    assert (membership.application, membership.applied_at) == ("", None)


def test_approving_an_approved_profile_lists_it_in_the_approvers_waiting_programmes(careers, staff):
    profile = MentorProfileFactory(
        programmes=[careers],
        user=UserFactory(email="ann@uni.example"),
        training_completed_on="2026-01-10",
    )
    join_programme(user=profile.user, programme=staff, role="mentor")

    approve_profile(profile, by=_coordinator(staff))

    assert Membership.objects.get(user=profile.user, programme=staff).status == "approved"
    [email] = Outbox.objects.filter(kind="membership_approved")
    assert email.subject == "You are a mentor in Professional staff mentoring"


def test_approving_a_membership_tells_the_mentor(careers):
    profile = MentorProfileFactory(programmes=[])
    membership = join_programme(user=profile.user, programme=careers, role="mentor")

    approve_membership(membership, by=_coordinator(careers))

    assert Outbox.objects.filter(kind="membership_approved", recipient=profile.user).count() == 1


def test_asking_for_changes_is_refused_to_a_coordinator_of_one_of_the_mentors_programmes(
    careers, staff
):
    profile = MentorProfileFactory(
        programmes=[careers, staff], user=UserFactory(email="ann@uni.example")
    )

    with pytest.raises(ProfileError) as exc:
        request_changes(profile, by=_coordinator(staff), message="Add your job history.")

    assert "mentors in Alumni career mentoring too, which you do not coordinate" in str(exc.value)
    profile.refresh_from_db()
    assert profile.review_status == "approved"
    request_changes(profile, by=_coordinator(staff, careers), message="Add your job history.")


def test_only_the_member_leaves(careers):
    membership = join_programme(user=UserFactory(), programme=careers, role="mentee")

    with pytest.raises(ProfileError):
        leave_programme(membership, by=UserFactory())


def test_a_person_who_left_may_join_again(careers):
    user = UserFactory()
    membership = join_programme(user=user, programme=careers, role="mentee")
    leave_programme(membership, by=user)

    again = join_programme(user=user, programme=careers, role="mentee")

    assert (again.pk, again.status, again.left_at) == (membership.pk, "approved", None)


def test_a_coordinator_approves_a_mentor_in_their_programme_and_they_are_listed(careers):
    profile = MentorProfileFactory(programmes=[])
    membership = join_programme(user=profile.user, programme=careers, role="mentor")

    approve_membership(membership, by=_coordinator(careers))

    profile.refresh_from_db()
    assert profile.programme_ids == [careers.pk]
    assert MentorProfile.objects.listed().in_programme(careers).filter(pk=profile.pk).exists()


def test_a_coordinator_of_another_programme_cannot_approve(careers, staff):
    profile = MentorProfileFactory(programmes=[])
    membership = join_programme(user=profile.user, programme=careers, role="mentor")

    with pytest.raises(ProfileError, match="You do not coordinate Alumni career mentoring"):
        approve_membership(membership, by=_coordinator(staff))

    membership.refresh_from_db()
    assert membership.status == "pending"


def test_a_programme_that_requires_training_refuses_an_untrained_mentor(staff):
    profile = MentorProfileFactory(
        programmes=[], user=UserFactory(email="ann@uni.example"), training_completed_on=None
    )
    membership = join_programme(user=profile.user, programme=staff, role="mentor")

    with pytest.raises(ProfileError, match="has not completed mentor training yet"):
        approve_membership(membership, by=_coordinator(staff))


def test_approving_a_profile_approves_its_memberships_in_the_approvers_programmes_only(
    careers, staff
):
    profile = MentorProfileFactory(
        programmes=[],
        review_status="submitted",
        user=UserFactory(email="ann@uni.example"),
        training_completed_on="2026-01-10",
    )
    join_programme(user=profile.user, programme=careers, role="mentor")
    join_programme(user=profile.user, programme=staff, role="mentor")

    approve_profile(profile, by=_coordinator(careers))

    statuses = dict(
        Membership.objects.filter(user=profile.user).values_list("programme__slug", "status")
    )
    assert statuses == {"careers": "approved", "staff": "pending"}


def test_a_profile_goes_live_on_submission_when_none_of_its_programmes_reviews(careers):
    careers.mentor_approval_required = False
    careers.save()
    profile = MentorProfileFactory(programmes=[], review_status="draft", submitted_at=None)
    join_programme(user=profile.user, programme=careers, role="mentor")

    with pytest.raises(ProfileError):
        submit_for_review(profile)  # no areas yet: the usual check still applies
    profile.areas.add(ExpertiseAreaFactory())
    profile = submit_for_review(MentorProfile.objects.get(pk=profile.pk))

    assert profile.review_status == "approved"


def test_a_profile_waits_for_review_when_one_of_its_programmes_reviews(careers):
    profile = MentorProfileFactory(programmes=[], review_status="draft", submitted_at=None)
    profile.areas.add(ExpertiseAreaFactory())
    join_programme(user=profile.user, programme=careers, role="mentor")

    profile = submit_for_review(profile)

    assert profile.review_status == "submitted"


def test_with_one_open_programme_a_new_profile_joins_it(careers):
    user = UserFactory()

    membership = join_only_programme(user, "mentee")

    assert membership is not None and membership.programme == careers


def test_with_several_programmes_nobody_is_joined_to_one_by_guesswork(careers, staff):
    assert join_only_programme(UserFactory(email="sam@uni.example"), "mentee") is None
    assert not Membership.objects.exists()


def test_a_programme_the_person_may_not_join_is_not_chosen_for_them(careers, staff):
    careers.status = "closed"
    careers.save()

    assert join_only_programme(UserFactory(email="sam@gmail.example"), "mentee") is None
