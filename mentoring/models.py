from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from mentoring import invitations
from mentoring.invitations import InvitationEmail

logger = logging.getLogger(__name__)


class Outbox(models.Model):
    """One email, written in the same transaction as the change that causes it.

    A Celery task sends it by primary key; a periodic sweep re-queues rows whose task was lost.
    The unique `dedupe_key` stops the same email being queued twice, and the row's status stops it
    being sent twice: a sender claims it (`sending`, committed) before the SMTP conversation and
    records the outcome after it, with no database transaction open in between.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    kind = models.CharField(max_length=80)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    to_email = models.EmailField()
    subject = models.CharField(max_length=255)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    context = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    dedupe_key = models.CharField(max_length=200, unique=True)
    message_id = models.CharField(max_length=255, unique=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    queued_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When a send task was last published; empty when publishing failed.",
    )
    claimed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the last attempt to send it started."
    )
    claimed_by = models.CharField(
        max_length=255, blank=True, help_text="The worker (host:process) that made that attempt."
    )
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "outbox email"
        verbose_name_plural = "outbox"
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="outbox_due_idx",
                condition=Q(status="queued"),
            ),
            models.Index(
                fields=["claimed_at"],
                name="outbox_sending_idx",
                condition=Q(status="sending"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="sent", sent_at__isnull=False) | ~Q(status="sent"),
                name="outbox_sent_has_sent_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to_email}"

    def as_message(self) -> EmailMultiAlternatives:
        headers = {"Message-ID": self.message_id, **self.headers}
        message = InvitationEmail(
            subject=self.subject,
            body=self.body_text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[self.to_email],
            headers=headers,
            calendars=invitations.calendars(self.context),
        )
        if self.body_html:
            message.attach_alternative(self.body_html, "text/html")
        return message


class Month(models.IntegerChoices):
    JANUARY = 1, "January"
    FEBRUARY = 2, "February"
    MARCH = 3, "March"
    APRIL = 4, "April"
    MAY = 5, "May"
    JUNE = 6, "June"
    JULY = 7, "July"
    AUGUST = 8, "August"
    SEPTEMBER = 9, "September"
    OCTOBER = 10, "October"
    NOVEMBER = 11, "November"
    DECEMBER = 12, "December"


def _default_recruitment_months() -> list[int]:
    return [Month.MARCH, Month.AUGUST]


class SchemeSettings(models.Model):
    """The scheme's rules and reminder schedule, one record edited by administrators.

    Read it with `SchemeSettings.load()`: cached for a minute, so a change reaches every process
    within a minute.
    """

    CACHE_KEY = "scheme-settings"
    CACHE_SECONDS = 60

    request_first_reminder_days = models.PositiveSmallIntegerField(
        "remind the mentor of an unanswered request after (days)", default=3
    )
    request_second_reminder_days = models.PositiveSmallIntegerField(
        "and again after (days)", default=7
    )
    request_expiry_days = models.PositiveSmallIntegerField(
        "expire an unanswered request after (days)", default=14
    )
    no_meeting_nudge_days = models.PositiveSmallIntegerField(
        "nudge a pair with no meeting logged for (days)", default=30
    )
    meeting_reminder_days = models.PositiveSmallIntegerField(
        "remind both of a planned meeting (days before)", default=1
    )
    check_in_first_weeks = models.PositiveSmallIntegerField(
        "first check-in survey (weeks after the start)", default=6
    )
    check_in_second_months = models.PositiveSmallIntegerField(
        "second check-in survey (months after the start)", default=6
    )
    profile_confirmation_month = models.PositiveSmallIntegerField(
        "ask mentors to confirm their profile each year in",
        choices=Month,
        default=Month.AUGUST,
    )
    recruitment_months = ArrayField(
        models.PositiveSmallIntegerField(choices=Month),
        verbose_name="recruitment rounds (months)",
        default=_default_recruitment_months,
        help_text="Mentors who have not confirmed their profile for a year are reminded then.",
    )
    max_pending_requests = models.PositiveSmallIntegerField(
        "requests a mentee may have waiting at once",
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    default_capacity = models.PositiveSmallIntegerField(
        "mentees a new mentor takes at a time",
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )
    training_required = models.BooleanField(
        "mentors must complete training before approval", default=False
    )
    unmatched_alert_weeks = models.PositiveSmallIntegerField(
        "flag mentees still without a mentor after (weeks)",
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(52)],
        help_text="They are listed under “Needs attention” on the reports page.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "scheme settings"
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="scheme_settings_single_row"),
            models.CheckConstraint(
                condition=Q(request_first_reminder_days__lt=F("request_second_reminder_days"))
                & Q(request_second_reminder_days__lt=F("request_expiry_days")),
                name="request_reminders_before_expiry",
            ),
        ]

    def __str__(self) -> str:
        return "Scheme settings"

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)
        _cache_call(cache.delete, self.CACHE_KEY)

    def clean(self):
        super().clean()
        check_request_schedule(self)

    @classmethod
    def load(cls) -> SchemeSettings:
        cached = _cache_call(cache.get, cls.CACHE_KEY)
        if cached is None:
            cached, _ = cls.objects.get_or_create(
                pk=1,
                defaults={
                    "max_pending_requests": settings.SCHEME_MAX_PENDING_REQUESTS,
                    "default_capacity": settings.SCHEME_DEFAULT_CAPACITY,
                },
            )
            _cache_call(cache.set, cls.CACHE_KEY, cached, cls.CACHE_SECONDS)
        return cached


def check_request_schedule(rules) -> None:
    """The request reminders come before the expiry, in the scheme settings and in each
    programme (profiles.Programme), which hold the same three fields."""
    if not (
        rules.request_first_reminder_days
        < rules.request_second_reminder_days
        < rules.request_expiry_days
    ):
        raise ValidationError(
            {
                "request_second_reminder_days": "Reminders must come before the request "
                "expires: first reminder < second reminder < expiry."
            }
        )


def _cache_call(method, *args):
    """The cache is Redis in production: while it is down, the settings come from the database
    (a mentee pressing Interested must not fail because the broker's server is)."""
    try:
        return method(*args)
    except Exception as exc:  # noqa: BLE001 - any cache backend failure
        logger.warning("Cache unavailable (%s); scheme settings read from the database", exc)
        return None


class EmailWording(models.Model):
    """The words of one kind of email that the scheme team may change: paragraphs that open it
    (after the greeting) and its sign-off, for one programme or every programme (`programme`
    empty), in one language or any (`language` empty).

    Plain text only: staff type words, never HTML; the email escapes them and makes paragraphs
    of blank-line separated text (mentoring.wording). An empty field keeps the email's own words.
    """

    kind = models.CharField("email", max_length=80)
    programme = models.ForeignKey(
        "profiles.Programme",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="email_wordings",
        help_text="Empty: every programme's email, unless a programme has its own words.",
    )
    language = models.CharField(
        "language",
        max_length=10,
        blank=True,
        default="",
        choices=[("", "Any language"), *settings.LANGUAGES],
        help_text="Empty: every recipient, unless their language has its own words.",
    )
    intro = models.TextField(
        "opening paragraphs",
        max_length=2000,
        blank=True,
        default="",
        help_text="Plain text, after the greeting. A blank line starts a new paragraph. Empty: "
        "the email's own words.",
    )
    sign_off = models.TextField(
        "sign-off",
        max_length=300,
        blank=True,
        default="",
        help_text="Plain text, at the end of the email (e.g. “Best wishes, the careers "
        "team”). Empty: the email's own sign-off.",
    )
    updated_at = models.DateTimeField("updated", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = "email wording"
        verbose_name_plural = "email wording"
        ordering = ["kind", "programme", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "programme", "language"],
                nulls_distinct=False,
                name="one_email_wording_per_kind_programme_language",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.programme or 'every programme'}, {self.language or 'any'})"
