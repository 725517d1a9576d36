from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.conf import settings

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

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # allauth's emails go through the outbox like every other email: written now, sent by
        # Celery after the transaction commits.
        message = self.render_mail(template_prefix, email, context)
        emails.queue_message(template_prefix.rsplit("/", 1)[-1], message)
