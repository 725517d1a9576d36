"""The mentor's availability page, /profile/mentor/away/: away until a date (or back early) and
how many requests may wait for their answer at once."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from matching import availability, services
from matching.models import MentorshipRequest
from profiles.models import MentorProfile


class AwayForm(forms.Form):
    until = forms.DateField(
        label=_("I am back on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("You come back into the directory by yourself on this day."),
        error_messages={
            "required": _("Please give the date you will be back, for example 1 March."),
            "invalid": _("Please give a real date, for example 1 March 2027."),
        },
    )
    note = forms.CharField(
        label=_("A note for mentees (optional)"),
        required=False,
        max_length=255,
        help_text=_("For example: “On parental leave until March; do ask me then.”"),
        error_messages={
            "max_length": _(
                "Please keep your note under 255 characters (you wrote %(show_value)d)."
            )
        },
    )
    waiting = forms.ChoiceField(
        label=_("Requests waiting for your answer"),
        choices=[
            (
                "close",
                _(
                    "Close them kindly now: each mentee is told, with your note, to approach "
                    "someone else"
                ),
            ),
            (
                "keep",
                _("Keep them waiting until I am back: they do not expire while I am away"),
            ),
        ],
        initial="close",
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose what happens to your waiting requests.")},
    )

    def clean_until(self):
        until = self.cleaned_data["until"]
        if refusal := availability.away_refusal(until, today=timezone.localdate()):
            raise forms.ValidationError(refusal)
        return until


class WaitingCapForm(forms.Form):
    waiting_cap = forms.IntegerField(
        label=_("Requests waiting for my answer at most"),
        required=False,
        min_value=1,
        max_value=20,
        help_text=_(
            "Once this many wait for you, mentees see “Not taking requests right now”. "
            "Leave it empty for your free places plus one."
        ),
        error_messages={
            "min_value": _("Please choose a number from 1 to 20, or leave it empty."),
            "max_value": _("Please choose a number from 1 to 20, or leave it empty."),
            "invalid": _("Please give a whole number from 1 to 20, or leave it empty."),
        },
    )


def _own_profile(request) -> MentorProfile:
    profile = MentorProfile.objects.filter(user=request.user).select_related("user").first()
    if profile is None:
        raise Http404("You have no mentor profile yet.")
    return profile


@login_required
@require_http_methods(["GET", "POST"])
def mentor_away(request):
    """Away until a date (closing or keeping the waiting requests), back early, and the cap on
    waiting requests. Each POST names its `action`; a repeated submit does no harm (the
    services return what is already so)."""
    profile = _own_profile(request)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    away_form = AwayForm(request.POST if action == "away" else None, prefix="away")
    cap_form = WaitingCapForm(
        request.POST if action == "cap" else None,
        prefix="cap",
        initial={"waiting_cap": profile.waiting_cap},
    )
    status = 200
    if action == "away":
        if away_form.is_valid():
            data = away_form.cleaned_data
            try:
                _, closed = availability.go_away(
                    request.user,
                    until=data["until"],
                    note=data["note"],
                    keep_waiting=data["waiting"] == "keep",
                )
            except services.MatchingError as exc:
                away_form.add_error("until", str(exc))
            else:
                messages.success(request, _away_message(data["until"], closed, data["waiting"]))
                return redirect("matching:mentor-away")
        status = 400
    elif action == "back":
        availability.come_back(request.user)
        messages.success(request, gettext("Welcome back: you are in the directory again."))
        return redirect("matching:mentor-away")
    elif action == "cap":
        if cap_form.is_valid():
            availability.set_waiting_cap(request.user, cap_form.cleaned_data["waiting_cap"])
            messages.success(request, gettext("Saved: your limit on waiting requests."))
            return redirect("matching:mentor-away")
        status = 400
    elif request.method == "POST":
        status = 400
        messages.error(request, gettext("Please choose one of the buttons on this page."))
    waiting = MentorshipRequest.objects.pending().filter(mentor=request.user).count()
    ctx = {
        "profile": profile,
        "away_form": away_form,
        "cap_form": cap_form,
        "waiting": waiting,
        "cap": services.waiting_cap(profile),
        "cap_reached": services.waiting_cap_sentence(profile, waiting) is not None,
    }
    return render(request, "matching/mentor_away.html", ctx, status=status)


def _away_message(until, closed: int, waiting: str) -> str:
    back = format_date(until, "j F")
    if waiting == "keep":
        return gettext(
            "You are away until %(date)s: mentees cannot ask you until then. Requests already "
            "waiting for you stay open and do not expire while you are away."
        ) % {"date": back}
    if closed:
        return ngettext(
            "You are away until %(date)s. We closed %(count)d waiting request kindly and told "
            "each mentee.",
            "You are away until %(date)s. We closed %(count)d waiting requests kindly and told "
            "each mentee.",
            closed,
        ) % {"date": back, "count": closed}
    return gettext("You are away until %(date)s: mentees cannot ask you until then.") % {
        "date": back
    }
