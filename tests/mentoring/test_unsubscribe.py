"""Every reminder and nudge can be turned off from the email: a link in both parts, and the
List-Unsubscribe headers mail apps use for their own one-click button (RFC 8058). Emails about
the person's own requests, mentorships and check-ins still arrive."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import ReminderKind, User
from matching.jobs import expire_requests, remind_unanswered_requests
from mentoring.emails import unsubscribe_token
from profiles.jobs import ask_mentors_to_confirm
from profiles.tokens import confirm_token
from sessions_log.jobs import nudge_quiet_pairs, remind_upcoming_meetings, send_check_ins
from tests.factories import MeetingFactory, MentorProfileFactory
from tests.support import START, html_part, pairs_started_at, queued, requests_made_at

pytestmark = pytest.mark.django_db


def _request_reminder(clock) -> None:
    requests_made_at(START)
    clock.shift(timedelta(days=3))
    remind_unanswered_requests()


def _meeting_reminder(clock) -> None:
    (pair,) = pairs_started_at(START - timedelta(days=30))
    MeetingFactory(mentorship=pair, starts_at=START + timedelta(hours=23))
    remind_upcoming_meetings()


def _no_meeting_nudge(clock) -> None:
    pairs_started_at(START)
    clock.shift(timedelta(days=30))
    nudge_quiet_pairs()


def _profile_confirm(clock) -> None:
    MentorProfileFactory(confirmed_at=START - timedelta(days=200))
    clock.move_to(datetime(2026, 8, 10, 9, 0, tzinfo=UTC))
    ask_mentors_to_confirm()


def _profile_lapsed(clock) -> None:
    MentorProfileFactory(confirmed_at=None)
    clock.move_to(datetime(2027, 3, 10, 9, 0, tzinfo=UTC))
    ask_mentors_to_confirm()


REMINDERS: dict[str, Callable] = {
    "request_reminder": _request_reminder,
    "meeting_reminder": _meeting_reminder,
    "no_meeting_nudge": _no_meeting_nudge,
    "profile_confirm": _profile_confirm,
    "profile_lapsed": _profile_lapsed,
}
# Each reminder's link stops its own kind only.
KIND_OF = {
    "request_reminder": ReminderKind.REQUESTS,
    "meeting_reminder": ReminderKind.MEETINGS,
    "no_meeting_nudge": ReminderKind.NUDGES,
    "profile_confirm": ReminderKind.PROFILE,
    "profile_lapsed": ReminderKind.PROFILE,
}


def _unsubscribe_url(user: User, kind: str | None = None) -> str:
    return "http://testserver" + reverse("unsubscribe", args=[unsubscribe_token(user, kind)])


@pytest.mark.parametrize("kind", REMINDERS)
def test_every_reminder_carries_the_unsubscribe_headers_and_link(
    kind, clock, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        REMINDERS[kind](clock)

    assert mailoutbox, f"the {kind} job sent nothing"
    for message in mailoutbox:
        [address] = message.to
        url = _unsubscribe_url(User.objects.get(email=address), KIND_OF[kind])
        sent = message.message()
        assert sent["List-Unsubscribe"] == f"<{url}>"
        assert sent["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert url in message.body
        assert f'href="{url}"' in html_part(message)


def test_transactional_emails_carry_no_unsubscribe_header(
    clock, django_capture_on_commit_callbacks, mailoutbox
):
    # Unsubscribing does not stop these, so offering it in the mail app would mislead.
    requests_made_at(START)
    pairs_started_at(START)
    clock.shift(timedelta(weeks=6))
    with django_capture_on_commit_callbacks(execute=True):
        expire_requests()
        send_check_ins()

    assert {row.kind for row in queued("request_expired") + queued("check_in")} == {
        "request_expired",
        "check_in",
    }
    assert len(mailoutbox) == 3
    assert all("List-Unsubscribe" not in m.message() for m in mailoutbox)


# The unsubscribe page


@pytest.fixture
def person(mentor) -> User:
    return mentor


@pytest.fixture
def url(person) -> str:
    return reverse("unsubscribe", args=[unsubscribe_token(person)])


def _reminders_on(user: User) -> bool:
    user.refresh_from_db()
    return user.reminder_emails


def test_opening_the_link_asks_first(client, url, person):
    response = client.get(url)

    assert response.status_code == 200
    assert f"Stop reminders and nudges to {person.email}?" in response.text
    assert _reminders_on(person)


def test_a_mail_apps_one_click_post_turns_reminders_off_without_a_csrf_token(url, person):
    mail_app = Client(enforce_csrf_checks=True)

    response = mail_app.post(url, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert not _reminders_on(person)


def test_pressing_the_button_turns_reminders_off(url, person):
    browser = Client(enforce_csrf_checks=True)
    browser.get(url)

    response = browser.post(url)

    assert "Done: we will not send you reminders or nudges any more." in response.text
    assert not _reminders_on(person)


def test_unsubscribing_twice_is_fine(client, url, person):
    client.post(url)

    response = client.post(url)

    assert response.status_code == 200
    assert not _reminders_on(person)


def test_unsubscribing_changes_nothing_else(client, url, person, stranger):
    client.post(url)

    person.refresh_from_db()
    assert person.is_active
    assert _reminders_on(stranger)


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_link_is_a_404(url, person, method):
    token = url.rstrip("/").rsplit("/", 1)[1]
    tampered = url.replace(token, token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))

    response = getattr(Client(enforce_csrf_checks=True), method)(tampered)

    assert response.status_code == 404
    assert "This link is not valid." in response.text
    assert _reminders_on(person)


def test_a_profile_confirmation_token_does_not_unsubscribe(client, person):
    profile = MentorProfileFactory(user=person)

    response = client.post(reverse("unsubscribe", args=[confirm_token(profile)]))

    assert response.status_code == 404
    assert _reminders_on(person)


def test_the_link_of_a_deleted_account_is_a_404(client, url, person):
    person.delete()

    assert client.post(url).status_code == 404


def test_other_methods_are_refused(client, url, person):
    assert client.put(url).status_code == 405
    assert _reminders_on(person)


def test_after_unsubscribing_from_a_nudge_only_transactional_emails_arrive(clock, client):
    (pair,) = pairs_started_at(START)
    clock.shift(timedelta(days=30))
    nudge_quiet_pairs()
    mentee_nudge = next(r for r in queued("no_meeting_nudge") if r.recipient == pair.mentee)
    link = mentee_nudge.headers["List-Unsubscribe"].strip("<>")

    client.post(link.removeprefix("http://testserver"))

    clock.move_to(START + timedelta(weeks=6))
    send_check_ins()
    clock.move_to(START + timedelta(days=60))
    nudge_quiet_pairs()
    later_nudges = [r for r in queued("no_meeting_nudge") if r.created_at > mentee_nudge.created_at]
    assert [r.recipient for r in later_nudges] == [pair.mentor]
    assert {r.recipient for r in queued("check_in")} == {pair.mentee, pair.mentor}
