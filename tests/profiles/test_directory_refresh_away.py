"""Going away and coming back (by hand, or by the return job on the date) refresh the cached
directory at once, like every other write that changes a card (test_directory_refresh.py)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from matching import availability
from profiles import jobs as profile_jobs
from tests.factories import MenteeProfileFactory, MentorProfileFactory

pytestmark = pytest.mark.django_db
URL = reverse("profiles:directory")


@pytest.fixture
def viewer(client_for):
    return client_for(MenteeProfileFactory().user)


def _page(client) -> str:
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


def test_going_away_and_coming_back_refresh_the_directory(viewer):
    profile = MentorProfileFactory(user__full_name="Travelling Tess")
    assert "Travelling Tess" in _page(viewer)

    availability.go_away(profile.user, until=timezone.localdate() + timedelta(days=30))
    assert "Travelling Tess" not in _page(viewer)

    availability.come_back(profile.user)
    assert "Travelling Tess" in _page(viewer)


def test_returning_on_the_date_by_the_job_refreshes_the_directory(viewer, time_machine):
    profile = MentorProfileFactory(user__full_name="Travelling Tess")
    availability.go_away(profile.user, until=timezone.localdate() + timedelta(days=3))
    assert "Travelling Tess" not in _page(viewer)

    time_machine.move_to(timezone.now() + timedelta(days=3, hours=1))
    profile_jobs.return_away_mentors()

    assert "Travelling Tess" in _page(viewer)
