"""Email preferences per kind: each job that sends a reminder or nudge checks that kind's switch,
and each reminder's unsubscribe link stops that kind only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from accounts.models import ReminderKind
from accounts.services import set_reminder_choices
from matching.jobs import remind_unanswered_requests
from mentoring.emails import unsubscribe_token
from sessions_log.jobs import nudge_quiet_pairs, remind_upcoming_meetings
from tests.factories import MeetingFactory
from tests.support import START, pairs_started_at, queued, requests_made_at

pytestmark = pytest.mark.django_db


def _meeting_tomorrow():
    (pair,) = pairs_started_at(START - timedelta(days=30))
    MeetingFactory(mentorship=pair, starts_at=START + timedelta(hours=23))
    return pair


def test_meeting_reminders_yes_nudges_no(clock):
    pair = _meeting_tomorrow()
    set_reminder_choices(pair.mentee, {ReminderKind.MEETINGS: True, ReminderKind.NUDGES: False})

    remind_upcoming_meetings()

    assert {row.recipient for row in queued("meeting_reminder")} == {pair.mentee, pair.mentor}


def test_meeting_reminders_off_stops_only_them(clock):
    pair = _meeting_tomorrow()
    set_reminder_choices(pair.mentee, {ReminderKind.MEETINGS: False})

    remind_upcoming_meetings()

    assert [row.recipient for row in queued("meeting_reminder")] == [pair.mentor]


def test_nudges_off_stops_the_nudge_but_not_meeting_reminders(clock):
    (pair,) = pairs_started_at(START)
    set_reminder_choices(pair.mentee, {ReminderKind.NUDGES: False})
    clock.shift(timedelta(days=30))

    nudge_quiet_pairs()

    assert [row.recipient for row in queued("no_meeting_nudge")] == [pair.mentor]
    pair.mentee.refresh_from_db()
    assert pair.mentee.wants_reminder(ReminderKind.MEETINGS)


def test_request_reminders_off_stops_them(clock):
    (req,) = requests_made_at(START)
    set_reminder_choices(req.mentor, {ReminderKind.REQUESTS: False})
    clock.shift(timedelta(days=3))

    remind_unanswered_requests()

    assert queued("request_reminder") == []


def test_a_nudges_unsubscribe_link_stops_nudges_only(client, clock):
    (pair,) = pairs_started_at(START)
    clock.shift(timedelta(days=30))
    nudge_quiet_pairs()
    nudge = next(r for r in queued("no_meeting_nudge") if r.recipient == pair.mentee)
    link = nudge.headers["List-Unsubscribe"].strip("<>").removeprefix("http://testserver")

    asked = client.get(link)
    done = client.post(link)

    assert "Stop nudges when a pair has not met for a while to" in asked.text
    assert "we will not send you nudges when a pair has not met for a while" in done.text
    pair.mentee.refresh_from_db()
    assert not pair.mentee.wants_reminder(ReminderKind.NUDGES)
    assert pair.mentee.wants_reminder(ReminderKind.MEETINGS)
    assert pair.mentee.wants_reminder(ReminderKind.REQUESTS)
    assert pair.mentee.wants_reminder(ReminderKind.PROFILE)


def test_a_link_naming_an_unknown_kind_is_a_404(client, mentee):
    url = reverse("unsubscribe", args=[unsubscribe_token(mentee, "birthdays")])

    response = client.post(url)

    assert response.status_code == 404
    mentee.refresh_from_db()
    assert all(mentee.wants_reminder(kind) for kind in ReminderKind.values)


def test_an_inactive_person_gets_no_reminder_of_any_kind(mentee):
    mentee.is_active = False

    assert not any(mentee.wants_reminder(kind) for kind in ReminderKind.values)
