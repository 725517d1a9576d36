"""The mentorships page, in both roles."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import (
    MenteeProfileFactory,
    MentorProfileFactory,
    MentorshipFactory,
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
