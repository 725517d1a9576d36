"""The handbook links a page shows come from the cache, under a version that every handbook
change bumps: a page added, renamed, moved to another moment or deleted shows on the next page
view, a programme's new address is used at once, and with the cache gone the links still come
(from the database)."""

from __future__ import annotations

import re
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from profiles import handbook
from profiles.models import HandbookPage
from tests.factories import MentorshipFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db


def _handbook_queries(queries: CaptureQueriesContext) -> int:
    return sum('"profiles_handbookpage"' in q["sql"] for q in queries.captured_queries)


def _page(programme, slug: str, moment: str, **extra) -> HandbookPage:
    return HandbookPage.objects.create(
        programme=programme, title=slug.title(), slug=slug, moment=moment, body="Hi", **extra
    )


def _titles(programmes, moments) -> list[str]:
    return [p.title for p in handbook.pages_at(programmes, moments)]


@pytest.fixture
def careers(db):
    return ProgrammeFactory(name="Careers", slug="careers")


def test_a_second_look_up_reads_the_cache(careers):
    _page(careers, "starting", "start")

    with CaptureQueriesContext(connection) as first:
        assert _titles([careers], ["start"]) == ["Starting"]
    with CaptureQueriesContext(connection) as second:
        assert _titles([careers], ["start"]) == ["Starting"]

    assert _handbook_queries(first) == 1
    assert _handbook_queries(second) == 0


def test_a_page_added_renamed_moved_or_deleted_shows_at_once(careers):
    assert _titles([careers], ["start"]) == []  # cached: none

    page = _page(careers, "starting", "start")
    assert _titles([careers], ["start"]) == ["Starting"]

    page.title = "Getting started"
    page.save()
    assert _titles([careers], ["start"]) == ["Getting started"]

    page.moment = "ending"
    page.save()
    assert _titles([careers], ["start"]) == []
    assert _titles([careers], ["ending"]) == ["Getting started"]

    page.delete()
    assert _titles([careers], ["ending"]) == []


def test_order_and_anytime_pages(careers):
    careers.position = 5
    careers.save()
    _page(careers, "second", "start", position=2)
    _page(careers, "first", "start", position=1)
    _page(careers, "about", "anytime")
    other = ProgrammeFactory(name="Alumni", slug="alumni", position=1)
    _page(other, "welcome", "start")

    assert _titles([careers], ["start", "anytime"]) == ["First", "Second"]
    # Programmes in their order, then each one's pages in handbook order.
    assert _titles([careers, other], ["start"]) == ["Welcome", "First", "Second"]


def test_the_programmes_new_address_is_used_at_once(careers):
    _page(careers, "starting", "start")
    assert handbook.pages_at([careers], ["start"])[0].programme.slug == "careers"

    careers.slug = "career-mentoring"
    careers.save()

    [page] = handbook.pages_at([careers], ["start"])
    assert page.programme.slug == "career-mentoring"


def test_rows_read_before_a_change_committed_are_not_served_after_it(careers):
    """A request that read the pages before a change committed stores them under the version it
    read; the change bumped it, so later requests ask the database."""
    _page(careers, "starting", "start")
    version = cache.get(handbook.VERSION_KEY) or 1
    stale = [{"pk": 0, "programme_id": careers.pk, "title": "Old", "slug": "old"}]
    stale[0].update(moment="start", position=0)
    handbook.handbook_changed()
    cache.set(handbook._linked_key(careers.pk), (version, stale))

    assert _titles([careers], ["start"]) == ["Starting"]


def test_a_pair_space_shows_a_renamed_page(client_for, careers):
    page = _page(careers, "starting", "start")
    pair = MentorshipFactory(programme=careers)
    client = client_for(pair.mentee)
    assert "Starting" in client.get(pair.get_absolute_url()).content.decode()

    page.title = "Your first weeks"
    page.save()

    html = client.get(pair.get_absolute_url()).content.decode()
    assert "Your first weeks" in html
    assert re.search(r'href="/programmes/careers/handbook/starting/"', html)


def test_with_the_cache_gone_the_links_come_from_the_database(careers):
    _page(careers, "starting", "start")
    with (
        mock.patch.object(cache, "get_many", side_effect=ConnectionError),
        mock.patch.object(cache, "add", side_effect=ConnectionError),
        mock.patch.object(cache, "set_many", side_effect=ConnectionError),
    ):
        assert _titles([careers], ["start"]) == ["Starting"]
        assert _titles([careers], ["start"]) == ["Starting"]
