"""Coordinators hear of profiles waiting for review (issue 18): once a day, after
PROFILE_DIGEST_HOUR, each coordinator gets one email listing the profiles of their own
programmes submitted since the hour the day before; run twice, it sends once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mentoring import wording
from mentoring.models import Outbox
from profiles.jobs import digest_submitted_profiles
from profiles.models import Membership, MentorProfile
from tests.factories import MentorProfileFactory, ProgrammeFactory, UserFactory

pytestmark = pytest.mark.django_db

# 10:00 in London (summer time): after the digest hour (8).
NOW = datetime(2026, 8, 10, 9, 0, tzinfo=UTC)


def _submitted(name, programmes, hours_ago):
    profile = MentorProfileFactory(
        user__full_name=name,
        review_status=MentorProfile.ReviewStatus.SUBMITTED,
        submitted_at=NOW - timedelta(hours=hours_ago),
        programmes=programmes,
    )
    Membership.objects.filter(user=profile.user_id).update(status=Membership.Status.PENDING)
    return profile


@pytest.fixture
def schemes(db):
    north = ProgrammeFactory(name="North scheme")
    south = ProgrammeFactory(name="South scheme")
    cora = UserFactory(full_name="Cora North", email="cora@example.org", is_staff=True)
    sid = UserFactory(full_name="Sid South", email="sid@example.org", is_staff=True)
    both = UserFactory(full_name="Bo Both", email="bo@example.org", is_staff=True)
    north.coordinators.add(cora, both)
    south.coordinators.add(sid, both)
    return north, south, cora, sid, both


def _digests():
    return {
        row.to_email: row
        for row in Outbox.objects.filter(kind="profiles_submitted").exclude(
            to_email="yesterday@example.org"
        )
    }


def test_each_coordinator_gets_one_digest_of_their_programmes_only(schemes):
    north, south, cora, sid, both = schemes
    _submitted("Nadia Northern", [north], hours_ago=3)
    _submitted("Sam Southern", [south], hours_ago=20)
    _submitted("Olly Old", [north], hours_ago=30)  # in yesterday's digest
    assert digest_submitted_profiles(now=NOW - timedelta(days=1)) == 2  # cora and bo: Olly
    Outbox.objects.filter(kind="profiles_submitted").update(to_email="yesterday@example.org")
    approved = MentorProfileFactory(user__full_name="Andy Approved", programmes=[north])
    assert approved.review_status == MentorProfile.ReviewStatus.APPROVED

    assert digest_submitted_profiles(now=NOW) == 3

    sent = _digests()
    assert set(sent) == {"cora@example.org", "sid@example.org", "bo@example.org"}
    assert "Nadia Northern" in sent["cora@example.org"].body_text
    assert "Sam Southern" not in sent["cora@example.org"].body_text
    assert "Sam Southern" in sent["sid@example.org"].body_text
    assert "Nadia Northern" not in sent["sid@example.org"].body_text
    for row in sent.values():
        assert "Olly Old" not in row.body_text and "Andy Approved" not in row.body_text
        assert "/admin/profiles/mentorprofile/?review=queue" in row.body_text
    assert sent["bo@example.org"].subject == "2 mentor profiles are waiting for your review"
    assert sent["cora@example.org"].subject == "A mentor profile is waiting for your review"


def test_run_again_the_same_day_sends_nothing_more(schemes):
    north, _, cora, _, _ = schemes
    _submitted("Nadia Northern", [north], hours_ago=3)
    assert digest_submitted_profiles(now=NOW) == 2
    # Later the same day, even with a new profile: that one waits for tomorrow's digest.
    _submitted("Late Larry", [north], hours_ago=0)
    assert digest_submitted_profiles(now=NOW + timedelta(hours=5)) == 0
    assert Outbox.objects.filter(kind="profiles_submitted").count() == 2
    # Tomorrow: Larry, submitted after today's digest hour, once; Nadia not again.
    assert digest_submitted_profiles(now=NOW + timedelta(days=1)) == 2
    latest = Outbox.objects.filter(kind="profiles_submitted", to_email=cora.email).latest("pk")
    assert "Late Larry" in latest.body_text and "Nadia Northern" not in latest.body_text


def test_a_day_the_job_never_ran_is_caught_up_by_the_next_digest_once(schemes):
    """The workers were down all of yesterday after the digest hour: the profiles of that day's
    window come in today's digest, with today's, and not again tomorrow."""
    north, _, cora, _, _ = schemes
    assert digest_submitted_profiles(now=NOW - timedelta(days=2)) == 0  # nothing waited then
    _submitted("Missed Mo", [north], hours_ago=40)  # yesterday's window: the job did not run
    _submitted("Today Tia", [north], hours_ago=3)

    assert digest_submitted_profiles(now=NOW) == 2
    text = _digests()[cora.email].body_text
    assert "Missed Mo" in text and "Today Tia" in text

    _submitted("Next Ned", [north], hours_ago=-5)
    assert digest_submitted_profiles(now=NOW + timedelta(days=1)) == 2
    latest = Outbox.objects.filter(kind="profiles_submitted", to_email=cora.email).latest("pk")
    assert "Next Ned" in latest.body_text
    assert "Missed Mo" not in latest.body_text and "Today Tia" not in latest.body_text


def test_a_first_digest_looks_back_a_week_at_most(schemes):
    north, _, cora, _, _ = schemes
    _submitted("Week Old Wyn", [north], hours_ago=24 * 6)
    _submitted("Too Old Tom", [north], hours_ago=24 * 8)

    digest_submitted_profiles(now=NOW)

    text = _digests()[cora.email].body_text
    assert "Week Old Wyn" in text and "Too Old Tom" not in text


def test_nothing_before_the_digest_hour_nor_when_nothing_waits(schemes):
    north, *_ = schemes
    assert digest_submitted_profiles(now=NOW) == 0
    _submitted("Early Ellie", [north], hours_ago=1)
    assert digest_submitted_profiles(now=NOW.replace(hour=5)) == 0  # 06:00 in London
    assert not Outbox.objects.filter(kind="profiles_submitted").exists()


def test_inactive_or_non_staff_coordinators_and_leavers_are_left_out(schemes):
    north, _, cora, _, both = schemes
    both.is_active = False
    both.save()
    left = _submitted("Lee Left", [north], hours_ago=2)
    Membership.objects.filter(user=left.user_id).update(
        status=Membership.Status.LEFT, left_at=NOW - timedelta(hours=1)
    )
    assert digest_submitted_profiles(now=NOW) == 0
    _submitted("Nadia Northern", [north], hours_ago=2)
    assert digest_submitted_profiles(now=NOW + timedelta(minutes=1)) == 1
    assert set(_digests()) == {cora.email}
    assert "Lee Left" not in _digests()[cora.email].body_text


def test_the_job_costs_the_same_queries_for_1_or_10_profiles(schemes):
    north, south, *_ = schemes
    _submitted("First", [north], hours_ago=2)
    wording.warm()  # the email wording, read once per task (mentoring.wording)
    with CaptureQueriesContext(connection) as one:
        digest_submitted_profiles(now=NOW)
    Outbox.objects.all().delete()
    for n in range(9):
        _submitted(f"Mentor {n}", [north, south], hours_ago=n + 1)
    wording.warm()
    with CaptureQueriesContext(connection) as ten:
        digest_submitted_profiles(now=NOW)
    assert len(one) == len(ten)


def test_moving_the_digest_hour_neither_loses_nor_repeats_a_profile(schemes, settings):
    """Yesterday's digest went at 08:00 (London); from today it goes at 11:00: a profile
    submitted between 08:00 and 11:00 yesterday is in today's digest, and yesterday's are not
    repeated (the next window starts where the last one ended, not at the new hour)."""
    north, _, cora, _, _ = schemes
    _submitted("Before Bea", [north], hours_ago=24 + 3)  # 07:00 yesterday, in its digest
    assert digest_submitted_profiles(now=NOW - timedelta(days=1)) == 2
    _submitted("Between Ben", [north], hours_ago=24 + 1)  # 09:00 yesterday
    settings.PROFILE_DIGEST_HOUR = 11  # from today: yesterday's window would have ended at 11

    assert digest_submitted_profiles(now=NOW + timedelta(hours=1)) == 2

    latest = Outbox.objects.filter(kind="profiles_submitted", to_email=cora.email).latest("pk")
    assert "Between Ben" in latest.body_text and "Before Bea" not in latest.body_text
