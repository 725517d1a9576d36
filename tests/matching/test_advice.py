"""One-off advice conversations (issue 14): asked for on a topic, accepted without a place,
never in the "mentors at once" limit, capped by the mentor's monthly number, and completed by
themselves exactly once after the meeting (held, or a week past its date)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from matching import jobs
from matching.engagements import ADVICE_GRACE, ADVICE_UNPLANNED_AFTER
from matching.models import Engagement, Mentorship, MentorshipRequest
from matching.services import MatchingError, accept_request, end_mentorship, send_request
from mentoring.models import Outbox
from profiles.models import Programme
from sessions_log import jobs as sessions_jobs
from sessions_log.models import CheckIn
from tests.factories import (
    MeetingFactory,
    MenteeProfileFactory,
    MentorProfileFactory,
    MentorshipFactory,
    default_programme,
)
from tests.matching.conftest import MESSAGE

pytestmark = pytest.mark.django_db

TOPIC = "Moving from research into policy work"


@pytest.fixture
def programme(db):
    """The default programme, allowing long-term mentoring and one-off advice; one mentor at
    once for a mentee."""
    programme = default_programme()
    programme.engagement_types = [Engagement.LONG_TERM, Engagement.ADVICE]
    programme.max_active_mentorships = 1
    programme.save()
    return programme


@pytest.fixture
def adviser(programme):
    """Ana, a mentor with one place who offers two advice conversations a month."""
    return MentorProfileFactory(
        user__full_name="Ana Adviser", capacity=1, advice_per_month=2, programmes=[programme]
    )


@pytest.fixture
def paired_mentee(programme, mentee_profile, mentor_profile):
    """Maya, whom Daniel mentors long-term."""
    MentorshipFactory(mentee=mentee_profile.user, mentor=mentor_profile.user, programme=programme)
    return mentee_profile.user


def _ask(mentee, adviser, topic=TOPIC):
    return send_request(
        mentee=mentee,
        mentor=adviser.user,
        message=MESSAGE,
        engagement=Engagement.ADVICE,
        topic=topic,
    )


def test_a_mentee_with_a_long_term_mentor_may_ask_another_mentor_for_advice(paired_mentee, adviser):
    req = _ask(paired_mentee, adviser)

    assert (req.engagement, req.topic, req.status) == ("advice", TOPIC, "pending")
    accept_request(req, by=adviser.user)

    pair = Mentorship.objects.get(request=req)
    assert pair.engagement == Engagement.ADVICE and pair.round is None
    # Maya keeps her long-term mentor as well.
    assert Mentorship.objects.active().filter(mentee=paired_mentee).count() == 2


def test_advice_takes_no_place_and_is_not_in_the_mentors_at_once_limit(
    programme, mentee_profile, adviser
):
    # Ana's one long-term place is taken, and Maya already has her one long-term mentor.
    MentorshipFactory(mentor=adviser.user, programme=programme)
    MentorshipFactory(mentee=mentee_profile.user, programme=programme)
    adviser.refresh_from_db()
    assert adviser.is_full

    req = _ask(mentee_profile.user, adviser)
    accept_request(req, by=adviser.user)

    adviser.refresh_from_db()
    assert adviser.mentee_count == 1  # unchanged
    pair = req.mentorship
    end_mentorship(pair, by=mentee_profile.user, reason="other")
    adviser.refresh_from_db()
    assert adviser.mentee_count == 1  # ending it frees nothing it never took


def test_a_long_term_match_does_not_close_a_waiting_advice_request(
    programme, mentee_profile, adviser, mentor_profile
):
    advice = _ask(mentee_profile.user, adviser)
    long_term = send_request(
        mentee=mentee_profile.user, mentor=mentor_profile.user, message=MESSAGE
    )

    accept_request(long_term, by=mentor_profile.user)

    advice.refresh_from_db()
    assert advice.status == MentorshipRequest.Status.PENDING


def test_an_accepted_advice_conversation_closes_no_other_request(
    programme, mentee_profile, adviser, mentor_profile
):
    long_term = send_request(
        mentee=mentee_profile.user, mentor=mentor_profile.user, message=MESSAGE
    )
    accept_request(_ask(mentee_profile.user, adviser), by=adviser.user)

    long_term.refresh_from_db()
    assert long_term.status == MentorshipRequest.Status.PENDING


def test_advice_from_your_own_long_term_mentor_is_refused_with_a_sentence(
    paired_mentee, mentor_profile, programme
):
    mentor_profile.advice_per_month = 3
    mentor_profile.save()

    with pytest.raises(MatchingError) as exc:
        _ask(paired_mentee, mentor_profile)

    assert "already mentors you" in str(exc.value)
    assert not MentorshipRequest.objects.filter(engagement="advice").exists()


def test_advice_needs_a_topic(mentee_profile, adviser):
    with pytest.raises(MatchingError) as exc:
        _ask(mentee_profile.user, adviser, topic="   ")

    assert str(exc.value) == "Please say what you would like advice on."


def test_advice_is_refused_where_the_programme_does_not_allow_it(mentee_profile, adviser):
    Programme.objects.filter(pk=default_programme().pk).update(engagement_types=["long_term"])

    with pytest.raises(MatchingError) as exc:
        _ask(mentee_profile.user, adviser)

    assert "does not offer one-off advice" in str(exc.value)


def test_a_mentor_who_offers_no_advice_is_not_asked(mentee_profile, mentor_profile, programme):
    with pytest.raises(MatchingError) as exc:
        _ask(mentee_profile.user, mentor_profile)

    assert (
        str(exc.value) == "Daniel Mentor does not offer one-off advice conversations at the moment."
    )


def test_the_monthly_cap_refuses_politely_when_asking_and_when_accepting(programme, adviser):
    mentees = [MenteeProfileFactory(programmes=[programme]).user for _ in range(4)]
    first, second = (_ask(m, adviser) for m in mentees[:2])
    # Two requests wait for the two conversations Ana offers: a third is not taken.
    with pytest.raises(MatchingError) as exc:
        _ask(mentees[2], adviser)
    assert str(exc.value) == (
        "Ana Adviser already has as many advice requests waiting as the conversations they "
        "offer this month. Please try again later, or ask another mentor."
    )
    assert not MentorshipRequest.objects.filter(mentee=mentees[2]).exists()
    accept_request(first, by=adviser.user)
    # Ana lowers her number after the second request came: accepting it is refused.
    adviser.advice_per_month = 1
    adviser.save(update_fields=["advice_per_month"])

    with pytest.raises(MatchingError) as exc:
        accept_request(second, by=adviser.user)
    assert "already had 1 advice conversation this month" in str(exc.value)

    fourth = mentees[3]
    with pytest.raises(MatchingError) as exc:
        _ask(fourth, adviser)
    assert str(exc.value) == (
        "Ana Adviser has had all the advice conversations they offer this month. Please try "
        "again next month, or ask another mentor."
    )


def test_the_monthly_cap_starts_again_next_month(programme, adviser, time_machine):
    time_machine.move_to(timezone.now().replace(day=10), tick=False)
    for _ in range(2):
        accept_request(
            _ask(MenteeProfileFactory(programmes=[programme]).user, adviser), by=adviser.user
        )

    time_machine.move_to(timezone.now() + timedelta(days=31), tick=False)
    later = _ask(MenteeProfileFactory(programmes=[programme]).user, adviser)
    accept_request(later, by=adviser.user)

    assert later.mentorship.is_advice


@pytest.fixture
def advice_pair(paired_mentee, adviser):
    req = _ask(paired_mentee, adviser)
    accept_request(req, by=adviser.user)
    return req.mentorship


def _feedback(pair):
    return CheckIn.objects.filter(mentorship=pair, kind=CheckIn.Kind.ADVICE_FEEDBACK)


def test_a_held_meeting_completes_the_conversation_exactly_once(advice_pair, adviser):
    MeetingFactory(mentorship=advice_pair, held=True)

    assert jobs.complete_advice_conversations() == 1
    assert jobs.complete_advice_conversations() == 0
    assert sessions_jobs.send_check_ins() == 2
    assert sessions_jobs.send_check_ins() == 0

    advice_pair.refresh_from_db()
    assert advice_pair.status == Mentorship.Status.COMPLETED
    assert advice_pair.history.filter(to_status="completed").count() == 1
    feedback = _feedback(advice_pair)
    assert {c.person_id for c in feedback} == {advice_pair.mentor_id, advice_pair.mentee_id}
    subjects = set(
        Outbox.objects.filter(
            kind="check_in", recipient__in=[c.person for c in feedback]
        ).values_list("subject", flat=True)
    )
    assert subjects == {"How useful was your advice conversation?"}
    adviser.refresh_from_db()
    assert adviser.mentee_count == 0


def test_a_meeting_nobody_marked_completes_it_a_week_after_its_date(advice_pair, time_machine):
    meeting = MeetingFactory(mentorship=advice_pair)  # planned for a week from now

    time_machine.move_to(meeting.starts_at + timedelta(days=6), tick=False)
    assert jobs.complete_advice_conversations() == 0

    time_machine.move_to(meeting.starts_at + timedelta(days=7, minutes=1), tick=False)
    assert jobs.complete_advice_conversations() == 1
    assert jobs.complete_advice_conversations() == 0
    sessions_jobs.send_check_ins()
    sessions_jobs.send_check_ins()

    assert _feedback(advice_pair).count() == 2


def test_no_meeting_no_completion_and_a_cancelled_one_does_not_count(advice_pair, time_machine):
    MeetingFactory(mentorship=advice_pair, cancelled=True)
    time_machine.move_to(advice_pair.started_at + timedelta(days=27), tick=False)

    assert jobs.complete_advice_conversations() == 0
    advice_pair.refresh_from_db()
    assert advice_pair.is_active


def test_a_pair_with_no_meeting_held_or_planned_completes_four_weeks_after_it_began(
    advice_pair, time_machine
):
    MeetingFactory(mentorship=advice_pair, cancelled=True)
    time_machine.move_to(advice_pair.started_at + ADVICE_UNPLANNED_AFTER, tick=False)

    assert jobs.complete_advice_conversations() == 1
    assert jobs.complete_advice_conversations() == 0
    advice_pair.refresh_from_db()
    assert advice_pair.is_completed
    # Nobody claims the conversation took place.
    change = advice_pair.history.get(to_status=Mentorship.Status.COMPLETED)
    assert change.note == "Completed on its own: no meeting was marked held."


def test_a_planned_meeting_keeps_the_pair_open_past_four_weeks(advice_pair, time_machine):
    later = advice_pair.started_at + timedelta(days=35)
    MeetingFactory(mentorship=advice_pair, starts_at=later)
    time_machine.move_to(advice_pair.started_at + timedelta(days=30), tick=False)

    assert jobs.complete_advice_conversations() == 0
    # A week after the planned date nobody marked it held: it completes, and the meeting a week
    # past is neither cancelled nor emailed about as if it were to come.
    time_machine.move_to(later + ADVICE_GRACE, tick=False)
    assert jobs.complete_advice_conversations() == 1
    meeting = advice_pair.meetings.get()
    assert meeting.status == "planned"
    assert not Outbox.objects.filter(kind="meeting_cancelled").exists()


def test_an_advice_pair_never_gets_a_six_week_six_month_or_ending_check_in(
    advice_pair, time_machine
):
    for days in (43, 190):
        time_machine.move_to(advice_pair.started_at + timedelta(days=days), tick=False)
        sessions_jobs.send_check_ins()
    assert not CheckIn.objects.filter(mentorship=advice_pair).exists()

    MeetingFactory(mentorship=advice_pair, held=True)
    jobs.complete_advice_conversations()
    sessions_jobs.send_check_ins()

    assert set(CheckIn.objects.filter(mentorship=advice_pair).values_list("kind", flat=True)) == {
        CheckIn.Kind.ADVICE_FEEDBACK
    }


def test_the_long_term_pair_still_gets_its_check_ins(paired_mentee, advice_pair, time_machine):
    long_term = Mentorship.objects.get(mentee=paired_mentee, engagement="long_term")
    time_machine.move_to(long_term.started_at + timedelta(weeks=6, hours=1), tick=False)

    sessions_jobs.send_check_ins()

    assert CheckIn.objects.filter(mentorship=long_term, kind="six_weeks").count() == 2
    assert not CheckIn.objects.filter(mentorship=advice_pair).exists()


def test_an_advice_pair_is_never_nudged(advice_pair, time_machine):
    time_machine.move_to(advice_pair.started_at + timedelta(days=120), tick=False)

    sessions_jobs.nudge_quiet_pairs()

    advice_pair.refresh_from_db()
    assert advice_pair.nudged_at is None
    # Ana, the adviser, has no other pair: nothing nudged her.
    assert not Outbox.objects.filter(kind="no_meeting_nudge", recipient=advice_pair.mentor).exists()


def test_the_long_term_mentor_of_a_mentee_with_advice_is_not_freed_by_it(
    advice_pair, mentor_profile
):
    mentor_profile.refresh_from_db()
    assert mentor_profile.mentee_count == 1
    MeetingFactory(mentorship=advice_pair, held=True)
    jobs.complete_advice_conversations()

    mentor_profile.refresh_from_db()
    assert mentor_profile.mentee_count == 1


def test_request_emails_speak_of_one_conversation(paired_mentee, adviser, settings):
    settings.REQUEST_EMAIL_HOLD_MINUTES = 0
    req = _ask(paired_mentee, adviser)
    accept_request(req, by=adviser.user)

    received = Outbox.objects.get(kind="request_received", dedupe_key=f"request-received:{req.pk}")
    accepted = Outbox.objects.get(kind="request_accepted", dedupe_key=f"request-accepted:{req.pk}")
    assert received.subject.endswith("would like your advice")
    assert TOPIC in received.body_text
    assert "one conversation" in accepted.body_text and TOPIC in accepted.body_text
    assert accepted.subject == "Ana Adviser has agreed to a conversation with you"
