from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.forms import EmailPreferencesForm, TimeZoneForm


@login_required
@require_http_methods(["GET", "POST"])
def time_zone_edit(request):
    form = TimeZoneForm(request.POST if request.method == "POST" else None, instance=request.user)
    if form.is_bound and form.is_valid():
        form.save()
        messages.success(request, f"Your time zone is now {form.instance.time_zone}.")
        return redirect("accounts:time-zone-edit")
    return render(request, "accounts/time_zone_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def email_preferences(request):
    form = EmailPreferencesForm(
        request.POST if request.method == "POST" else None, instance=request.user
    )
    if form.is_bound and form.is_valid():
        form.save()
        if form.instance.reminder_emails:
            messages.success(request, "You will get reminders and nudges by email.")
        else:
            messages.success(
                request,
                "You will not get reminders or nudges. Emails about your requests and "
                "mentorships still arrive.",
            )
        return redirect("accounts:email-preferences")
    return render(request, "accounts/email_preferences.html", {"form": form})
