"""Changes to a person's own account settings that more than one page makes."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings

from accounts.models import REMINDER_FIELDS, ReminderKind, User


def set_reminder_emails(user: User, *, on: bool, kinds: Iterable[str] | None = None) -> User:
    """Turn a person's reminders and nudges on or off, every kind or only the kinds named
    (ReminderKind): from the unsubscribe link in a reminder, or to stop them all. Emails about
    their requests and mentorships are not affected."""
    return set_reminder_choices(
        user, dict.fromkeys(ReminderKind.values if kinds is None else kinds, on)
    )


def set_reminder_choices(user: User, choices: dict[str, bool]) -> User:
    """Save a person's choice for each kind of reminder named (their email preferences); the
    one place these switches are written."""
    unknown = set(choices) - set(ReminderKind.values)
    if unknown:
        raise ValueError(f"unknown kinds of reminder {sorted(unknown)!r}")
    if ReminderKind.MEETINGS in choices:
        user.meeting_reminder_emails = bool(choices[ReminderKind.MEETINGS])
    if ReminderKind.NUDGES in choices:
        user.nudge_emails = bool(choices[ReminderKind.NUDGES])
    if ReminderKind.REQUESTS in choices:
        user.request_reminder_emails = bool(choices[ReminderKind.REQUESTS])
    if ReminderKind.PROFILE in choices:
        user.reminder_emails = bool(choices[ReminderKind.PROFILE])
    if choices:
        user.save(update_fields=[REMINDER_FIELDS[kind] for kind in choices])
    return user


def set_message_emails(user: User, *, choice: str) -> User:
    """How a person hears of new messages in their conversations: as they arrive (batched),
    in a daily digest, or not at all."""
    if choice not in User.MessageEmails.values:
        raise ValueError(f"unknown message email choice {choice!r}")
    user.message_emails = choice
    user.save(update_fields=["message_emails"])
    return user


def set_language(user: User, language: str) -> User:
    """Save the language of a person's pages and emails (one of settings.LANGUAGES, or "" for
    the browser's choice on the site and the site's default in emails)."""
    if language and language not in dict(settings.LANGUAGES):
        raise ValueError(f"unknown language {language!r}")
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user
