"""Check-in surveys to both people of a pair: 6 weeks and 6 months after the start (each sent
late by up to 4 weeks after an outage, never later), and when the mentorship ends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from matching.models import Mentorship
from matching.services import complete_mentorship, end_mentorship
from sessions_log.jobs import send_check_ins
from sessions_log.models import CheckIn
from tests.factories import (
    MenteeProfileFactory,
    MentorProfileFactory,
    MentorshipFactory,
    ProgrammeFactory,
)
from tests.support import START, keys, pairs_started_at, queued, run_counting_queries
from tests.writers import creators_of

pytestmark = pytest.mark.django_db

Kind = CheckIn.Kind
DAY = timedelta(days=1)
MINUTE = timedelta(minutes=1)
SIX_WEEKS = timedelta(weeks=6)


@pytest.fixture
def pair(clock, mentor, mentee) -> Mentorship:
    """Daniel mentoring Maya since START."""
    MentorProfileFactory(user=mentor)
    MenteeProfileFactory(user=mentee)
    return MentorshipFactory(mentor=mentor, mentee=mentee)


def _sent(pair: Mentorship, kind: str | None = None) -> set[tuple[str, int]]:
    check_ins = CheckIn.objects.filter(mentorship=pair)
    if kind:
        check_ins = check_ins.filter(kind=kind)
    return set(check_ins.values_list("kind", "person_id"))


@pytest.mark.parametrize(
    ("age", "due"),
    [(SIX_WEEKS - DAY, False), (SIX_WEEKS - MINUTE, False), (SIX_WEEKS, True)],
    ids=["6 weeks minus a day", "6 weeks minus a minute", "6 weeks"],
)
def test_first_check_in_is_due_six_weeks_after_the_start(clock, pair, mentor, mentee, age, due):
    clock.shift(age)

    assert send_check_ins() == (2 if due else 0)
    expected = {(Kind.SIX_WEEKS, mentee.pk), (Kind.SIX_WEEKS, mentor.pk)} if due else set()
    assert _sent(pair) == expected


def test_each_person_is_emailed_their_own_survey_link(clock, pair, mentor, mentee):
    clock.shift(SIX_WEEKS)

    send_check_ins()

    for person in (mentee, mentor):
        check_in = CheckIn.objects.get(mentorship=pair, person=person)
        [row] = [r for r in queued("check_in") if r.recipient == person]
        assert row.subject == "How is your mentoring going? (6 weeks check-in)"
        assert row.dedupe_key == f"check-in:{check_in.pk}"
        assert f"http://testserver/check-ins/{check_in.token}/" in row.body_text
        assert f"http://testserver/check-ins/{check_in.token}/" in row.body_html
        assert check_in.sent_at == START + SIX_WEEKS
        assert check_in.expires_at == START + SIX_WEEKS + timedelta(days=30)


def test_a_missed_check_in_is_sent_late_within_four_weeks(clock, pair):
    clock.shift(SIX_WEEKS + timedelta(weeks=4) - MINUTE)

    assert send_check_ins() == 2


def test_a_check_in_missed_by_four_weeks_is_not_sent(clock, pair):
    clock.shift(SIX_WEEKS + timedelta(weeks=4))

    assert send_check_ins() == 0
    assert queued("check_in") == []


@pytest.mark.parametrize(
    ("when", "due"),
    [
        (datetime(2026, 7, 11, 9, 0, tzinfo=UTC), False),
        (datetime(2026, 7, 12, 8, 59, tzinfo=UTC), False),
        (datetime(2026, 7, 12, 9, 0, tzinfo=UTC), True),
    ],
    ids=["6 months minus a day", "6 months minus a minute", "6 months"],
)
def test_second_check_in_is_due_six_calendar_months_after_the_start(
    clock, pair, mentor, mentee, when, due
):
    clock.move_to(when)

    assert send_check_ins() == (2 if due else 0)
    expected = {(Kind.SIX_MONTHS, mentee.pk), (Kind.SIX_MONTHS, mentor.pk)} if due else set()
    assert _sent(pair) == expected


def test_six_months_after_the_29th_is_the_29th(clock):
    (pair,) = pairs_started_at(datetime(2026, 1, 29, 9, 0, tzinfo=UTC))
    clock.move_to(datetime(2026, 7, 29, 9, 0, tzinfo=UTC))

    assert send_check_ins() == 2
    assert {kind for kind, _ in _sent(pair)} == {Kind.SIX_MONTHS}


def test_six_months_after_the_31st_of_august_is_the_first_of_march(clock):
    # February has no 31st. We read "six months after 31 August" as the first moment six whole
    # calendar months have passed: 1 March (not 28 February); the survey is a day later at most.
    (pair,) = pairs_started_at(datetime(2025, 8, 31, 9, 0, tzinfo=UTC))
    clock.move_to(datetime(2026, 2, 28, 23, 0, tzinfo=UTC))
    assert send_check_ins() == 0

    clock.move_to(datetime(2026, 3, 1, 0, 0, tzinfo=UTC))
    assert send_check_ins() == 2
    assert {kind for kind, _ in _sent(pair)} == {Kind.SIX_MONTHS}


def test_the_ending_check_in_goes_to_both_when_the_pair_ends(clock, pair, mentor, mentee):
    clock.shift(timedelta(days=20))
    end_mentorship(pair, by=mentee, reason="achieved")
    clock.shift(timedelta(hours=1))

    assert send_check_ins() == 2
    assert _sent(pair) == {(Kind.ENDING, mentee.pk), (Kind.ENDING, mentor.pk)}


# The job sends the ending check-in at its next run after the end; the 30 days are only how
# long a run that was missed may still catch up.
@pytest.mark.parametrize(
    ("since_end", "sent"),
    [(timedelta(days=29), 2), (timedelta(days=31), 0)],
    ids=["29 days after the end", "31 days after the end"],
)
def test_the_ending_check_in_is_sent_within_thirty_days_of_the_end(clock, since_end, sent):
    MentorshipFactory(ended=True)  # ended at START
    clock.shift(since_end)

    assert send_check_ins() == sent


def test_an_ended_pair_gets_the_ending_check_in_not_the_six_week_one(clock, pair):
    clock.shift(timedelta(weeks=5))
    end_mentorship(pair, by=pair.mentor, reason="circumstances")
    clock.shift(timedelta(weeks=1))

    send_check_ins()

    assert {kind for kind, _ in _sent(pair)} == {Kind.ENDING}


def test_someone_who_turned_reminders_off_still_gets_check_ins(clock, pair, mentee):
    # A check-in is part of the scheme, not a reminder: it arrives whatever the setting.
    mentee.reminder_emails = False
    mentee.save(update_fields=["reminder_emails"])
    clock.shift(SIX_WEEKS)

    send_check_ins()

    assert mentee.email in {r.to_email for r in queued("check_in")}


def test_running_twice_sends_nothing_the_second_time(clock, pair):
    clock.shift(SIX_WEEKS)
    send_check_ins()
    first_keys = keys("check_in")

    assert send_check_ins() == 0
    clock.shift(DAY)
    assert send_check_ins() == 0
    assert keys("check_in") == first_keys
    assert len(first_keys) == 2


def test_running_daily_for_seven_months_sends_each_check_in_once(clock, pair):
    sent_on = []
    for day in range(7 * 31):
        clock.move_to(START + day * DAY)
        if count := send_check_ins():
            sent_on.append((day, count))

    assert sent_on == [(42, 2), (181, 2)]  # 6 weeks; and 12 July, 6 months after 12 January
    assert len(queued("check_in")) == 4


def test_the_first_check_in_week_is_a_scheme_setting(clock, pair, set_scheme):
    set_scheme(check_in_first_weeks=4)
    clock.shift(timedelta(weeks=4) - MINUTE)
    assert send_check_ins() == 0

    clock.shift(MINUTE)
    assert send_check_ins() == 2


def test_the_second_check_in_month_is_a_scheme_setting(clock, pair, set_scheme):
    set_scheme(check_in_second_months=3)
    clock.move_to(datetime(2026, 4, 12, 9, 0, tzinfo=UTC))

    assert send_check_ins() == 2
    assert {kind for kind, _ in _sent(pair)} == {Kind.SIX_MONTHS}


def test_constant_queries_for_one_or_thirty_due_pairs(clock):
    pairs_started_at(START)
    clock.shift(SIX_WEEKS)
    one = run_counting_queries(send_check_ins)

    pairs_started_at(START, n=30)
    thirty = run_counting_queries(send_check_ins)

    assert (one[0], thirty[0]) == (2, 60)
    assert thirty[1] == one[1]


def test_the_jobs_check_in_email_names_the_other_person(clock, pair, mentor, mentee):
    clock.shift(SIX_WEEKS)

    send_check_ins()

    to_mentee = CheckIn.objects.get(mentorship=pair, person=mentee).pk
    row = next(r for r in queued("check_in") if r.dedupe_key == f"check-in:{to_mentee}")
    assert f"You have been working with {mentor.full_name} for" in row.body_text
    assert f"working with {mentor.full_name} for" in row.body_html


def test_the_ending_check_in_after_a_deletion_names_a_former_participant(
    clock, pair, mentor, mentee
):
    from accounts.privacy import delete_account

    delete_account(mentor)

    assert send_check_ins() == 1
    (row,) = queued("check_in")
    assert "Your mentorship with a former participant has ended." in row.body_text
    assert "the other person does not see it" in row.body_text


def test_only_the_job_creates_check_ins():
    assert creators_of(CheckIn) == ["sessions_log.jobs:_insert_check_ins"]


# Each programme's own schedule


def test_each_pair_is_checked_in_on_its_own_programmes_schedule(clock):
    """A programme with a first check-in at 4 weeks and a second at 3 months, and the default
    one (6 weeks, 6 months), each with a pair that began at START."""
    brisk = ProgrammeFactory(name="Brisk", check_in_first_weeks=4, check_in_second_months=3)
    [in_brisk] = pairs_started_at(START, programme=brisk)
    [in_default] = pairs_started_at(START)
    sent_on = []
    for day in range(200):
        clock.move_to(START + day * DAY)
        if count := send_check_ins():
            sent_on.append((f"{START + day * DAY:%Y-%m-%d}", count))

    # 4 weeks, 6 weeks, 3 months (12 April), 6 months (12 July).
    assert sent_on == [("2026-02-09", 2), ("2026-02-23", 2), ("2026-04-12", 2), ("2026-07-12", 2)]
    assert {kind for kind, _ in _sent(in_brisk)} == {Kind.SIX_WEEKS, Kind.SIX_MONTHS}
    assert {kind for kind, _ in _sent(in_default)} == {Kind.SIX_WEEKS, Kind.SIX_MONTHS}
    first = dict(
        CheckIn.objects.filter(kind=Kind.SIX_WEEKS).values_list("mentorship", "created_at")
    )
    assert first == {in_brisk.pk: START + 28 * DAY, in_default.pk: START + 42 * DAY}


def test_constant_queries_whatever_the_number_of_programmes(clock):
    pairs_started_at(START)
    clock.shift(SIX_WEEKS)
    one = run_counting_queries(send_check_ins)

    for weeks in range(1, 6):
        programme = ProgrammeFactory(name=f"After {weeks} weeks", check_in_first_weeks=weeks)
        pairs_started_at(START + SIX_WEEKS - timedelta(weeks=weeks), n=2, programme=programme)
    ten = run_counting_queries(send_check_ins)

    assert (one[0], ten[0]) == (2, 20)
    assert ten[1] == one[1]


def test_a_completed_pair_not_asked_to_wrap_up_gets_the_ending_check_in(clock, pair):
    complete_mentorship(pair)

    assert send_check_ins() == 2
    assert _sent(pair) == {(Kind.ENDING, pair.mentee_id), (Kind.ENDING, pair.mentor_id)}
    (row, _) = queued("check_in")
    assert "has ended" in row.body_text
