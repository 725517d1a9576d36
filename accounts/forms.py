from allauth.account.adapter import get_adapter
from django import forms

from accounts.models import User, time_zone_names


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
    class Meta:
        model = User
        fields = ["reminder_emails", "message_emails"]
        labels = {
            "reminder_emails": "Send me reminders and nudges",
            "message_emails": "Email me about new messages",
        }
        widgets = {"message_emails": forms.RadioSelect}
        help_texts = {
            "reminder_emails": "Reminders of unanswered requests and upcoming meetings, nudges "
            "when a pair has not met for a while, and the yearly request to check your mentor "
            "profile. Emails about your requests, mentorships and check-ins always arrive.",
            "message_emails": "Messages from your mentor or mentee in your conversations. A "
            "message you read on the site within a few minutes sends no email.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A form that leaves the choice out (an older page) keeps the person's current choice.
        self.fields["message_emails"].required = False

    def clean_message_emails(self) -> str:
        return self.cleaned_data.get("message_emails") or self.instance.message_emails


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
