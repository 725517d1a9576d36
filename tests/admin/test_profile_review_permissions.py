"""Reviewing mentors and central matching in the admin need their own permissions: viewing a
profile is not approving it, and seeing a mentee is not matching them."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from matching.models import Mentorship
from profiles.models import Membership, MentorProfile
from tests.factories import (
    MenteeProfileFactory,
    MentorProfileFactory,
    ProgrammeFactory,
    UserFactory,
    default_programme,
)

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/profiles/mentorprofile/"


@pytest.fixture
def viewer(db):
    """Staff who may view and edit profiles, but not approve them nor create mentorships."""
    user = UserFactory(email="vic@example.org", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="profiles",
            codename__in=[
                "view_mentorprofile",
                "change_mentorprofile",
                "view_menteeprofile",
                "change_menteeprofile",
            ],
        )
    )
    default_programme().coordinators.add(user)
    return user


@pytest.fixture
def coordinator(db):
    user = UserFactory(email="cora@example.org", is_staff=True)
    user.groups.add(Group.objects.get(name="Scheme coordinator"))
    default_programme().coordinators.add(user)
    return user


@pytest.fixture
def submitted():
    return MentorProfileFactory(review_status=MentorProfile.ReviewStatus.SUBMITTED)


def _request_changes(client, profile):
    return client.post(
        CHANGELIST,
        {
            "action": "request_changes",
            ACTION_CHECKBOX_NAME: [profile.pk],
            "apply": "1",
            "message": "Please add your job history.",
        },
    )


def test_changing_profiles_is_not_approving_them(client_for, viewer, submitted):
    client_for(viewer).post(CHANGELIST, {"action": "approve", ACTION_CHECKBOX_NAME: [submitted.pk]})

    submitted.refresh_from_db()
    assert submitted.review_status == MentorProfile.ReviewStatus.SUBMITTED


def test_changing_profiles_is_not_sending_them_back(client_for, viewer, submitted, mailoutbox):
    _request_changes(client_for(viewer), submitted)

    submitted.refresh_from_db()
    assert submitted.review_status == MentorProfile.ReviewStatus.SUBMITTED
    assert submitted.review_note == ""


def test_coordinators_approve(client_for, coordinator, submitted):
    response = client_for(coordinator).post(
        CHANGELIST, {"action": "approve", ACTION_CHECKBOX_NAME: [submitted.pk]}, follow=True
    )

    submitted.refresh_from_db()
    assert submitted.review_status == MentorProfile.ReviewStatus.APPROVED
    assert _messages(response) == ["Approved 1 profile."]


def test_approving_several_says_how_many(client_for, coordinator):
    profiles = [
        MentorProfileFactory(review_status=MentorProfile.ReviewStatus.SUBMITTED) for _ in range(2)
    ]

    response = client_for(coordinator).post(
        CHANGELIST,
        {"action": "approve", ACTION_CHECKBOX_NAME: [p.pk for p in profiles]},
        follow=True,
    )

    assert _messages(response) == ["Approved 2 profiles."]


def _messages(response) -> list[str]:
    return [str(m.message) for m in response.context["messages"]]


def test_coordinators_request_changes(client_for, coordinator, submitted):
    response = _request_changes(client_for(coordinator), submitted)

    assert response.status_code == 302
    assert [str(m.message) for m in get_messages(response.wsgi_request)] == [
        "Asked 1 mentor for changes."
    ]
    submitted.refresh_from_db()
    assert submitted.review_status == MentorProfile.ReviewStatus.CHANGES_REQUESTED
    assert submitted.review_note == "Please add your job history."


def test_the_bulk_action_explains_a_mentor_it_may_not_send_back_and_asks_the_others(
    client_for, coordinator, submitted
):
    """A mentor also approved in a programme the coordinator does not run is refused with the
    reason (it was a server error); the other selected mentors are still asked."""
    shared = MentorProfileFactory(
        user__full_name="Sam Shared", review_status=MentorProfile.ReviewStatus.SUBMITTED
    )
    Membership.objects.create(
        user=shared.user,
        programme=ProgrammeFactory(name="Elsewhere scheme"),
        role=Membership.Role.MENTOR,
        status=Membership.Status.APPROVED,
        approved_at=timezone.now(),
    )

    response = client_for(coordinator).post(
        CHANGELIST,
        {
            "action": "request_changes",
            ACTION_CHECKBOX_NAME: [submitted.pk, shared.pk],
            "apply": "1",
            "message": "Please add your job history.",
        },
    )

    assert response.status_code == 302
    said = [str(m.message) for m in get_messages(response.wsgi_request)]
    assert said[0] == "Asked 1 mentor for changes."
    assert "Sam Shared mentors in Elsewhere scheme too" in said[1]
    submitted.refresh_from_db()
    shared.refresh_from_db()
    assert submitted.review_status == MentorProfile.ReviewStatus.CHANGES_REQUESTED
    assert shared.review_status == MentorProfile.ReviewStatus.SUBMITTED


def test_matching_needs_the_right_to_create_mentorships(client_for, viewer):
    mentor, mentee_profile = MentorProfileFactory(), MenteeProfileFactory()
    client = client_for(viewer)
    url = reverse("admin:profiles_menteeprofile_match", args=[mentee_profile.pk])

    assert client.get(url).status_code == 403
    assert client.post(url, {"mentor": mentor.pk}).status_code == 403
    assert not Mentorship.objects.exists()
    listing = client.get("/admin/profiles/menteeprofile/")
    assert listing.status_code == 200
    assert b"Find a mentor" not in listing.content


def test_coordinators_see_the_matching_link(client_for, coordinator):
    MenteeProfileFactory()

    listing = client_for(coordinator).get("/admin/profiles/menteeprofile/")

    assert b"Find a mentor" in listing.content


@pytest.mark.parametrize("model", ["mentorprofile", "menteeprofile"])
def test_a_profile_cannot_be_moved_to_another_person(client_for, coordinator, model):
    profile = MentorProfileFactory() if model == "mentorprofile" else MenteeProfileFactory()

    change = client_for(coordinator).get(
        reverse(f"admin:profiles_{model}_change", args=[profile.pk])
    )

    assert change.status_code == 200
    assert b'name="user"' not in change.content
    assert escape(profile.user.full_name).encode() in change.content
