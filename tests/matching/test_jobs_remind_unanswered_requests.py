"""Reminding mentors of requests they have not answered: first after 3 days, second after 7,
none once the request is 14 days old (it expires then)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from accounts.services import set_reminder_emails
from matching.jobs import expire_requests, remind_unanswered_requests
from matching.models import MentorshipRequest
from matching.services import send_request
from tests.factories import (
    MenteeProfileFactory,
    MentorProfileFactory,
    MentorshipRequestFactory,
    ProgrammeFactory,
)
from tests.support import START, keys, queued, requests_made_at, run_counting_queries

pytestmark = pytest.mark.django_db

MINUTE = timedelta(minutes=1)


@pytest.fixture
def request_(clock, mentor, mentee) -> MentorshipRequest:
    """Maya's request to Daniel, made at START."""
    MentorProfileFactory(user=mentor)
    MenteeProfileFactory(user=mentee)
    return MentorshipRequestFactory(mentee=mentee, mentor=mentor)


def _reminders_sent(req: MentorshipRequest) -> int:
    req.refresh_from_db()
    return req.reminders_sent


@pytest.mark.parametrize(
    ("age", "reminded"),
    [
        (timedelta(days=2), 0),
        (timedelta(days=3) - MINUTE, 0),
        (timedelta(days=3), 1),
    ],
    ids=["day 2", "a minute before day 3", "day 3"],
)
def test_first_reminder_is_due_three_days_after_the_request(clock, request_, age, reminded):
    clock.shift(age)

    assert remind_unanswered_requests() == reminded
    assert _reminders_sent(request_) == reminded
    expected = {f"request-reminder:{request_.pk}:1"} if reminded else set()
    assert keys("request_reminder") == expected


def test_first_reminder_goes_to_the_mentor_with_a_link_to_the_request(clock, request_, mentor):
    clock.shift(timedelta(days=3))

    remind_unanswered_requests()

    [row] = queued("request_reminder")
    assert row.to_email == mentor.email
    assert row.recipient == mentor
    assert f"http://testserver/requests/{request_.pk}/" in row.body_text
    assert row.context["number"] == 1


def test_nothing_new_between_the_first_and_second_reminder(clock, request_):
    clock.shift(timedelta(days=3))
    remind_unanswered_requests()
    clock.shift(timedelta(days=4) - MINUTE)  # a minute before day 7

    assert remind_unanswered_requests() == 0
    assert _reminders_sent(request_) == 1


def test_second_reminder_is_due_seven_days_after_the_request(clock, request_):
    clock.shift(timedelta(days=3))
    remind_unanswered_requests()
    clock.shift(timedelta(days=4))

    assert remind_unanswered_requests() == 1
    assert _reminders_sent(request_) == 2
    assert keys("request_reminder") == {
        f"request-reminder:{request_.pk}:1",
        f"request-reminder:{request_.pk}:2",
    }
    assert queued("request_reminder")[-1].context["number"] == 2


def test_a_first_run_after_day_seven_sends_only_the_second_reminder(clock, request_):
    # The job did not run between day 3 and day 7 (an outage). The mentor gets one email, the
    # second reminder, not two at once: a scheme user expects one nudge per run, not a pile-up.
    clock.shift(timedelta(days=7))

    assert remind_unanswered_requests() == 1
    assert keys("request_reminder") == {f"request-reminder:{request_.pk}:2"}
    assert _reminders_sent(request_) == 2


def test_no_third_reminder_before_expiry(clock, request_):
    clock.shift(timedelta(days=7))
    remind_unanswered_requests()
    clock.shift(timedelta(days=7) - MINUTE)  # a minute before day 14

    assert remind_unanswered_requests() == 0
    assert len(queued("request_reminder")) == 1


def test_no_reminder_on_day_fourteen_the_request_expires_instead(clock, request_):
    # The job never ran, so the request is due its second reminder; but on day 14 it expires.
    clock.shift(timedelta(days=14))

    assert remind_unanswered_requests() == 0
    assert expire_requests() == 1
    assert queued("request_reminder") == []
    assert [r.to_email for r in queued("request_expired")] == [request_.mentee.email]


def test_running_every_six_hours_for_three_weeks_sends_two_reminders_then_expires(clock, request_):
    sent_on = []
    for hour in range(6, 21 * 24, 6):
        clock.move_to(START + timedelta(hours=hour))
        if remind_unanswered_requests():
            sent_on.append(hour / 24)
        expire_requests()

    request_.refresh_from_db()
    assert sent_on == [3, 7]
    assert request_.status == MentorshipRequest.Status.EXPIRED
    assert request_.expired_at == START + timedelta(days=14)


@pytest.mark.parametrize("closed", ["accepted", "declined", "withdrawn", "expired"])
def test_answered_or_closed_requests_get_no_reminder(clock, closed):
    requests_made_at(START, **{closed: True})
    clock.shift(timedelta(days=3))

    assert remind_unanswered_requests() == 0
    assert queued("request_reminder") == []


def test_running_twice_sends_nothing_the_second_time(clock, request_):
    clock.shift(timedelta(days=3))
    remind_unanswered_requests()

    assert remind_unanswered_requests() == 0
    assert len(queued("request_reminder")) == 1
    assert _reminders_sent(request_) == 1


def test_the_dedupe_key_stops_a_reminder_even_when_the_count_was_lost(clock, request_):
    # As if a run queued the email and another process reset the counter: the outbox row for
    # this occurrence already exists, so nothing is queued twice.
    clock.shift(timedelta(days=3))
    remind_unanswered_requests()
    MentorshipRequest.objects.filter(pk=request_.pk).update(reminders_sent=0)

    assert remind_unanswered_requests() == 0
    assert keys("request_reminder") == {f"request-reminder:{request_.pk}:1"}


def test_scheme_settings_move_the_reminder_days(clock, request_, set_scheme):
    set_scheme(request_first_reminder_days=2, request_second_reminder_days=5)
    clock.shift(timedelta(days=2))
    assert remind_unanswered_requests() == 1

    clock.shift(timedelta(days=3) - MINUTE)
    assert remind_unanswered_requests() == 0
    clock.shift(MINUTE)
    assert remind_unanswered_requests() == 1
    assert _reminders_sent(request_) == 2


def test_a_shorter_expiry_stops_reminders_earlier(clock, request_, set_scheme):
    set_scheme(request_expiry_days=7, request_second_reminder_days=5)
    clock.shift(timedelta(days=7))

    assert remind_unanswered_requests() == 0


def test_a_mentor_who_turned_reminders_off_gets_none(clock, request_, mentor):
    set_reminder_emails(mentor, on=False)  # every kind
    clock.shift(timedelta(days=3))

    assert remind_unanswered_requests() == 0
    assert queued("request_reminder") == []


def test_a_mentor_who_turned_reminders_off_still_hears_of_new_requests(clock, mentor, mentee):
    set_reminder_emails(mentor, on=False)  # every kind
    MentorProfileFactory(user=mentor)
    MenteeProfileFactory(user=mentee)

    send_request(mentee=mentee, mentor=mentor, message="Could we meet once a month by video?")

    assert [r.to_email for r in queued("request_received")] == [mentor.email]


def test_the_reminder_is_emailed_after_commit(
    clock, request_, mentor, django_capture_on_commit_callbacks, mailoutbox
):
    clock.shift(timedelta(days=3))

    with django_capture_on_commit_callbacks(execute=True):
        remind_unanswered_requests()

    [email] = mailoutbox
    assert email.to == [mentor.email]
    assert f"http://testserver/requests/{request_.pk}/" in email.body


def test_constant_queries_for_one_or_thirty_due_requests(clock):
    requests_made_at(START)
    clock.shift(timedelta(days=3))
    one = run_counting_queries(remind_unanswered_requests)

    requests_made_at(START, n=30)
    thirty = run_counting_queries(remind_unanswered_requests)

    assert one[0] == 1
    assert thirty[0] == 30
    assert thirty[1] == one[1]


# Each programme's own days


@pytest.fixture
def two_programmes(clock):
    """A quick programme (reminders after 1 and 2 days, expiry after 4) and a patient one
    (after 5 and 10, expiry after 20), each with a request made at START."""
    quick = ProgrammeFactory(
        name="Quick",
        request_first_reminder_days=1,
        request_second_reminder_days=2,
        request_expiry_days=4,
    )
    patient = ProgrammeFactory(
        name="Patient",
        request_first_reminder_days=5,
        request_second_reminder_days=10,
        request_expiry_days=20,
    )
    [in_quick] = requests_made_at(START, programme=quick)
    [in_patient] = requests_made_at(START, programme=patient)
    return in_quick, in_patient


def test_each_request_is_reminded_after_its_own_programmes_days(clock, two_programmes):
    in_quick, in_patient = two_programmes
    reminded_on = []
    for day in range(1, 22):
        clock.move_to(START + timedelta(days=day))
        remind_unanswered_requests()
        reminded_on.append((day, _reminders_sent(in_quick), _reminders_sent(in_patient)))

    changes = [reminded_on[0]] + [
        now
        for before, now in zip(reminded_on, reminded_on[1:], strict=False)
        if now[1:] != before[1:]
    ]
    assert changes == [(1, 1, 0), (2, 2, 0), (5, 2, 1), (10, 2, 2)]
    assert keys("request_reminder") == {
        f"request-reminder:{in_quick.pk}:1",
        f"request-reminder:{in_quick.pk}:2",
        f"request-reminder:{in_patient.pk}:1",
        f"request-reminder:{in_patient.pk}:2",
    }


def test_the_reminder_gives_the_closing_day_of_the_requests_programme(clock, two_programmes):
    in_quick, in_patient = two_programmes
    clock.move_to(START + timedelta(days=2))
    remind_unanswered_requests()
    clock.move_to(START + timedelta(days=5))
    remind_unanswered_requests()

    texts = {r.dedupe_key: r.body_text for r in queued("request_reminder")}
    assert "closes on 16 January" in texts[f"request-reminder:{in_quick.pk}:2"]
    assert "closes on 1 February" in texts[f"request-reminder:{in_patient.pk}:1"]


def test_the_default_programmes_rules_do_not_reach_another_programme(clock, set_scheme):
    other = ProgrammeFactory(
        name="Other",
        request_first_reminder_days=6,
        request_second_reminder_days=8,
        request_expiry_days=15,
    )
    [there] = requests_made_at(START, programme=other)
    set_scheme(request_first_reminder_days=1, request_second_reminder_days=2)
    clock.move_to(START + timedelta(days=5))

    assert remind_unanswered_requests() == 0
    assert _reminders_sent(there) == 0


def test_constant_queries_whatever_the_number_of_programmes(clock):
    requests_made_at(START)
    clock.shift(timedelta(days=3))
    one = run_counting_queries(remind_unanswered_requests)

    for n in range(5):
        programme = ProgrammeFactory(
            name=f"Programme with {n + 3} days", request_expiry_days=14 + n
        )
        requests_made_at(START, n=3, programme=programme)
    fifteen = run_counting_queries(remind_unanswered_requests)

    assert (one[0], fifteen[0]) == (1, 15)
    # One batch of emails per distinct expiry age: five more INSERTs, nothing per request.
    assert fifteen[1] == one[1] + 4
