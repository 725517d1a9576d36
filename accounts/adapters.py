from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django import forms
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.urls import reverse

from mentoring import emails


class AccountAdapter(DefaultAccountAdapter):
    def clean_email(self, email: str) -> str:
        email = super().clean_email(email)
        allowed = settings.ACCOUNT_ALLOWED_EMAIL_DOMAINS
        if allowed:
            domain = email.rsplit("@", 1)[-1].lower()
            if domain not in allowed:
                listed = ", ".join(f"@{d}" for d in allowed)
                raise forms.ValidationError(
                    f"Sign-up is open to {listed} email addresses only. "
                    "Please use your address at one of those."
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
        message = self.render_mail(template_prefix, email, ctx)
        emails.queue_message(template_prefix.rsplit("/", 1)[-1], message)

    def send_notification_mail(self, template_prefix, user, context=None, email=None) -> None:
        # "Your password was changed" and the like: if it was not them, the person resets their
        # password from this link.
        context = {
            "reset_page_url": emails.absolute_url(reverse("account_reset_password")),
            **(context or {}),
        }
        super().send_notification_mail(template_prefix, user, context, email)
