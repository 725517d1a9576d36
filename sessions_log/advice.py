"""A one-off advice conversation in the pair's space (issue 14): once its meeting is marked held
it completes itself, and both people get the two feedback questions at once (the hourly jobs do
the same for a meeting nobody marked, a week after its date)."""

from __future__ import annotations

from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from matching import engagements
from matching.models import Mentorship
from sessions_log import jobs


def complete_if_held(mentorship: Mentorship) -> bool:
    """After a meeting of an advice pair was marked held (or logged): complete the pair and
    send both people their feedback questions. Returns whether it completed now; a second call
    does nothing."""
    if not mentorship.is_advice:
        return False
    with transaction.atomic():
        completed = engagements.complete_advice(mentorship)
        if completed:
            jobs.send_check_ins(only=[mentorship.pk])
    return completed


class AdviceFeedbackForm(forms.Form):
    """The two questions after an advice conversation (a CheckIn of kind advice_feedback)."""

    rating = forms.TypedChoiceField(
        label=_("How useful was the conversation?"),
        coerce=int,
        choices=[
            (5, _("5: Very useful")),
            (4, _("4: Useful")),
            (3, _("3: Somewhat useful")),
            (2, _("2: Not very useful")),
            (1, _("1: Not useful at all")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how useful it was, from 1 to 5.")},
    )
    comment = forms.CharField(
        label=_("Anything you would like to tell us about it? (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
