import pytest
from django.urls import reverse

from accounts.models import User
from accounts.services import set_message_emails
from tests.writers import writers_of

pytestmark = pytest.mark.django_db
URL = reverse("accounts:email-preferences")


def test_new_people_get_message_emails_as_they_arrive(mentee):
    assert mentee.message_emails == User.MessageEmails.IMMEDIATE


@pytest.mark.parametrize("choice", ["digest", "off", "immediate"])
def test_the_service_saves_each_choice(mentee, choice):
    set_message_emails(mentee, choice=choice)

    mentee.refresh_from_db()
    assert mentee.message_emails == choice


def test_the_service_refuses_an_unknown_choice(mentee):
    with pytest.raises(ValueError):
        set_message_emails(mentee, choice="hourly")
    mentee.refresh_from_db()
    assert mentee.message_emails == "immediate"


def test_only_the_service_writes_message_emails():
    assert writers_of("message_emails") == ["accounts.services:set_message_emails"]


def test_the_preferences_page_offers_the_three_choices(client_for, mentee):
    html = client_for(mentee).get(URL).content.decode()

    assert "Email me about new messages" in html
    for value in ("immediate", "digest", "off"):
        assert f'value="{value}"' in html


def test_choosing_the_daily_digest_on_the_page(client_for, mentee):
    client_for(mentee).post(URL, {"reminder_emails": "on", "message_emails": "digest"})

    mentee.refresh_from_db()
    assert mentee.message_emails == "digest"
    assert mentee.reminder_emails is True


def test_a_post_without_the_choice_keeps_the_current_one(client_for, mentee):
    set_message_emails(mentee, choice="off")

    client_for(mentee).post(URL, {"reminder_emails": "on"})

    mentee.refresh_from_db()
    assert mentee.message_emails == "off"


def test_an_unknown_choice_is_refused_next_to_the_field(client_for, mentee):
    response = client_for(mentee).post(URL, {"reminder_emails": "on", "message_emails": "hourly"})

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    mentee.refresh_from_db()
    assert mentee.message_emails == "immediate"


def test_the_choice_is_in_my_data_export(client_for, mentee):
    set_message_emails(mentee, choice="digest")

    html = client_for(mentee).get(reverse("accounts:personal-data")).content.decode()

    assert "Emails about new messages" in html
    assert "One daily digest" in html
