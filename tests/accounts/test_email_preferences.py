import pytest
from django.urls import reverse

from accounts.models import ReminderKind

pytestmark = pytest.mark.django_db
URL = reverse("accounts:email-preferences")


def test_anonymous_is_sent_to_sign_in(client):
    assert client.get(URL).status_code == 302


ALL_ON = {
    "meeting_reminder_emails": "on",
    "nudge_emails": "on",
    "request_reminder_emails": "on",
    "reminder_emails": "on",
}


def test_turning_reminders_off_and_on(client_for, mentee):
    client = client_for(mentee)

    response = client.post(URL, {}, follow=True)
    mentee.refresh_from_db()
    assert not any(mentee.wants_reminder(kind) for kind in ReminderKind.values)
    assert "You will not get reminders or nudges." in response.content.decode()

    response = client.post(URL, ALL_ON, follow=True)
    mentee.refresh_from_db()
    assert all(mentee.wants_reminder(kind) for kind in ReminderKind.values)
    assert "You will get every kind of reminder and nudge by email." in response.content.decode()


def test_meeting_reminders_yes_nudges_no(client_for, mentee):
    response = client_for(mentee).post(
        URL, {"meeting_reminder_emails": "on", "request_reminder_emails": "on"}, follow=True
    )

    mentee.refresh_from_db()
    assert mentee.wants_reminder(ReminderKind.MEETINGS)
    assert not mentee.wants_reminder(ReminderKind.NUDGES)
    assert mentee.wants_reminder(ReminderKind.REQUESTS)
    assert not mentee.wants_reminder(ReminderKind.PROFILE)
    assert (
        "You will get reminders of upcoming meetings and reminders of requests waiting for your "
        "answer by email, and no other reminders." in response.content.decode()
    )


def test_each_kind_is_a_labelled_checkbox_in_a_fieldset(client_for, mentee):
    html = client_for(mentee).get(URL).content.decode()

    assert "<legend" in html and "Reminders and nudges" in html
    for label in (
        "Reminders of upcoming meetings",
        "Nudges when you have not met for a while",
        "Reminders of requests waiting for your answer",
        "Reminders about your profile and training",
    ):
        assert label in html
    assert html.count('type="checkbox"') >= 4


def test_submitting_twice_is_harmless(client_for, mentee):
    client = client_for(mentee)
    data = {"meeting_reminder_emails": "on"}
    client.post(URL, data)
    response = client.post(URL, data)

    assert response.status_code == 302
    mentee.refresh_from_db()
    assert mentee.wants_reminder(ReminderKind.MEETINGS)
    assert not mentee.wants_reminder(ReminderKind.NUDGES)


def test_the_page_explains_what_still_arrives(client_for, mentee):
    html = client_for(mentee).get(URL).content.decode()

    assert "always arrive" in html


def test_choosing_the_daily_digest_is_confirmed_in_words(client_for, mentee):
    response = client_for(mentee).post(URL, {**ALL_ON, "message_emails": "digest"}, follow=True)

    mentee.refresh_from_db()
    assert mentee.message_emails == "digest"
    page = response.content.decode()
    assert (
        "You will get every kind of reminder and nudge by email. New messages come in one" in page
    )
    assert '<h1 class="h2">Email preferences</h1>' in page
