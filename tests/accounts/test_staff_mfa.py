from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import generate_totp_secret
from allauth.mfa.utils import encrypt
from django.contrib.messages import get_messages
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

ADMIN = "/admin/"


def _add_totp(user) -> None:
    Authenticator.objects.create(
        user=user,
        type=Authenticator.Type.TOTP,
        data={"secret": encrypt(generate_totp_secret())},
    )


@pytest.mark.parametrize("path", [ADMIN, "/admin/accounts/user/"])
def test_staff_without_an_authenticator_is_sent_to_totp_setup(
    client_for, admin_user, settings, path
):
    settings.MFA_REQUIRED_FOR_STAFF = True

    response = client_for(admin_user).get(path)

    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")
    [message] = get_messages(response.wsgi_request)
    assert "need two-factor authentication" in message.message


def test_staff_sent_to_totp_setup_reach_it_after_confirming_their_password(
    client, admin_user, settings
):
    settings.MFA_REQUIRED_FOR_STAFF = True
    client.post(reverse("account_login"), {"login": admin_user.email, "password": PASSWORD})

    response = client.get(ADMIN, follow=True)

    # allauth asks for the password again before any authenticator change; the admin guard
    # must not catch these pages, or staff could never set up the authenticator it demands.
    assert response.status_code == 200
    assert response.redirect_chain[0] == (reverse("mfa_activate_totp"), 302)
    assert not response.request["PATH_INFO"].startswith(ADMIN)
    reauthenticate_url = response.redirect_chain[-1][0]
    response = client.post(reauthenticate_url, {"password": PASSWORD}, follow=True)
    assert response.request["PATH_INFO"] == reverse("mfa_activate_totp")
    assert response.status_code == 200


def test_staff_with_a_totp_authenticator_gets_the_admin(client_for, admin_user, settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    _add_totp(admin_user)

    response = client_for(admin_user).get(ADMIN)

    assert response.status_code == 200
    assert b"Mentoring scheme administration" in response.content


def test_staff_gets_the_admin_when_mfa_is_not_required(client_for, admin_user, settings):
    settings.MFA_REQUIRED_FOR_STAFF = False

    response = client_for(admin_user).get(ADMIN)

    assert response.status_code == 200
    assert b"Mentoring scheme administration" in response.content


@pytest.mark.parametrize("required", [True, False])
def test_non_staff_user_never_gets_the_admin(client_for, mentee, settings, required):
    settings.MFA_REQUIRED_FOR_STAFF = required
    client = client_for(mentee)

    response = client.get(ADMIN)

    assert response.status_code == 302
    assert response.url == f"{reverse('admin:login')}?next={ADMIN}"
    # allauth's guard on the admin login refuses a signed-in non-staff user outright.
    assert client.get(response.url).status_code == 403


def test_admin_login_page_goes_through_allauth_login(client):
    response = client.get(f"{reverse('admin:login')}?next={ADMIN}")

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next=%2Fadmin%2F"
