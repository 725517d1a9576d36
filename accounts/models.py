from __future__ import annotations

import zoneinfo
from functools import cache

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


@cache
def _available_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


@cache
def time_zone_names() -> list[str]:
    """The IANA zones a person can choose: "Region/City" names and UTC, sorted."""
    names = _available_zones()
    return sorted(n for n in names if "/" in n and not n.startswith(("Etc/", "SystemV/"))) + ["UTC"]


def validate_time_zone(value: str) -> None:
    if value not in _available_zones():
        raise ValidationError(_("Choose a time zone from the list, e.g. Europe/London."))


def default_time_zone() -> str:
    return settings.TIME_ZONE


class ReminderKind(models.TextChoices):
    """The kinds of reminder and nudge a person can turn on or off one by one."""

    MEETINGS = "meetings", _("Reminders of upcoming meetings")
    NUDGES = "nudges", _("Nudges when a pair has not met for a while")
    REQUESTS = "requests", _("Reminders of requests waiting for your answer")
    PROFILE = "profile", _("Reminders about your profile and training")


# Each kind's switch on User.
REMINDER_FIELDS: dict[str, str] = {
    ReminderKind.MEETINGS: "meeting_reminder_emails",
    ReminderKind.NUDGES: "nudge_emails",
    ReminderKind.REQUESTS: "request_reminder_emails",
    ReminderKind.PROFILE: "reminder_emails",
}


# How a person who deleted their account is named in the records they shared (accounts.privacy).
FORMER_PARTICIPANT = "a former participant"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if not extra_fields["is_staff"] or not extra_fields["is_superuser"]:
            raise ValueError("A superuser must have is_staff=True and is_superuser=True.")
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person in the scheme. The email address is the login; roles come from profiles."""

    email = models.EmailField("email address", unique=True)
    full_name = models.CharField("full name", max_length=150)
    is_staff = models.BooleanField(
        "staff status",
        default=False,
        help_text="Scheme administrators: may sign in to the admin site.",
    )
    is_active = models.BooleanField(
        "active",
        default=True,
        help_text="Unselect this instead of deleting the account.",
    )
    date_joined = models.DateTimeField("date joined", default=timezone.now)
    # Reminders and nudges, one switch per kind (ReminderKind). Emails about requests, meetings
    # and check-ins always arrive; these come on top. `reminder_emails` is the oldest switch and
    # now covers the reminders about a person's own profile, training and recruitment.
    reminder_emails = models.BooleanField(
        "reminders about your profile and training",
        default=True,
        help_text="The yearly request to check your mentor profile, training that is about to "
        "expire, recruitment windows and tips when nobody has asked you yet.",
    )
    meeting_reminder_emails = models.BooleanField(
        "reminders of upcoming meetings",
        default=True,
        help_text="The day before a meeting you have planned.",
    )
    nudge_emails = models.BooleanField(
        "nudges when a pair has not met for a while",
        default=True,
        help_text="A friendly prompt to plan your next meeting.",
    )
    request_reminder_emails = models.BooleanField(
        "reminders of requests waiting for your answer",
        default=True,
        help_text="When a mentee's request to you is still open a few days later.",
    )

    class MessageEmails(models.TextChoices):
        IMMEDIATE = "immediate", _("As they arrive (a few minutes later, unless read on the site)")
        DIGEST = "digest", _("One daily digest")
        OFF = "off", _("Never")

    message_emails = models.CharField(
        "emails about new messages",
        max_length=16,
        choices=MessageEmails.choices,
        default=MessageEmails.IMMEDIATE,
        help_text="New messages in your conversations: one email per burst, a daily digest, "
        "or none (they still wait on the site).",
    )
    time_zone = models.CharField(
        "time zone",
        max_length=64,
        default=default_time_zone,
        validators=[validate_time_zone],
        help_text="Meeting times are shown and entered in this zone.",
    )
    # The language of the person's pages and emails (one of settings.LANGUAGES); empty: the
    # browser's choice on the site and the site's default in emails.
    language = models.CharField("language", max_length=10, blank=True, db_default="", default="")

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email)

    def get_full_name(self) -> str:
        return self.full_name

    def wants_reminder(self, kind: str) -> bool:
        """Whether this person takes reminders of this kind (ReminderKind) by email."""
        return self.is_active and bool(getattr(self, REMINDER_FIELDS[kind]))

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email
