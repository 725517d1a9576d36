"""The person is emailed, through the outbox, when their password, email address or two-factor
settings change: if it was not them, they learn at once."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.core import context as allauth_context
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.urls import reverse

from mentoring.models import Outbox
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, mentee):
    """Maya, signed in with her password."""
    client.post(reverse("account_login"), {"login": mentee.email, "password": PASSWORD})
    return client


def _only_email(mailoutbox, kind: str, to: str):
    row = Outbox.objects.get(kind=kind)
    assert row.to_email == to
    [message] = [m for m in mailoutbox if m.to == [to] and m.subject == row.subject]
    html = {mimetype: body for body, mimetype in message.alternatives}["text/html"]
    assert "Reset my password" in html  # the styled version, with what to do if it was not you
    return message


def test_changing_the_password_emails_the_person(
    signed_in, mentee, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(
            reverse("account_change_password"),
            {
                "oldpassword": PASSWORD,
                "password1": "a-fresh-long-passphrase",
                "password2": "a-fresh-long-passphrase",
            },
        )
    assert response.status_code == 302

    message = _only_email(mailoutbox, "password_changed", mentee.email)
    assert message.subject.endswith("Your password was changed")
    assert "was changed" in message.body
    assert "IP address 127.0.0.1" in message.body
    assert "Reset your password now at http://testserver/accounts/password/reset/" in message.body


def test_changing_the_email_address_tells_the_old_address(
    signed_in, mentee, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        signed_in.post(
            reverse("account_email"), {"action_add": "", "email": "maya.new@example.org"}
        )
    new = EmailAddress.objects.get(email="maya.new@example.org")
    key = EmailConfirmationHMAC(new).key

    with django_capture_on_commit_callbacks(execute=True):
        signed_in.post(reverse("account_confirm_email", args=[key]))

    mentee.refresh_from_db()
    assert mentee.email == "maya.new@example.org"
    message = _only_email(mailoutbox, "email_changed", "maya@example.org")
    assert "from maya@example.org to maya.new@example.org" in message.body


def test_turning_on_two_factor_emails_the_person(
    signed_in, mentee, django_capture_on_commit_callbacks
):
    # allauth asks for the password again before two-factor settings change.
    signed_in.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    signed_in.get(reverse("mfa_activate_totp"))
    secret = signed_in.session[SECRET_SESSION_KEY]
    code = format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))

    with django_capture_on_commit_callbacks() as after_commit:
        response = signed_in.post(reverse("mfa_activate_totp"), {"code": code})
    # allauth emails once the activation commits: in a running site that is before the request
    # ends (no transaction spans the request), in a test only after it, so run it in one.
    with allauth_context.request_context(response.wsgi_request):
        for callback in after_commit:
            callback()

    assert response.status_code == 302
    assert Authenticator.objects.filter(user=mentee, type="totp").exists()
    row = Outbox.objects.get(kind="totp_activated")
    assert row.to_email == mentee.email
    assert row.subject.endswith("Two-factor authentication is on")
    assert "was turned on" in row.body_text
    assert "Reset my password" in row.body_html
