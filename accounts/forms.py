from allauth.account.adapter import get_adapter
from django import forms
from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import (
    REMINDER_FIELDS,
    ReminderKind,
    User,
    time_zone_names,
    validate_time_zone,
)

# A label that is translated when it is shown.
StrOrPromise = str | Promise


class SignupForm(forms.Form):
    """Extra fields on allauth's sign-up form (allauth adds email and passwords)."""

    full_name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        help_text=_("As you would like mentors and mentees to see it."),
    )

    field_order = ["full_name", "email", "password1", "password2"]

    def clean_full_name(self):
        name = " ".join(self.cleaned_data["full_name"].split())
        if not name:
            raise forms.ValidationError(_("Please enter your name."))
        return name

    def signup(self, request, user):
        user.full_name = self.cleaned_data["full_name"]
        user.save(update_fields=["full_name"])


# The zones most people here choose, by region, with the names people use for them. Every other
# IANA zone stays one choice away ("Another time zone…" and the full list).
COMMON_TIME_ZONES: list[tuple[StrOrPromise, list[tuple[str, StrOrPromise]]]] = [
    (
        _("Europe"),
        [
            ("Europe/London", _("London (UK)")),
            ("Europe/Dublin", _("Dublin (Ireland)")),
            ("Europe/Lisbon", _("Lisbon (Portugal)")),
            ("Europe/Madrid", _("Madrid (Spain)")),
            ("Europe/Paris", _("Paris (France)")),
            ("Europe/Brussels", _("Brussels (Belgium)")),
            ("Europe/Amsterdam", _("Amsterdam (Netherlands)")),
            ("Europe/Berlin", _("Berlin (Germany)")),
            ("Europe/Rome", _("Rome (Italy)")),
            ("Europe/Stockholm", _("Stockholm (Sweden)")),
            ("Europe/Warsaw", _("Warsaw (Poland)")),
            ("Europe/Athens", _("Athens (Greece)")),
            ("Europe/Helsinki", _("Helsinki (Finland)")),
            ("Europe/Istanbul", _("Istanbul (Türkiye)")),
        ],
    ),
    (
        _("Africa"),
        [
            ("Africa/Casablanca", _("Casablanca (Morocco)")),
            ("Africa/Lagos", _("Lagos (Nigeria, West Africa)")),
            ("Africa/Accra", _("Accra (Ghana)")),
            ("Africa/Cairo", _("Cairo (Egypt)")),
            ("Africa/Johannesburg", _("Johannesburg (South Africa)")),
            ("Africa/Nairobi", _("Nairobi (Kenya, East Africa)")),
        ],
    ),
    (
        _("Americas"),
        [
            ("America/New_York", _("New York (US Eastern)")),
            ("America/Chicago", _("Chicago (US Central)")),
            ("America/Denver", _("Denver (US Mountain)")),
            ("America/Los_Angeles", _("Los Angeles (US Pacific)")),
            ("America/Toronto", _("Toronto (Canada Eastern)")),
            ("America/Vancouver", _("Vancouver (Canada Pacific)")),
            ("America/Mexico_City", _("Mexico City (Mexico)")),
            ("America/Bogota", _("Bogotá (Colombia)")),
            ("America/Sao_Paulo", _("São Paulo (Brazil)")),
            ("America/Argentina/Buenos_Aires", _("Buenos Aires (Argentina)")),
        ],
    ),
    (
        _("Asia and the Middle East"),
        [
            ("Asia/Dubai", _("Dubai (UAE)")),
            ("Asia/Karachi", _("Karachi (Pakistan)")),
            ("Asia/Kolkata", _("India (Kolkata, Mumbai, Delhi)")),
            ("Asia/Dhaka", _("Dhaka (Bangladesh)")),
            ("Asia/Singapore", _("Singapore")),
            ("Asia/Hong_Kong", _("Hong Kong")),
            ("Asia/Shanghai", _("China (Beijing, Shanghai)")),
            ("Asia/Tokyo", _("Tokyo (Japan)")),
        ],
    ),
    (
        _("Oceania"),
        [
            ("Australia/Perth", _("Perth (Australia Western)")),
            ("Australia/Sydney", _("Sydney (Australia Eastern)")),
            ("Pacific/Auckland", _("Auckland (New Zealand)")),
        ],
    ),
    ("Universal", [("UTC", _("UTC (Coordinated Universal Time)"))]),
]
COMMON_ZONE_LABELS = {zone: label for _, zones in COMMON_TIME_ZONES for zone, label in zones}
OTHER_ZONE = "other"


def time_zone_label(zone: str) -> str:
    """A zone as people say it: "London (UK)", or the IANA name with spaces."""
    return str(COMMON_ZONE_LABELS.get(zone) or zone.replace("_", " "))


class TimeZoneForm(forms.ModelForm):
    """A short list of common zones by region, and "Another time zone…" with every IANA zone in
    a second list. Works without JavaScript; static/js/time_zone.js suggests the browser's."""

    other_time_zone = forms.ChoiceField(
        label=_("Another time zone"),
        required=False,
        help_text=_(
            "Only if yours is not in the list above: choose “Another time zone…” there, "
            "then your zone here."
        ),
    )

    class Meta:
        model = User
        fields = ["time_zone"]
        labels = {"time_zone": _("Your time zone")}
        help_texts = {
            "time_zone": _(
                "Meeting times are shown in this zone, and the times you enter are read in it."
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["time_zone"]
        # Any IANA name is accepted (the model's validator checks it); the list offers the
        # common ones and the way to the rest.
        field.widget = forms.Select(
            choices=[*COMMON_TIME_ZONES, ("", [(OTHER_ZONE, _("Another time zone…"))])],
            attrs={"data-time-zone-common": ""},
        )
        field.validators = []
        field.error_messages["required"] = _("Choose your time zone.")
        self.fields["other_time_zone"].choices = [("", _("Choose from every time zone"))] + [
            (name, name.replace("_", " ")) for name in time_zone_names()
        ]
        self.fields["other_time_zone"].widget.attrs["data-time-zone-other"] = ""
        current = self.instance.time_zone
        if not self.is_bound and current and current not in COMMON_ZONE_LABELS:
            self.initial["time_zone"] = OTHER_ZONE
            self.initial["other_time_zone"] = current

    def clean(self):
        cleaned = super().clean()
        zone = cleaned.get("time_zone")
        if zone == OTHER_ZONE:
            other = cleaned.get("other_time_zone")
            if not other:
                self.add_error("other_time_zone", _("Choose your time zone from the full list."))
            else:
                cleaned["time_zone"] = other
        elif zone:
            try:
                validate_time_zone(zone)
            except forms.ValidationError as exc:
                self.add_error("time_zone", exc)
        if "time_zone" in cleaned and not self.errors:
            self.instance.time_zone = cleaned["time_zone"]
        return cleaned

    def _post_clean(self):
        # The model's full_clean would reject "other"; clean() has put the real zone in place.
        if "time_zone" in self.cleaned_data and self.cleaned_data["time_zone"] == OTHER_ZONE:
            return
        super()._post_clean()


class EmailPreferencesForm(forms.ModelForm):
    """One switch per kind of reminder (ReminderKind), and how new messages are emailed."""

    reminder_fields = [REMINDER_FIELDS[kind] for kind in ReminderKind.values]

    class Meta:
        model = User
        fields = [
            "meeting_reminder_emails",
            "nudge_emails",
            "request_reminder_emails",
            "reminder_emails",
            "message_emails",
        ]
        labels = {
            "meeting_reminder_emails": _("Reminders of upcoming meetings"),
            "nudge_emails": _("Nudges when you have not met for a while"),
            "request_reminder_emails": _("Reminders of requests waiting for your answer"),
            "reminder_emails": _("Reminders about your profile and training"),
            "message_emails": _("Email me about new messages"),
        }
        widgets = {"message_emails": forms.RadioSelect}
        help_texts = {
            "meeting_reminder_emails": _("The day before a meeting you have planned."),
            "nudge_emails": _(
                "A friendly prompt to plan your next meeting when a mentorship has gone quiet."
            ),
            "request_reminder_emails": _(
                "For mentors: when a request to you is still open a few days later."
            ),
            "reminder_emails": _(
                "The yearly request to check your mentor profile, training about "
                "to expire, recruitment windows and tips when nobody has asked you yet."
            ),
            "message_emails": _(
                "Messages from your mentor or mentee in your conversations. A "
                "message you read on the site within a few minutes sends no email."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A form that leaves the choice out (an older page) keeps the person's current choice.
        self.fields["message_emails"].required = False

    def clean_message_emails(self) -> str:
        return self.cleaned_data.get("message_emails") or self.instance.message_emails

    def reminder_choices(self) -> dict[str, bool]:
        return {
            kind: bool(self.cleaned_data.get(REMINDER_FIELDS[kind])) for kind in ReminderKind.values
        }

    def reminder_boxes(self) -> list[forms.BoundField]:
        return [self[name] for name in self.reminder_fields]


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("To be sure it is you."),
        error_messages={"required": _("Enter your password to delete your account.")},
    )

    def __init__(self, user: User, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        # allauth's check counts failures like a sign-in's, so its rate limit applies here too.
        if not get_adapter().reauthenticate(self.user, password):
            raise forms.ValidationError(
                _("That is not your password. Your account has not been deleted.")
            )
        return password


class LanguageForm(forms.Form):
    """The language of a person's pages and emails (User.language)."""

    language = forms.ChoiceField(
        label=_("Language of your pages and emails"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a language."),
            "invalid_choice": _("Choose a language."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Each language is named in itself ("Cymraeg"), as a speaker looks for it.
        self.fields["language"].choices = list(settings.LANGUAGES)
