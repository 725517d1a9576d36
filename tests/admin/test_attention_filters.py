"""The "needs attention" filters on the admin lists: the rows the report's cards link to."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from profiles.models import Membership
from tests.factories import (
    CheckInFactory,
    MeetingFactory,
    MenteeProfileFactory,
    MentorshipFactory,
    MentorshipRequestFactory,
    ProgrammeFactory,
    UserFactory,
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


def _mentee_since(programmes=None, **delta):
    """A mentee who joined `programmes` (the default one) and wrote their profile `delta` ago."""
    kwargs = {} if programmes is None else {"programmes": programmes}
    profile = MenteeProfileFactory(**kwargs)
    profile.created_at = ago(**delta)
    profile.save(update_fields=["created_at"])
    Membership.objects.filter(user=profile.user).update(joined_at=ago(**delta))
    return profile


def test_mentees_without_a_mentor_after_the_programme_weeks(client, set_scheme):
    set_scheme(unmatched_alert_weeks=4)
    alone = _mentee_since(weeks=5)
    matched = _mentee_since(weeks=5)
    MentorshipFactory(mentee=matched.user)
    ended = _mentee_since(weeks=9)
    MentorshipFactory(mentee=ended.user, ended=True)
    _mentee_since(weeks=3)

    assert listed(client, "profiles_menteeprofile", "unmatched") == {alone.pk, ended.pk}


def test_the_weeks_come_from_the_programme(client, set_scheme):
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


def test_each_programme_has_its_own_weeks_counted_from_joining_it(client_for, admin_user):
    quick = ProgrammeFactory(slug="quick", unmatched_alert_weeks=2)
    slow = ProgrammeFactory(slug="slow", unmatched_alert_weeks=10)
    quick_alone = _mentee_since([quick], weeks=3)
    _mentee_since([slow], weeks=3)  # within slow's ten weeks
    slow_alone = _mentee_since([slow], weeks=11)
    # Paired in quick: no alert there; alone in slow for long enough: listed for slow.
    both = _mentee_since([quick, slow], weeks=12)
    MentorshipFactory(mentee=both.user, programme=quick)
    # Paired in slow only: quick's two weeks have passed with no mentor in quick.
    paired_elsewhere = _mentee_since([quick, slow], weeks=4)
    MentorshipFactory(mentee=paired_elsewhere.user, programme=slow)
    # A profile written long ago, but joined quick a day ago: not yet.
    newcomer = _mentee_since([quick], weeks=30)
    Membership.objects.filter(user=newcomer.user).update(joined_at=ago(days=1))

    assert listed(client_for(admin_user), "profiles_menteeprofile", "unmatched") == {
        quick_alone.pk,
        slow_alone.pk,
        both.pk,
        paired_elsewhere.pk,
    }

    coordinator = UserFactory(is_staff=True, email="slow-coordinator@example.org")
    coordinator.groups.add(Group.objects.get(name="Scheme coordinator"))
    slow.coordinators.add(coordinator)
    as_slow = client_for(coordinator)
    assert listed(as_slow, "profiles_menteeprofile", "unmatched") == {slow_alone.pk, both.pk}
    html = as_slow.get(reverse("admin:profiles_menteeprofile_changelist")).content.decode()
    assert "No mentor after 10 weeks" in html
    html = client_for(admin_user).get(reverse("admin:profiles_menteeprofile_changelist"))
    assert "No mentor after 2 to 10 weeks (each programme&#x27;s own)" in html.content.decode()


def test_no_mentor_now_counts_the_coordinators_programmes_pairs_only(client_for, admin_user):
    careers, staff = ProgrammeFactory(slug="careers"), ProgrammeFactory(slug="staff")
    # A staff mentee who is also a careers mentee, with a mentor in careers only.
    in_both = _mentee_since([careers, staff], days=1)
    MentorshipFactory(mentee=in_both.user, programme=careers)
    paired_in_staff = _mentee_since([staff], days=1)
    MentorshipFactory(mentee=paired_in_staff.user, programme=staff)
    coordinator = UserFactory(is_staff=True, email="staff-coordinator@example.org")
    coordinator.groups.add(Group.objects.get(name="Scheme coordinator"))
    staff.coordinators.add(coordinator)
    as_staff = client_for(coordinator)

    assert listed(as_staff, "profiles_menteeprofile", "no_mentor") == {in_both.pk}
    rows = as_staff.get(reverse("admin:profiles_menteeprofile_changelist")).context["cl"]
    mentor_now = {profile.pk: profile.has_active_mentor for profile in rows.result_list}
    assert mentor_now == {in_both.pk: False, paired_in_staff.pk: True}
    # The superuser sees every programme's pairs, or those of the programme they choose.
    superuser = client_for(admin_user)
    assert listed(superuser, "profiles_menteeprofile", "no_mentor") == set()
    url = reverse("admin:profiles_menteeprofile_changelist")
    chosen = superuser.get(url, {"programme": staff.pk, "attention": "no_mentor"})
    assert [profile.pk for profile in chosen.context["cl"].result_list] == [in_both.pk]
    assert not chosen.context["cl"].result_list[0].has_active_mentor


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
