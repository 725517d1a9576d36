"""The requests page: the ones sent and the ones received."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    MenteeProfileFactory,
    MentorProfileFactory,
    MentorshipRequestFactory,
    ProgrammeFactory,
)
from tests.support import count_queries, text_of

pytestmark = pytest.mark.django_db


def test_request_list_shows_sent_and_received_with_their_status(client_for, mentee_profile):
    both = mentee_profile.user
    MentorProfileFactory(user=both)
    MentorshipRequestFactory(
        mentee=both, mentor=MentorProfileFactory(user__full_name="Sent Sam").user
    )
    MentorshipRequestFactory(
        mentor=both,
        mentee=MenteeProfileFactory(user__full_name="Received Rita").user,
        declined=True,
    )

    response = client_for(both).get(reverse("matching:request-list"))

    sent, received = response.context["sent"], response.context["received"]
    assert [(r.mentor.full_name, r.status) for r in sent] == [("Sent Sam", "pending")]
    assert [(r.mentee.full_name, r.status) for r in received] == [("Received Rita", "declined")]
    html = text_of(response)
    sent_html = html[html.index('id="sent-title"') :]
    received_html = html[html.index('id="received-title"') : html.index('id="sent-title"')]
    assert "Sent Sam" in sent_html and "Waiting for an answer" in sent_html
    assert "Received Rita" in received_html and "Declined" in received_html


def test_request_list_shows_nothing_of_other_peoples_requests(client_for, mentee_profile):
    MentorshipRequestFactory(mentee=MenteeProfileFactory(user__full_name="Other Olu").user)

    response = client_for(mentee_profile.user).get(reverse("matching:request-list"))

    assert response.context["sent"] == response.context["received"] == []
    assert "Other Olu" not in text_of(response)


def test_request_list_queries_do_not_grow_with_the_rows(
    client_for, mentee_profile, django_assert_num_queries
):
    both = mentee_profile.user
    MentorProfileFactory(user=both, capacity=10)
    client = client_for(both)
    url = reverse("matching:request-list")
    MentorshipRequestFactory(mentee=both)
    MentorshipRequestFactory(mentor=both)
    one_each = count_queries(client, url)
    for _ in range(19):
        MentorshipRequestFactory(mentee=both)
        MentorshipRequestFactory(mentor=both)

    with django_assert_num_queries(one_each):
        response = client.get(url)

    assert (len(response.context["sent"]), len(response.context["received"])) == (20, 20)


def test_request_list_names_the_programmes_to_someone_in_several(client_for, mentee_profile):
    advice = ProgrammeFactory(name="Advice point", slug="advice")
    MentorshipRequestFactory(mentee=mentee_profile.user)
    client = client_for(mentee_profile.user)
    single = text_of(client.get(reverse("matching:request-list")))
    mentee_profile.user.memberships.create(
        programme=advice, role="mentee", status="approved", approved_at=timezone.now()
    )
    MentorshipRequestFactory(
        mentee=mentee_profile.user,
        mentor=MentorProfileFactory(programmes=[advice]).user,
        programme=advice,
    )

    several = text_of(client.get(reverse("matching:request-list")))

    assert "in Mentoring scheme" not in single
    assert "in Mentoring scheme" in several and "in Advice point" in several
