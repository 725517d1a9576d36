"""Single sign-on with SAML 2.0: our app sends an AuthnRequest, a test IdP (certificate and key
made for the test) answers with a Response whose assertion it signed, and the browser posts it to
allauth's assertion consumer service."""

from __future__ import annotations

import base64
import json

import pytest
from allauth.socialaccount.models import SocialAccount, SocialApp
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts import sso_config
from accounts.models import User
from tests.factories import UserFactory
from tests.sso_support import TestIdP, authn_request_id, make_idp, saml_response

# Takes a free port on loopback (or one it knows is closed): under `make test`'s parallel part
# the tests that do run in one process, one at a time, so no two of them meet on a port.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("ports")]

SLUG = "university"
HOST = "mentoring.example.ac.uk"  # python3-saml refuses single-label hosts like "testserver"
ACS_URL = f"http://{HOST}/accounts/saml/{SLUG}/acs/"
SP_ENTITY_ID = f"http://{HOST}/accounts/saml/{SLUG}/metadata/"
MFA_CONTEXT = "https://refeds.org/profile/mfa"
EMAIL = "urn:oid:0.9.2342.19200300.100.1.3"
GIVEN_NAME = "urn:oid:2.5.4.42"
SURNAME = "urn:oid:2.5.4.4"


@pytest.fixture(scope="module")
def idp() -> TestIdP:
    return make_idp()


@pytest.fixture(autouse=True)
def _host_header(client, settings):
    """A browser always sends Host; python3-saml reads it (the test client leaves it out)."""
    settings.ALLOWED_HOSTS = [HOST]
    client.defaults["HTTP_HOST"] = HOST


@pytest.fixture(autouse=True)
def _idp_configured(settings, idp):
    configure(settings, idp)


def configure(settings, idp, **options) -> None:
    """The IdP as SSO_SAML_PROVIDERS would configure it: trusted for addresses in its domain,
    and may sign in to existing accounts with them."""
    config = [
        {
            "id": "university-saml",
            "name": "University SAML login",
            "slug": SLUG,
            "entity_id": idp.entity_id,
            "sso_url": "https://idp.example.ac.uk/sso",
            "x509cert": idp.cert_base64,
            "attribute_mapping": {
                "email": EMAIL,
                "first_name": GIVEN_NAME,
                "last_name": SURNAME,
            },
            "trusted_for_email": ["uni.example.ac.uk"],
            "email_domains": ["uni.example.ac.uk"],
            "mfa_authn_contexts": [MFA_CONTEXT],
            **options,
        }
    ]
    settings.SOCIALACCOUNT_PROVIDERS = {
        **settings.SOCIALACCOUNT_PROVIDERS,
        "saml": {
            **settings.SOCIALACCOUNT_PROVIDERS["saml"],
            "APPS": sso_config.saml_apps(json.dumps(config)),
        },
    }


def start(client, process: str = "login") -> str:
    """Presses "Sign in with University SAML login"; returns the AuthnRequest's ID."""
    response = client.post(reverse("saml_login", args=[SLUG]), {"process": process})
    assert response.status_code == 302
    assert response["Location"].startswith("https://idp.example.ac.uk/sso?SAMLRequest=")
    return authn_request_id(response["Location"])


def response_for(idp, request_id, email, *, given="Siân", surname="Jones", **kwargs) -> str:
    return saml_response(
        idp,
        acs_url=ACS_URL,
        audience=SP_ENTITY_ID,
        in_response_to=request_id,
        name_id=email,
        attributes={EMAIL: email, GIVEN_NAME: given, SURNAME: surname},
        **kwargs,
    )


def post(client, xml: str):
    encoded = base64.b64encode(xml.encode()).decode()
    return client.post(reverse("saml_acs", args=[SLUG]), {"SAMLResponse": encoded}, follow=True)


def test_a_signed_assertion_signs_a_new_person_in(client, idp):
    request_id = start(client)

    response = post(client, response_for(idp, request_id, "sian@uni.example.ac.uk"))

    user = User.objects.get(email="sian@uni.example.ac.uk")
    assert response.wsgi_request.user == user
    assert user.full_name == "Siân Jones"
    account = SocialAccount.objects.get(user=user)
    assert account.provider == "university-saml"


def test_a_signed_assertion_links_the_existing_account_with_that_address(client, idp):
    sian = UserFactory(email="sian@uni.example.ac.uk")

    response = post(client, response_for(idp, start(client), "sian@uni.example.ac.uk"))

    assert response.wsgi_request.user == sian
    assert SocialAccount.objects.get().user == sian


def test_an_assertion_changed_after_signing_is_refused(client, idp, caplog):
    UserFactory(email="sian@uni.example.ac.uk")
    victim = UserFactory(email="vc@uni.example.ac.uk", is_staff=True)
    signed = response_for(idp, start(client), "sian@uni.example.ac.uk")
    tampered = signed.replace("sian@uni.example.ac.uk", victim.email)
    assert tampered != signed

    response = post(client, tampered)

    assert response.status_code == 401
    assert not response.wsgi_request.user.is_authenticated
    assert not SocialAccount.objects.exists()
    assert "Signature validation failed" in caplog.text


def test_an_assertion_signed_with_another_key_is_refused(client, idp, caplog):
    sian = UserFactory(email="sian@uni.example.ac.uk")
    impostor = make_idp(entity_id=idp.entity_id)

    response = post(
        client,
        response_for(idp, start(client), sian.email, signing_idp=impostor),
    )

    assert response.status_code == 401
    assert not response.wsgi_request.user.is_authenticated
    assert not SocialAccount.objects.exists()
    assert "Signature validation failed" in caplog.text


def test_an_address_outside_the_domains_the_idp_is_trusted_for_is_refused(client, idp):
    response = post(client, response_for(idp, start(client), "guest@elsewhere.example.com"))

    assert not response.wsgi_request.user.is_authenticated
    [message] = get_messages(response.wsgi_request)
    assert "University SAML login did not confirm your email address" in message.message
    assert not User.objects.exists()


def test_an_idp_trusted_for_every_address_signs_in_to_no_account_outside_its_domains(
    client, idp, settings
):
    """trusted_for_email true vouches for any address; that does not let the IdP sign in to an
    existing account (here a superuser's) whose domain is not one of its email_domains."""
    settings.MFA_REQUIRED_FOR_STAFF = True
    configure(settings, idp, trusted_for_email=True)
    root = UserFactory(email="root@personal.example.com", is_staff=True, is_superuser=True)

    response = post(client, response_for(idp, start(client), root.email, authn_context=MFA_CONTEXT))

    assert not response.wsgi_request.user.is_authenticated
    [message] = get_messages(response.wsgi_request)
    assert "An account with the email address root@personal.example.com already exists" in (
        message.message
    )
    assert client.get(reverse("admin:index")).status_code == 302
    assert not SocialAccount.objects.exists()


def test_a_staff_account_is_not_signed_in_by_its_address(client, idp, settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    staff = UserFactory(email="vc@uni.example.ac.uk", is_staff=True, is_superuser=True)

    response = post(
        client, response_for(idp, start(client), staff.email, authn_context=MFA_CONTEXT)
    )

    assert not response.wsgi_request.user.is_authenticated
    [message] = get_messages(response.wsgi_request)
    assert "cannot sign in to a scheme administrator's account" in message.message
    assert not SocialAccount.objects.exists()


@pytest.mark.parametrize(("context", "admin_opens"), [(MFA_CONTEXT, True), (None, False)])
def test_staff_mfa_follows_the_authentication_context(client, idp, settings, context, admin_opens):
    settings.MFA_REQUIRED_FOR_STAFF = True
    staff = UserFactory(email="vc@uni.example.ac.uk", is_staff=True, is_superuser=True)
    # Staff link the IdP while signed in; after that it signs them in.
    client.force_login(staff)
    post(client, response_for(idp, start(client, process="connect"), staff.email))
    assert SocialAccount.objects.get().user == staff
    client.logout()
    kwargs = {"authn_context": context} if context else {}

    response = post(client, response_for(idp, start(client), staff.email, **kwargs))

    assert response.wsgi_request.user == staff
    admin = client.get(reverse("admin:index"))
    if admin_opens:
        assert admin.status_code == 200
    else:
        assert admin.url == reverse("mfa_activate_totp")


def test_a_provider_added_in_the_admin_with_the_environments_keys_signs_in_and_checks_signatures(
    client, client_for, admin_user, idp, settings
):
    """A superuser pastes the keys an SSO_SAML_PROVIDERS entry takes into Social applications:
    they are saved in allauth's shape, with signed assertions required as for the environment's
    providers."""
    settings.SOCIALACCOUNT_PROVIDERS = {
        **settings.SOCIALACCOUNT_PROVIDERS,
        "saml": {**settings.SOCIALACCOUNT_PROVIDERS["saml"], "APPS": []},
    }
    entry = {
        "entity_id": idp.entity_id,
        "sso_url": "https://idp.example.ac.uk/sso",
        "x509cert": idp.cert_base64,
        "attribute_mapping": {"email": EMAIL, "first_name": GIVEN_NAME, "last_name": SURNAME},
        "trusted_for_email": ["Uni.Example.ac.uk"],
        "advanced": {"want_assertion_signed": False},
    }
    staff = client_for(admin_user)
    staff.defaults["HTTP_HOST"] = HOST
    form = {
        "provider": "saml",
        "provider_id": "university-saml",
        "name": "University SAML login",
        "client_id": SLUG,
        "secret": "",
        "key": "",
    }

    missing = staff.post(
        reverse("admin:socialaccount_socialapp_add"),
        {**form, "settings": json.dumps({"sso_url": entry["sso_url"]})},
    )
    assert "entity_id, x509cert" in missing.content.decode()
    assert not SocialApp.objects.exists()

    saved = staff.post(
        reverse("admin:socialaccount_socialapp_add"), {**form, "settings": json.dumps(entry)}
    )
    assert saved.status_code == 302
    app = SocialApp.objects.get()
    assert app.settings == {
        **sso_config.saml_apps(json.dumps([{**entry, "id": "x", "slug": SLUG}]))[0]["settings"],
        "advanced": {"want_assertion_signed": True, "strict": True},
    }
    assert app.settings["idp"]["entity_id"] == idp.entity_id
    assert app.settings["verified_email"] == ["uni.example.ac.uk"]

    impostor = make_idp(entity_id=idp.entity_id)
    refused = post(
        client, response_for(idp, start(client), "sian@uni.example.ac.uk", signing_idp=impostor)
    )
    assert refused.status_code == 401
    response = post(client, response_for(idp, start(client), "sian@uni.example.ac.uk"))
    assert response.wsgi_request.user.email == "sian@uni.example.ac.uk"
    assert SocialAccount.objects.get().provider == "university-saml"
