import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
URL = reverse("accounts:email-preferences")


def test_anonymous_is_sent_to_sign_in(client):
    assert client.get(URL).status_code == 302


def test_turning_reminders_off_and_on(client_for, mentee):
    client = client_for(mentee)

    client.post(URL, {})
    mentee.refresh_from_db()
    assert mentee.reminder_emails is False

    response = client.post(URL, {"reminder_emails": "on"}, follow=True)
    mentee.refresh_from_db()
    assert mentee.reminder_emails is True
    assert "You will get reminders and nudges by email." in response.content.decode()


def test_the_page_explains_what_still_arrives(client_for, mentee):
    html = client_for(mentee).get(URL).content.decode()

    assert "always arrive" in html


def test_choosing_the_daily_digest_is_confirmed_in_words(client_for, mentee):
    response = client_for(mentee).post(
        URL, {"reminder_emails": "on", "message_emails": "digest"}, follow=True
    )

    mentee.refresh_from_db()
    assert mentee.message_emails == "digest"
    page = response.content.decode()
    assert "You will get reminders and nudges by email. New messages come in one daily" in page
    assert '<h1 class="h2">Email preferences</h1>' in page
