from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.sites.shortcuts import get_current_site
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from mentoring import emails

# The session key under which an opened invitation link leaves the invited address.
INVITED_EMAIL_KEY = "invited_email"


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


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Single sign-on (accounts.sso): a provider signs someone in only with an email address it
    vouches for (OpenID Connect `email_verified`, or a provider trusted for email in its
    settings); with one, the local account with that address is signed in and linked
    (SOCIALACCOUNT_EMAIL_AUTHENTICATION), or a new account is made."""

    def pre_social_login(self, request, sociallogin) -> None:
        if not any(address.verified for address in sociallogin.email_addresses):
            messages.error(
                request,
                gettext(
                    "%(provider)s did not confirm your email address, so it cannot sign you "
                    "in here. Ask your IT service desk to add a confirmed email address to "
                    "your university account, or sign in with your email address and password."
                )
                % {"provider": sociallogin.provider.name},
            )
            raise ImmediateHttpResponse(redirect("account_login"))
        super().pre_social_login(request, sociallogin)

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        name = data.get("name") or " ".join(
            part for part in (data.get("first_name"), data.get("last_name")) if part
        )
        user.full_name = " ".join((name or "").split()) or user.email.split("@", 1)[0]
        return user
