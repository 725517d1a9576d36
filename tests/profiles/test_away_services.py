"""Away until a date: out of the directory at once, waiting requests answered kindly (closed,
or kept waiting past the return date), back by themselves on the date exactly once; hiding a
profile closes waiting requests too."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from matching import availability
from matching.jobs import expire_requests, remind_unanswered_requests
from matching.models import MentorshipRequest
from matching.services import MatchingError, send_request
from mentoring import wording
from mentoring.models import Outbox
from profiles import jobs
from profiles.models import MentorProfile
from profiles.services import set_active
from tests.factories import MenteeProfileFactory, MentorshipRequestFactory
from tests.matching.conftest import MESSAGE
from tests.support import START

pytestmark = pytest.mark.django_db

Status = MentorshipRequest.Status
TODAY = START.date()  # 12 January 2026, London = UTC
BACK = date(2026, 3, 1)


@pytest.fixture(autouse=True)
def _clock(clock):
    return clock


@pytest.fixture
def waiting(mentor_profile):
    return [
        MentorshipRequestFactory(mentor=mentor_profile.user, mentee=MenteeProfileFactory().user)
        for _ in range(2)
    ]


def _listed(profile: MentorProfile) -> bool:
    return MentorProfile.objects.get(pk=profile.pk).is_listed


def test_going_away_unlists_the_mentor_and_closes_waiting_requests_kindly(mentor_profile, waiting):
    _, closed = availability.go_away(
        mentor_profile.user, until=BACK, note="On leave; do ask me in March."
    )

    assert closed == 2
    assert not _listed(mentor_profile)
    for req in waiting:
        req.refresh_from_db()
        assert (req.status, req.close_reason) == (Status.CLOSED, "mentor_away")
        assert req.closed_at is not None
        assert "away until 1 March 2026" in req.closing_note
    emails = Outbox.objects.filter(kind="request_closed_mentor_away").order_by("pk")
    assert sorted(e.to_email for e in emails) == sorted(r.mentee.email for r in waiting)
    assert "On leave; do ask me in March." in emails[0].body_text
    assert "approach another mentor" in emails[0].body_text


def test_a_request_closed_by_an_away_mentor_leaves_no_wait_once_they_are_back(
    clock, mentor_profile, mentee_profile
):
    req = send_request(mentee=mentee_profile.user, mentor=mentor_profile.user, message=MESSAGE)
    availability.go_away(mentor_profile.user, until=TODAY + timedelta(days=3))
    clock.move_to(START + timedelta(days=3), tick=False)
    jobs.return_away_mentors()

    again = send_request(mentee=mentee_profile.user, mentor=mentor_profile.user, message=MESSAGE)

    assert again.is_pending and again.pk != req.pk


def test_the_return_day_starts_in_the_schemes_time_zone_wherever_the_mentor_is(
    mentor_profile, waiting
):
    # A mentor in New York says they are back on 1 March: their requests wait until midnight
    # in London, the moment the job lists them again, not midnight in New York.
    with timezone.override("America/New_York"):
        availability.go_away(mentor_profile.user, until=BACK, keep_waiting=True)

    london_midnight = datetime(2026, 3, 1, tzinfo=ZoneInfo("Europe/London"))
    assert availability.return_moment(BACK) == london_midnight
    for req in waiting:
        req.refresh_from_db()
        assert req.expires_after == london_midnight


def test_an_away_mentor_cannot_be_asked(mentor_profile, mentee_profile):
    availability.go_away(mentor_profile.user, until=BACK)

    with pytest.raises(MatchingError, match="away until 1 March"):
        send_request(mentee=mentee_profile.user, mentor=mentor_profile.user, message=MESSAGE)


def test_keeping_requests_waiting_moves_their_expiry_past_the_return_date(
    clock, mentor_profile, waiting
):
    _, closed = availability.go_away(mentor_profile.user, until=BACK, keep_waiting=True)

    assert closed == 0
    back = availability.return_moment(BACK)
    for req in waiting:
        req.refresh_from_db()
        assert (req.status, req.expires_after) == (Status.PENDING, back)
    # Weeks pass while the mentor is away: no reminder, no expiry.
    clock.move_to(back - timedelta(hours=1), tick=False)
    assert remind_unanswered_requests() == 0
    assert expire_requests() == 0
    # Their clock starts again on the return date.
    clock.move_to(back + timedelta(days=30), tick=False)
    assert expire_requests() == 2


def test_an_explicit_cutoff_does_not_expire_requests_kept_waiting(mentor_profile, waiting):
    availability.go_away(mentor_profile.user, until=BACK, keep_waiting=True)

    assert expire_requests(older_than=timezone.now() + timedelta(days=1)) == 0


@pytest.mark.parametrize(
    ("until", "error"),
    [
        (TODAY, "after today"),
        (TODAY - timedelta(days=1), "after today"),
        (TODAY + timedelta(days=400), "within a year"),
    ],
)
def test_the_return_date_must_be_after_today_and_within_a_year(mentor_profile, until, error):
    with pytest.raises(MatchingError, match=error):
        availability.go_away(mentor_profile.user, until=until)

    assert MentorProfile.objects.get(pk=mentor_profile.pk).away_until is None


def test_the_mentor_returns_on_the_date_exactly_once(clock, mentor_profile):
    availability.go_away(mentor_profile.user, until=BACK, note="Back in March")
    on_the_eve = availability.return_moment(BACK) - timedelta(minutes=1)

    assert jobs.return_away_mentors(now=on_the_eve) == 0
    assert not _listed(mentor_profile)

    on_the_day = availability.return_moment(BACK) + timedelta(minutes=15)
    # Two beats on the day: one return, one email.
    assert jobs.return_away_mentors(now=on_the_day) == 1
    assert jobs.return_away_mentors(now=on_the_day) == 0

    profile = MentorProfile.objects.get(pk=mentor_profile.pk)
    assert (profile.away_until, profile.away_note, profile.is_listed) == (None, "", True)
    [email] = Outbox.objects.filter(kind="mentor_back")
    assert email.subject == "You are back in the directory"
    assert email.to_email == mentor_profile.user.email


def test_the_return_job_takes_a_constant_number_of_queries(django_assert_max_num_queries):
    from tests.factories import MentorProfileFactory

    profiles = [MentorProfileFactory() for _ in range(5)]
    MentorProfile.objects.filter(pk__in=[p.pk for p in profiles]).update(away_until=TODAY)
    wording.warm()  # the email wording, read once per task (mentoring.wording)

    with django_assert_max_num_queries(7):
        assert jobs.return_away_mentors() == 5


def test_coming_back_early_lists_the_mentor_and_restarts_kept_requests_clock(
    clock, mentor_profile, waiting
):
    availability.go_away(mentor_profile.user, until=BACK, keep_waiting=True)
    clock.shift(timedelta(days=2))

    availability.come_back(mentor_profile.user)
    availability.come_back(mentor_profile.user)  # a double click

    assert _listed(mentor_profile)
    for req in waiting:
        req.refresh_from_db()
        assert req.expires_after == timezone.now()
    assert not Outbox.objects.filter(kind="mentor_back").exists()


def test_hiding_the_profile_closes_waiting_requests_with_its_own_wording(mentor_profile, waiting):
    set_active(mentor_profile, active=False)

    for req in waiting:
        req.refresh_from_db()
        assert (req.status, req.close_reason) == (Status.CLOSED, "mentor_hidden")
    emails = Outbox.objects.filter(kind="request_closed_mentor_hidden")
    assert emails.count() == 2
    assert "has stopped taking requests for now" in emails[0].body_text
    assert not _listed(mentor_profile)


def test_showing_the_profile_again_closes_nothing(mentor_profile):
    set_active(mentor_profile, active=False)
    req = MentorshipRequestFactory(mentor=mentor_profile.user)

    set_active(mentor_profile, active=True)

    req.refresh_from_db()
    assert req.is_pending


def test_a_request_whose_email_was_still_held_closes_without_telling_the_mentor(
    mentor_profile, mentee_profile
):
    send_request(mentee=mentee_profile.user, mentor=mentor_profile.user, message=MESSAGE)

    availability.go_away(mentor_profile.user, until=BACK)

    assert Outbox.objects.get(kind="request_received").status == Outbox.Status.CANCELLED
