"""Scheme emails of advice and informal pairs (issue 14's review): an informal pair that did not
opt in gets no meeting reminder, an advice pair is reminded of its one meeting; an advice
conversation that closed on its own (no meeting marked held) is not said to have taken place."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from matching import jobs as matching_jobs
from matching.engagements import ADVICE_GRACE, ADVICE_UNPLANNED_AFTER
from matching.models import Engagement
from mentoring.models import Outbox
from sessions_log import emails
from sessions_log.jobs import remind_upcoming_meetings, send_check_ins
from sessions_log.models import CheckIn
from tests.factories import (
    MeetingFactory,
    MenteeProfileFactory,
    MentorProfileFactory,
    MentorshipFactory,
)
from tests.support import START

pytestmark = pytest.mark.django_db

MEETS_AT = START + timedelta(days=2)


def _pair(mentor, mentee, engagement, scheme_emails=True):
    MentorProfileFactory(user=mentor)
    MenteeProfileFactory(user=mentee)
    return MentorshipFactory(
        mentor=mentor,
        mentee=mentee,
        engagement=engagement,
        scheme_emails=scheme_emails,
        started_at=START - timedelta(days=3),
    )


@pytest.mark.parametrize(
    ("engagement", "scheme_emails", "reminded"),
    [
        (Engagement.INFORMAL, False, 0),
        (Engagement.INFORMAL, True, 2),
        (Engagement.ADVICE, True, 2),
    ],
    ids=["informal, no scheme emails", "informal, opted in", "advice"],
)
def test_meeting_reminders_follow_the_pairs_engagement(
    clock, mentor, mentee, engagement, scheme_emails, reminded
):
    pair = _pair(mentor, mentee, engagement, scheme_emails)
    MeetingFactory(mentorship=pair, starts_at=MEETS_AT)
    clock.move_to(MEETS_AT - timedelta(hours=23))

    assert remind_upcoming_meetings() == reminded
    assert Outbox.objects.filter(kind="meeting_reminder").count() == reminded


def _feedback_ctx(pair) -> dict:
    check_in = CheckIn.objects.filter(mentorship=pair, kind=CheckIn.Kind.ADVICE_FEEDBACK).first()
    assert check_in is not None
    return emails.check_in_ctx(check_in)


def test_an_advice_conversation_that_closed_on_its_own_is_not_said_to_have_happened(
    clock, client_for, mentor, mentee
):
    pair = _pair(mentor, mentee, Engagement.ADVICE)
    clock.move_to(pair.started_at + ADVICE_UNPLANNED_AFTER)
    assert matching_jobs.complete_advice_conversations() == 1
    send_check_ins()

    assert _feedback_ctx(pair)["advice_held"] is False
    email = Outbox.objects.get(kind="check_in", to_email=mentee.email)
    assert "no meeting was marked as held. If you did talk, how useful was it?" in email.body_text
    assert "Thank you for your advice conversation" not in email.body_text
    page = client_for(mentee).get(reverse("sessions_log:mentorship-detail", args=[pair.pk]))
    text = page.content.decode()
    assert "closed on its own: no meeting was marked as held" in text
    assert "This advice conversation is complete." not in text


def test_an_unmarked_meeting_a_week_past_is_neither_cancelled_nor_emailed_about(
    clock, mentor, mentee
):
    pair = _pair(mentor, mentee, Engagement.ADVICE)
    meeting = MeetingFactory(mentorship=pair, starts_at=MEETS_AT)
    clock.move_to(MEETS_AT + ADVICE_GRACE)

    assert matching_jobs.complete_advice_conversations() == 1

    meeting.refresh_from_db()
    assert meeting.status == "planned"
    assert not Outbox.objects.filter(kind__in=["meeting_cancelled", "mentorship_ended"]).exists()
    send_check_ins()
    assert _feedback_ctx(pair)["advice_held"] is False


def test_a_held_advice_conversation_is_thanked(clock, client_for, mentor, mentee):
    pair = _pair(mentor, mentee, Engagement.ADVICE)
    MeetingFactory(mentorship=pair, held=True)
    matching_jobs.complete_advice_conversations()
    send_check_ins()

    assert _feedback_ctx(pair)["advice_held"] is True
    email = Outbox.objects.get(kind="check_in", to_email=mentee.email)
    assert "Thank you for your advice conversation" in email.body_text
    page = client_for(mentee).get(reverse("sessions_log:mentorship-detail", args=[pair.pk]))
    assert "This advice conversation is complete." in page.content.decode()
