"""Small helpers for mentor cards and pages."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def reply_time(hours: int | None) -> str:
    """A mentor's usual reply time (MentorProfile.reply_hours, from matching.responsiveness) in
    words: "within a day", "within 2 days", "within a week"; "" without a figure."""
    if hours is None:
        return ""
    if hours <= 24:
        return "within a day"
    days = -(-hours // 24)
    if days < 7:
        return f"within {days} days"
    if days == 7:
        return "within a week"
    if days <= 14:
        return "within two weeks"
    return "in more than two weeks"
