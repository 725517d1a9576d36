"""The Interested form with a choice of engagement (issue 14): long-term mentoring, or one
conversation on a stated topic where the programme allows it and the mentor offers it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from matching.forms import InterestedForm
from matching.models import Engagement

TOPIC_REQUIRED = _("Please say what you would like advice on, in one line.")
ADVICE_CHOICES = [
    (Engagement.LONG_TERM.value, _("Long-term mentoring")),
    (Engagement.ADVICE.value, _("One conversation on a topic")),
]


class EngagementInterestedForm(InterestedForm):
    """`offers`: the engagements the mentee may ask for here (long-term, advice or both). With
    both, a choice; with one, it is fixed (hidden)."""

    engagement = forms.ChoiceField(
        label=_("What would you like?"),
        choices=ADVICE_CHOICES,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose long-term mentoring or one conversation on a topic."),
            "invalid_choice": _("Choose long-term mentoring or one conversation on a topic."),
        },
    )
    topic = forms.CharField(
        label=_("The topic of the conversation"),
        required=False,
        max_length=200,
        help_text=_(
            "One line, e.g. “Moving from research into policy work”. Only for one "
            "conversation on a topic."
        ),
        error_messages={
            "max_length": _(
                "Please keep the topic under 200 characters (you wrote %(show_value)d)."
            ),
        },
    )

    def __init__(self, *args, offers: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.offers = offers
        # The engagement and the topic come first: the message depends on them.
        order = ["engagement", "topic"]
        self.order_fields(order + [f for f in self.fields if f not in order])
        if len(offers) == 1:
            self.fields["engagement"] = forms.CharField(
                required=False, widget=forms.HiddenInput, initial=offers[0]
            )
        if Engagement.ADVICE not in offers:
            del self.fields["topic"]
        elif offers == [Engagement.ADVICE]:
            topic = self.fields["topic"]
            topic.required = True
            topic.error_messages["required"] = TOPIC_REQUIRED
            topic.help_text = _("One line, e.g. “Moving from research into policy work”.")
            self.fields["message"].help_text = _(
                "What you would like to ask, what you have tried so far, and how you would like "
                "to talk (video, phone, in person). 50 to 2,000 characters."
            )

    @property
    def asks_advice_only(self) -> bool:
        return self.offers == [Engagement.ADVICE]

    def clean_engagement(self):
        if len(self.offers) == 1:
            return self.offers[0]  # whatever a stale page posts
        return self.cleaned_data["engagement"]

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("engagement") == Engagement.ADVICE
            and not (cleaned.get("topic") or "").strip()
            and "topic" not in self.errors
        ):
            self.add_error("topic", TOPIC_REQUIRED)
        return cleaned
