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
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.i18n import set_language as django_set_language

from accounts import privacy, services
from accounts.forms import (
    DeleteAccountForm,
    EmailPreferencesForm,
    LanguageForm,
    TimeZoneForm,
    time_zone_label,
)
from accounts.middleware import set_language_cookie
from accounts.models import ReminderKind, User


@login_required
@require_http_methods(["GET", "POST"])
def time_zone_edit(request):
    form = TimeZoneForm(request.POST if request.method == "POST" else None, instance=request.user)
    if form.is_bound and form.is_valid():
        form.save()
        messages.success(
            request,
            _("Your time zone is now %(zone)s.")
            % {"zone": time_zone_label(form.instance.time_zone)},
        )
        return redirect("accounts:time-zone-edit")
    return render(request, "accounts/time_zone_form.html", {"form": form})


def _and_list(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    return _("%(items)s and %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


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
            User.MessageEmails.IMMEDIATE: _("New messages are emailed to you as they arrive."),
            User.MessageEmails.DIGEST: _("New messages come in one daily digest."),
            User.MessageEmails.OFF: _("You will not be emailed about new messages."),
        }.get(choice, "")
        on = [ReminderKind(kind).label.lower() for kind, wanted in choices.items() if wanted]
        if len(on) == len(choices):
            about_reminders = _("You will get every kind of reminder and nudge by email.")
        elif on:
            about_reminders = _("You will get %(kinds)s by email, and no other reminders.") % {
                "kinds": _and_list(on)
            }
        else:
            about_reminders = _(
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
        return _("Yes") if value else _("No")
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
    if request.GET.get("format") == "json":
        # Keys and values in one language, whatever the page is read in.
        with translation.override(settings.LANGUAGE_CODE):
            data = privacy.personal_data(request.user)
        response = JsonResponse(
            {"generated_at": timezone.now(), **data},
            encoder=DjangoJSONEncoder,
            json_dumps_params={"indent": 2, "ensure_ascii": False},
        )
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="my-mentoring-data-{stamp}.json"'
        return response
    data = privacy.personal_data(request.user)
    # The download keeps the English names (stable keys for whoever reads the file); the page
    # reads in the person's language (the names are marked with gettext_noop where made).
    sections = [
        (_(title), [[(_(label), _readable(v)) for label, v in row.items()] for row in rows])
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
        messages.success(request, _("Your account has been deleted. Thank you for taking part."))
        return redirect("home")
    return render(request, "accounts/account_delete.html", {"form": form})


@require_safe
def privacy_notice(request):
    ctx = {
        "body_retention_days": settings.OUTBOX_BODY_RETENTION_DAYS,
        "email_retention_days": settings.OUTBOX_DELETE_AFTER_DAYS,
    }
    return render(request, "privacy.html", ctx)


@require_POST
def set_language(request):
    """The language switcher: Django's set_language (the cookie, then back to `next`), and for a
    signed-in person the choice is saved on their account, so it follows them to other devices,
    to their next sign-in and into their emails."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        services.set_language(request.user, language)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def language_edit(request):
    current = request.user.language or translation.get_language()
    form = LanguageForm(
        request.POST if request.method == "POST" else None, initial={"language": current}
    )
    if form.is_bound and form.is_valid():
        language = form.cleaned_data["language"]
        services.set_language(request.user, language)
        translation.activate(language)
        messages.success(request, _("Your pages and emails are now in English."))
        response = redirect("accounts:language-edit")
        set_language_cookie(response, language)
        return response
    return render(request, "accounts/language_form.html", {"form": form})
