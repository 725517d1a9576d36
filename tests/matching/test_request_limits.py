"""Interested cannot be used to flood mentors (issue 10): a per-mentee rate limit counted from
the database, a wait before asking the same mentor again after a decline or a withdrawal, and
no more asking a mentor who reported you. Each refusal is a sentence saying when to try again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from matching.models import MentorshipRequest
from matching.services import (
    MatchingError,
    accept_request,
    decline_request,
    end_mentorship,
    report_request,
    send_request,
    withdraw_request,
)
from tests.factories import MentorProfileFactory, MentorshipRequestFactory
from tests.matching.conftest import MESSAGE

pytestmark = pytest.mark.django_db
Status = MentorshipRequest.Status

# A Monday in March: London is on GMT, so local times read as these UTC ones.
START = datetime(2030, 3, 4, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(START, tick=False)
    return time_machine


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.REQUEST_RATE_LIMIT_PER_HOUR = 5
    settings.REQUEST_RATE_LIMIT_PER_DAY = 10
    settings.REQUEST_COOLDOWN_AFTER_DECLINE_DAYS = 30
    settings.REQUEST_COOLDOWN_AFTER_WITHDRAWAL_DAYS = 1


def _send(mentee, mentor):
    return send_request(mentee=mentee, mentor=mentor, message=MESSAGE)


def _send_and_withdraw(mentee, mentor):
    # Withdrawn at once, so the pending limit never stops the run: only the rate limit does.
    return withdraw_request(_send(mentee, mentor), by=mentee)


def _refusal(mentee, mentor) -> str:
    with pytest.raises(MatchingError) as exc:
        _send(mentee, mentor)
    return str(exc.value)


# The rate limit


def test_sixth_request_in_an_hour_is_refused_with_when_to_try_again(clock, mentee_profile):
    mentee = mentee_profile.user
    for _ in range(5):
        _send_and_withdraw(mentee, MentorProfileFactory().user)
        clock.shift(timedelta(minutes=10))

    refusal = _refusal(mentee, MentorProfileFactory().user)

    assert refusal == (
        "You have sent 5 requests in the last hour, the most the scheme allows. You can send "
        "another from 10:00 today."
    )
    assert MentorshipRequest.objects.filter(mentee=mentee).count() == 5


def test_a_request_may_go_once_the_oldest_leaves_the_hour(clock, mentee_profile):
    mentee = mentee_profile.user
    for _ in range(5):
        _send_and_withdraw(mentee, MentorProfileFactory().user)
        clock.shift(timedelta(minutes=10))
    clock.move_to(START + timedelta(hours=1))

    req = _send(mentee, MentorProfileFactory().user)

    assert req.is_pending


def test_eleventh_request_in_a_day_is_refused_with_when_to_try_again(clock, mentee_profile):
    mentee = mentee_profile.user
    # Ten requests yesterday and this morning, two hours apart: never five in one hour.
    for i in range(10):
        MentorshipRequestFactory(
            mentee=mentee, withdrawn=True, created_at=START - timedelta(hours=23 - 2 * i)
        )

    refusal = _refusal(mentee, MentorProfileFactory().user)

    assert refusal == (
        "You have sent 10 requests in the last 24 hours, the most the scheme allows. You can "
        "send another from 10:00 today."
    )


def test_the_later_time_is_given_when_both_limits_are_reached(clock, mentee_profile):
    mentee = mentee_profile.user
    for i in range(5):
        MentorshipRequestFactory(
            mentee=mentee, withdrawn=True, created_at=START - timedelta(hours=20 - i)
        )
    for i in range(5):
        MentorshipRequestFactory(
            mentee=mentee, withdrawn=True, created_at=START - timedelta(minutes=50 - i)
        )

    refusal = _refusal(mentee, MentorProfileFactory().user)

    # The hour frees up at 09:10, the day only at 13:00.
    assert refusal.endswith("You can send another from 13:00 today.")
    assert refusal.startswith("You have sent 10 requests in the last 24 hours")


def test_requests_in_every_state_count_towards_the_limit(clock, mentee_profile):
    mentee = mentee_profile.user
    for state in ({}, {"declined": True}, {"withdrawn": True}, {"expired": True}):
        MentorshipRequestFactory(mentee=mentee, created_at=START - timedelta(minutes=5), **state)
    MentorshipRequestFactory(mentee=mentee, accepted=True, created_at=START - timedelta(minutes=5))

    assert "5 requests in the last hour" in _refusal(mentee, MentorProfileFactory().user)


def test_other_mentees_requests_do_not_count(clock, mentee_profile):
    for _ in range(10):
        MentorshipRequestFactory(withdrawn=True, created_at=START - timedelta(minutes=5))

    assert _send(mentee_profile.user, MentorProfileFactory().user).is_pending


def test_the_limits_come_from_the_settings(clock, settings, mentee_profile):
    settings.REQUEST_RATE_LIMIT_PER_HOUR = 2
    mentee = mentee_profile.user
    for _ in range(2):
        _send_and_withdraw(mentee, MentorProfileFactory().user)

    assert _refusal(mentee, MentorProfileFactory().user).startswith(
        "You have sent 2 requests in the last hour"
    )


def test_a_limit_of_zero_switches_it_off(clock, settings, mentee_profile):
    settings.REQUEST_RATE_LIMIT_PER_HOUR = 0
    settings.REQUEST_RATE_LIMIT_PER_DAY = 0
    mentee = mentee_profile.user
    for _ in range(12):
        _send_and_withdraw(mentee, MentorProfileFactory().user)

    assert MentorshipRequest.objects.filter(mentee=mentee).count() == 12


def test_a_double_click_at_the_limit_returns_the_request_it_made(clock, mentee_profile):
    mentee = mentee_profile.user
    for _ in range(4):
        _send_and_withdraw(mentee, MentorProfileFactory().user)
    mentor = MentorProfileFactory().user
    fifth = _send(mentee, mentor)

    again = _send(mentee, mentor)

    assert again == fifth


# Waiting before asking the same mentor again


def test_asking_again_after_a_decline_is_refused_for_thirty_days(
    clock, mentee_profile, mentor_profile
):
    mentee, mentor = mentee_profile.user, mentor_profile.user
    decline_request(_send(mentee, mentor), by=mentor, reason="not_available")
    clock.shift(timedelta(minutes=1))

    refusal = _refusal(mentee, mentor)

    # Thirty days after 09:00 GMT on 4 March is 10:00 BST on 3 April.
    assert refusal == (
        "Daniel declined your last request. You can ask Daniel again from 3 April at 10:00."
    )


def test_asking_again_an_hour_before_the_decline_wait_ends_is_refused(
    clock, mentee_profile, mentor_profile
):
    mentee, mentor = mentee_profile.user, mentor_profile.user
    decline_request(_send(mentee, mentor), by=mentor, reason="not_available")
    clock.shift(timedelta(days=29, hours=23))

    assert _refusal(mentee, mentor).endswith("You can ask Daniel again from 10:00 today.")


def test_asking_again_thirty_days_after_a_decline_is_allowed(clock, mentee_profile, mentor_profile):
    mentee, mentor = mentee_profile.user, mentor_profile.user
    decline_request(_send(mentee, mentor), by=mentor, reason="not_available")
    clock.shift(timedelta(days=30))

    assert _send(mentee, mentor).is_pending


def test_a_decline_does_not_stop_asking_another_mentor(clock, mentee_profile, mentor_profile):
    mentee, mentor = mentee_profile.user, mentor_profile.user
    decline_request(_send(mentee, mentor), by=mentor, reason="not_available")

    assert _send(mentee, MentorProfileFactory().user).is_pending


def test_the_decline_wait_comes_from_the_settings(clock, settings, mentee_profile, mentor_profile):
    settings.REQUEST_COOLDOWN_AFTER_DECLINE_DAYS = 7
    mentee, mentor = mentee_profile.user, mentor_profile.user
    decline_request(_send(mentee, mentor), by=mentor, reason="not_available")

    assert _refusal(mentee, mentor).endswith("You can ask Daniel again from 11 March at 09:00.")


def test_asking_again_after_a_withdrawal_is_refused_for_a_day(
    clock, mentee_profile, mentor_profile
):
    mentee, mentor = mentee_profile.user, mentor_profile.user
    _send_and_withdraw(mentee, mentor)
    clock.shift(timedelta(seconds=1))

    refusal = _refusal(mentee, mentor)

    assert refusal == (
        "You withdrew your last request to Daniel. You can ask Daniel again from 09:00 tomorrow."
    )
    assert MentorshipRequest.objects.filter(mentee=mentee).count() == 1


def test_asking_again_a_day_after_a_withdrawal_is_allowed(clock, mentee_profile, mentor_profile):
    mentee, mentor = mentee_profile.user, mentor_profile.user
    _send_and_withdraw(mentee, mentor)
    clock.shift(timedelta(days=1))

    assert _send(mentee, mentor).is_pending


def test_a_close_by_the_scheme_leaves_no_wait(clock, mentee_profile, mentor_profile):
    # Matched with another mentor, the mentee's other requests were closed for them; when
    # that mentorship ends they may ask the first mentor at once.
    mentee, mentor = mentee_profile.user, mentor_profile.user
    waiting = _send(mentee, mentor)
    other = MentorProfileFactory().user
    accept_request(_send(mentee, other), by=other)
    waiting.refresh_from_db()
    assert waiting.status == Status.CLOSED
    end_mentorship(waiting.mentee.mentorships_as_mentee.get(), by=mentee, reason="not_a_fit")

    assert _send(mentee, mentor).is_pending


def test_an_expired_request_leaves_no_wait(clock, mentee_profile, mentor_profile):
    mentee, mentor = mentee_profile.user, mentor_profile.user
    MentorshipRequestFactory(
        mentee=mentee, mentor=mentor, expired=True, created_at=START - timedelta(days=14)
    )

    assert _send(mentee, mentor).is_pending


def test_a_mentor_who_reported_a_request_cannot_be_asked_again(
    clock, mentee_profile, mentor_profile
):
    mentee, mentor = mentee_profile.user, mentor_profile.user
    report_request(_send(mentee, mentor), by=mentor, reason="Rude about my colleagues.")
    clock.shift(timedelta(days=400))

    assert (
        _refusal(mentee, mentor) == "You cannot ask Daniel again. Please approach another mentor."
    )


# On the page: the sentence, and the typed message kept


def _decline(mentee, mentor):
    decline_request(_send(mentee, mentor), by=mentor, reason="not_available")


def _report(mentee, mentor):
    report_request(_send(mentee, mentor), by=mentor, reason="Rude about my colleagues.")


def _five_an_hour(mentee, mentor):
    for _ in range(5):
        _send_and_withdraw(mentee, MentorProfileFactory().user)


REFUSALS = pytest.mark.parametrize(
    ("arrange", "sentence"),
    [
        (
            _five_an_hour,
            "You have sent 5 requests in the last hour, the most the scheme allows. You can "
            "send another from 10:00 today.",
        ),
        (
            _decline,
            "Daniel declined your last request. You can ask Daniel again from 3 April at 10:00.",
        ),
        (
            _send_and_withdraw,
            "You withdrew your last request to Daniel. You can ask Daniel again from 09:00 "
            "tomorrow.",
        ),
        (_report, "You cannot ask Daniel again. Please approach another mentor."),
    ],
    ids=["rate-limit", "after-decline", "after-withdrawal", "reported"],
)


@REFUSALS
def test_each_refusal_is_a_sentence_on_the_form_and_the_message_is_kept(
    clock, client_for, mentee_profile, mentor_profile, arrange, sentence
):
    mentee, mentor = mentee_profile.user, mentor_profile.user
    arrange(mentee, mentor)
    before = MentorshipRequest.objects.count()
    typed = f"{MESSAGE} I have two evenings free each week."

    response = client_for(mentee).post(
        reverse("matching:request-create", args=[mentor_profile.pk]), {"message": typed}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [sentence]
    assert sentence in html
    assert f">\n{typed}</textarea>" in html
    assert MentorshipRequest.objects.count() == before


@REFUSALS
def test_the_mentors_page_says_so_instead_of_offering_interested(
    clock, client_for, mentee_profile, mentor_profile, arrange, sentence
):
    mentee, mentor = mentee_profile.user, mentor_profile.user
    arrange(mentee, mentor)

    response = client_for(mentee).get(mentor_profile.get_absolute_url())

    assert response.context["interest"] == {"state": "wait", "message": sentence}
    html = response.content.decode()
    assert sentence in html
    assert reverse("matching:request-create", args=[mentor_profile.pk]) not in html


def test_the_mentors_page_offers_interested_once_the_wait_is_over(
    clock, client_for, mentee_profile, mentor_profile
):
    mentee, mentor = mentee_profile.user, mentor_profile.user
    _send_and_withdraw(mentee, mentor)
    clock.shift(timedelta(days=1))

    response = client_for(mentee).get(mentor_profile.get_absolute_url())

    assert response.context["interest"]["state"] == "available"
