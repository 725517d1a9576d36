"""Single sign-on (allauth's socialaccount): which providers there are, whether a provider
vouched for the person's email address, and whether it asserted a second factor.

A staff member who signed in through a provider that asserted multi-factor authentication
(OpenID Connect `amr`/`acr`, SAML AuthnContextClassRef, as configured per provider) satisfies
MFA_REQUIRED_FOR_STAFF for that session (accounts.staff): the identity provider did what our
own authenticator app would. The assertion is recorded on the session at sign-in.
"""

from __future__ import annotations

from allauth.socialaccount.models import SocialAccount, SocialLogin
from allauth.socialaccount.providers.saml.provider import SAMLProvider as AllauthSAMLProvider

from accounts.sso_config import DEFAULT_MFA_AMR

# Session key: the id of the user whose sign-in the identity provider confirmed with a second
# factor (a later sign-in as someone else, or without SSO, replaces it).
IDP_MFA_SESSION_KEY = "sso_idp_mfa_user"
# extra_data key under which the SAML provider keeps the assertion's AuthnContextClassRefs.
SAML_AUTHN_CONTEXTS = "_authn_contexts"


class SAMLProvider(AllauthSAMLProvider):
    """allauth's SAML provider, keeping the authentication context (how the person proved who
    they are) and ignoring an IdP's own "email_verified" attribute: an address counts as
    verified only when the app says the IdP is trusted for email (`verified_email`)."""

    package = "allauth.socialaccount.providers.saml"  # its URLs are allauth's

    def extract_extra_data(self, data):
        extra = dict(super().extract_extra_data(data))
        extra[SAML_AUTHN_CONTEXTS] = list(data.get_last_authn_contexts() or [])
        return extra

    def extract_common_fields(self, data):
        fields = super().extract_common_fields(data)
        fields.pop("email_verified", None)
        return fields


def idp_asserted_mfa(sociallogin: SocialLogin) -> bool:
    """Whether the identity provider says this sign-in used a second factor, by the rules its
    app's settings give (mfa_amr / mfa_acr for OpenID Connect, mfa_authn_contexts for SAML)."""
    account = sociallogin.account
    app = sociallogin.provider.app
    settings = (app.settings if app else None) or {}
    data = account.extra_data or {}
    if sociallogin.provider.id == "saml":
        wanted = set(settings.get("mfa_authn_contexts", []))
        return bool(wanted & set(data.get(SAML_AUTHN_CONTEXTS, [])))
    claims: dict = {}
    for part in ("userinfo", "id_token"):
        if isinstance(data.get(part), dict):
            claims.update(data[part])
    amr = claims.get("amr") or []
    if isinstance(amr, str):
        amr = [amr]
    # A provider added in the admin without "mfa_amr" gets the environment's default too.
    if set(settings.get("mfa_amr", DEFAULT_MFA_AMR)) & set(amr):
        return True
    return bool(claims.get("acr")) and claims.get("acr") in settings.get("mfa_acr", [])


def record_sign_in(sender, request, user, **kwargs) -> None:
    """allauth's user_logged_in: note on the session whether the provider asserted MFA. Any
    other sign-in (a password, or a provider that did not assert it) clears the note."""
    sociallogin = kwargs.get("sociallogin")
    if sociallogin is not None and idp_asserted_mfa(sociallogin):
        request.session[IDP_MFA_SESSION_KEY] = user.pk
    else:
        request.session.pop(IDP_MFA_SESSION_KEY, None)


def forget_idp_mfa(sender, request, user, **kwargs) -> None:
    """Django's user_logged_in, sent by every sign-in (the admin's login page and allauth's
    alike): the note from an earlier sign-in goes. Signing in again as the same person keeps
    the session's data, so without this a password sign-in would inherit an earlier single
    sign-on's second factor. An SSO sign-in's own note is written after this, by allauth's
    user_logged_in (record_sign_in), which allauth sends once Django has signed the person in."""
    if request is not None and hasattr(request, "session"):
        request.session.pop(IDP_MFA_SESSION_KEY, None)


def provider_email_domains(provider) -> list[str]:
    """The email domains this provider may vouch for when it signs someone in to an account
    that already exists here: its app's "email_domains" (from the environment, or the settings
    JSON of a provider added in the admin). Empty: none, it only makes new accounts."""
    settings = (provider.app.settings if provider.app else None) or {}
    domains = settings.get("email_domains") or []
    if isinstance(domains, str):
        domains = [domains]
    return [str(d).lower().lstrip("@") for d in domains]


def mark_idp_mfa(request) -> None:
    """Puts the session's note on request.user, where accounts.staff reads it."""
    user = request.user
    if user.is_authenticated and request.session.get(IDP_MFA_SESSION_KEY) == user.pk:
        user.idp_mfa = True


def find_provider(request, provider_id: str):
    """The configured provider (from the environment or the admin) with this id, or None. Its
    `name` is what people know it by ("University login"); get_login_url starts a sign-in."""
    from allauth.socialaccount.adapter import get_adapter

    for provider in get_adapter().list_providers(request):
        if provider.sub_id == provider_id:
            return provider
    return None


def provider_choices(current: str = "") -> list[tuple[str, str]]:
    """The choices for a programme's "sign in with": any way, or one configured provider. A
    provider the programme names that is no longer configured stays listed, marked, so saving
    the programme does not change it unnoticed."""
    from allauth.socialaccount.adapter import get_adapter

    choices = [("", "Any way of signing in (email and password or any provider)")]
    for provider in get_adapter().list_providers(None):
        choices.append((provider.sub_id, f"{provider.name} ({provider.sub_id})"))
    if current and current not in {value for value, _ in choices}:
        choices.append((current, f"{current} (no such provider is configured now)"))
    return choices


def has_account_with(user, provider_id: str) -> bool:
    return SocialAccount.objects.filter(user=user, provider=provider_id).exists()
