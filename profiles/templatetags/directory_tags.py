"""Small helpers for mentor cards and pages."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext, ngettext

register = template.Library()


@register.filter
def reply_time(hours: int | None) -> str:
    """A mentor's usual reply time (MentorProfile.reply_hours, from matching.responsiveness) in
    words: "within a day", "within 2 days", "within a week"; "" without a figure."""
    if hours is None:
        return ""
    if hours <= 24:
        return gettext("within a day")
    days = -(-hours // 24)
    if days < 7:
        # Always 2 to 6 here; ngettext gives each language's form for the number.
        return ngettext("within %(count)s day", "within %(count)s days", days) % {"count": days}
    if days == 7:
        return gettext("within a week")
    if days <= 14:
        return gettext("within two weeks")
    return gettext("in more than two weeks")
