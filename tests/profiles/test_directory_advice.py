"""The "Offers one-off advice" badge and filter follow the directory's programme: shown only
where the programme allows advice conversations, whatever the mentor set, and the cached cards
(shared by every viewer of a programme) change when the programme does."""

from __future__ import annotations

import pytest
from django.urls import reverse

from matching.models import Engagement
from profiles import selectors
from tests.factories import (
    MenteeProfileFactory,
    MentorProfileFactory,
    ProgrammeFactory,
    default_programme,
)

pytestmark = pytest.mark.django_db

URL = reverse("profiles:directory")
BADGE = "Offers one-off advice</span>"
FILTER = 'name="advice"'


@pytest.fixture
def careers(db):
    """The default programme: long-term mentoring only."""
    programme = default_programme()
    programme.engagement_types = [Engagement.LONG_TERM]
    programme.save()
    return programme


@pytest.fixture
def advice_point(db):
    return ProgrammeFactory(
        name="Advice point",
        slug="advice",
        engagement_types=[Engagement.LONG_TERM, Engagement.ADVICE],
    )


@pytest.fixture
def mentors(careers, advice_point):
    """Ana offers advice and is in both programmes; Lou offers none and is in careers only."""
    ana = MentorProfileFactory(
        user__full_name="Ana Adviser", advice_per_month=2, programmes=[careers, advice_point]
    )
    lou = MentorProfileFactory(user__full_name="Long Lou", programmes=[careers])
    return ana, lou


@pytest.fixture
def viewer(careers, advice_point):
    return MenteeProfileFactory(programmes=[careers, advice_point]).user


def _names(response) -> list[str]:
    """The mentors listed (from the page: a cached page has no context)."""
    assert response.status_code == 200
    html = response.content.decode()
    return [name for name in ("Ana Adviser", "Long Lou") if f">{name}</a>" in html]


def test_no_badge_or_filter_where_the_programme_does_not_allow_advice(
    client_for, careers, viewer, mentors
):
    client = client_for(viewer)

    page = client.get(URL, {"programme": careers.slug})
    asked = client.get(URL, {"programme": careers.slug, "advice": "1"})

    html = page.content.decode()
    assert BADGE not in html and FILTER not in html
    # The filter is not applied where it is not offered: the same mentors, not none.
    assert _names(asked) == _names(page) == ["Ana Adviser", "Long Lou"]


def test_the_badge_and_filter_show_where_the_programme_allows_advice(client_for, viewer, mentors):
    client = client_for(viewer)

    page = client.get(URL, {"programme": "advice"})
    filtered = client.get(URL, {"programme": "advice", "advice": "1"})

    assert FILTER in page.content.decode()
    assert page.content.decode().count(BADGE) == 1
    assert _names(filtered) == ["Ana Adviser"]


def test_the_cached_cards_follow_the_programme_not_the_viewer(
    client_for, careers, advice_point, viewer, mentors
):
    """Two viewers of each programme: whoever rendered a programme's cards first, the badge
    depends only on the programme."""
    only_careers = MenteeProfileFactory(programmes=[careers]).user
    client, other = client_for(viewer), client_for(only_careers)

    assert client.get(URL, {"programme": "advice"}).content.decode().count(BADGE) == 1
    assert BADGE not in other.get(URL, {"programme": careers.slug}).content.decode()
    assert BADGE not in client.get(URL, {"programme": careers.slug}).content.decode()
    assert client.get(URL, {"programme": "advice"}).content.decode().count(BADGE) == 1


def test_allowing_advice_in_a_programme_refreshes_its_cached_directory(
    client_for, careers, viewer, mentors
):
    client = client_for(viewer)
    assert BADGE not in client.get(URL, {"programme": careers.slug}).content.decode()

    careers.engagement_types = [Engagement.LONG_TERM, Engagement.ADVICE]
    careers.save()

    html = client.get(URL, {"programme": careers.slug}).content.decode()
    assert html.count(BADGE) == 1 and FILTER in html


def test_across_programmes_the_filter_keeps_mentors_of_a_programme_allowing_advice(
    careers, advice_point, mentors
):
    stray = MentorProfileFactory(
        user__full_name="Stray Sam", advice_per_month=3, programmes=[careers]
    )

    found = selectors.search_directory(advice=True)

    names = [m.user.full_name for m in found.mentors]
    assert names == ["Ana Adviser"]
    assert stray.pk not in [m.pk for m in found.mentors]
