import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from matching import services
from profiles import cache as directory_cache
from profiles import views
from tests.factories import (
    ExpertiseAreaFactory,
    MenteeProfileFactory,
    MentorProfileFactory,
    MentorshipRequestFactory,
    default_programme,
)

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


def _directory_entries() -> int:
    # The tests' cache is local memory; count the rendered directory pages it holds.
    from django.core.cache import cache

    return sum(":directory:" in key for key in cache._cache)


def test_unknown_parameters_share_the_plain_page_entry(client_for, mentee):
    MentorProfileFactory.create_batch(2)
    client = client_for(mentee)
    plain, _ = _queries(client)

    for junk in range(5):
        cached, html = _queries(client, utm_source=f"newsletter{junk}", x="y" * 500)
        assert cached < plain
        assert "newsletter" not in html and "yyy" not in html

    assert _directory_entries() == 1


def test_invalid_filter_values_share_the_plain_page_entry(client_for, mentee):
    MentorProfileFactory.create_batch(2)
    client = client_for(mentee)
    plain, _ = _queries(client)

    for bogus in (
        {"industry": "not-an-industry"},
        {"country": "ZZ"},
        {"format": "carrier-pigeon"},
        {"area": "no-such-area"},
        {"page": "abc"},
        {"q": "   "},
    ):
        cached, _ = _queries(client, **bogus)
        assert cached < plain, bogus

    assert _directory_entries() == 1


def test_the_same_filters_in_another_order_share_an_entry(client_for, mentee):
    first, second = ExpertiseAreaFactory(name="Finance"), ExpertiseAreaFactory(name="Law")
    MentorProfileFactory(areas=[first, second], headline="Banking law partner")
    client = client_for(mentee)
    uncached, _ = _queries(client, area=["law", "finance"], q="banking  law")

    cached, html = _queries(client, q=" banking law ", area=["finance", "law", "law"])

    assert cached < uncached
    assert "1 mentor" in html
    assert _directory_entries() == 1


def test_page_numbers_past_the_last_share_one_entry(client_for, mentee):
    from profiles.selectors import MAX_PAGE

    default_programme()
    client = client_for(mentee)
    _queries(client, page=MAX_PAGE)
    for page in (MAX_PAGE + 1, 10**6, 10**12):
        _queries(client, page=page)

    assert _directory_entries() == 1


def test_equivalent_searches_share_one_entry_and_each_shows_what_was_typed(client_for, mentee):
    MentorProfileFactory(country="ES", headline="Banker in Madrid")
    client = client_for(mentee)
    uncached, _ = _queries(client, q="Spain")

    for typed in ("spain,", " Spain ", "SPAIN!", "<b>Spain</b>"):
        cached, html = _queries(client, q=typed)
        assert cached < uncached
        assert "1 mentor" in html
        shown = " ".join(typed.split())
        assert f'value="{escape(shown)}"' in html  # the box keeps what this person typed
        assert "__typed_search__" not in html
    assert "<b>Spain</b>" not in html  # typed text is escaped

    assert _directory_entries() == 1  # the one-letter "b" is left out of the search


def test_every_page_past_the_last_shares_one_entry(client_for, mentee):
    MentorProfileFactory.create_batch(2)
    client = client_for(mentee)
    _queries(client)  # one page; the number of pages is now known
    first, html = _queries(client, page=3)
    assert "There is no page 3" in html

    for page in (4, 7, 12):
        cached, html = _queries(client, page=page)
        assert cached < first
        assert f"There is no page {page}" in html

    assert _directory_entries() == 2  # page 1, and page 1 asked for as a page past the last


def test_a_bump_while_redis_is_skipped_logs_nothing_more(caplog, monkeypatch):
    # The breaker logs an outage once; a bump per profile save must not add a traceback each.
    from redis.exceptions import ConnectionError as RedisConnectionError

    from profiles import cache as directory_cache

    class SkippedCache:
        def incr(self, *args, **kwargs):
            raise RedisConnectionError("redis is skipped for now")

    monkeypatch.setattr(directory_cache, "cache", SkippedCache())

    with caplog.at_level("WARNING"):
        directory_cache._bump()

    assert caplog.records == []


def test_a_request_reads_the_directory_version_once(client_for, mentee, monkeypatch):
    MentorProfileFactory.create_batch(2, headline="Banker")
    client = client_for(mentee)
    client.get(URL, {"q": "banker"})
    reads = []
    real = directory_cache.version
    monkeypatch.setattr(directory_cache, "version", lambda: reads.append(1) or real())
    monkeypatch.setattr(views, "directory_version", directory_cache.version)

    _, html = _queries(client, q="banker")

    assert "2 mentors" in html
    assert len(reads) == 1
