"""Nudging a pair with no meeting held for 30 days (since their last held meeting, or the start)
and none planned: the mentee, who arranges meetings, and the mentor. Again every 30 days while
they stay quiet."""

from __future__ import annotations

from datetime import timedelta

import pytest

from accounts.services import set_reminder_emails
from matching.models import Mentorship
from matching.services import end_mentorship
from sessions_log.jobs import nudge_quiet_pairs
from tests.factories import (
    MeetingFactory,
    MenteeProfileFactory,
    MentorProfileFactory,
    MentorshipFactory,
    ProgrammeFactory,
)
from tests.support import START, keys, pairs_started_at, queued, run_counting_queries

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)
MINUTE = timedelta(minutes=1)


@pytest.fixture
def pair(clock, mentor, mentee) -> Mentorship:
    """Daniel mentoring Maya since START."""
    MentorProfileFactory(user=mentor)
    MenteeProfileFactory(user=mentee)
    return MentorshipFactory(mentor=mentor, mentee=mentee)


def _on(day: int) -> str:
    return f"{START + day * DAY:%Y%m%d}"


@pytest.mark.parametrize(
    ("age", "nudged"),
    [(29 * DAY, 0), (30 * DAY - MINUTE, 0), (30 * DAY, 1)],
    ids=["day 29", "a minute before day 30", "day 30"],
)
def test_a_pair_that_never_met_is_nudged_thirty_days_after_the_start(clock, pair, age, nudged):
    clock.shift(age)

    assert nudge_quiet_pairs() == nudged
    pair.refresh_from_db()
    assert pair.nudged_at == (START + age if nudged else None)


def test_the_mentee_and_the_mentor_are_both_nudged(clock, pair, mentor, mentee):
    clock.shift(30 * DAY)

    nudge_quiet_pairs()

    rows = queued("no_meeting_nudge")
    assert [r.to_email for r in rows] == [mentee.email, mentor.email]  # the mentee first
    assert {r.dedupe_key for r in rows} == {
        f"no-meeting:{pair.pk}:{_on(30)}:{mentee.pk}",
        f"no-meeting:{pair.pk}:{_on(30)}:{mentor.pk}",
    }
    assert [r.context["role"] for r in rows] == ["mentee", "mentor"]
    assert all(f"http://testserver/mentorships/{pair.pk}/" in r.body_text for r in rows)


def test_thirty_days_count_from_the_last_held_meeting(clock, pair):
    MeetingFactory(mentorship=pair, held=True, starts_at=START + 10 * DAY)
    clock.shift(39 * DAY)
    assert nudge_quiet_pairs() == 0

    clock.shift(DAY)
    assert nudge_quiet_pairs() == 1
    [row, _] = queued("no_meeting_nudge")
    assert row.context["never_met"] is False


def test_a_planned_meeting_in_the_future_means_no_nudge(clock, pair):
    MeetingFactory(mentorship=pair, starts_at=START + 70 * DAY)
    clock.shift(60 * DAY)

    assert nudge_quiet_pairs() == 0


def test_a_cancelled_meeting_is_no_reason_to_wait(clock, pair):
    MeetingFactory(mentorship=pair, cancelled=True, starts_at=START + 40 * DAY)
    clock.shift(30 * DAY)

    assert nudge_quiet_pairs() == 1


def test_a_planned_meeting_that_has_passed_unlogged_does_not_stop_the_nudge(clock, pair):
    # "No meeting logged" is what the scheme asks about: a meeting still marked planned after
    # its time was never logged as held, and the nudge asks the pair to log it.
    MeetingFactory(mentorship=pair, starts_at=START + 5 * DAY)
    clock.shift(30 * DAY)

    assert nudge_quiet_pairs() == 1


def test_a_quiet_pair_is_nudged_again_only_after_another_thirty_days(clock, pair, mentor, mentee):
    clock.shift(30 * DAY)
    nudge_quiet_pairs()

    clock.shift(29 * DAY)
    assert nudge_quiet_pairs() == 0
    clock.shift(DAY)
    assert nudge_quiet_pairs() == 1
    assert keys("no_meeting_nudge") == {
        f"no-meeting:{pair.pk}:{_on(day)}:{person.pk}"
        for day in (30, 60)
        for person in (mentee, mentor)
    }


def test_running_twice_sends_nothing_the_second_time(clock, pair):
    clock.shift(30 * DAY)
    nudge_quiet_pairs()

    assert nudge_quiet_pairs() == 0
    clock.shift(DAY)
    assert nudge_quiet_pairs() == 0
    assert len(queued("no_meeting_nudge")) == 2


def test_running_daily_for_a_hundred_days_nudges_on_days_30_60_and_90(clock, pair):
    nudged_on = []
    for day in range(100):
        clock.move_to(START + day * DAY)
        if nudge_quiet_pairs():
            nudged_on.append(day)

    assert nudged_on == [30, 60, 90]


def test_an_ended_pair_is_not_nudged(clock, pair, mentee):
    clock.shift(10 * DAY)
    end_mentorship(pair, by=mentee, reason="not_a_fit")
    clock.shift(30 * DAY)

    assert nudge_quiet_pairs() == 0


def test_the_quiet_period_is_a_scheme_setting(clock, pair, set_scheme):
    set_scheme(no_meeting_nudge_days=14)
    clock.shift(14 * DAY - MINUTE)
    assert nudge_quiet_pairs() == 0

    clock.shift(MINUTE)
    assert nudge_quiet_pairs() == 1
    clock.shift(14 * DAY)
    assert nudge_quiet_pairs() == 1


def test_someone_who_turned_reminders_off_is_not_nudged(clock, pair, mentor, mentee):
    set_reminder_emails(mentee, on=False)  # every kind
    clock.shift(30 * DAY)

    nudge_quiet_pairs()

    assert [r.to_email for r in queued("no_meeting_nudge")] == [mentor.email]


def test_a_pair_who_both_turned_reminders_off_gets_no_nudge(clock, pair, mentor, mentee):
    for person in (mentor, mentee):
        set_reminder_emails(person, on=False)  # every kind
    clock.shift(30 * DAY)

    nudge_quiet_pairs()

    assert queued("no_meeting_nudge") == []


def test_constant_queries_for_one_or_thirty_quiet_pairs(clock):
    pairs_started_at(START)
    clock.shift(30 * DAY)
    one = run_counting_queries(nudge_quiet_pairs)

    for pair in pairs_started_at(START - 2 * DAY, n=30):
        # A held meeting each, so the aggregate has meetings to look through.
        MeetingFactory(mentorship=pair, held=True, starts_at=START - DAY)
    thirty = run_counting_queries(nudge_quiet_pairs)

    assert (one[0], thirty[0]) == (1, 30)
    assert len(queued("no_meeting_nudge")) == 62
    assert thirty[1] == one[1]


def test_each_pair_is_nudged_after_its_own_programmes_quiet_period(clock, pair):
    brisk = ProgrammeFactory(name="Brisk", no_meeting_nudge_days=14)
    [in_brisk] = pairs_started_at(START, programme=brisk)
    nudged_on = []
    for day in range(61):
        clock.move_to(START + day * DAY)
        nudge_quiet_pairs()
        nudged_on.append(
            (
                day,
                *Mentorship.objects.filter(pk__in=[pair.pk, in_brisk.pk])
                .order_by("pk")
                .values_list("nudged_at", flat=True),
            )
        )

    brisk_days = sorted({day for day, *_, at in nudged_on if at == START + day * DAY})
    default_days = sorted({day for day, at, _ in nudged_on if at == START + day * DAY})
    assert brisk_days == [14, 28, 42, 56]
    assert default_days == [30, 60]


def test_constant_queries_whatever_the_number_of_programmes(clock):
    pairs_started_at(START)
    clock.shift(30 * DAY)
    one = run_counting_queries(nudge_quiet_pairs)

    for days in range(10, 15):
        programme = ProgrammeFactory(name=f"Quiet for {days} days", no_meeting_nudge_days=days)
        pairs_started_at(START + 30 * DAY - days * DAY, n=2, programme=programme)
    ten = run_counting_queries(nudge_quiet_pairs)

    assert (one[0], ten[0]) == (1, 10)
    assert ten[1] == one[1]
