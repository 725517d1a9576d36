"""The mentorships page, in both roles."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    MenteeProfileFactory,
    MentorProfileFactory,
    MentorshipFactory,
    ProgrammeFactory,
)
from tests.support import count_queries, text_of

pytestmark = pytest.mark.django_db


def test_mentorship_list_shows_both_roles(client_for, mentee_profile):
    both = mentee_profile.user
    MentorProfileFactory(user=both)
    MentorshipFactory(mentee=both, mentor=MentorProfileFactory(user__full_name="Mo Mentor").user)
    MentorshipFactory(mentor=both, mentee=MenteeProfileFactory(user__full_name="Mel Mentee").user)

    html = text_of(client_for(both).get(reverse("matching:mentorship-list")))

    assert "Mentored by Mo Mentor" in html
    assert "Mentoring Mel Mentee" in html


def test_mentorship_list_queries_do_not_grow_with_the_rows(
    client_for, mentee_profile, django_assert_num_queries
):
    both = mentee_profile.user
    MentorProfileFactory(user=both, capacity=10)
    client = client_for(both)
    url = reverse("matching:mentorship-list")
    MentorshipFactory(mentee=both)
    one = count_queries(client, url)
    for _ in range(9):
        MentorshipFactory(mentor=both)
    for _ in range(10):
        MentorshipFactory(mentee=both, ended=True)

    with django_assert_num_queries(one):
        response = client.get(url)

    assert len(response.context["mentorships"]) == 20


def test_mentorship_list_names_the_programmes_to_someone_in_several(client_for, mentee_profile):
    advice = ProgrammeFactory(name="Advice point", slug="advice")
    MentorshipFactory(mentee=mentee_profile.user)
    client = client_for(mentee_profile.user)
    single = text_of(client.get(reverse("matching:mentorship-list")))
    mentee_profile.user.memberships.create(
        programme=advice, role="mentee", status="approved", approved_at=timezone.now()
    )
    MentorshipFactory(
        mentee=mentee_profile.user,
        mentor=MentorProfileFactory(programmes=[advice]).user,
        programme=advice,
    )

    several = text_of(client.get(reverse("matching:mentorship-list")))

    assert "In Mentoring scheme." not in single
    assert "In Mentoring scheme." in several and "In Advice point." in several
