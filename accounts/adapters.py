from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.utils import filter_users_by_email
from allauth.core import context as allauth_context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.providers.base import AuthProcess
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.sites.shortcuts import get_current_site
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from accounts.sso import provider_email_domains
from mentoring import emails

# The session key under which an opened invitation link leaves the invited address.
INVITED_EMAIL_KEY = "invited_email"
# The request attribute naming an address the sign-up domain rule turned away: allauth drops
# such an address from a single sign-on before our SocialAccountAdapter sees it, which would
# otherwise have to say the provider did not confirm it.
REFUSED_DOMAIN_ATTR = "email_domain_refused"


class AccountAdapter(DefaultAccountAdapter):
    def clean_email(self, email: str) -> str:
        email = super().clean_email(email)
        allowed = settings.ACCOUNT_ALLOWED_EMAIL_DOMAINS
        request = allauth_context.request
        invited = request.session.get(INVITED_EMAIL_KEY) if request is not None else None
        if allowed and invited and invited.lower() == email.lower():
            # The address a coordinator invited (profiles.invitation_views keeps it in the
            # session when the invitation link is opened): the invitation covers the domain rule.
            return email
        if allowed:
            domain = email.rsplit("@", 1)[-1].lower()
            if domain not in allowed:
                if request is not None:
                    setattr(request, REFUSED_DOMAIN_ATTR, email)
                listed = ", ".join(f"@{d}" for d in allowed)
                raise forms.ValidationError(
                    gettext(
                        "Sign-up is open to %(domains)s email addresses only. "
                        "Please use your address at one of those."
                    )
                    % {"domains": listed}
                )
        return email

    def get_login_redirect_url(self, request) -> str:
        # The scheme team land on their programme dashboard (the admin's index); participants
        # where they always did. A ?next= still wins (allauth reads it before asking here).
        if request.user.is_active and request.user.is_staff:
            return reverse("admin:index")
        return super().get_login_redirect_url(request)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # allauth's emails go through the outbox like every other email: written now, sent by
        # Celery after the transaction commits. The context is the one allauth's own send_mail
        # builds (its templates use `email` and `current_site`).
        request = allauth_context.request
        ctx = {
            "request": request,
            "email": email,
            "current_site": get_current_site(request),
            **context,
        }
        # In the account owner's saved language; else the page's (the person is on the site).
        user = context.get("user")
        language = (
            emails.email_language(user)
            if getattr(user, "language", "")
            else translation.get_language()
        )
        with translation.override(language):
            message = self.render_mail(template_prefix, email, ctx)
        emails.queue_message(template_prefix.rsplit("/", 1)[-1], message)

    def send_notification_mail(self, template_prefix, user, context=None, email=None) -> None:
        # "Your password was changed" and the like: if it was not them, the person resets their
        # password from this link.
        context = {
            "reset_page_url": emails.absolute_url(reverse("account_reset_password")),
            **(context or {}),
        }
        # In the account owner's language (send_mail has only the address to go by).
        language = (
            emails.email_language(user)
            if getattr(user, "language", "")
            else translation.get_language()
        )
        with translation.override(language):
            super().send_notification_mail(template_prefix, user, context, email)


def _not_confirmed(provider: str) -> str:
    return gettext(
        "%(provider)s did not confirm your email address, so it cannot sign you "
        "in here. Ask your IT service desk to add a confirmed email address to "
        "your university account, or sign in with your email address and password."
    ) % {"provider": provider}


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Single sign-on (accounts.sso): a provider signs someone in only with an email address it
    vouches for (OpenID Connect `email_verified`, or a provider trusted for email in its
    settings). It signs in to (and links) the local account with that address only when the
    address's domain is one of the provider's `email_domains`, and never to a staff account:
    otherwise any provider, or anyone who can get an address verified at one, could take over
    any account. Staff link their university login while signed in (process=connect). Without
    an existing account, a new one is made (ALLOWED_EMAIL_DOMAINS applies: AccountAdapter)."""

    def can_authenticate_by_email(self, login, email: str) -> bool:
        domain = email.rsplit("@", 1)[-1].lower()
        return super().can_authenticate_by_email(login, email) and domain in (
            provider_email_domains(login.provider)
        )

    def pre_social_login(self, request, sociallogin) -> None:
        provider = sociallogin.provider.name
        verified = {a.email.lower() for a in sociallogin.email_addresses if a.verified}
        refused = getattr(request, REFUSED_DOMAIN_ATTR, None)
        if not verified and refused and not sociallogin.email_addresses:
            # The provider's address was outside ALLOWED_EMAIL_DOMAINS (AccountAdapter), not
            # unconfirmed: say which rule turned it away.
            listed = ", ".join(f"@{d}" for d in settings.ACCOUNT_ALLOWED_EMAIL_DOMAINS)
            self._refuse(
                request,
                gettext(
                    "%(provider)s gave your email address as %(email)s, but this service is "
                    "open to %(domains)s email addresses only, so it cannot sign you in here."
                )
                % {"provider": provider, "email": refused, "domains": listed},
            )
        if not verified:
            self._refuse(request, _not_confirmed(provider))
        if sociallogin.state.get("process") != AuthProcess.CONNECT:
            # Connecting, the person is signed in and links the provider to their own account.
            if sociallogin.is_existing and sociallogin.account.pk is None:
                self._check_link_by_email(request, sociallogin)
            elif not sociallogin.is_existing:
                self._check_new_account(request, sociallogin, verified)
        super().pre_social_login(request, sociallogin)

    def _check_link_by_email(self, request, sociallogin) -> None:
        """The provider's verified address, in one of its email_domains, found an account that
        is not linked to it yet: allauth would sign in to it and link it. Not a staff account's:
        a provider's word is not enough for the admin."""
        user = sociallogin.user
        if user.is_staff or user.is_superuser:
            self._refuse(
                request,
                gettext(
                    "%(provider)s cannot sign in to a scheme administrator's account by its "
                    "email address. Sign in with your email address and password, then link "
                    "%(provider)s to your account from your account's settings."
                )
                % {"provider": sociallogin.provider.name},
            )

    def _check_new_account(self, request, sociallogin, verified: set[str]) -> None:
        """No account is linked to this sign-in or may be signed in to by its address: a new one
        is made, with an address the provider confirmed that no account here has."""
        provider = sociallogin.provider.name
        email = (sociallogin.user.email or "").lower()
        if email not in verified:
            self._refuse(request, _not_confirmed(provider))
        for address in sociallogin.email_addresses:
            if filter_users_by_email(address.email):
                self._refuse(
                    request,
                    gettext(
                        "An account with the email address %(email)s already exists here, and "
                        "%(provider)s cannot sign in to it. Sign in with your email address and "
                        "password, then link %(provider)s to your account from your account's "
                        "settings."
                    )
                    % {"email": address.email, "provider": provider},
                )

    def _refuse(self, request, message: str) -> None:
        messages.error(request, message)
        raise ImmediateHttpResponse(redirect("account_login"))

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        name = data.get("name") or " ".join(
            part for part in (data.get("first_name"), data.get("last_name")) if part
        )
        user.full_name = " ".join((name or "").split()) or user.email.split("@", 1)[0]
        return user
