from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import FORMER_PARTICIPANT
from profiles.models import MeetingFormat, Programme, Round


class Engagement(models.TextChoices):
    """What a request asks for and what a pair is (a programme allows some: engagement_types)."""

    LONG_TERM = "long_term", _("Long-term mentoring")
    ADVICE = "advice", _("One-off advice conversation")
    INFORMAL = "informal", _("Informal pair")


class RequestQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=MentorshipRequest.Status.PENDING)

    def for_user(self, user):
        """Requests `user` sent or received; anything else is none of their business (404)."""
        return self.filter(Q(mentee=user) | Q(mentor=user))

    def stale(self, before):
        """Still pending and made at `before` or earlier (`before` is the expiry cutoff: a request
        exactly the expiry age old has expired, the moment the reminder job stops reminding)."""
        return self.pending().filter(created_at__lte=before)


class MentorshipRequest(models.Model):
    """A mentee's "Interested" message to a mentor. Only matching.services changes `status`."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        EXPIRED = "expired", _("Expired")
        # Closed by the scheme, not by either person: `close_reason` says why.
        CLOSED = "closed", _("Closed")

        @property
        def tone(self) -> str:
            """The Bootstrap colour of its badge (includes/status_badge.html)."""
            return {"pending": "warning", "accepted": "success"}.get(self.value, "secondary")

    class CloseReason(models.TextChoices):
        MATCHED_ELSEWHERE = "matched_elsewhere", _("The mentee found a mentor")
        MENTOR_AWAY = "mentor_away", _("The mentor is away")
        MENTOR_HIDDEN = "mentor_hidden", _("The mentor stopped taking requests")
        MENTOR_LEFT = "mentor_left", _("The mentor left the programme")

    class DeclineReason(models.TextChoices):
        FULL = "full", _("I am full at the moment")
        NOT_MY_AREA = "not_my_area", _("This is not my area of expertise")
        NOT_AVAILABLE = "not_available", _("I am not available now")
        OTHER = "other", _("Another reason")

    # Empty once that person deleted their account (accounts.privacy): the other person's
    # history, the scheme's reports and any report of the request stay.
    mentee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="sent_requests",
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="received_requests",
    )
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="requests")
    engagement = models.CharField(
        max_length=10, choices=Engagement, default=Engagement.LONG_TERM, db_default="long_term"
    )
    topic = models.CharField(
        max_length=200,
        blank=True,
        db_default="",
        help_text="One-off advice: what the conversation is about.",
    )
    # Informal pairs are recorded by either person; the other confirms (accepts).
    sent_by_mentor = models.BooleanField(default=False, db_default=False, editable=False)
    # A coordinator's proposal (central matching): the mentor answers it like a mentee's
    # request; `coordinator_note` is the coordinator's word to both.
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    coordinator_note = models.TextField(
        "note from the coordinator", max_length=2000, blank=True, db_default=""
    )
    message = models.TextField(max_length=2000)
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    close_reason = models.CharField(max_length=20, choices=CloseReason, blank=True, db_default="")
    decline_reason = models.CharField(max_length=20, choices=DeclineReason, blank=True)
    response_message = models.TextField(
        "message to the mentee",
        max_length=1000,
        blank=True,
        help_text="Sent with a decline, or a welcome note with an acceptance.",
    )
    closing_note = models.CharField(
        max_length=255, blank=True, help_text="Why the scheme closed it (closed or expired)."
    )
    created_at = models.DateTimeField(default=timezone.now)
    reminders_sent = models.PositiveSmallIntegerField(
        default=0, editable=False, help_text="Reminders the mentor has been sent about it."
    )
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    # A mentor away until a date who keeps requests waiting moves their expiry past it.
    expires_after = models.DateTimeField(null=True, blank=True, editable=False)
    responded_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    expired_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = RequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["mentor", "status", "-created_at"], name="request_mentor_idx"),
            models.Index(fields=["mentee", "status", "-created_at"], name="request_mentee_idx"),
            models.Index(
                fields=["created_at"], name="request_pending_age_idx", condition=Q(status="pending")
            ),
            # The admin's list (newest first) and the reports' date ranges.
            models.Index(F("created_at").desc(), F("id").desc(), name="request_created_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["mentee", "mentor", "programme"],
                condition=Q(status="pending"),
                name="one_pending_request_per_pair",
            ),
            models.CheckConstraint(condition=~Q(mentee=F("mentor")), name="request_not_to_self"),
            # Deleting an account closes its requests first (accounts.privacy).
            models.CheckConstraint(
                condition=~Q(status="pending") | Q(mentee__isnull=False, mentor__isnull=False),
                name="pending_request_has_both_people",
            ),
            models.CheckConstraint(
                condition=Q(status="pending")
                | Q(responded_at__isnull=False)
                | Q(withdrawn_at__isnull=False)
                | Q(expired_at__isnull=False)
                | Q(closed_at__isnull=False),
                name="closed_request_has_a_date",
            ),
            models.CheckConstraint(
                condition=Q(status="closed", closed_at__isnull=False) & ~Q(close_reason="")
                | ~Q(status="closed") & Q(close_reason=""),
                name="closed_request_has_a_reason",
            ),
            models.CheckConstraint(
                condition=~Q(engagement="advice") | ~Q(topic=""), name="advice_request_has_topic"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentee_name} → {self.mentor_name} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("matching:request-detail", args=[self.pk])

    @property
    def mentee_name(self) -> str:
        return self.mentee.full_name if self.mentee_id else FORMER_PARTICIPANT

    @property
    def mentor_name(self) -> str:
        return self.mentor.full_name if self.mentor_id else FORMER_PARTICIPANT

    @property
    def status_choice(self) -> Status:
        """The status as its choice, which knows its label and its tone."""
        return self.Status(self.status)

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    @property
    def is_declined(self) -> bool:
        return self.status == self.Status.DECLINED

    @property
    def is_accepted(self) -> bool:
        return self.status == self.Status.ACCEPTED

    @property
    def is_expired(self) -> bool:
        return self.status == self.Status.EXPIRED

    @property
    def ended_at(self):
        """When it stopped waiting, whichever way."""
        return self.responded_at or self.withdrawn_at or self.expired_at or self.closed_at


class MentorshipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Mentorship.Status.ACTIVE)

    def for_user(self, user):
        return self.filter(Q(mentee=user) | Q(mentor=user))


class Mentorship(models.Model):
    """A mentor and a mentee working together. Only matching.services changes `status`."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        ENDED = "ended", _("Ended")

        @property
        def tone(self) -> str:
            """The Bootstrap colour of its badge (includes/status_badge.html)."""
            return {"active": "success", "completed": "info"}.get(self.value, "secondary")

    class EndReason(models.TextChoices):
        ACHIEVED = "achieved", _("Objectives achieved")
        NOT_A_FIT = "not_a_fit", _("Not a good fit")
        CIRCUMSTANCES = "circumstances", _("Circumstances changed")
        OTHER = "other", _("Another reason")
        ACCOUNT_DELETED = "account_deleted", _("Account deleted")

    # Empty once that person deleted their account: the other person keeps the pair's records
    # (accounts.privacy).
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="mentorships_as_mentor",
    )
    mentee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="mentorships_as_mentee",
    )
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="mentorships")
    engagement = models.CharField(
        max_length=10, choices=Engagement, default=Engagement.LONG_TERM, db_default="long_term"
    )
    # Informal pairs get no scheme emails (nudges, check-ins) unless they opt in.
    scheme_emails = models.BooleanField(
        "reminders and check-ins from the scheme",
        default=True,
        db_default=True,
        help_text="Informal pairs choose; other pairs always get them.",
    )
    # The agreed meeting rhythm (matching.Agreement) in days, which moves the quiet-pair nudge;
    # empty: the programme's setting.
    cadence_days = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    # The round the pair started in, for programmes that run in rounds: its term end completes it.
    round = models.ForeignKey(
        Round, null=True, blank=True, on_delete=models.PROTECT, related_name="mentorships"
    )
    request = models.OneToOneField(
        MentorshipRequest,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mentorship",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The administrator who matched the pair centrally, if one did.",
    )
    # What the coordinator who matched them wrote to introduce them (shown on the pair's page).
    introduction_note = models.TextField(
        "introduction from the coordinator", max_length=2000, blank=True, db_default=""
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.ACTIVE)
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    end_reason = models.CharField(max_length=20, choices=EndReason, blank=True)
    end_message = models.TextField("message to the other person", max_length=1000, blank=True)
    feedback_rating = models.PositiveSmallIntegerField(
        "how it went (1–5)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    feedback_comment = models.TextField(
        "private feedback for the scheme team", max_length=2000, blank=True
    )
    nudged_at = models.DateTimeField(
        "last nudged about meetings", null=True, blank=True, editable=False
    )

    objects = MentorshipQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["mentor", "status"], name="mentorship_mentor_idx"),
            models.Index(fields=["mentee", "status"], name="mentorship_mentee_idx"),
            models.Index(
                fields=["round"], name="mentorship_round_active_idx", condition=Q(status="active")
            ),
            # The admin's list (newest first) and the reports' date ranges.
            models.Index(F("started_at").desc(), F("id").desc(), name="mentorship_started_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["mentor", "mentee", "programme"],
                condition=Q(status="active"),
                name="one_active_mentorship_per_pair",
            ),
            models.CheckConstraint(
                condition=~Q(mentee=F("mentor")), name="mentorship_not_with_self"
            ),
            # Deleting an account ends its mentorships first (accounts.privacy).
            models.CheckConstraint(
                condition=~Q(status="active") | Q(mentor__isnull=False, mentee__isnull=False),
                name="active_mentorship_has_both_people",
            ),
            # A completed pair (its round's term ended) has an end date like an ended one.
            models.CheckConstraint(
                condition=Q(status="active", ended_at__isnull=True)
                | Q(status__in=["ended", "completed"], ended_at__isnull=False),
                name="ended_mentorship_has_end_date",
            ),
            models.CheckConstraint(
                condition=Q(feedback_rating__isnull=True)
                | Q(feedback_rating__gte=1, feedback_rating__lte=5),
                name="feedback_rating_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentor_name} mentoring {self.mentee_name}"

    def get_absolute_url(self) -> str:
        # The pair's page is their space in the sessions log.
        return reverse("sessions_log:mentorship-detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def is_completed(self) -> bool:
        return self.status == self.Status.COMPLETED

    @property
    def status_choice(self) -> Status:
        """The status as its choice, which knows its label and its tone."""
        return self.Status(self.status)

    @property
    def mentor_name(self) -> str:
        return self.mentor.full_name if self.mentor_id else FORMER_PARTICIPANT

    @property
    def mentee_name(self) -> str:
        return self.mentee.full_name if self.mentee_id else FORMER_PARTICIPANT

    @property
    def ended_by_name(self) -> str:
        if self.ended_by_id:
            return self.ended_by.full_name
        # Only the mentor or the mentee ends a pair (services.end_mentorship; the scheme team
        # never does), so an ended pair without `ended_by` was ended by someone since deleted.
        return FORMER_PARTICIPANT if self.ended_at else ""

    @property
    def is_long_term(self) -> bool:
        return self.engagement == Engagement.LONG_TERM

    @property
    def is_advice(self) -> bool:
        return self.engagement == Engagement.ADVICE

    @property
    def is_informal(self) -> bool:
        return self.engagement == Engagement.INFORMAL

    def other_party(self, user):
        """The other person, or None once they deleted their account."""
        return self.mentee if user.pk == self.mentor_id else self.mentor

    def other_name(self, user) -> str:
        return self.mentee_name if user.pk == self.mentor_id else self.mentor_name

    def role_of(self, user) -> str:
        return "mentor" if user.pk == self.mentor_id else "mentee"


class StatusChange(models.Model):
    """Who moved a request or a mentorship to which state, and when (for the scheme team)."""

    request = models.ForeignKey(
        MentorshipRequest, null=True, blank=True, on_delete=models.CASCADE, related_name="history"
    )
    mentorship = models.ForeignKey(
        Mentorship, null=True, blank=True, on_delete=models.CASCADE, related_name="history"
    )
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty when the scheme did it (e.g. expiry).",
    )
    at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(request__isnull=False, mentorship__isnull=True)
                | Q(request__isnull=True, mentorship__isnull=False),
                name="status_change_of_one_thing",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_status or 'new'} → {self.to_status}"


class RequestReport(models.Model):
    """A mentor's report that a request they received was inappropriate, for the scheme team.

    Written only by matching.services.report_request, which also closes the request."""

    request = models.OneToOneField(
        MentorshipRequest, on_delete=models.CASCADE, related_name="report"
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The mentor who received the request.",
    )
    reason = models.TextField("what was inappropriate", max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        # "Reported requests" in the admin, apart from the scheme's Reports page.
        verbose_name = "reported request"
        ordering = ["-created_at"]
        indexes = [
            # The admin's list (newest first).
            models.Index(F("created_at").desc(), F("id").desc(), name="request_report_created_idx"),
        ]

    def __str__(self) -> str:
        return f"Report on {self.request}"


class ConversationQuerySet(models.QuerySet):
    def for_user(self, user):
        """Conversations `user` is one of the two people of; nobody else reads them (404)."""
        return self.filter(Q(mentee=user) | Q(mentor=user))


class Conversation(models.Model):
    """The messages between a mentee and a mentor: one per request, continued by the pair the
    request became (`mentorship` is set on acceptance); a pair matched centrally starts one.
    Only matching.conversations writes it. Only the two people read it; coordinators see a
    message only once one of them reports it (MessageReport)."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="conversations")
    request = models.OneToOneField(
        MentorshipRequest,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="conversation",
    )
    mentorship = models.OneToOneField(
        Mentorship, null=True, blank=True, on_delete=models.SET_NULL, related_name="conversation"
    )
    # Empty once that person deleted their account ("a former participant").
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="conversations_as_mentor",
    )
    mentee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="conversations_as_mentee",
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The latest message, for the inbox and unread counts without reading the messages.
    last_message_at = models.DateTimeField(null=True, blank=True)
    last_author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What each person has read: messages after this moment are unread for them.
    mentor_read_at = models.DateTimeField(null=True, blank=True)
    mentee_read_at = models.DateTimeField(null=True, blank=True)

    objects = ConversationQuerySet.as_manager()

    class Meta:
        ordering = [F("last_message_at").desc(nulls_last=True), "-pk"]
        indexes = [
            models.Index(F("mentor"), F("last_message_at").desc(), name="conversation_mentor_idx"),
            models.Index(F("mentee"), F("last_message_at").desc(), name="conversation_mentee_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(request__isnull=False) | Q(mentorship__isnull=False),
                name="conversation_of_a_request_or_pair",
            ),
        ]

    def __str__(self) -> str:
        return f"Conversation {self.pk}"


class Message(models.Model):
    """One message in a conversation: plain text (links made clickable when shown)."""

    MAX_LENGTH = 4000

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(max_length=MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)
    # The form's one-time token: a double submit makes one message.
    client_token = models.CharField(max_length=64, blank=True, editable=False)
    # When the other person was emailed about it (matching.jobs), or null while not yet.
    notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    # How it came: typed on the site, or a reply by email.
    by_email = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["conversation", "created_at"], name="message_thread_idx"),
            models.Index(
                fields=["created_at"],
                name="message_unnotified_idx",
                condition=Q(notified_at__isnull=True),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "author", "client_token"],
                condition=~Q(client_token=""),
                name="one_message_per_submit",
            ),
        ]

    def __str__(self) -> str:
        return f"Message {self.pk} in conversation {self.conversation_id}"


class MessageReport(models.Model):
    """A participant's report of a message to the programme's coordinators, who then (and only
    then) see that message."""

    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="report")
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField("what is wrong", max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "reported message"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Report on {self.message}"


class AgreementQuerySet(models.QuerySet):
    def agreed(self):
        return self.filter(status=Agreement.Status.AGREED)


class Agreement(models.Model):
    """How a long-term pair will work together: proposed by one, agreed by the other. A change is
    a new proposal; once agreed it supersedes the last agreed one (the rows are the history)."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        AGREED = "agreed", _("Agreed")
        SUPERSEDED = "superseded", _("Replaced by a later agreement")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Frequency(models.TextChoices):
        FORTNIGHTLY = "fortnightly", _("Every two weeks")
        MONTHLY = "monthly", _("Monthly")
        BIMONTHLY = "bimonthly", _("Every two months")
        OTHER = "other", _("Other")

    # Days between meetings, for "next meeting due by" and the quiet-pair nudge.
    CADENCE_DAYS = {"fortnightly": 14, "monthly": 31, "bimonthly": 61}

    mentorship = models.ForeignKey(Mentorship, on_delete=models.CASCADE, related_name="agreements")
    status = models.CharField(max_length=10, choices=Status, default=Status.PROPOSED)
    frequency = models.CharField("how often we meet", max_length=12, choices=Frequency)
    frequency_other = models.CharField("how often, in your words", max_length=120, blank=True)
    formats = ArrayField(
        models.CharField(max_length=12, choices=MeetingFormat),
        verbose_name="how we meet",
        default=list,
    )
    confidentiality = models.BooleanField("we keep what we discuss confidential", default=False)
    review_on = models.DateField("we review how it is going on", null=True, blank=True)
    ends_on = models.DateField("we intend to finish by", null=True, blank=True)
    notes = models.TextField("anything else we agree", max_length=2000, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    agreed_at = models.DateTimeField(null=True, blank=True)

    objects = AgreementQuerySet.as_manager()

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentorship"],
                condition=Q(status="agreed"),
                name="one_agreed_agreement_per_pair",
            ),
            models.UniqueConstraint(
                fields=["mentorship"],
                condition=Q(status="proposed"),
                name="one_open_proposal_per_pair",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["agreed", "superseded"]) | Q(agreed_at__isnull=False),
                name="agreed_agreement_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"Agreement for {self.mentorship} ({self.get_status_display()})"

    @property
    def cadence_days(self) -> int | None:
        return self.CADENCE_DAYS.get(self.frequency)

    @property
    def was_agreed(self) -> bool:
        """Agreed, now or before a later agreement replaced it."""
        return self.status in {self.Status.AGREED, self.Status.SUPERSEDED}

    @property
    def is_superseded(self) -> bool:
        return self.status == self.Status.SUPERSEDED

    @property
    def is_withdrawn(self) -> bool:
        return self.status == self.Status.WITHDRAWN


class MatchRun(models.Model):
    """A coordinator's bulk matching run for a programme (and round): a proposed set of pairs
    that respects every mentor's free places, adjusted by hand, then published (each pair made
    or proposed through matching.services, under the usual rules)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        DISCARDED = "discarded", "Discarded"

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="match_runs")
    round = models.ForeignKey(
        Round, null=True, blank=True, on_delete=models.SET_NULL, related_name="match_runs"
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Total score of the proposed set and how the method compares (kept for the record).
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme"],
                condition=Q(status="draft"),
                name="one_draft_match_run_per_programme",
            )
        ]

    def __str__(self):
        return f"Matching run {self.pk} for {self.programme}"


class MatchRunPair(models.Model):
    """One proposed pair of a run: the score and the reasons behind it, changed by hand or not."""

    class Outcome(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        MATCHED = "matched", "Matched"
        REQUESTED = "requested", "Proposed to the mentor"
        FAILED = "failed", "Could not be made"

    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="pairs")
    mentee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(default=0)
    reasons = models.JSONField(default=list, blank=True)
    adjusted = models.BooleanField(default=False, help_text="Chosen or changed by a coordinator.")
    outcome = models.CharField(max_length=10, choices=Outcome, default=Outcome.PROPOSED)
    outcome_note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["run", "mentee"], name="one_pair_per_mentee_per_run")
        ]

    def __str__(self):
        return f"{self.mentee_id} with {self.mentor_id} in run {self.run_id}"
