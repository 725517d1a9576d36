"""Forms validate input only; sessions_log.services makes the changes.

Times are typed in the signed-in person's own time zone: accounts' middleware activates it,
and Django's DateTimeField reads a naive value in the active zone.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import dateformat, timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from matching.models import Mentorship
from sessions_log.models import MAX_DURATION, MIN_DURATION, Meeting, Objective

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
# Meetings are planned at most this far ahead and recorded from this year on: a mistyped year
# (9999) would otherwise break both people's calendars.
MEETING_MAX_DAYS_AHEAD = 730
MEETING_EARLIEST_YEAR = 2000


class LocalDateTimeField(forms.DateTimeField):
    """A date and time picked in the browser (`datetime-local`), in the person's time zone."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT)
    input_formats = [DATETIME_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]
    default_error_messages = {
        "invalid": _("Enter a date and time, e.g. 14/03/2026 10:30."),
        "required": _("Enter the date and time of the meeting."),
    }


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def _start_date(mentorship: Mentorship):
    return timezone.localdate(mentorship.started_at)


def _before_start_error(mentorship: Mentorship, sentence: str) -> str:
    """`sentence` is translated and names the start date as %(date)s."""
    return sentence % {"date": dateformat.format(_start_date(mentorship), "j F Y")}


class ObjectiveForm(forms.ModelForm):
    class Meta:
        model = Objective
        fields = ["title", "success", "target_date"]
        labels = {"title": _("Objective"), "target_date": _("Target date (optional)")}
        help_texts = {
            "title": _(
                "One thing you want to achieve, e.g. “Lead a project from start to finish”."
            ),
            "success": _("How will you both know it is achieved?"),
        }
        widgets = {
            "success": forms.Textarea(attrs={"rows": 3}),
            "target_date": DateInput(),
        }
        error_messages = {
            "title": {"required": _("Give the objective a short title.")},
            "target_date": {"invalid": _("Enter a date, e.g. 30/06/2026.")},
        }

    def __init__(self, *args, mentorship: Mentorship, **kwargs):
        super().__init__(*args, **kwargs)
        self.mentorship = mentorship
        self.fields["success"].label = gettext("What success looks like (optional)")

    def clean_title(self):
        title = " ".join(self.cleaned_data["title"].split())
        if not title:
            raise forms.ValidationError(gettext("Give the objective a short title."))
        return title

    def clean_target_date(self):
        target = self.cleaned_data["target_date"]
        if target is not None and target < _start_date(self.mentorship):
            raise forms.ValidationError(
                _before_start_error(
                    self.mentorship,
                    gettext("The target date cannot be before your mentorship began on %(date)s."),
                )
            )
        return target


class ObjectiveUpdateForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=Objective.Status.choices, widget=forms.RadioSelect
    )
    achieved_on = forms.DateField(
        label=_("Achieved on"),
        required=False,
        widget=DateInput(),
        help_text=_("Only when it is achieved; today if you leave it empty."),
        error_messages={"invalid": _("Enter a date, e.g. 30/06/2026.")},
    )
    note = forms.CharField(
        label=_("Progress note (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What has happened since the last update? Both of you see it, dated."),
    )

    def __init__(self, *args, objective: Objective, **kwargs):
        kwargs.setdefault(
            "initial", {"status": objective.status, "achieved_on": objective.achieved_on}
        )
        super().__init__(*args, **kwargs)
        self.objective = objective

    def clean_achieved_on(self):
        achieved_on = self.cleaned_data["achieved_on"]
        if achieved_on is None:
            return None
        if achieved_on > timezone.localdate():
            raise forms.ValidationError(
                gettext("The date it was achieved cannot be in the future.")
            )
        mentorship = self.objective.mentorship
        if achieved_on < _start_date(mentorship):
            raise forms.ValidationError(
                _before_start_error(
                    mentorship,
                    gettext(
                        "The date it was achieved cannot be before your mentorship began on "
                        "%(date)s."
                    ),
                )
            )
        return achieved_on

    def clean(self):
        data = super().clean()
        status, note = data.get("status"), data.get("note", "").strip()
        if status != Objective.Status.ACHIEVED:
            data["achieved_on"] = None
        unchanged = status == self.objective.status and (
            status != Objective.Status.ACHIEVED
            or data.get("achieved_on") in (None, self.objective.achieved_on)
        )
        if status and unchanged and not note and "note" not in self.errors:
            self.add_error("note", gettext("Write a progress note, or choose a new status."))
        return data


class _MeetingForm(forms.ModelForm):
    starts_at = LocalDateTimeField(label=_("Date and time"))

    class Meta:
        model = Meeting
        fields: list[str] = []
        labels = {
            "duration_minutes": _("Duration (minutes)"),
            "location": _("Place or link"),
            "format": _("Format"),
            "agenda": _("Agenda"),
        }
        widgets = {
            "agenda": forms.Textarea(attrs={"rows": 4}),
            "summary": forms.Textarea(attrs={"rows": 5}),
            "next_steps": forms.Textarea(attrs={"rows": 3}),
            "objectives": forms.CheckboxSelectMultiple,
            "format": forms.RadioSelect,
        }
        help_texts = {
            "duration_minutes": format_lazy(
                _("Between {minimum} and {maximum} minutes (8 hours)."),
                minimum=MIN_DURATION,
                maximum=MAX_DURATION,
            ),
            "location": _("A room, a café, or the video call link."),
            "agenda": _("What would you like to talk about? Both of you see it."),
            "summary": _("What you talked about. Both of you see it."),
            "next_steps": _("Who does what before the next meeting."),
        }
        error_messages = {
            "duration_minutes": {
                "required": _("Enter how long the meeting lasts, in minutes."),
                "invalid": _("Enter a whole number of minutes, e.g. 60."),
                "min_value": format_lazy(
                    _("A meeting lasts at least {minimum} minutes."), minimum=MIN_DURATION
                ),
                "max_value": format_lazy(
                    _("A meeting lasts at most {maximum} minutes (8 hours)."), maximum=MAX_DURATION
                ),
            },
            "format": {"required": _("Choose how you will meet.")},
        }

    def __init__(self, *args, mentorship: Mentorship, **kwargs):
        super().__init__(*args, **kwargs)
        self.mentorship = mentorship
        zone = timezone.get_current_timezone_name()
        self.fields["starts_at"].help_text = gettext("In your time zone, %(zone)s.") % {
            "zone": zone.replace("_", " ")
        }
        objectives = mentorship.objectives.order_by("position", "pk")
        if "objectives" in self.fields and not objectives.exists():
            del self.fields["objectives"]  # nothing to tick: no heading over an empty list
        elif "objectives" in self.fields:
            field = self.fields["objectives"]
            field.queryset = objectives
            field.required = False
            field.label = gettext("Objectives discussed")
            field.help_text = gettext("The objectives this meeting moved forward.")

    def clean_starts_at(self):
        starts_at = self.cleaned_data["starts_at"]
        latest = timezone.now() + timedelta(days=MEETING_MAX_DAYS_AHEAD)
        if starts_at > latest:
            raise forms.ValidationError(
                gettext(
                    "A meeting can be planned at most two years ahead: choose a date before "
                    "%(date)s."
                )
                % {"date": dateformat.format(timezone.localdate(latest), "j F Y")}
            )
        if starts_at.year < MEETING_EARLIEST_YEAR:
            raise forms.ValidationError(
                gettext("A meeting cannot be before %(year)s. Check the year.")
                % {"year": MEETING_EARLIEST_YEAR}
            )
        if starts_at < self.mentorship.started_at:
            raise forms.ValidationError(
                _before_start_error(
                    self.mentorship,
                    gettext("A meeting cannot be before your mentorship began on %(date)s."),
                )
            )
        return starts_at


class PlanMeetingForm(_MeetingForm):
    """Plan a meeting, or change a planned one."""

    class Meta(_MeetingForm.Meta):
        fields = ["starts_at", "duration_minutes", "format", "location", "agenda"]

    def clean_starts_at(self):
        starts_at = super().clean_starts_at()
        changed = self.instance.pk is None or starts_at != self.instance.starts_at
        if changed and starts_at <= timezone.now():
            raise forms.ValidationError(
                gettext(
                    "This time has passed. To record a meeting that has happened, log a past "
                    "meeting instead."
                )
            )
        return starts_at


class _HeldFormMixin:
    def clean_starts_at(self):
        starts_at = super().clean_starts_at()
        if starts_at > timezone.now():
            raise forms.ValidationError(
                gettext(
                    "A meeting that has been held cannot be in the future. Check the date and time."
                )
            )
        return starts_at


class HeldMeetingForm(_HeldFormMixin, _MeetingForm):
    """Mark a planned meeting held, or correct the record of a held one."""

    class Meta(_MeetingForm.Meta):
        fields = ["starts_at", "duration_minutes", "summary", "objectives", "next_steps"]


class LogMeetingForm(_HeldFormMixin, _MeetingForm):
    """Record a meeting that has already happened."""

    class Meta(_MeetingForm.Meta):
        fields = [
            "starts_at",
            "duration_minutes",
            "format",
            "location",
            "summary",
            "objectives",
            "next_steps",
        ]


class PrivateNoteForm(forms.Form):
    text = forms.CharField(
        label=_("Your private note"),
        required=False,
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Only you will ever see this note. Leave it empty to delete it."),
    )


class CheckInForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How is your mentoring going?"),
        coerce=int,
        choices=[
            (5, _("5: Very well")),
            (4, _("4: Well")),
            (3, _("3: All right")),
            (2, _("2: Not so well")),
            (1, _("1: Badly")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how it is going, from 1 to 5.")},
    )
    comment = forms.CharField(
        label=_("Anything you would like to tell the scheme team? (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    wants_contact = forms.BooleanField(
        label=_("I'd like the scheme team to contact me"), required=False
    )
