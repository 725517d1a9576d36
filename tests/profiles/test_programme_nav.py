"""The header's "Programmes" link and the onboarding page's pointer: only where there is
something to choose."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from profiles.models import Programme
from tests.factories import MenteeProfileFactory, ProgrammeFactory, UserFactory, default_programme
from tests.support import text_of

pytestmark = pytest.mark.django_db

LINK = f'href="{reverse("profiles:programme-list")}"'
HOME = reverse("home")
START = reverse("profiles:start")


def test_one_programme_no_link(client_for):
    default_programme()

    assert LINK not in text_of(client_for(UserFactory()).get(HOME))


def test_two_programmes_the_link_is_in_the_header(client_for):
    default_programme()
    ProgrammeFactory(slug="careers")

    html = text_of(client_for(UserFactory()).get(HOME))

    assert f'<a class="nav-link" {LINK}>Programmes</a>' in html


def test_the_link_is_current_on_the_programmes_page(client_for):
    default_programme()
    ProgrammeFactory(slug="careers")

    html = text_of(client_for(UserFactory()).get(reverse("profiles:programme-list")))

    assert f'<a class="nav-link" {LINK} aria-current="page">Programmes</a>' in html


def test_drafts_and_archived_programmes_do_not_count(client_for):
    default_programme()
    ProgrammeFactory(slug="pilot", status="draft")
    ProgrammeFactory(slug="old", status="archived")

    assert LINK not in text_of(client_for(UserFactory()).get(HOME))


def test_the_link_follows_a_programme_opening_and_being_archived(client_for):
    default_programme()
    pilot = ProgrammeFactory(slug="pilot", status="draft")
    client = client_for(UserFactory())
    assert LINK not in text_of(client.get(HOME))

    pilot.status = Programme.Status.OPEN
    pilot.save()
    assert LINK in text_of(client.get(HOME))

    pilot.status = Programme.Status.ARCHIVED
    pilot.save()
    assert LINK not in text_of(client.get(HOME))


def test_visitors_see_no_link(client):
    default_programme()
    ProgrammeFactory(slug="careers")

    assert LINK not in text_of(client.get(HOME))


def test_the_count_is_cached_between_pages(client_for):
    default_programme()
    ProgrammeFactory(slug="careers")
    client = client_for(UserFactory())
    client.get(HOME)

    with CaptureQueriesContext(connection) as queries:
        html = text_of(client.get(HOME))

    assert LINK in html
    assert not [
        q["sql"]
        for q in queries.captured_queries
        if 'FROM "profiles_programme"' in q["sql"] and "COUNT(" in q["sql"]
    ]


def test_onboarding_points_to_the_programmes_when_there_are_several(client_for):
    default_programme()
    ProgrammeFactory(slug="careers")

    html = text_of(client_for(UserFactory()).get(START))

    assert "We run several mentoring programmes" in html
    assert f"<a {LINK}>Choose the programmes to join</a>" in html


def test_onboarding_is_as_before_with_one_programme(client_for):
    default_programme()

    html = text_of(client_for(UserFactory()).get(START))

    assert "several mentoring programmes" not in html
    assert LINK not in html


def test_onboarding_does_not_point_a_member_elsewhere(client_for):
    ProgrammeFactory(slug="careers")
    member = MenteeProfileFactory().user  # in the default programme

    assert "several mentoring programmes" not in text_of(client_for(member).get(START))


def test_a_single_programme_install_still_joins_its_one_programme(client_for):
    programme = default_programme()
    person = UserFactory()

    client_for(person).post(
        reverse("profiles:mentee-edit"),
        {"role": "BSc Physics", "goals": "Find a research job."},
    )

    assert list(person.memberships.values_list("programme", "role")) == [(programme.pk, "mentee")]
