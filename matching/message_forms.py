"""The forms of a conversation: a message (with its one-time token) and a report of one."""

from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from matching.models import Message


class _PlainText(forms.CharField):
    """Text with its line breaks as one character each: a browser counts a line break as one
    character for the box's maxlength but sends two (CR LF), which would make a message that
    fits the box too long here."""

    def to_python(self, value):
        return super().to_python(value).replace("\r\n", "\n").replace("\r", "\n")


class MessageForm(forms.Form):
    body = _PlainText(
        label=_("Your message"),
        max_length=Message.MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=format_lazy(
            _("Plain text, up to {limit} characters; links become clickable."),
            limit=Message.MAX_LENGTH,
        ),
        error_messages={
            "required": _("Please write a message."),
            "max_length": _(
                "Please keep a message to %(limit_value)d characters (it has %(show_value)d)."
            ),
        },
    )
    client_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)


class MessageReportForm(forms.Form):
    reason = forms.CharField(
        label=_("What is wrong with this message?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The programme's coordinators read your report and this message only."),
        error_messages={"required": _("Please say what is wrong with the message.")},
    )
