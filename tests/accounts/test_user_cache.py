"""The signed-in person's row comes from the cache (accounts/user_cache.py), and is never stale:
a change to the row is seen by the very next request, whatever changed it."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()


def seen_as(client):
    return client.get(reverse("home")).context["user"]


def cached(client):
    """Two requests: the first sets the row's version, the second caches the row under it."""
    seen_as(client)
    return seen_as(client)


def reads(queries, table: str) -> list[str]:
    return [q["sql"] for q in queries if f'FROM "{table}"' in q["sql"]]


@pytest.fixture
def person(db):
    return UserFactory(full_name="Ada Lovelace")


def test_a_signed_in_request_reads_neither_session_nor_user_from_the_database(client_for, person):
    client = client_for(person)
    cached(client)

    with CaptureQueriesContext(connection) as queries:
        assert seen_as(client) == person

    assert not reads(queries.captured_queries, "django_session")
    user_reads = [
        sql for sql in reads(queries.captured_queries, "accounts_user") if " WHERE " in sql
    ]
    assert not [sql for sql in user_reads if f'"accounts_user"."id" = {person.pk}' in sql]


def test_a_new_name_is_seen_by_the_next_request(client_for, person):
    client = client_for(person)
    assert cached(client).full_name == "Ada Lovelace"

    person.full_name = "Ada King"
    person.save(update_fields=["full_name"])

    assert seen_as(client).full_name == "Ada King"


def test_a_deactivated_person_is_signed_out_at_once(client_for, person):
    client = client_for(person)
    assert cached(client) == person

    person.is_active = False
    person.save()

    assert not seen_as(client).is_authenticated


def test_staff_status_given_and_taken_is_seen_at_once(client_for, person):
    client = client_for(person)
    assert not cached(client).is_staff

    person.is_staff = True
    person.save()
    assert seen_as(client).is_staff

    person.is_staff = False
    person.save()
    assert not seen_as(client).is_staff


def test_a_password_changed_elsewhere_ends_this_session(client_for, person):
    client = client_for(person)
    assert cached(client) == person

    person.set_password("another-long-passphrase-42")
    person.save()

    assert not seen_as(client).is_authenticated


def test_changing_ones_own_password_keeps_this_session_and_ends_the_others(client_for, person):
    this, other = client_for(person), client_for(person)
    assert cached(this) == person
    assert cached(other) == person

    new = "another-long-passphrase-42"
    response = this.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": new, "password2": new},
    )
    assert response.status_code == 302

    assert seen_as(this) == person
    assert not seen_as(other).is_authenticated


def test_a_deleted_account_is_signed_out(client_for, person):
    client = client_for(person)
    assert cached(client) == person

    User.objects.filter(pk=person.pk).delete()

    assert not seen_as(client).is_authenticated


def test_with_the_cache_down_every_request_reads_the_database(settings, client_for, person):
    # A Redis nobody listens on: every cache call fails (and the breaker then skips it).
    settings.CACHES = {
        "default": {
            "BACKEND": "mentoring.cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    client = client_for(person)
    assert cached(client) == person

    person.full_name = "Ada King"
    person.save()
    assert seen_as(client).full_name == "Ada King"

    person.is_active = False
    person.save()
    assert not seen_as(client).is_authenticated
