"""Single sign-on providers read from the environment, for settings.py.

Plain data, no Django models: settings import this before the apps load. Each provider becomes
one of allauth's "apps" (SOCIALACCOUNT_PROVIDERS[...]["APPS"]); providers added in the admin
(Social applications) work alongside them. README "Single sign-on" describes the variables.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

# The `amr` values (RFC 8176) that say the person gave a second factor at the identity provider.
# Only "mfa": the other RFC 8176 values name one method ("sms", "otp", "hwk"...), which an IdP
# may send for a single-factor sign-in. A provider that sends them only alongside a second
# factor can list them in its own "mfa_amr".
DEFAULT_MFA_AMR = ["mfa"]


def domains(value: Any) -> list[str]:
    """A list of email domains as an entry gives it: a list, or one domain as a string."""
    if not value:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(d, str) for d in value):
        raise ValueError("email domains must be a list of domains")
    return [d.strip().lower().lstrip("@") for d in value]


def email_domains(item: dict[str, Any]) -> list[str]:
    """The email domains a provider may vouch for when it signs someone in to an account that
    already exists here (accounts.adapters): empty, it only makes new accounts."""
    return domains(item.get("email_domains"))


def _load(name: str, raw: str) -> list[dict[str, Any]]:
    if not raw.strip():
        return []
    try:
        items = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ImproperlyConfigured(f"{name} must be a JSON list of objects: {exc}") from exc
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ImproperlyConfigured(f"{name} must be a JSON list of objects.")
    return items


def _require(name: str, item: dict, *keys: str) -> None:
    missing = [k for k in keys if not item.get(k)]
    if missing:
        raise ImproperlyConfigured(f"{name}: provider {item.get('id', '?')!r} lacks {missing}.")


def oidc_apps(raw: str, name: str = "SSO_OIDC_PROVIDERS") -> list[dict[str, Any]]:
    """OpenID Connect providers (Microsoft Entra ID, Google Workspace, Keycloak...), e.g.
    [{"id": "university", "name": "University login", "server_url": "https://login...",
    "client_id": "...", "secret": "..."}] with optional "email_domains",
    "trusted_email_domains", "mfa_amr" and "mfa_acr"."""
    apps = []
    for item in _load(name, raw):
        _require(name, item, "id", "server_url", "client_id")
        apps.append(
            {
                "provider_id": item["id"],
                "name": item.get("name") or item["id"],
                "client_id": item["client_id"],
                "secret": item.get("secret", ""),
                "settings": oidc_settings(item),
            }
        )
    return apps


def oidc_settings(item: dict[str, Any]) -> dict[str, Any]:
    """allauth's settings for an OpenID Connect provider from one entry's keys (the
    environment's, or the settings JSON of a provider added in the admin)."""
    settings: dict[str, Any] = {
        "server_url": item["server_url"],
        "mfa_amr": list(item.get("mfa_amr", DEFAULT_MFA_AMR)),
        "mfa_acr": list(item.get("mfa_acr", [])),
        "email_domains": email_domains(item),
    }
    # Entra ID sends no `email_verified`: addresses in these domains count as verified.
    if item.get("trusted_email_domains"):
        settings["verified_email"] = domains(item["trusted_email_domains"])
    elif item.get("verified_email"):  # allauth's own key, as an admin entry may give it
        settings["verified_email"] = item["verified_email"]
    if item.get("token_auth_method"):
        settings["token_auth_method"] = item["token_auth_method"]
    return settings


def saml_apps(raw: str, name: str = "SSO_SAML_PROVIDERS") -> list[dict[str, Any]]:
    """SAML 2.0 identity providers, e.g. [{"id": "university-saml", "name": "University
    login", "slug": "university", "entity_id": "https://idp...", "sso_url": "https://idp.../sso",
    "x509cert": "MIIC...", "attribute_mapping": {"email": "...", "first_name": "..."}}] with
    optional "email_domains", "trusted_for_email" (true or a list of domains),
    "mfa_authn_contexts" and "sp_entity_id". Assertions must be signed by the certificate."""
    apps = []
    for item in _load(name, raw):
        _require(name, item, "id", "slug", "entity_id", "sso_url", "x509cert")
        apps.append(
            {
                "provider_id": item["id"],
                "name": item.get("name") or item["id"],
                "client_id": item["slug"],
                "settings": saml_settings(item),
            }
        )
    return apps


SAML_IDP_KEYS = ("entity_id", "sso_url", "x509cert")
# Keys of an entry that allauth's settings hold under other names (oidc_settings, saml_settings).
ENVIRONMENT_ONLY_KEYS = frozenset(
    {
        *SAML_IDP_KEYS,
        "slo_url",
        "sp_entity_id",
        "trusted_email_domains",
        "trusted_for_email",
        "idp",
        "advanced",
    }
)


def saml_settings(item: dict[str, Any]) -> dict[str, Any]:
    """allauth's settings for a SAML identity provider from one entry's keys (the
    environment's, or the settings JSON of a provider added in the admin, which may also give
    allauth's own "idp" object). Assertions must always be signed, whatever the entry says."""
    given = item.get("idp") or {}
    if not isinstance(given, dict):
        raise ValueError("idp must be an object")
    # The IdP's certificate is the one given here, never read from a metadata address at sign-in,
    # and the security settings are the environment's: nothing an entry says loosens them.
    idp = {
        key: item.get(key) or given.get(key)
        for key in (*SAML_IDP_KEYS, "slo_url")
        if item.get(key) or given.get(key)
    }
    settings: dict[str, Any] = {
        "idp": idp,
        "advanced": {"want_assertion_signed": True, "strict": True},
        "mfa_authn_contexts": list(item.get("mfa_authn_contexts", [])),
        "email_domains": email_domains(item),
    }
    if item.get("attribute_mapping"):
        settings["attribute_mapping"] = item["attribute_mapping"]
    if item.get("sp_entity_id"):
        settings["sp"] = {"entity_id": item["sp_entity_id"]}
    elif item.get("sp"):
        settings["sp"] = item["sp"]
    trusted = item.get("trusted_for_email", item.get("verified_email", False))
    settings["verified_email"] = trusted if isinstance(trusted, bool) else domains(trusted)
    return settings


def form_action_origins(*app_lists: list[dict[str, Any]]) -> list[str]:
    """The origins the sign-in buttons' forms lead to: the Content-Security-Policy's
    form-action also governs where a form's redirects may go, and "Sign in with …" redirects to
    the provider. An OpenID Connect provider's authorisation endpoint is normally on its
    server_url's origin, a SAML IdP's on its sso_url's."""
    origins: list[str] = []
    for apps in app_lists:
        for app in apps:
            settings = app.get("settings", {})
            url = settings.get("server_url") or settings.get("idp", {}).get("sso_url", "")
            parts = urlsplit(url)
            origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
            if origin and origin not in origins:
                origins.append(origin)
    return origins
