"""Single sign-on with OpenID Connect, end to end against a real provider (django-oauth-toolkit
in its own process: tests/sso_support.py): discovery, the authorisation code flow with PKCE,
the signed ID token, userinfo."""

from __future__ import annotations

import json
import subprocess
from urllib.parse import urlparse

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialApp
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts import sso_config
from accounts.models import User
from profiles import services
from tests.factories import PASSWORD, ProgrammeFactory, UserFactory
from tests.sso_support import OIDCProvider, ProviderUser, start_oidc_provider

# Takes a free port on loopback (or one it knows is closed): under `make test`'s parallel part
# the tests that do run in one process, one at a time, so no two of them meet on a port.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("ports")]

CALLBACK = "http://testserver/accounts/oidc/university/login/callback/"
USERS = [
    ProviderUser("nia", "nia.newydd@uni.example.ac.uk", "Nia", "Newydd"),
    ProviderUser("owen", "owen@uni.example.ac.uk", "Owen", "Hen"),
    ProviderUser("ursula", "ursula@uni.example.ac.uk", "Ursula", "Unverified", ["unverified"]),
    ProviderUser("mari", "mari.staff@uni.example.ac.uk", "Mari", "Staff", ["mfa"]),
    ProviderUser("pat", "pat.staff@uni.example.ac.uk", "Pat", "Staff"),
    ProviderUser("sam", "sam.staff@uni.example.ac.uk", "Sam", "Staff", ["amr:sms"]),
    # A verified address outside the domains the provider may vouch for, with a second factor.
    ProviderUser("root", "root@personal.example.com", "Root", "Personal", ["mfa"]),
]
# The domains the provider may sign in to existing accounts for (its "email_domains").
DOMAINS = ["uni.example.ac.uk"]


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    running = start_oidc_provider(tmp_path_factory.mktemp("idp"), USERS, [CALLBACK])
    yield running
    running.process.terminate()
    try:
        running.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        running.process.kill()


def configure(settings, provider: OIDCProvider, **options) -> None:
    """The provider as the environment would configure it (SSO_OIDC_PROVIDERS)."""
    [config] = provider.app_config()
    settings.SOCIALACCOUNT_PROVIDERS = {
        **settings.SOCIALACCOUNT_PROVIDERS,
        "openid_connect": {
            "APPS": sso_config.oidc_apps(json.dumps([{**config, **options}])),
            "OAUTH_PKCE_ENABLED": True,
        },
    }


@pytest.fixture(autouse=True)
def _provider_configured(settings, provider: OIDCProvider):
    configure(settings, provider, email_domains=DOMAINS)


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


def _linked_staff(client, provider, username: str, email: str) -> User:
    """A member of staff who linked the university login while signed in (process=connect),
    then signed out: the way staff accounts get a provider."""
    staff = _staff(email)
    client.force_login(staff)
    sso_sign_in(client, provider, username, process="connect")
    assert SocialAccount.objects.get(user=staff).provider == "university"
    client.logout()
    return staff


def _refusal(response) -> str:
    assert not response.wsgi_request.user.is_authenticated
    assert response.redirect_chain[-1][0] == reverse("account_login")
    [message] = get_messages(response.wsgi_request)
    return message.message


def test_a_verified_address_outside_the_providers_domains_takes_over_no_superuser(
    client, provider, settings
):
    """The reviewer's scenario: the provider (trusted for uni.example.ac.uk) confirms
    root@personal.example.com, with a second factor; the superuser with that address here is
    neither signed in nor linked."""
    settings.MFA_REQUIRED_FOR_STAFF = True
    configure(settings, provider, email_domains=DOMAINS, trusted_email_domains=DOMAINS)
    root = _staff("root@personal.example.com")

    response = sso_sign_in(client, provider, "root")

    assert "An account with the email address root@personal.example.com already exists" in (
        _refusal(response)
    )
    assert client.get(reverse("admin:index")).status_code == 302
    assert not SocialAccount.objects.exists()
    assert list(User.objects.all()) == [root]


def test_an_existing_account_outside_the_providers_domains_is_not_linked(client, provider):
    someone = UserFactory(email="root@personal.example.com")

    response = sso_sign_in(client, provider, "root")

    message = _refusal(response)
    assert "already exists here, and University login cannot sign in to it" in message
    assert "link University login to your account" in message
    assert not SocialAccount.objects.exists()
    assert list(User.objects.all()) == [someone]


def test_a_provider_without_email_domains_links_no_existing_account_but_makes_new_ones(
    client, provider, settings
):
    configure(settings, provider)  # no "email_domains"
    owen = UserFactory(email="owen@uni.example.ac.uk")

    refused = sso_sign_in(client, provider, "owen")

    assert "already exists here" in _refusal(refused)
    assert not SocialAccount.objects.exists()
    made = sso_sign_in(client, provider, "nia")
    nia = User.objects.get(email="nia.newydd@uni.example.ac.uk")
    assert made.wsgi_request.user == nia
    assert SocialAccount.objects.get().user == nia
    assert User.objects.filter(email=owen.email).count() == 1


def test_a_staff_account_is_never_signed_in_by_its_email_address(client, provider, settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    mari = _staff("mari.staff@uni.example.ac.uk")  # in the provider's domains, MFA asserted

    response = sso_sign_in(client, provider, "mari")

    message = _refusal(response)
    assert "University login cannot sign in to a scheme administrator's account" in message
    assert "Sign in with your email address and password, then link University login" in message
    assert client.get(reverse("admin:index")).status_code == 302
    assert not SocialAccount.objects.filter(user=mari).exists()


def test_staff_whose_provider_asserted_mfa_open_the_admin(client, provider, settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    mari = _linked_staff(client, provider, "mari", "mari.staff@uni.example.ac.uk")

    response = sso_sign_in(client, provider, "mari")

    assert response.wsgi_request.user == mari
    assert "mfa" in SocialAccount.objects.get(user=mari).extra_data["id_token"]["amr"]
    admin = client.get(reverse("admin:index"))
    assert admin.status_code == 200


def test_staff_whose_provider_asserted_no_mfa_must_set_up_an_authenticator(
    client, provider, settings
):
    settings.MFA_REQUIRED_FOR_STAFF = True
    pat = _linked_staff(client, provider, "pat", "pat.staff@uni.example.ac.uk")

    response = sso_sign_in(client, provider, "pat")

    assert response.wsgi_request.user == pat
    admin = client.get(reverse("admin:index"))
    assert admin.status_code == 302
    assert admin.url == reverse("mfa_activate_totp")


def test_a_single_method_such_as_sms_is_not_a_second_factor(client, provider, settings):
    """RFC 8176's amr names methods: "sms" alone is one factor. By default only "mfa" counts."""
    settings.MFA_REQUIRED_FOR_STAFF = True
    sam = _linked_staff(client, provider, "sam", "sam.staff@uni.example.ac.uk")

    response = sso_sign_in(client, provider, "sam")

    assert response.wsgi_request.user == sam
    assert SocialAccount.objects.get(user=sam).extra_data["id_token"]["amr"] == ["sms"]
    assert client.get(reverse("admin:index")).url == reverse("mfa_activate_totp")


def test_a_password_sign_in_after_an_sso_one_does_not_keep_its_mfa(client, provider, settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    mari = _linked_staff(client, provider, "mari", "mari.staff@uni.example.ac.uk")
    sso_sign_in(client, provider, "mari")
    client.logout()

    client.post(reverse("account_login"), {"login": mari.email, "password": PASSWORD})

    assert client.get(reverse("admin:index")).url == reverse("mfa_activate_totp")


def test_signing_in_again_without_sso_in_the_same_session_drops_the_providers_mfa(
    client, provider, settings
):
    """Django keeps a session's data when the same person signs in again (the admin's login
    page, not allauth's): the earlier sign-in's IdP MFA note must not come along."""
    settings.MFA_REQUIRED_FOR_STAFF = True
    mari = _linked_staff(client, provider, "mari", "mari.staff@uni.example.ac.uk")
    sso_sign_in(client, provider, "mari")
    assert client.get(reverse("admin:index")).status_code == 200

    assert client.login(email=mari.email, password=PASSWORD)

    assert client.get(reverse("admin:index")).url == reverse("mfa_activate_totp")


def test_an_address_outside_the_sign_up_domains_is_refused_as_such_not_as_unconfirmed(
    client, provider, settings
):
    settings.ACCOUNT_ALLOWED_EMAIL_DOMAINS = ["staff.example.ac.uk"]

    response = sso_sign_in(client, provider, "nia")

    message = _refusal(response)
    assert "did not confirm" not in message
    assert (
        "University login gave your email address as nia.newydd@uni.example.ac.uk, but this "
        "service is open to @staff.example.ac.uk email addresses only" in message
    )
    assert not User.objects.exists()


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


def test_a_provider_added_in_the_admin_reads_its_email_domains_and_mfa_default_the_same_way(
    client, provider, settings
):
    """Social applications in the admin: "email_domains" from the settings JSON, and without
    "mfa_amr" the same default as the environment's ("mfa" only)."""
    settings.MFA_REQUIRED_FOR_STAFF = True
    [config] = provider.app_config()
    settings.SOCIALACCOUNT_PROVIDERS = {
        **settings.SOCIALACCOUNT_PROVIDERS,
        "openid_connect": {"APPS": [], "OAUTH_PKCE_ENABLED": True},
    }
    SocialApp.objects.create(
        provider="openid_connect",
        provider_id="university",
        name="University login",
        client_id=config["client_id"],
        secret=config["secret"],
        settings={"server_url": config["server_url"], "email_domains": ["Uni.Example.ac.uk"]},
    )
    owen = UserFactory(email="owen@uni.example.ac.uk")
    UserFactory(email="root@personal.example.com")

    assert sso_sign_in(client, provider, "owen").wsgi_request.user == owen
    client.logout()
    assert "already exists here" in _refusal(sso_sign_in(client, provider, "root"))

    sam = _linked_staff(client, provider, "sam", "sam.staff@uni.example.ac.uk")
    assert sso_sign_in(client, provider, "sam").wsgi_request.user == sam
    assert client.get(reverse("admin:index")).url == reverse("mfa_activate_totp")
    client.logout()
    _linked_staff(client, provider, "mari", "mari.staff@uni.example.ac.uk")
    sso_sign_in(client, provider, "mari")
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_provider_added_in_the_admin_needs_its_server_url_and_takes_the_environments_keys(
    client_for, admin_user
):
    staff = client_for(admin_user)
    form = {
        "provider": "openid_connect",
        "provider_id": "university",
        "name": "University login",
        "client_id": "mentoring",
        "secret": "s3cret",
        "key": "",
    }

    missing = staff.post(reverse("admin:socialaccount_socialapp_add"), {**form, "settings": "{}"})
    assert "Give the provider&#x27;s server_url" in missing.content.decode()

    staff.post(
        reverse("admin:socialaccount_socialapp_add"),
        {
            **form,
            "settings": json.dumps(
                {
                    "server_url": "https://login.example.ac.uk",
                    "trusted_email_domains": ["Uni.Example.ac.uk"],
                    "fetch_userinfo": False,
                }
            ),
        },
    )
    assert SocialApp.objects.get().settings == {
        "server_url": "https://login.example.ac.uk",
        "verified_email": ["uni.example.ac.uk"],
        "mfa_amr": ["mfa"],
        "mfa_acr": [],
        "email_domains": [],
        "fetch_userinfo": False,
    }
