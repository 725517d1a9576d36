from __future__ import annotations

import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from profiles.models import MeetingFormat

MIN_DURATION = 15
MAX_DURATION = 480
LOW_RATING = 2  # a check-in rated this or lower is sent to the scheme team


def new_token() -> str:
    return secrets.token_urlsafe(32)


class Objective(models.Model):
    """One line of the pair's mentoring plan. Only sessions_log.services changes it."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        ACHIEVED = "achieved", _("Achieved")
        DROPPED = "dropped", _("No longer relevant")

        @property
        def tone(self) -> str:
            """The Bootstrap colour of its badge (includes/status_badge.html)."""
            tones = {"in_progress": "primary", "achieved": "success", "dropped": "light"}
            return tones.get(self.value, "secondary")

    mentorship = models.ForeignKey(
        "matching.Mentorship", on_delete=models.CASCADE, related_name="objectives"
    )
    title = models.CharField(max_length=200)
    success = models.TextField(_("what success looks like"), max_length=2000, blank=True)
    target_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status, default=Status.NOT_STARTED)
    achieved_on = models.DateField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0, help_text="Order in the plan.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    # Set on the pair's page by sessions_log.selectors.pair_space.
    latest_update: ObjectiveUpdate | None

    class Meta:
        ordering = ["position", "pk"]
        indexes = [models.Index(fields=["mentorship", "position"], name="objective_plan_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="achieved", achieved_on__isnull=False)
                | (~Q(status="achieved") & Q(achieved_on__isnull=True)),
                name="achieved_objective_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_achieved(self) -> bool:
        return self.status == self.Status.ACHIEVED

    @property
    def status_choice(self) -> Status:
        """The status as its choice, which knows its label and its tone."""
        return self.Status(self.status)


class ObjectiveUpdate(models.Model):
    """A dated progress note and/or a change of status; the timeline shows them."""

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        "new status",
        max_length=20,
        choices=Objective.Status,
        blank=True,
        help_text="Empty when the status stayed the same.",
    )
    note = models.TextField(max_length=2000, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="") | ~Q(note=""), name="objective_update_says_something"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.objective}: {self.get_status_display() or 'note'}"

    @property
    def is_achievement(self) -> bool:
        return self.status == Objective.Status.ACHIEVED


class MeetingQuerySet(models.QuerySet):
    def planned(self):
        return self.filter(status=Meeting.Status.PLANNED)

    def held(self):
        return self.filter(status=Meeting.Status.HELD)

    def for_user(self, user):
        return self.filter(Q(mentorship__mentor=user) | Q(mentorship__mentee=user))


class Meeting(models.Model):
    """A meeting of the pair: planned, then held or cancelled, or logged after it happened."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    mentorship = models.ForeignKey(
        "matching.Mentorship", on_delete=models.CASCADE, related_name="meetings"
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.PLANNED)
    starts_at = models.DateTimeField(_("date and time"))
    time_zone = models.CharField(
        max_length=64, help_text="The IANA time zone of the person who planned it."
    )
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"),
        default=60,
        validators=[MinValueValidator(MIN_DURATION), MaxValueValidator(MAX_DURATION)],
    )
    format = models.CharField(max_length=20, choices=MeetingFormat, default=MeetingFormat.VIDEO)
    location = models.CharField(_("place or link"), max_length=500, blank=True)
    agenda = models.TextField(max_length=4000, blank=True)
    summary = models.TextField(_("summary"), max_length=8000, blank=True)
    next_steps = models.TextField(_("next steps"), max_length=4000, blank=True)
    objectives = models.ManyToManyField(
        Objective, blank=True, related_name="meetings", verbose_name=_("objectives discussed")
    )
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(
        default=0, editable=False, help_text="The calendar SEQUENCE: one more on every change."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = MeetingQuerySet.as_manager()

    # Set on the pair's page by sessions_log.selectors.pair_space.
    discussed: list[Objective]
    is_overdue: bool

    class Meta:
        ordering = ["-starts_at", "-pk"]
        indexes = [
            models.Index(fields=["mentorship", "-starts_at"], name="meeting_pair_idx"),
            models.Index(
                fields=["starts_at"], name="meeting_planned_idx", condition=Q(status="planned")
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=MIN_DURATION)
                & Q(duration_minutes__lte=MAX_DURATION),
                name="meeting_duration_15_to_480",
            ),
            models.CheckConstraint(
                condition=Q(status="cancelled", cancelled_at__isnull=False)
                | (~Q(status="cancelled") & Q(cancelled_at__isnull=True)),
                name="cancelled_meeting_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentorship}: {self.starts_at:%Y-%m-%d %H:%M} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return (
            reverse("sessions_log:mentorship-detail", args=[self.mentorship_id])
            + f"#meeting-{self.pk}"
        )

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def has_started(self) -> bool:
        """Whether its start time has come: only then can a planned meeting be marked held."""
        return self.starts_at <= timezone.now()

    @property
    def is_planned(self) -> bool:
        return self.status == self.Status.PLANNED

    @property
    def is_held(self) -> bool:
        return self.status == self.Status.HELD

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED


class MeetingPrivateNote(models.Model):
    """A note on a meeting that only its author ever sees (not the other person, not the admin)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="private_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(max_length=8000)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "author"], name="one_private_note_per_author"
            )
        ]

    def __str__(self) -> str:
        return f"Private note on meeting {self.meeting_id}"


class CalendarFeed(models.Model):
    """A person's private calendar subscription URL; the token is the only key."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_token)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"

    def get_absolute_url(self) -> str:
        return reverse("sessions_log:calendar-feed", args=[self.token])


class CheckIn(models.Model):
    """A short survey to one person of a pair: how is the mentoring going?"""

    class Kind(models.TextChoices):
        SIX_WEEKS = "six_weeks", _("6 weeks")
        SIX_MONTHS = "six_months", _("6 months")
        ENDING = "ending", _("Ending")
        # Two questions after a one-off advice conversation completed itself.
        ADVICE_FEEDBACK = "advice_feedback", _("After an advice conversation")

    mentorship = models.ForeignKey(
        "matching.Mentorship", on_delete=models.CASCADE, related_name="check_ins"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="check_ins"
    )
    kind = models.CharField(max_length=20, choices=Kind)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    rating = models.PositiveSmallIntegerField(
        "how is it going? (1–5)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    comment = models.TextField(max_length=4000, blank=True)
    wants_contact = models.BooleanField("I'd like the scheme team to contact me", default=False)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentorship", "person", "kind"], name="one_check_in_per_kind"
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="check_in_rating_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | Q(rating__isnull=False),
                name="answered_check_in_has_rating",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} check-in of {self.person} ({self.mentorship})"

    def get_absolute_url(self) -> str:
        return reverse("sessions_log:check-in-answer", args=[self.token])

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None

    def is_expired(self, now=None) -> bool:
        return (now or timezone.now()) >= self.expires_at

    @property
    def needs_attention(self) -> bool:
        return (self.rating is not None and self.rating <= LOW_RATING) or self.wants_contact
