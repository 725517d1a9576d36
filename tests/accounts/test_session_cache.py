"""Sessions come from the cache (accounts/session_store.py); the database stays the truth, and a
copy in the cache lasts SESSION_CACHE_SECONDS at most."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def seen_as(client):
    return client.get(reverse("home")).context["user"]


def copy_of(client) -> Client:
    """Another browser holding the same session cookie."""
    other = Client()
    other.cookies = client.cookies.__class__(client.cookies)
    return other


def test_a_signed_in_request_reads_the_session_from_the_cache(client_for):
    client = client_for(UserFactory())
    with CaptureQueriesContext(connection) as queries:
        seen_as(client)
    assert not [q for q in queries.captured_queries if 'FROM "django_session"' in q["sql"]]


def test_the_cached_copy_expires_and_the_database_still_has_the_session(time_machine, client_for):
    time_machine.move_to(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False)
    person = UserFactory()
    client = client_for(person)
    key = "django.contrib.sessions.cached_db" + client.cookies[settings.SESSION_COOKIE_NAME].value
    assert cache.get(key) is not None

    time_machine.shift(timedelta(seconds=settings.SESSION_CACHE_SECONDS + 1))

    assert cache.get(key) is None
    assert seen_as(client) == person  # read from the database, and cached again
    assert cache.get(key) is not None


def test_a_sign_out_whose_cache_delete_was_lost_ends_within_the_cache_lifetime(
    time_machine, client_for, monkeypatch
):
    time_machine.move_to(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False)
    person = UserFactory()
    client = client_for(person)
    stolen = copy_of(client)
    assert seen_as(stolen) == person

    # Redis drops the delete (an outage, a timeout): the database's delete still happens.
    monkeypatch.setattr(caches["default"], "delete", lambda key, version=None: False)
    client.post(reverse("account_logout"))
    monkeypatch.undo()
    assert seen_as(stolen) == person  # the old copy, still in the cache

    time_machine.shift(timedelta(seconds=settings.SESSION_CACHE_SECONDS + 1))
    assert not seen_as(stolen).is_authenticated


def test_a_sign_out_ends_the_session_everywhere_at_once(client_for):
    person = UserFactory()
    client = client_for(person)
    other = copy_of(client)
    assert seen_as(other) == person

    client.post(reverse("account_logout"))

    assert not seen_as(other).is_authenticated
