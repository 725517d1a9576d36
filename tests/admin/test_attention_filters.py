"""The "needs attention" filters on the admin lists: the rows the report's cards link to."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    CheckInFactory,
    MeetingFactory,
    MenteeProfileFactory,
    MentorshipFactory,
    MentorshipRequestFactory,
)

pytestmark = pytest.mark.django_db


def ago(**delta):
    return timezone.now() - timedelta(**delta)


def listed(client, changelist: str, attention: str) -> set[int]:
    response = client.get(reverse(f"admin:{changelist}_changelist"), {"attention": attention})
    assert response.status_code == 200
    return {obj.pk for obj in response.context["cl"].result_list}


@pytest.fixture
def client(client_for, admin_user):
    return client_for(admin_user)


def test_requests_waiting_over_a_week(client):
    waiting = MentorshipRequestFactory(created_at=ago(days=8))
    MentorshipRequestFactory(created_at=ago(days=6))
    MentorshipRequestFactory(created_at=ago(days=20), accepted=True)
    MentorshipRequestFactory(created_at=ago(days=20), expired=True)

    assert listed(client, "matching_mentorshiprequest", "waiting") == {waiting.pk}


def _mentee_since(**delta):
    profile = MenteeProfileFactory()
    profile.created_at = ago(**delta)
    profile.save(update_fields=["created_at"])
    return profile


def test_mentees_without_a_mentor_after_the_scheme_weeks(client, set_scheme):
    set_scheme(unmatched_alert_weeks=4)
    alone = _mentee_since(weeks=5)
    matched = _mentee_since(weeks=5)
    MentorshipFactory(mentee=matched.user)
    ended = _mentee_since(weeks=9)
    MentorshipFactory(mentee=ended.user, ended=True)
    _mentee_since(weeks=3)

    assert listed(client, "profiles_menteeprofile", "unmatched") == {alone.pk, ended.pk}


def test_the_weeks_come_from_the_scheme_settings(client, set_scheme):
    set_scheme(unmatched_alert_weeks=8)
    _mentee_since(weeks=5)
    long_alone = _mentee_since(weeks=9)

    assert listed(client, "profiles_menteeprofile", "unmatched") == {long_alone.pk}
    html = client.get(reverse("admin:profiles_menteeprofile_changelist")).content.decode()
    assert "No mentor after 8 weeks" in html


def test_mentees_without_a_mentor_now_whatever_their_age(client):
    new = _mentee_since(days=1)
    matched = _mentee_since(days=1)
    MentorshipFactory(mentee=matched.user)

    assert listed(client, "profiles_menteeprofile", "no_mentor") == {new.pk}


def test_pairs_with_no_meeting_in_60_days(client):
    never_met = MentorshipFactory(started_at=ago(days=90))
    met_recently = MentorshipFactory(started_at=ago(days=90))
    MeetingFactory(mentorship=met_recently, held=True, starts_at=ago(days=10))
    met_long_ago = MentorshipFactory(started_at=ago(days=200))
    MeetingFactory(mentorship=met_long_ago, held=True, starts_at=ago(days=70))
    only_planned = MentorshipFactory(started_at=ago(days=90))
    MeetingFactory(mentorship=only_planned, starts_at=ago(days=-3))
    MentorshipFactory(started_at=ago(days=30))  # new: the 60 days run from the start
    MentorshipFactory(started_at=ago(days=300), ended=True)

    assert listed(client, "matching_mentorship", "no_meeting") == {
        never_met.pk,
        met_long_ago.pk,
        only_planned.pk,
    }


def test_check_ins_rated_low_or_asking_for_contact(client):
    low = CheckInFactory(answered_at=ago(days=2), rating=2)
    contact = CheckInFactory(answered_at=ago(days=2), rating=4, wants_contact=True)
    CheckInFactory(answered_at=ago(days=2), rating=3)
    CheckInFactory()  # not answered
    old = CheckInFactory(answered_at=ago(days=40), rating=1)

    assert listed(client, "sessions_log_checkin", "recent") == {low.pk, contact.pk}
    assert listed(client, "sessions_log_checkin", "all") == {low.pk, contact.pk, old.pk}


def test_an_unknown_filter_value_lists_everything(client):
    first, second = MentorshipRequestFactory(), MentorshipRequestFactory(created_at=ago(days=9))

    assert listed(client, "matching_mentorshiprequest", "nonsense") == {first.pk, second.pk}
