"""Expiring requests nobody answered: 14 days after they were made (a scheme setting)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from matching.jobs import expire_requests
from matching.models import MentorshipRequest
from tests.factories import ProgrammeFactory
from tests.support import START, keys, queued, requests_made_at, run_counting_queries

pytestmark = pytest.mark.django_db

Status = MentorshipRequest.Status
MINUTE = timedelta(minutes=1)


@pytest.fixture
def request_(clock) -> MentorshipRequest:
    """A request made at START."""
    return requests_made_at(START)[0]


@pytest.mark.parametrize(
    ("age", "expired"),
    [
        (timedelta(days=13), 0),
        (timedelta(days=14) - MINUTE, 0),
        # Exactly fourteen days: expired, the same moment the reminder job stops reminding.
        (timedelta(days=14), 1),
    ],
    ids=["day 13", "a minute before day 14", "day 14"],
)
def test_a_request_expires_fourteen_days_after_it_was_made(clock, request_, age, expired):
    clock.shift(age)

    assert expire_requests() == expired
    request_.refresh_from_db()
    assert request_.status == (Status.EXPIRED if expired else Status.PENDING)


def test_expiry_records_when_and_why(clock, request_):
    clock.shift(timedelta(days=14))

    expire_requests()

    request_.refresh_from_db()
    assert request_.expired_at == START + timedelta(days=14)
    assert request_.closing_note == "The mentor did not answer in time."
    assert request_.history.get().to_status == Status.EXPIRED


def test_the_mentee_is_told_with_a_link_to_the_directory(clock, request_):
    clock.shift(timedelta(days=14))

    expire_requests()

    [row] = queued("request_expired")
    assert row.to_email == request_.mentee.email
    assert row.dedupe_key == f"request-expired:{request_.pk}"
    assert "http://testserver/mentors/" in row.body_text


def test_a_mentee_who_turned_reminders_off_is_still_told(clock, request_):
    # Expiry is news about their own request, not a reminder: it always arrives.
    request_.mentee.reminder_emails = False
    request_.mentee.save(update_fields=["reminder_emails"])
    clock.shift(timedelta(days=14))

    expire_requests()

    assert [r.to_email for r in queued("request_expired")] == [request_.mentee.email]


@pytest.mark.parametrize("closed", ["accepted", "declined", "withdrawn"])
def test_answered_requests_never_expire(clock, closed):
    (req,) = requests_made_at(START, **{closed: True})
    clock.shift(timedelta(days=30))

    assert expire_requests() == 0
    req.refresh_from_db()
    assert req.status == closed


def test_running_twice_expires_and_tells_once(clock, request_):
    clock.shift(timedelta(days=14))
    expire_requests()

    assert expire_requests() == 0
    assert keys("request_expired") == {f"request-expired:{request_.pk}"}
    assert request_.history.count() == 1


def test_the_expiry_setting_moves_the_day(clock, request_, set_scheme):
    set_scheme(request_expiry_days=10)
    clock.shift(timedelta(days=10) - MINUTE)
    assert expire_requests() == 0

    clock.shift(MINUTE)
    assert expire_requests() == 1


def test_constant_queries_for_one_or_thirty_stale_requests(clock):
    requests_made_at(START)
    clock.shift(timedelta(days=14))
    one = run_counting_queries(expire_requests)

    requests_made_at(START, n=30)
    thirty = run_counting_queries(expire_requests)

    assert (one[0], thirty[0]) == (1, 30)
    assert thirty[1] == one[1]


def test_each_request_expires_after_its_own_programmes_days(clock):
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
    [in_default] = requests_made_at(START)

    clock.move_to(START + timedelta(days=4))
    assert expire_requests() == 1
    clock.move_to(START + timedelta(days=14))
    assert expire_requests() == 1
    clock.move_to(START + timedelta(days=20) - MINUTE)
    assert expire_requests() == 0
    clock.move_to(START + timedelta(days=20))
    assert expire_requests() == 1

    expired_at = dict(MentorshipRequest.objects.values_list("pk", "expired_at"))
    assert expired_at == {
        in_quick.pk: START + timedelta(days=4),
        in_default.pk: START + timedelta(days=14),
        in_patient.pk: START + timedelta(days=20),
    }


def test_constant_queries_whatever_the_number_of_programmes(clock):
    requests_made_at(START)
    clock.shift(timedelta(days=20))
    one = run_counting_queries(expire_requests)

    for n in range(5):
        programme = ProgrammeFactory(
            name=f"Expires after {10 + n} days", request_expiry_days=10 + n
        )
        requests_made_at(START, n=3, programme=programme)
    fifteen = run_counting_queries(expire_requests)

    assert (one[0], fifteen[0]) == (1, 15)
    assert fifteen[1] == one[1]
