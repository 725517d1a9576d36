"""The form a pair proposes (or changes) their mentoring agreement with. It validates input
only; matching.agreements makes the change and checks the same rules again."""

from __future__ import annotations

from django import forms
from django.utils import dateformat, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from matching.agreements import FORMAT_LABELS
from matching.models import Agreement
from profiles.models import MeetingFormat
from sessions_log.forms import DateInput

DATE_ERROR = _("Enter a date, e.g. 30/06/2027.")


class AgreementForm(forms.Form):
    frequency = forms.ChoiceField(
        label=_("How often will you meet?"),
        choices=Agreement.Frequency.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how often you will meet.")},
    )
    frequency_other = forms.CharField(
        label=_("How often, in your words"),
        required=False,
        max_length=120,
        help_text=_("Only if you chose “Other”, e.g. “Weekly for a month, then monthly”."),
    )
    formats = forms.MultipleChoiceField(
        label=_("How will you meet?"),
        choices=[(value, FORMAT_LABELS[value]) for value in MeetingFormat.values],
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Choose all that apply. “Messages” means writing to each other here or by email."
        ),
        error_messages={"required": _("Choose at least one way of meeting.")},
    )
    confidentiality = forms.BooleanField(
        label=_("We keep what we discuss confidential"),
        help_text=_(
            "What either of you shares stays between you, unless someone is at risk of harm."
        ),
        error_messages={
            "required": _("Tick the confidentiality statement: every agreement includes it.")
        },
    )
    review_on = forms.DateField(
        label=_("When will you review how it is going? (optional)"),
        required=False,
        widget=DateInput(),
        error_messages={"invalid": DATE_ERROR},
    )
    ends_on = forms.DateField(
        label=_("When do you intend to finish? (optional)"),
        required=False,
        widget=DateInput(),
        error_messages={"invalid": DATE_ERROR},
    )
    notes = forms.CharField(
        label=_("Anything else you agree (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "For example who arranges the meetings, or how you let each other know if "
            "you need to cancel."
        ),
    )

    @classmethod
    def initial_from(cls, agreement: Agreement | None) -> dict:
        if agreement is None:
            return {"confidentiality": False}
        return {
            "frequency": agreement.frequency,
            "frequency_other": agreement.frequency_other,
            "formats": list(agreement.formats),
            "confidentiality": agreement.confidentiality,
            "review_on": agreement.review_on,
            "ends_on": agreement.ends_on,
            "notes": agreement.notes,
        }

    def clean_frequency_other(self):
        return " ".join(self.cleaned_data["frequency_other"].split())

    def _after_today(self, name: str, sentence: str):
        """`sentence` is translated and names today as %(date)s."""
        value = self.cleaned_data[name]
        today = timezone.localdate()
        if value is not None and value <= today:
            raise forms.ValidationError(sentence % {"date": dateformat.format(today, "j F Y")})
        return value

    def clean_review_on(self):
        return self._after_today(
            "review_on", gettext("The review date needs to be after today (%(date)s).")
        )

    def clean_ends_on(self):
        return self._after_today(
            "ends_on", gettext("The intended end date needs to be after today (%(date)s).")
        )

    def clean(self):
        data = super().clean()
        if data.get("frequency") == Agreement.Frequency.OTHER and not data.get("frequency_other"):
            self.add_error(
                "frequency_other", gettext("Say in a few words how often you will meet.")
            )
        review_on, ends_on = data.get("review_on"), data.get("ends_on")
        if review_on and ends_on and ends_on <= review_on:
            self.add_error(
                "ends_on", gettext("The intended end date needs to be after the review date.")
            )
        return data
