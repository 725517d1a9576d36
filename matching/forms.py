from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from matching.models import Mentorship, MentorshipRequest
from profiles.models import Programme


class InterestedForm(forms.Form):
    """The Interested message, and the programme it goes in: asked when the mentee and the
    mentor share several, preset (hidden) when they share one, left to the service when none
    (it says why the request cannot be made)."""

    programme = forms.ModelChoiceField(
        queryset=Programme.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "invalid_choice": _("Choose one of the programmes you share with this mentor."),
        },
    )
    message = forms.CharField(
        label=_("Your message"),
        min_length=50,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "What do you hope to achieve with a mentor, why this mentor, and how often "
            "could you meet? 50 to 2,000 characters."
        ),
        error_messages={
            "required": _("Please write a short message to the mentor."),
            "min_length": _(
                "Please tell the mentor a little more: at least 50 characters "
                "(you wrote %(show_value)d)."
            ),
            "max_length": _(
                "Please keep your message under 2,000 characters (you wrote %(show_value)d)."
            ),
        },
    )

    def __init__(self, *args, programmes: list[Programme], mentor_name: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        mentor_name = mentor_name or gettext("this mentor")
        self.shared = Programme.objects.filter(pk__in=[p.pk for p in programmes])
        self.asks_programme = len(programmes) > 1
        if self.asks_programme:
            field = self.fields["programme"]
            field.queryset = self.shared
            field.label = gettext("In which programme would you like %(name)s to mentor you?") % {
                "name": mentor_name
            }
            field.error_messages["required"] = gettext(
                "Choose the programme in which you would like %(name)s to mentor you."
            ) % {"name": mentor_name}
        elif programmes:
            # Nothing to choose: the one programme they share, whatever a stale page posts.
            self.fields["programme"] = forms.CharField(
                required=False, widget=forms.HiddenInput, initial=programmes[0].pk
            )
        else:
            del self.fields["programme"]

    def clean_programme(self):
        if self.asks_programme:
            return self.cleaned_data["programme"]
        return self.shared.get()


class AcceptForm(forms.Form):
    welcome = forms.CharField(
        label=_("A welcome note (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("It goes with the acceptance email, and stays on the request's page."),
        error_messages={
            "max_length": _(
                "Please keep your note under 1,000 characters (you wrote %(show_value)d)."
            ),
        },
    )

    def __init__(self, *args, mentee_name: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if mentee_name:
            self.fields["welcome"].label = gettext("A welcome note to %(name)s (optional)") % {
                "name": mentee_name
            }


class DeclineForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=MentorshipRequest.DeclineReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose a reason; the mentee will see it.")},
    )
    message = forms.CharField(
        label=_("A message to the mentee (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("A kind word, or a suggestion of whom else to approach, helps."),
    )


class ReportForm(forms.Form):
    reason = forms.CharField(
        label=_("What was inappropriate?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Only the scheme team reads this. The mentee is told their request was "
            "declined, not that you reported it."
        ),
        error_messages={
            "required": _("Please tell the scheme team what was inappropriate."),
            "max_length": _("Please keep it under 2,000 characters (you wrote %(show_value)d)."),
        },
    )


class EndMentorshipForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why are you ending the mentorship?"),
        # "Account deleted" is the scheme's reason when a person deletes their account.
        choices=[
            c for c in Mentorship.EndReason.choices if c[0] != Mentorship.EndReason.ACCOUNT_DELETED
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose a reason.")},
    )
    message = forms.CharField(
        label=_("A message to the other person (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("They will receive it by email. A word of thanks goes a long way."),
    )
    rating = forms.TypedChoiceField(
        label=_("How did it go? (private, for the scheme team)"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[
            ("", _("Rather not say")),
            (5, _("5 – Excellent")),
            (4, _("4 – Good")),
            (3, _("3 – OK")),
            (2, _("2 – Not great")),
            (1, _("1 – Poor")),
        ],
    )
    feedback = forms.CharField(
        label=_("Private feedback for the scheme team (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only the scheme team reads this."),
    )
