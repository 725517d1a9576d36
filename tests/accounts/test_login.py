from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils.html import escape

from mentoring.models import Outbox
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

WRONG_CREDENTIALS = "The email address and/or password you specified are not correct."


def test_login_with_the_right_password_goes_home(client, mentee):
    response = client.post(reverse("account_login"), {"login": mentee.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.get(reverse("home")).context["user"] == mentee


def test_login_email_is_case_insensitive(client, mentee):
    response = client.post(
        reverse("account_login"), {"login": "MAYA@Example.ORG", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"] == mentee


def test_login_with_a_wrong_password_explains_and_keeps_the_email(client, mentee):
    response = client.post(
        reverse("account_login"), {"login": mentee.email, "password": "not-the-password"}
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [WRONG_CREDENTIALS]
    html = response.content.decode()
    assert escape(WRONG_CREDENTIALS) in html
    assert 'value="maya@example.org"' in html
    assert not response.context["user"].is_authenticated


def test_login_for_an_unverified_user_is_sent_to_verification(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    user = UserFactory(email="new@example.org", verified=False)
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_login"), {"login": user.email, "password": PASSWORD}
        )

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert not client.get(reverse("home")).context["user"].is_authenticated
    assert Outbox.objects.filter(kind="email_confirmation", to_email="new@example.org").exists()
    assert [m.to for m in mailoutbox] == [["new@example.org"]]
