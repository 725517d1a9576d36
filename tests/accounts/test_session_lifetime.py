"""Sessions end: a staff member's after 30 minutes without a request, everyone's 14 days after
signing in however active they are."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(START, tick=False)
    return time_machine


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True)


def signed_in_as(client) -> object:
    return client.get(reverse("home")).context["user"]


def test_a_staff_session_ends_after_thirty_idle_minutes(clock, client_for, staff):
    client = client_for(staff)
    assert signed_in_as(client) == staff

    clock.shift(timedelta(minutes=31))

    assert not signed_in_as(client).is_authenticated


def test_a_busy_staff_session_carries_on(clock, client_for, staff):
    client = client_for(staff)
    for _ in range(6):  # two hours, a request every twenty minutes
        assert signed_in_as(client) == staff
        clock.shift(timedelta(minutes=20))

    assert signed_in_as(client) == staff


def test_staff_admin_pages_also_count_as_activity(clock, client_for, admin_user):
    client = client_for(admin_user)
    assert client.get(reverse("admin:index")).status_code == 200
    clock.shift(timedelta(minutes=25))
    assert client.get(reverse("admin:index")).status_code == 200
    clock.shift(timedelta(minutes=25))

    assert client.get(reverse("admin:index")).status_code == 200
    clock.shift(timedelta(minutes=31))
    assert client.get(reverse("admin:index")).status_code == 302


def test_other_people_are_not_signed_out_for_being_idle(clock, client_for, mentee):
    client = client_for(mentee)
    assert signed_in_as(client) == mentee

    clock.shift(timedelta(hours=8))

    assert signed_in_as(client) == mentee


def test_every_session_ends_fourteen_days_after_sign_in_however_active(clock, client_for, mentee):
    client = client_for(mentee)
    for _ in range(13):
        assert signed_in_as(client) == mentee
        # Something the person does each day writes to their session, which would move
        # Django's own expiry on by another fortnight.
        session = client.session
        session["visits"] = session.get("visits", 0) + 1
        session.save()
        clock.shift(timedelta(days=1))
    assert signed_in_as(client) == mentee

    clock.shift(timedelta(days=1))

    assert not signed_in_as(client).is_authenticated


def test_signing_in_starts_the_fortnight(clock, client, mentee):
    client.post(reverse("account_login"), {"login": mentee.email, "password": PASSWORD})
    clock.shift(timedelta(days=13, hours=23))
    assert signed_in_as(client) == mentee

    clock.shift(timedelta(hours=1))

    assert not signed_in_as(client).is_authenticated
