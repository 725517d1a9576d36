from allauth.account.adapter import get_adapter
from django import forms

from accounts.models import REMINDER_FIELDS, ReminderKind, User, time_zone_names


class SignupForm(forms.Form):
    """Extra fields on allauth's sign-up form (allauth adds email and passwords)."""

    full_name = forms.CharField(
        label="Full name",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        help_text="As you would like mentors and mentees to see it.",
    )

    field_order = ["full_name", "email", "password1", "password2"]

    def clean_full_name(self):
        name = " ".join(self.cleaned_data["full_name"].split())
        if not name:
            raise forms.ValidationError("Please enter your name.")
        return name

    def signup(self, request, user):
        user.full_name = self.cleaned_data["full_name"]
        user.save(update_fields=["full_name"])


class TimeZoneForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["time_zone"]
        labels = {"time_zone": "Your time zone"}
        help_texts = {
            "time_zone": "Meeting times are shown in this zone, and the times you enter are read "
            "in it."
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["time_zone"]
        field.widget = forms.Select(
            choices=[(name, name.replace("_", " ")) for name in time_zone_names()]
        )
        field.error_messages["required"] = "Choose your time zone."


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
            "meeting_reminder_emails": "Reminders of upcoming meetings",
            "nudge_emails": "Nudges when you have not met for a while",
            "request_reminder_emails": "Reminders of requests waiting for your answer",
            "reminder_emails": "Reminders about your profile and training",
            "message_emails": "Email me about new messages",
        }
        widgets = {"message_emails": forms.RadioSelect}
        help_texts = {
            "meeting_reminder_emails": "The day before a meeting you have planned.",
            "nudge_emails": "A friendly prompt to plan your next meeting when a mentorship has "
            "gone quiet.",
            "request_reminder_emails": "For mentors: when a request to you is still open a few "
            "days later.",
            "reminder_emails": "The yearly request to check your mentor profile, training about "
            "to expire, recruitment windows and tips when nobody has asked you yet.",
            "message_emails": "Messages from your mentor or mentee in your conversations. A "
            "message you read on the site within a few minutes sends no email.",
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
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="To be sure it is you.",
        error_messages={"required": "Enter your password to delete your account."},
    )

    def __init__(self, user: User, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        # allauth's check counts failures like a sign-in's, so its rate limit applies here too.
        if not get_adapter().reauthenticate(self.user, password):
            raise forms.ValidationError(
                "That is not your password. Your account has not been deleted."
            )
        return password
