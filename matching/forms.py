from django import forms

from matching.models import Mentorship, MentorshipRequest


class InterestedForm(forms.Form):
    message = forms.CharField(
        label="Your message",
        min_length=50,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="What do you hope to achieve with a mentor, why this mentor, and how often "
        "could you meet? 50 to 2,000 characters.",
        error_messages={
            "required": "Please write a short message to the mentor.",
            "min_length": "Please tell the mentor a little more: at least 50 characters "
            "(you wrote %(show_value)d).",
            "max_length": "Please keep your message under 2,000 characters "
            "(you wrote %(show_value)d).",
        },
    )


class DeclineForm(forms.Form):
    reason = forms.ChoiceField(
        label="Reason",
        choices=MentorshipRequest.DeclineReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Please choose a reason; the mentee will see it."},
    )
    message = forms.CharField(
        label="A message to the mentee (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="A kind word, or a suggestion of whom else to approach, helps.",
    )


class ReportForm(forms.Form):
    reason = forms.CharField(
        label="What was inappropriate?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Only the scheme team reads this. The mentee is told their request was "
        "declined, not that you reported it.",
        error_messages={
            "required": "Please tell the scheme team what was inappropriate.",
            "max_length": "Please keep it under 2,000 characters (you wrote %(show_value)d).",
        },
    )


class EndMentorshipForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why are you ending the mentorship?",
        # "Account deleted" is the scheme's reason when a person deletes their account.
        choices=[
            c for c in Mentorship.EndReason.choices if c[0] != Mentorship.EndReason.ACCOUNT_DELETED
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Please choose a reason."},
    )
    message = forms.CharField(
        label="A message to the other person (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="They will receive it by email. A word of thanks goes a long way.",
    )
    rating = forms.TypedChoiceField(
        label="How did it go? (private, for the scheme team)",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[
            ("", "Rather not say"),
            (5, "5 – Excellent"),
            (4, "4 – Good"),
            (3, "3 – OK"),
            (2, "2 – Not great"),
            (1, "1 – Poor"),
        ],
    )
    feedback = forms.CharField(
        label="Private feedback for the scheme team (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only the scheme team reads this.",
    )
