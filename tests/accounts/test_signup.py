from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils.html import escape

from accounts.models import User
from mentoring.models import Outbox

pytestmark = pytest.mark.django_db

DOMAIN_MESSAGE = (
    "Sign-up is open to @uni.ac.uk email addresses only. Please use your address at one of those."
)


def _form(**overrides) -> dict[str, str]:
    return {
        "full_name": "Priya Patel",
        "email": "priya@example.org",
        "password1": "a-long-unusual-passphrase",
        "password2": "a-long-unusual-passphrase",
        **overrides,
    }


def _confirmation_link(body: str) -> str:
    return re.search(r"http://testserver(/accounts/confirm-email/\S+/)", body).group(1)


def test_signup_creates_an_unverified_account_and_asks_to_verify(client):
    response = client.post(reverse("account_signup"), _form())

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    user = User.objects.get(email="priya@example.org")
    assert user.full_name == "Priya Patel"
    assert user.check_password("a-long-unusual-passphrase")
    assert not EmailAddress.objects.get(user=user).verified


def test_signup_confirmation_goes_through_the_outbox_and_its_link_verifies(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_signup"), _form())

    row = Outbox.objects.get()
    assert row.kind == "email_confirmation_signup"
    assert row.status == Outbox.Status.SENT
    [message] = mailoutbox
    assert message.to == ["priya@example.org"]
    assert message.message()["Message-ID"] == row.message_id
    assert "register an account on testserver." in message.body
    link = _confirmation_link(message.body)
    assert link in message.alternatives[0].content

    response = client.post(link)

    assert response.status_code == 302
    assert EmailAddress.objects.get(email="priya@example.org").verified


def test_signup_refuses_an_email_outside_the_allowed_domains(client, settings):
    settings.ACCOUNT_ALLOWED_EMAIL_DOMAINS = ["uni.ac.uk"]

    response = client.post(reverse("account_signup"), _form(email="priya@gmail.com"))

    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [DOMAIN_MESSAGE]
    html = response.content.decode()
    # Shown next to the field (crispy's invalid-feedback for id_email), not only in the summary.
    assert re.search(
        r'id="error_1_id_email"[^>]*>\s*<strong>' + re.escape(escape(DOMAIN_MESSAGE)), html
    )
    assert 'value="priya@gmail.com"' in html
    assert 'value="Priya Patel"' in html
    assert not User.objects.exists()


def test_signup_accepts_an_allowed_domain_in_any_case(client, settings):
    settings.ACCOUNT_ALLOWED_EMAIL_DOMAINS = ["uni.ac.uk"]

    response = client.post(reverse("account_signup"), _form(email="priya@UNI.ac.uk"))

    assert response.status_code == 302
    assert User.objects.filter(email__iexact="priya@uni.ac.uk").exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"password2": "another-long-passphrase"}, "password2", "You must type the same password"),
        ({"password1": "xk3!q", "password2": "xk3!q"}, "password1", "This password is too short"),
        ({"email": "priya.example.org"}, "email", "Enter a valid email address."),
        ({"full_name": "   "}, "full_name", "This field is required."),
    ],
    ids=["mismatched-passwords", "short-password", "bad-email", "empty-name"],
)
def test_signup_with_bad_input_explains_and_keeps_what_was_typed(client, overrides, field, message):
    data = _form(**overrides)

    response = client.post(reverse("account_signup"), data)

    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert any(message in error for error in errors)
    html = response.content.decode()
    assert escape(message) in html
    assert 'id="error-summary"' in html
    if data["full_name"].strip():
        assert f'value="{data["full_name"]}"' in html
    assert f'value="{data["email"]}"' in html
    assert not User.objects.exists()


def test_signup_with_a_registered_email_looks_the_same_and_emails_the_owner(
    client, mentee, mailoutbox, django_capture_on_commit_callbacks
):
    new = client.post(reverse("account_signup"), _form(email="newcomer@example.org"))
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        taken = client.post(reverse("account_signup"), _form(email="maya@example.org"))

    assert (taken.status_code, taken.url) == (new.status_code, new.url)
    assert User.objects.filter(email__iexact="maya@example.org").count() == 1
    assert Outbox.objects.filter(
        kind="account_already_exists", to_email="maya@example.org"
    ).exists()
    [message] = mailoutbox
    assert message.to == ["maya@example.org"]
    assert "an account using that email address already exists" in message.body
    # The email names the address it is about (allauth's context survives the outbox).
    assert "maya@example.org" in message.body
    assert "http://testserver/accounts/password/reset/" in message.body


def test_signup_with_a_registered_email_in_another_case_creates_no_second_account(client, mentee):
    response = client.post(reverse("account_signup"), _form(email="MAYA@Example.org"))

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert User.objects.filter(email__iexact="maya@example.org").count() == 1
    assert Outbox.objects.filter(kind="account_already_exists").exists()
