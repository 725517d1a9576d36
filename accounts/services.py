"""Changes to a person's own account settings that more than one page makes."""

from __future__ import annotations

from accounts.models import User


def set_reminder_emails(user: User, *, on: bool) -> User:
    """Turn a person's reminders and nudges on or off: from their email preferences, or from the
    unsubscribe link in a reminder. Emails about their requests and mentorships are not
    affected."""
    user.reminder_emails = on
    user.save(update_fields=["reminder_emails"])
    return user
