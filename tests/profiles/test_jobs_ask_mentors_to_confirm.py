"""Asking mentors to confirm their profile is up to date: every approved mentor once in August
(the confirmation month), and in the other recruitment round (March) those who have not
confirmed for a year. Months are the scheme's local months (Europe/London)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from mentoring.emails import unsubscribe_token
from profiles.jobs import ask_mentors_to_confirm
from profiles.models import Membership, MentorProfile
from profiles.tokens import confirm_token
from tests.factories import MentorProfileFactory, ProgrammeFactory, UserFactory, default_programme
from tests.support import keys, queued, run_counting_queries

pytestmark = pytest.mark.django_db

LAST_AUGUST = datetime(2025, 8, 12, 9, 0, tzinfo=UTC)
JULY = datetime(2026, 7, 20, 9, 0, tzinfo=UTC)
AUGUST = datetime(2026, 8, 10, 9, 0, tzinfo=UTC)
MARCH = datetime(2027, 3, 10, 9, 0, tzinfo=UTC)
APRIL = datetime(2027, 4, 10, 9, 0, tzinfo=UTC)


def _mentor(confirmed_at: datetime | None = LAST_AUGUST, **kwargs) -> MentorProfile:
    return MentorProfileFactory(confirmed_at=confirmed_at, **kwargs)


def _asked(kind: str = "profile_confirm") -> set[str]:
    return {row.to_email for row in queued(kind)}


@pytest.fixture
def mentors(clock) -> list[MentorProfile]:
    """Two approved mentors who last confirmed a year ago. One has paused (not taking mentees):
    their profile is still the one mentees will see when they return, so they are asked too."""
    return [_mentor(), _mentor(is_active=False)]


def test_nobody_is_asked_in_july(clock, mentors):
    clock.move_to(JULY)

    assert ask_mentors_to_confirm() == 0
    assert queued("profile_confirm") == []


def test_every_approved_mentor_is_asked_in_august(clock, mentors):
    clock.move_to(AUGUST)

    assert ask_mentors_to_confirm() == 2
    assert _asked() == {m.user.email for m in mentors}
    assert keys("profile_confirm") == {f"profile_confirm:{m.pk}:2026-08" for m in mentors}
    assert {m.confirmation_asked_at for m in MentorProfile.objects.all()} == {AUGUST}


@pytest.mark.parametrize("status", ["draft", "submitted", "changes_requested"])
def test_mentors_not_yet_approved_are_not_asked(clock, status):
    _mentor(review_status=status)
    clock.move_to(AUGUST)

    assert ask_mentors_to_confirm() == 0


def test_a_deactivated_account_is_not_asked(clock):
    _mentor(user=UserFactory(is_active=False))
    clock.move_to(AUGUST)

    assert ask_mentors_to_confirm() == 0


def test_a_mentor_who_confirmed_this_month_is_not_asked(clock, mentors):
    done = _mentor(confirmed_at=datetime(2026, 8, 2, 12, 0, tzinfo=UTC))
    in_july = _mentor(confirmed_at=datetime(2026, 7, 30, 12, 0, tzinfo=UTC))
    clock.move_to(AUGUST)

    ask_mentors_to_confirm()

    assert done.user.email not in _asked()
    assert in_july.user.email in _asked()


def test_august_begins_at_midnight_in_the_schemes_time_zone(clock, mentors):
    # 31 July 23:30 UTC is 1 August 00:30 in London (summer time).
    clock.move_to(datetime(2026, 7, 31, 22, 30, tzinfo=UTC))
    assert ask_mentors_to_confirm() == 0

    clock.move_to(datetime(2026, 7, 31, 23, 30, tzinfo=UTC))
    assert ask_mentors_to_confirm() == 2
    assert keys("profile_confirm") == {f"profile_confirm:{m.pk}:2026-08" for m in mentors}


def test_each_mentor_is_asked_once_in_august(clock, mentors):
    clock.move_to(AUGUST)
    ask_mentors_to_confirm()

    assert ask_mentors_to_confirm() == 0
    clock.move_to(datetime(2026, 8, 31, 22, 0, tzinfo=UTC))  # 23:00 on 31 August in London
    assert ask_mentors_to_confirm() == 0
    assert len(queued("profile_confirm")) == 2


def test_running_daily_for_a_year_asks_in_august_and_march_only(clock):
    confirms_when_asked = _mentor()
    ignores = _mentor()
    asked_on = []
    for day in range(365):
        when = datetime(2026, 6, 1, 9, 0, tzinfo=UTC) + timedelta(days=day)
        clock.move_to(when)
        if count := ask_mentors_to_confirm():
            asked_on.append((f"{when:%Y-%m-%d}", count))
            MentorProfile.objects.filter(pk=confirms_when_asked.pk).update(confirmed_at=when)

    # In March only the mentor who did not confirm in August has lapsed.
    assert asked_on == [("2026-08-01", 2), ("2027-03-01", 1)]
    assert _asked("profile_lapsed") == {ignores.user.email}


def test_mentors_are_asked_again_the_next_august(clock, mentors):
    clock.move_to(AUGUST)
    ask_mentors_to_confirm()
    clock.move_to(AUGUST.replace(year=2027))

    assert ask_mentors_to_confirm() == 2
    assert len(keys("profile_confirm")) == 4


def test_in_march_only_mentors_who_have_not_confirmed_for_a_year_are_asked(clock):
    # "Not confirmed for a year" is counted to the hour (365 days), not by calendar month.
    lapsed = _mentor(confirmed_at=MARCH - timedelta(days=366))
    never = _mentor(confirmed_at=None)
    recent = _mentor(confirmed_at=MARCH - timedelta(days=364))
    clock.move_to(MARCH)

    assert ask_mentors_to_confirm() == 2
    assert _asked("profile_lapsed") == {lapsed.user.email, never.user.email}
    assert queued("profile_confirm") == []
    assert recent.user.email not in _asked("profile_lapsed")
    assert keys("profile_lapsed") == {
        f"profile_lapsed:{lapsed.pk}:2027-03",
        f"profile_lapsed:{never.pk}:2027-03",
    }


def test_a_mentor_whose_year_runs_out_during_march_is_asked_that_day(clock):
    mentor = _mentor(confirmed_at=datetime(2026, 3, 20, 9, 0, tzinfo=UTC))
    clock.move_to(datetime(2027, 3, 20, 8, 0, tzinfo=UTC))
    assert ask_mentors_to_confirm() == 0

    clock.move_to(datetime(2027, 3, 20, 10, 0, tzinfo=UTC))
    assert ask_mentors_to_confirm() == 1
    assert _asked("profile_lapsed") == {mentor.user.email}


def test_a_lapsed_mentor_is_asked_once_in_march(clock):
    _mentor(confirmed_at=None)
    clock.move_to(MARCH)
    ask_mentors_to_confirm()

    assert ask_mentors_to_confirm() == 0
    clock.move_to(datetime(2027, 3, 31, 9, 0, tzinfo=UTC))
    assert ask_mentors_to_confirm() == 0


def test_nobody_is_asked_in_april(clock):
    _mentor(confirmed_at=None)
    _mentor(confirmed_at=APRIL - timedelta(days=400))
    clock.move_to(APRIL)

    assert ask_mentors_to_confirm() == 0


def test_the_confirmation_month_is_a_scheme_setting(clock, mentors, set_scheme):
    set_scheme(profile_confirmation_month=9, recruitment_months=[3, 9])
    clock.move_to(AUGUST)
    assert ask_mentors_to_confirm() == 0

    clock.move_to(datetime(2026, 9, 10, 9, 0, tzinfo=UTC))
    assert ask_mentors_to_confirm() == 2
    assert keys("profile_confirm") == {f"profile_confirm:{m.pk}:2026-09" for m in mentors}


def test_the_recruitment_months_are_a_scheme_setting(clock, set_scheme):
    set_scheme(recruitment_months=[8, 11])
    _mentor(confirmed_at=None)
    clock.move_to(MARCH)
    assert ask_mentors_to_confirm() == 0

    clock.move_to(datetime(2026, 11, 10, 9, 0, tzinfo=UTC))
    assert ask_mentors_to_confirm() == 1
    assert len(queued("profile_lapsed")) == 1


def test_a_mentor_who_turned_reminders_off_is_not_asked(clock, mentors):
    mentors[0].user.reminder_emails = False
    mentors[0].user.save(update_fields=["reminder_emails"])
    clock.move_to(AUGUST)

    assert ask_mentors_to_confirm() == 1
    assert _asked() == {mentors[1].user.email}


def test_the_email_links_to_the_one_click_confirmation_and_the_edit_page(clock, mentors):
    clock.move_to(AUGUST)

    ask_mentors_to_confirm()

    row = next(r for r in queued("profile_confirm") if r.recipient == mentors[0].user)
    confirm_url = "http://testserver" + reverse(
        "profiles:mentor-confirm-link", args=[confirm_token(mentors[0])]
    )
    assert row.context["confirm_url"] == confirm_url
    assert confirm_url in row.body_text
    assert "http://testserver/profile/mentor/" in row.body_text


def test_constant_queries_for_one_or_thirty_mentors(clock):
    _mentor()
    clock.move_to(AUGUST)
    one = run_counting_queries(ask_mentors_to_confirm)

    for _ in range(30):
        _mentor()
    thirty = run_counting_queries(ask_mentors_to_confirm)

    assert (one[0], thirty[0]) == (1, 30)
    assert thirty[1] == one[1]


# The confirmation link in the email


@pytest.fixture
def link(clock, mentors) -> str:
    """The link in the first mentor's August email, as the mentor's mail app shows it."""
    clock.move_to(AUGUST)
    ask_mentors_to_confirm()
    row = next(r for r in queued("profile_confirm") if r.recipient == mentors[0].user)
    return row.context["confirm_url"].removeprefix("http://testserver")


def test_opening_the_link_asks_and_changes_nothing(client, link, mentors):
    response = client.get(link)

    assert response.status_code == 200
    assert "Yes, my profile is up to date" in response.text
    mentors[0].refresh_from_db()
    assert mentors[0].confirmed_at == LAST_AUGUST


def test_pressing_the_button_confirms_the_profile(client, clock, link, mentors):
    clock.shift(timedelta(days=2))

    response = client.post(link)

    assert response.status_code == 200
    assert "your profile is confirmed as up to date on 12 August 2026" in response.text
    mentors[0].refresh_from_db()
    assert mentors[0].confirmed_at == AUGUST + timedelta(days=2)
    mentors[1].refresh_from_db()
    assert mentors[1].confirmed_at == LAST_AUGUST


def test_a_confirmed_mentor_is_not_lapsed_in_march(client, clock, link, mentors):
    client.post(link)
    clock.move_to(MARCH)

    ask_mentors_to_confirm()

    assert _asked("profile_lapsed") == {mentors[1].user.email}


def test_the_link_still_works_after_89_days(client, clock, link, mentors):
    clock.shift(timedelta(days=89))

    assert client.post(link).status_code == 200
    mentors[0].refresh_from_db()
    assert mentors[0].confirmed_at == AUGUST + timedelta(days=89)


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_link_expires_after_90_days(client, clock, link, mentors, method):
    clock.shift(timedelta(days=90, seconds=1))

    response = getattr(client, method)(link)

    assert response.status_code == 404
    assert "This link has expired or is not valid." in response.text
    mentors[0].refresh_from_db()
    assert mentors[0].confirmed_at == LAST_AUGUST


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_link_is_a_404(client, link, mentors, method):
    token = link.rstrip("/").rsplit("/", 1)[1]
    tampered = link.replace(token, token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))

    response = getattr(client, method)(tampered)

    assert response.status_code == 404
    assert "This link has expired or is not valid." in response.text
    mentors[0].refresh_from_db()
    assert mentors[0].confirmed_at == LAST_AUGUST


def test_an_unsubscribe_token_does_not_confirm_a_profile(client, mentors):
    # Both are signed with the site's key: the salts keep one link from working as the other.
    token = unsubscribe_token(mentors[0].user)

    response = client.post(reverse("profiles:mentor-confirm-link", args=[token]))

    assert response.status_code == 404


# Each programme's confirmation month


SEPTEMBER = datetime(2026, 9, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def september_programme():
    return ProgrammeFactory(name="Staff mentoring", profile_confirmation_month=9)


def test_mentors_are_asked_in_the_month_of_the_programme_they_mentor_in(clock, september_programme):
    august_mentor = _mentor()
    september_mentor = _mentor(programmes=[september_programme])

    clock.move_to(AUGUST)
    assert ask_mentors_to_confirm() == 1
    assert _asked() == {august_mentor.user.email}

    clock.move_to(SEPTEMBER)
    assert ask_mentors_to_confirm() == 1
    assert keys("profile_confirm") == {
        f"profile_confirm:{august_mentor.pk}:2026-08",
        f"profile_confirm:{september_mentor.pk}:2026-09",
    }


def test_a_mentor_in_two_programmes_of_the_same_month_is_asked_once(clock):
    also_august = ProgrammeFactory(name="Also August", profile_confirmation_month=8)
    both = _mentor(programmes=[default_programme(), also_august])
    clock.move_to(AUGUST)

    assert ask_mentors_to_confirm() == 1
    assert keys("profile_confirm") == {f"profile_confirm:{both.pk}:2026-08"}


def test_a_mentor_who_confirmed_in_one_programmes_month_is_not_asked_again_in_the_other(
    clock, september_programme
):
    both = _mentor(programmes=[default_programme(), september_programme])
    clock.move_to(AUGUST)
    assert ask_mentors_to_confirm() == 1
    MentorProfile.objects.filter(pk=both.pk).update(confirmed_at=AUGUST + timedelta(days=1))

    clock.move_to(SEPTEMBER)
    assert ask_mentors_to_confirm() == 0

    # Their year comes round again with the first of their months.
    clock.move_to(AUGUST.replace(year=2027))
    assert ask_mentors_to_confirm() == 1
    assert len(keys("profile_confirm")) == 2


def test_a_mentor_in_two_programmes_who_did_not_confirm_is_asked_in_the_second_month(
    clock, september_programme
):
    both = _mentor(programmes=[default_programme(), september_programme])
    clock.move_to(AUGUST)
    ask_mentors_to_confirm()

    clock.move_to(SEPTEMBER)
    assert ask_mentors_to_confirm() == 1
    assert keys("profile_confirm") == {
        f"profile_confirm:{both.pk}:2026-08",
        f"profile_confirm:{both.pk}:2026-09",
    }


def test_only_approved_memberships_count(clock, september_programme):
    waiting = _mentor(programmes=[])
    Membership.objects.create(user=waiting.user, programme=september_programme, role="mentor")
    left = _mentor(programmes=[september_programme])
    Membership.objects.filter(user=left.user).update(status="left", left_at=AUGUST)
    clock.move_to(SEPTEMBER)

    assert ask_mentors_to_confirm() == 0


def test_a_mentor_of_no_programme_is_not_reminded_in_march(clock):
    _mentor(confirmed_at=None, programmes=[])
    clock.move_to(MARCH)

    assert ask_mentors_to_confirm() == 0


def test_in_a_programmes_month_its_mentors_get_the_yearly_ask_not_the_lapsed_reminder(clock):
    march = ProgrammeFactory(name="Spring programme", profile_confirmation_month=3)
    in_march = _mentor(confirmed_at=None, programmes=[march])
    lapsed = _mentor(confirmed_at=None)
    clock.move_to(MARCH)

    assert ask_mentors_to_confirm() == 2
    assert _asked("profile_confirm") == {in_march.user.email}
    assert _asked("profile_lapsed") == {lapsed.user.email}


def test_constant_queries_whatever_the_number_of_programmes(clock):
    _mentor()
    clock.move_to(AUGUST)
    one = run_counting_queries(ask_mentors_to_confirm)

    for n in range(5):
        programme = ProgrammeFactory(name=f"August {n}", profile_confirmation_month=8)
        for _ in range(2):
            _mentor(programmes=[programme, default_programme()])
    ten = run_counting_queries(ask_mentors_to_confirm)

    assert (one[0], ten[0]) == (1, 10)
    assert ten[1] == one[1]
