"""Single sign-on with OpenID Connect, end to end against a real provider (django-oauth-toolkit
in its own process: tests/sso_support.py): discovery, the authorisation code flow with PKCE,
the signed ID token, userinfo."""

from __future__ import annotations

import json
import subprocess
from urllib.parse import urlparse

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts import sso_config
from accounts.models import User
from profiles import services
from tests.factories import PASSWORD, ProgrammeFactory, UserFactory
from tests.sso_support import OIDCProvider, ProviderUser, start_oidc_provider

pytestmark = pytest.mark.django_db

CALLBACK = "http://testserver/accounts/oidc/university/login/callback/"
USERS = [
    ProviderUser("nia", "nia.newydd@uni.example.ac.uk", "Nia", "Newydd"),
    ProviderUser("owen", "owen@uni.example.ac.uk", "Owen", "Hen"),
    ProviderUser("ursula", "ursula@uni.example.ac.uk", "Ursula", "Unverified", ["unverified"]),
    ProviderUser("mari", "mari.staff@uni.example.ac.uk", "Mari", "Staff", ["mfa"]),
    ProviderUser("pat", "pat.staff@uni.example.ac.uk", "Pat", "Staff"),
]


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    running = start_oidc_provider(tmp_path_factory.mktemp("idp"), USERS, [CALLBACK])
    yield running
    running.process.terminate()
    try:
        running.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        running.process.kill()


@pytest.fixture(autouse=True)
def _provider_configured(settings, provider: OIDCProvider):
    """The provider as the environment would configure it (SSO_OIDC_PROVIDERS)."""
    settings.SOCIALACCOUNT_PROVIDERS = {
        **settings.SOCIALACCOUNT_PROVIDERS,
        "openid_connect": {
            "APPS": sso_config.oidc_apps(json.dumps(provider.app_config())),
            "OAUTH_PKCE_ENABLED": True,
        },
    }


def sso_sign_in(client, provider: OIDCProvider, username: str, **params):
    """The person presses "Sign in with University login", signs in at the provider, and comes
    back to our callback. Returns our callback's response, redirects followed."""
    start = client.post(
        reverse("openid_connect_login", kwargs={"provider_id": "university"}),
        {"process": "login", **params},
    )
    assert start.status_code == 302
    assert start["Location"].startswith(provider.url + "/o/authorize/")
    callback = urlparse(provider.sign_in(start["Location"], username))
    assert f"http://{callback.netloc}{callback.path}" == CALLBACK
    return client.get(f"{callback.path}?{callback.query}", follow=True)


def test_the_sign_in_page_offers_the_provider(client):
    response = client.get(reverse("account_login"))

    assert response.status_code == 200
    assert "Sign in with University login" in response.text
    assert reverse("openid_connect_login", kwargs={"provider_id": "university"}) in response.text


def test_a_new_person_gets_an_account_with_the_name_the_provider_gives(client, provider):
    response = sso_sign_in(client, provider, "nia")

    user = User.objects.get(email="nia.newydd@uni.example.ac.uk")
    assert response.wsgi_request.user == user
    assert user.full_name == "Nia Newydd"
    assert not user.has_usable_password()
    assert EmailAddress.objects.get(user=user).verified
    account = SocialAccount.objects.get(user=user)
    assert account.provider == "university"
    assert account.extra_data["id_token"]["email"] == user.email


def test_an_existing_account_is_linked_by_its_verified_email(client, provider):
    owen = UserFactory(email="owen@uni.example.ac.uk", full_name="Owen Hen")

    response = sso_sign_in(client, provider, "owen")

    assert response.wsgi_request.user == owen
    assert User.objects.filter(email="owen@uni.example.ac.uk").count() == 1
    assert SocialAccount.objects.get(provider="university").user == owen
    # The second time, the link alone signs Owen in.
    client.logout()
    assert sso_sign_in(client, provider, "owen").wsgi_request.user == owen


def test_an_address_the_provider_does_not_vouch_for_is_refused(client, provider):
    ursula = UserFactory(email="ursula@uni.example.ac.uk")

    response = sso_sign_in(client, provider, "ursula")

    assert not response.wsgi_request.user.is_authenticated
    assert response.redirect_chain[-1][0] == reverse("account_login")
    [message] = get_messages(response.wsgi_request)
    assert "University login did not confirm your email address" in message.message
    assert "Sign in with University login" in response.text  # still offered, next to the form
    assert not SocialAccount.objects.exists()
    assert not User.objects.exclude(pk=ursula.pk).exists()


def test_local_accounts_still_sign_in_with_a_password(client):
    alumna = UserFactory(email="alumna@example.org")

    response = client.post(
        reverse("account_login"), {"login": alumna.email, "password": PASSWORD}, follow=True
    )

    assert response.wsgi_request.user == alumna


def _staff(email: str) -> User:
    return UserFactory(email=email, is_staff=True, is_superuser=True)


def test_staff_whose_provider_asserted_mfa_open_the_admin(client, provider, settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    mari = _staff("mari.staff@uni.example.ac.uk")

    response = sso_sign_in(client, provider, "mari")

    assert response.wsgi_request.user == mari
    assert "mfa" in SocialAccount.objects.get(user=mari).extra_data["id_token"]["amr"]
    admin = client.get(reverse("admin:index"))
    assert admin.status_code == 200


def test_staff_whose_provider_asserted_no_mfa_must_set_up_an_authenticator(
    client, provider, settings
):
    settings.MFA_REQUIRED_FOR_STAFF = True
    pat = _staff("pat.staff@uni.example.ac.uk")

    response = sso_sign_in(client, provider, "pat")

    assert response.wsgi_request.user == pat
    admin = client.get(reverse("admin:index"))
    assert admin.status_code == 302
    assert admin.url == reverse("mfa_activate_totp")


def test_a_password_sign_in_after_an_sso_one_does_not_keep_its_mfa(client, provider, settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    mari = _staff("mari.staff@uni.example.ac.uk")
    sso_sign_in(client, provider, "mari")
    client.logout()

    client.post(reverse("account_login"), {"login": mari.email, "password": PASSWORD})

    assert client.get(reverse("admin:index")).url == reverse("mfa_activate_totp")


def test_a_programme_with_single_sign_on_takes_only_linked_accounts(client, provider):
    programme = ProgrammeFactory(name="Staff", slug="staff", single_sign_on="university")
    owen = UserFactory(email="owen@uni.example.ac.uk")
    client.force_login(owen)

    page = client.get(programme.get_absolute_url())
    refused = client.post(
        reverse("profiles:programme-join", args=["staff"]), {"role": "mentee"}, follow=True
    )

    assert "Members of Staff sign in with University login" in page.text
    assert "Sign in with University login" in page.text
    assert not owen.memberships.exists()
    assert "Members of Staff sign in with University login" in refused.text

    # Linking the account (the page's button: process=connect) opens the programme.
    back = sso_sign_in(client, provider, "owen", process="connect", next=page.wsgi_request.path)
    assert back.redirect_chain[-1][0] == programme.get_absolute_url()
    assert SocialAccount.objects.get(provider="university").user == owen
    client.post(reverse("profiles:programme-join", args=["staff"]), {"role": "mentee"})
    assert owen.memberships.get().programme == programme


def test_an_invitation_does_not_replace_the_programmes_single_sign_on(provider):
    programme = ProgrammeFactory(name="Staff", slug="staff", single_sign_on="university")
    invited = UserFactory(email="invited@uni.example.ac.uk")

    refusal = services.eligibility_refusal(programme, invited, "mentee", invited=True)

    assert (
        refusal
        == "Members of Staff sign in with University login. Sign in with it once, then join."
    )
    SocialAccount.objects.create(user=invited, provider="university", uid="x")
    assert services.eligibility_refusal(programme, invited, "mentee", invited=True) is None
