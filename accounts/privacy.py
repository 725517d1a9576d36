"""People own their data: everything held about a person, and deleting their account.

`accounts` is the lowest app layer, so it cannot know what the apps above hold. Each of them
connects receivers (in its own `privacy.py`, from its AppConfig.ready) to three signals:

- `collect_personal_data`: return `{section title: [row, ...]}` for the person's export, each row
  a flat dict of label → value, in a bounded number of queries;
- `closing_account`: close what is still open (withdraw requests, end mentorships) through the
  app's own services, so the other person is told and places are freed;
- `erasing_account`: delete what is the person's alone when the user row's cascade is not enough
  (profiles: a listed mentor must also leave the directory's cache). Private notes, check-ins
  and the calendar feed simply cascade with the user row.

Both deletion signals are sent inside one transaction with the user row locked, then the user row
is deleted: records the person shared with someone else keep their other person and show
"a former participant" (their foreign keys are SET_NULL).
"""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.db import transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils.translation import gettext_noop

from accounts.models import User
from mentoring.models import Outbox

collect_personal_data = Signal()
closing_account = Signal()
erasing_account = Signal()


class AccountDeletionError(Exception):
    """A refused deletion. The message is the sentence the user sees."""


def personal_data(user: User) -> dict[str, list[dict[str, Any]]]:
    """Everything the service holds about `user`, section by section (see the module docstring)."""
    data: dict[str, list[dict[str, Any]]] = {
        gettext_noop("Account"): [
            {
                gettext_noop("Full name"): user.full_name,
                gettext_noop("Email address (sign-in)"): user.email,
                gettext_noop("Joined"): user.date_joined,
                gettext_noop("Last signed in"): user.last_login,
                gettext_noop("Time zone"): user.time_zone,
                gettext_noop("Reminders of upcoming meetings"): user.meeting_reminder_emails,
                gettext_noop("Nudges when a pair has not met for a while"): user.nudge_emails,
                gettext_noop(
                    "Reminders of requests waiting for your answer"
                ): user.request_reminder_emails,
                gettext_noop("Reminders about your profile and training"): user.reminder_emails,
                gettext_noop("Emails about new messages"): user.get_message_emails_display(),
                gettext_noop("Scheme team (staff) access"): user.is_staff,
            }
        ],
        gettext_noop("Email addresses"): [
            {
                gettext_noop("Address"): a.email,
                gettext_noop("Verified"): a.verified,
                gettext_noop("Primary"): a.primary,
            }
            for a in EmailAddress.objects.filter(user=user).order_by("-primary", "email")
        ],
        gettext_noop("Two-factor authentication"): [
            {
                gettext_noop("Method"): a.get_type_display(),
                gettext_noop("Added"): a.created_at,
                gettext_noop("Last used"): a.last_used_at,
            }
            for a in Authenticator.objects.filter(user=user).order_by("created_at")
        ],
    }
    for _receiver, part in collect_personal_data.send(sender=User, user=user):
        data.update(part or {})
    # What was sent, never the bodies: a sign-in or reset link may still be live.
    data[gettext_noop("Emails sent to you")] = [
        {
            gettext_noop("Kind"): row.kind.replace("_", " "),
            gettext_noop("Subject"): row.subject,
            gettext_noop("Status"): row.get_status_display(),
            gettext_noop("Written"): row.created_at,
            gettext_noop("Sent"): row.sent_at,
        }
        for row in _outbox_to(user).only("kind", "subject", "status", "created_at", "sent_at")
    ]
    return data


def _outbox_to(user: User):
    """Emails to the person, including those written to one of their addresses before it was
    theirs or without the account (e.g. "an account already exists")."""
    addresses = EmailAddress.objects.filter(user=user).values("email")
    return Outbox.objects.filter(
        Q(recipient=user) | Q(to_email__iexact=user.email) | Q(to_email__in=addresses)
    )


def is_last_superuser(user: User) -> bool:
    return (
        user.is_superuser
        and not User.objects.filter(is_superuser=True, is_active=True).exclude(pk=user.pk).exists()
    )


@transaction.atomic
def delete_account(user: User) -> None:
    """Delete `user`'s account, anonymising what they shared: their open requests are withdrawn,
    their mentorships ended (the other person is told, the place freed), their own records
    deleted, and the user row with them."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if is_last_superuser(user):
        raise AccountDeletionError(
            "You are the only administrator: make someone else an administrator before you "
            "delete your account."
        )
    closing_account.send(sender=User, user=user)
    erasing_account.send(sender=User, user=user)
    # Emails to them name and link things only they should read; the emails their deletion
    # caused (to the other people) were written above and stay.
    _outbox_to(user).delete()
    user.delete()
