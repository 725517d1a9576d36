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


def set_message_emails(user: User, *, choice: str) -> User:
    """How a person hears of new messages in their conversations: as they arrive (batched),
    in a daily digest, or not at all."""
    if choice not in User.MessageEmails.values:
        raise ValueError(f"unknown message email choice {choice!r}")
    user.message_emails = choice
    user.save(update_fields=["message_emails"])
    return user
