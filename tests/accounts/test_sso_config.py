"""Single sign-on providers from the environment (SSO_OIDC_PROVIDERS, SSO_SAML_PROVIDERS): a
mistake stops the site at start-up with a sentence that names it."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ImproperlyConfigured

from accounts import sso_config


def test_an_openid_connect_provider_becomes_an_allauth_app():
    [app] = sso_config.oidc_apps(
        json.dumps(
            [
                {
                    "id": "entra",
                    "name": "University login",
                    "server_url": "https://login.microsoftonline.com/tenant-id/v2.0",
                    "client_id": "abc",
                    "secret": "xyz",
                    "trusted_email_domains": ["Uni.Example.ac.uk"],
                    "email_domains": ["@Uni.Example.ac.uk"],
                    "mfa_acr": ["urn:example:mfa"],
                }
            ]
        )
    )

    assert app["provider_id"] == "entra"
    assert (app["name"], app["client_id"], app["secret"]) == ("University login", "abc", "xyz")
    assert app["settings"]["verified_email"] == ["uni.example.ac.uk"]
    assert app["settings"]["email_domains"] == ["uni.example.ac.uk"]
    assert app["settings"]["mfa_amr"] == sso_config.DEFAULT_MFA_AMR == ["mfa"]
    assert app["settings"]["mfa_acr"] == ["urn:example:mfa"]


def test_a_saml_idp_must_sign_its_assertions_and_is_not_trusted_for_email_by_default():
    [app] = sso_config.saml_apps(
        json.dumps(
            [
                {
                    "id": "uni-saml",
                    "slug": "uni",
                    "entity_id": "https://idp.example.ac.uk",
                    "sso_url": "https://idp.example.ac.uk/sso",
                    "x509cert": "MIIC",
                }
            ]
        )
    )

    assert app["client_id"] == "uni"
    assert app["settings"]["advanced"]["want_assertion_signed"] is True
    assert app["settings"]["verified_email"] is False
    assert app["settings"]["email_domains"] == []  # links no existing account by email


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("{not json", "must be a JSON list of objects"),
        ('{"id": "x"}', "must be a JSON list of objects"),
        ('[{"id": "x", "server_url": "https://idp"}]', "lacks ['client_id']"),
    ],
)
def test_a_mistake_is_named(raw, message):
    with pytest.raises(ImproperlyConfigured, match=message.replace("[", r"\[")):
        sso_config.oidc_apps(raw)


def test_nothing_configured_is_no_provider():
    assert sso_config.oidc_apps("") == []
    assert sso_config.saml_apps("  ") == []


def test_the_sign_in_forms_may_lead_to_each_providers_origin():
    oidc = sso_config.oidc_apps(
        '[{"id": "g", "server_url": "https://accounts.google.com", "client_id": "c"}]'
    )
    saml = sso_config.saml_apps(
        '[{"id": "s", "slug": "s", "entity_id": "e", "x509cert": "M",'
        ' "sso_url": "https://idp.example.ac.uk:8443/sso"}]'
    )

    assert sso_config.form_action_origins(oidc, saml) == [
        "https://accounts.google.com",
        "https://idp.example.ac.uk:8443",
    ]
