"""Reminding both people of a planned meeting the day before (a scheme setting, in days). The
occurrence key includes the start time, so a rescheduled meeting is reminded again."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from accounts.services import set_reminder_emails
from matching.models import Mentorship
from matching.services import end_mentorship
from sessions_log import services
from sessions_log.jobs import remind_upcoming_meetings
from sessions_log.models import Meeting
from tests.factories import (
    MeetingFactory,
    MenteeProfileFactory,
    MentorProfileFactory,
    MentorshipFactory,
    ProgrammeFactory,
)
from tests.support import START, keys, pairs_started_at, queued, run_counting_queries

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)
MEETS_AT = START + timedelta(days=2)


@pytest.fixture
def pair(clock, mentor, mentee) -> Mentorship:
    """Daniel mentoring Maya since a month before START."""
    MentorProfileFactory(user=mentor)
    MenteeProfileFactory(user=mentee)
    return MentorshipFactory(mentor=mentor, mentee=mentee, started_at=START - timedelta(days=30))


@pytest.fixture
def meeting(pair) -> Meeting:
    """Maya and Daniel's meeting two days after START."""
    return MeetingFactory(mentorship=pair, starts_at=MEETS_AT)


def _key(meeting: Meeting, person, starts_at: datetime) -> str:
    return f"meeting-reminder:{meeting.pk}:{starts_at:%Y%m%d%H%M}:{person.pk}"


def _reschedule(meeting: Meeting, starts_at: datetime, **changes) -> Meeting:
    return services.update_meeting(
        meeting,
        by=meeting.mentorship.mentee,
        starts_at=starts_at,
        time_zone=meeting.time_zone,
        duration_minutes=meeting.duration_minutes,
        format=meeting.format,
        location=meeting.location,
        agenda=changes.get("agenda", meeting.agenda),
    )


# "The day before" is the next 24 hours, ends included: a meeting exactly 24 h away is due, so
# an hourly job reminds a meeting at 10:00 at 10:00 the day before, never later.
@pytest.mark.parametrize(
    ("before", "reminded"),
    [(25 * HOUR, 0), (24 * HOUR + timedelta(minutes=1), 0), (24 * HOUR, 2), (23 * HOUR, 2)],
    ids=["25 h before", "24 h 1 min before", "24 h before", "23 h before"],
)
def test_reminders_are_due_a_day_before_the_meeting(clock, meeting, before, reminded):
    clock.move_to(MEETS_AT - before)

    assert remind_upcoming_meetings() == reminded


def test_both_people_are_reminded_once_each(clock, meeting, mentor, mentee):
    clock.move_to(MEETS_AT - 23 * HOUR)

    remind_upcoming_meetings()

    assert keys("meeting_reminder") == {
        _key(meeting, mentee, MEETS_AT),
        _key(meeting, mentor, MEETS_AT),
    }
    for row in queued("meeting_reminder"):
        pair_url = f"http://testserver/mentorships/{meeting.mentorship_id}/"
        assert f"{pair_url}#meeting-{meeting.pk}" in row.body_text
        assert f"{pair_url}meetings/{meeting.pk}.ics" in row.body_text


def test_no_reminder_once_the_meeting_has_started(clock, meeting):
    clock.move_to(MEETS_AT)

    assert remind_upcoming_meetings() == 0


def test_running_twice_sends_nothing_the_second_time(clock, meeting):
    clock.move_to(MEETS_AT - 23 * HOUR)
    remind_upcoming_meetings()

    assert remind_upcoming_meetings() == 0
    clock.shift(12 * HOUR)
    assert remind_upcoming_meetings() == 0
    assert len(queued("meeting_reminder")) == 2


def test_running_every_hour_for_three_days_reminds_each_person_once(clock, meeting):
    reminded_at = []
    for hour in range(72):
        clock.move_to(START + hour * HOUR)
        if count := remind_upcoming_meetings():
            reminded_at.append((MEETS_AT - (START + hour * HOUR), count))

    assert reminded_at == [(24 * HOUR, 2)]


def test_a_rescheduled_meeting_is_reminded_again(clock, meeting, mentor, mentee):
    clock.move_to(MEETS_AT - 23 * HOUR)
    remind_upcoming_meetings()
    new_time = MEETS_AT - 3 * HOUR
    _reschedule(meeting, new_time)

    assert remind_upcoming_meetings() == 2
    assert keys("meeting_reminder") == {
        _key(meeting, mentee, MEETS_AT),
        _key(meeting, mentor, MEETS_AT),
        _key(meeting, mentee, new_time),
        _key(meeting, mentor, new_time),
    }


def test_a_meeting_moved_to_next_week_is_reminded_the_day_before_its_new_time(clock, meeting):
    clock.move_to(MEETS_AT - 23 * HOUR)
    remind_upcoming_meetings()
    new_time = MEETS_AT + timedelta(days=7)
    _reschedule(meeting, new_time)

    assert remind_upcoming_meetings() == 0
    clock.move_to(new_time - 25 * HOUR)
    assert remind_upcoming_meetings() == 0
    clock.move_to(new_time - 23 * HOUR)
    assert remind_upcoming_meetings() == 2


def test_a_new_agenda_is_not_a_new_reminder(clock, meeting):
    clock.move_to(MEETS_AT - 23 * HOUR)
    remind_upcoming_meetings()
    _reschedule(meeting, MEETS_AT, agenda="Also: the promotion case.")

    assert remind_upcoming_meetings() == 0


@pytest.mark.parametrize("status", ["held", "cancelled"])
def test_meetings_no_longer_planned_are_not_reminded(clock, pair, status):
    MeetingFactory(mentorship=pair, starts_at=MEETS_AT, **{status: True})
    Meeting.objects.update(starts_at=MEETS_AT)  # the traits set their own times
    clock.move_to(MEETS_AT - 23 * HOUR)

    assert remind_upcoming_meetings() == 0


def test_an_ended_pair_is_not_reminded_of_its_planned_meeting(clock, meeting, mentee):
    end_mentorship(meeting.mentorship, by=mentee, reason="circumstances")
    clock.move_to(MEETS_AT - 23 * HOUR)

    assert remind_upcoming_meetings() == 0


def test_the_reminder_day_is_a_scheme_setting(clock, meeting, set_scheme):
    set_scheme(meeting_reminder_days=2)
    clock.move_to(MEETS_AT - 49 * HOUR)
    assert remind_upcoming_meetings() == 0

    clock.move_to(MEETS_AT - 47 * HOUR)
    assert remind_upcoming_meetings() == 2


def test_someone_who_turned_reminders_off_is_not_reminded(clock, meeting, mentor, mentee):
    set_reminder_emails(mentee, on=False)  # every kind
    clock.move_to(MEETS_AT - 23 * HOUR)

    assert remind_upcoming_meetings() == 1
    assert [r.to_email for r in queued("meeting_reminder")] == [mentor.email]


def test_someone_who_turned_reminders_off_still_hears_of_a_changed_meeting(clock, meeting, mentor):
    set_reminder_emails(mentor, on=False)  # every kind

    _reschedule(meeting, MEETS_AT + HOUR)

    # Daniel is told (the change is not a reminder); Maya, who moved it, gets her copy.
    assert sorted(r.to_email for r in queued("meeting_changed")) == sorted(
        [mentor.email, meeting.mentorship.mentee.email]
    )


def test_constant_queries_for_one_or_thirty_meetings(clock):
    def meetings(n: int) -> None:
        for pair in pairs_started_at(START - timedelta(days=30), n=n):
            MeetingFactory(mentorship=pair, starts_at=MEETS_AT)

    meetings(1)
    clock.move_to(MEETS_AT - 23 * HOUR)
    one = run_counting_queries(remind_upcoming_meetings)

    meetings(30)
    thirty = run_counting_queries(remind_upcoming_meetings)

    assert (one[0], thirty[0]) == (2, 60)
    assert thirty[1] == one[1]


def test_each_pair_is_reminded_as_many_days_before_as_its_programme_says(clock, meeting):
    early = ProgrammeFactory(name="Early reminders", meeting_reminder_days=3)
    [pair] = pairs_started_at(START - timedelta(days=30), programme=early)
    other = MeetingFactory(mentorship=pair, starts_at=MEETS_AT)

    clock.move_to(MEETS_AT - 71 * HOUR)
    assert remind_upcoming_meetings() == 2
    assert {r.dedupe_key.split(":")[1] for r in queued("meeting_reminder")} == {str(other.pk)}

    clock.move_to(MEETS_AT - 23 * HOUR)
    assert remind_upcoming_meetings() == 2
    assert {r.dedupe_key.split(":")[1] for r in queued("meeting_reminder")} == {
        str(other.pk),
        str(meeting.pk),
    }


def test_constant_queries_whatever_the_number_of_programmes(clock):
    def meetings(n: int, **kwargs) -> None:
        for pair in pairs_started_at(START - timedelta(days=30), n=n, **kwargs):
            MeetingFactory(mentorship=pair, starts_at=MEETS_AT)

    meetings(1)
    clock.move_to(MEETS_AT - 23 * HOUR)
    one = run_counting_queries(remind_upcoming_meetings)

    for days in range(2, 7):
        meetings(2, programme=ProgrammeFactory(name=f"{days} days", meeting_reminder_days=days))
    ten = run_counting_queries(remind_upcoming_meetings)

    assert (one[0], ten[0]) == (2, 20)
    assert ten[1] == one[1]
