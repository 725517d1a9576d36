from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from accounts import privacy, services
from accounts.forms import (
    DeleteAccountForm,
    EmailPreferencesForm,
    TimeZoneForm,
    time_zone_label,
)
from accounts.models import ReminderKind, User


@login_required
@require_http_methods(["GET", "POST"])
def time_zone_edit(request):
    form = TimeZoneForm(request.POST if request.method == "POST" else None, instance=request.user)
    if form.is_bound and form.is_valid():
        form.save()
        messages.success(
            request, f"Your time zone is now {time_zone_label(form.instance.time_zone)}."
        )
        return redirect("accounts:time-zone-edit")
    return render(request, "accounts/time_zone_form.html", {"form": form})


def _and_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


@login_required
@require_http_methods(["GET", "POST"])
def email_preferences(request):
    form = EmailPreferencesForm(
        request.POST if request.method == "POST" else None, instance=request.user
    )
    if form.is_bound and form.is_valid():
        choices = form.reminder_choices()
        services.set_reminder_choices(request.user, choices)
        services.set_message_emails(request.user, choice=form.cleaned_data["message_emails"])
        choice = form.cleaned_data["message_emails"]
        about_messages = {
            User.MessageEmails.IMMEDIATE: "New messages are emailed to you as they arrive.",
            User.MessageEmails.DIGEST: "New messages come in one daily digest.",
            User.MessageEmails.OFF: "You will not be emailed about new messages.",
        }.get(choice, "")
        on = [ReminderKind(kind).label.lower() for kind, wanted in choices.items() if wanted]
        if len(on) == len(choices):
            about_reminders = "You will get every kind of reminder and nudge by email."
        elif on:
            about_reminders = f"You will get {_and_list(on)} by email, and no other reminders."
        else:
            about_reminders = (
                "You will not get reminders or nudges. Emails about your requests and "
                "mentorships still arrive."
            )
        messages.success(request, f"{about_reminders} {about_messages}")
        return redirect("accounts:email-preferences")
    return render(request, "accounts/email_preferences.html", {"form": form})


def _readable(value: Any) -> Any:
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, datetime):
        return date_format(timezone.localtime(value), "j F Y, H:i")  # in the person's zone
    if isinstance(value, date):
        return date_format(value, "j F Y")
    return str(value)


@login_required
@never_cache
@require_safe
def personal_data(request):
    """Everything held about me: a readable page, or `?format=json` to download."""
    data = privacy.personal_data(request.user)
    if request.GET.get("format") == "json":
        response = JsonResponse(
            {"generated_at": timezone.now(), **data},
            encoder=DjangoJSONEncoder,
            json_dumps_params={"indent": 2, "ensure_ascii": False},
        )
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="my-mentoring-data-{stamp}.json"'
        return response
    sections = [
        (title, [[(label, _readable(v)) for label, v in row.items()] for row in rows])
        for title, rows in data.items()
    ]
    return render(request, "accounts/personal_data.html", {"sections": sections})


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request):
    form = DeleteAccountForm(request.user, request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            privacy.delete_account(request.user)
        except privacy.AccountDeletionError as exc:
            messages.error(request, str(exc))
            return redirect("accounts:account-delete")
        logout(request)
        messages.success(request, "Your account has been deleted. Thank you for taking part.")
        return redirect("home")
    return render(request, "accounts/account_delete.html", {"form": form})


@require_safe
def privacy_notice(request):
    ctx = {
        "body_retention_days": settings.OUTBOX_BODY_RETENTION_DAYS,
        "email_retention_days": settings.OUTBOX_DELETE_AFTER_DAYS,
    }
    return render(request, "privacy.html", ctx)
