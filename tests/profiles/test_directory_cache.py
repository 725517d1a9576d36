import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matching import services
from tests.factories import MenteeProfileFactory, MentorProfileFactory, MentorshipRequestFactory

pytestmark = pytest.mark.django_db
URL = reverse("profiles:directory")


def _queries(client, **params) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        html = client.get(URL, params).content.decode()
    return len(queries), html


def test_a_repeated_query_is_served_from_the_cache(client_for, mentee):
    MentorProfileFactory.create_batch(3, headline="Banker")
    client = client_for(mentee)

    first, _ = _queries(client, q="banker")
    second, html = _queries(client, q="banker")

    assert second < first  # no search, no count
    assert "3 mentors" in html


def test_hiding_a_profile_is_seen_at_once(client_for, mentee):
    profile = MentorProfileFactory(user__full_name="Hiding Hal")
    client = client_for(mentee)
    assert "Hiding Hal" in _queries(client)[1]

    client_for(profile.user).post(reverse("profiles:mentor-active"), {"active": "0"})

    assert "Hiding Hal" not in _queries(client)[1]


def test_a_place_taken_is_seen_at_once(client_for):
    mentor = MentorProfileFactory(user__full_name="Full Finn", capacity=1)
    viewer = MenteeProfileFactory().user
    client = client_for(viewer)
    assert "1 place left" in _queries(client)[1]

    services.accept_request(MentorshipRequestFactory(mentor=mentor.user), by=mentor.user)

    assert "Full" in _queries(client)[1]
    assert "1 place left" not in _queries(client)[1]
