from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from mentoring.models import Month, SchemeSettings, check_request_schedule

MIN_YEAR = 1940


def _current_year() -> int:
    return timezone.now().year


def default_capacity() -> int:
    return SchemeSettings.load().default_capacity


def validate_past_year(value: int) -> None:
    if value < MIN_YEAR or value > _current_year():
        raise ValidationError(
            gettext("Enter a year between %(first)s and %(last)s.")
            % {"first": MIN_YEAR, "last": _current_year()}
        )


def validate_graduation_year(value: int) -> None:
    # Current students in alumni schemes may give the year they expect to graduate.
    if value < MIN_YEAR or value > _current_year() + 6:
        raise ValidationError(
            gettext("Enter a year between %(first)s and %(last)s.")
            % {"first": MIN_YEAR, "last": _current_year() + 6}
        )


class MeetingFormat(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    VIDEO = "video", _("Video call")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")


class MeetingFrequency(models.TextChoices):
    ONE_OFF = "one_off", _("A single conversation (advice point)")
    FORTNIGHTLY = "fortnightly", _("Every two weeks")
    MONTHLY = "monthly", _("About once a month")
    BIMONTHLY = "bimonthly", _("Every two months")
    FLEXIBLE = "flexible", _("Flexible, agreed together")


class Industry(models.TextChoices):
    HIGHER_EDUCATION = "higher_education", _("Higher education and research")
    EDUCATION = "education", _("Schools and education")
    PUBLIC_SECTOR = "public_sector", _("Government and public sector")
    HEALTHCARE = "healthcare", _("Healthcare and life sciences")
    CHARITY = "charity", _("Charities and social enterprise")
    FINANCE = "finance", _("Banking and finance")
    ACCOUNTING = "accounting", _("Accounting and professional services")
    CONSULTING = "consulting", _("Consulting")
    LAW = "law", _("Law")
    TECHNOLOGY = "technology", _("Technology and software")
    ENGINEERING = "engineering", _("Engineering and manufacturing")
    ENERGY = "energy", _("Energy and environment")
    MEDIA = "media", _("Media, arts and publishing")
    MARKETING = "marketing", _("Marketing, advertising and PR")
    RETAIL = "retail", _("Retail and consumer goods")
    HOSPITALITY = "hospitality", _("Hospitality, travel and tourism")
    PROPERTY = "property", _("Property and construction")
    TRANSPORT = "transport", _("Transport and logistics")
    OTHER = "other", _("Other")


class ExpertiseArea(models.Model):
    """What a mentor can help with and what a mentee wants help with (managed in the admin)."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.CharField(max_length=250, blank=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Order in lists.")

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


def new_invitation_token() -> str:
    return secrets.token_urlsafe(24)


def _long_term_only() -> list[str]:
    return ["long_term"]


def _normalise_domains(domains: list[str]) -> list[str]:
    return sorted({d.strip().lower().lstrip("@") for d in domains if d.strip()})


class ProgrammeQuerySet(models.QuerySet):
    def visible(self):
        """Programmes people may see and join: not drafts, not archived."""
        return self.filter(status__in=[Programme.Status.OPEN, Programme.Status.CLOSED])

    def coordinated_by(self, user):
        """The programmes `user` runs: all of them for a superuser."""
        if user.is_superuser:
            return self.all()
        return self.filter(coordinators=user)


class Programme(models.Model):
    """One mentoring scheme run by the organisation, with its own people and rules.

    The rules start from the scheme-wide defaults (`Programme.defaults`, from SchemeSettings and
    the SCHEME_* settings) and are then the programme's own.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft (only staff see it)")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed to new members")
        ARCHIVED = "archived", _("Archived")

    class Matching(models.TextChoices):
        CHOICE = "choice", _("Mentees choose a mentor from the directory")
        CENTRAL = "central", _("Coordinators match mentees centrally")
        BOTH = "both", _("Both: mentees choose, or apply to be matched")

    class Engagement(models.TextChoices):
        LONG_TERM = "long_term", "Long-term mentoring"
        ADVICE = "advice", "One-off advice conversations"
        INFORMAL = "informal", "Informal pairs (recorded by the two people)"

    class Rhythm(models.TextChoices):
        ALWAYS = "always", "Always open"
        ROUNDS = "rounds", "In rounds (recruitment windows and a term)"

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(
        max_length=60,
        unique=True,
        help_text="The end of its address: careers for /programmes/careers/.",
    )
    summary = models.CharField(max_length=250, help_text="One or two lines on the programmes list.")
    description = models.TextField(
        max_length=5000,
        blank=True,
        help_text="Shown on the programme's page. Blank lines make paragraphs.",
    )
    audience = models.CharField(
        "who it is for",
        max_length=250,
        blank=True,
        help_text="e.g. “Students and recent graduates”.",
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.OPEN)
    position = models.PositiveSmallIntegerField(default=0, help_text="Order in lists.")
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="coordinated_programmes", blank=True
    )
    matching = models.CharField(
        "how pairs are made", max_length=10, choices=Matching, default=Matching.CHOICE
    )
    engagement_types = ArrayField(
        models.CharField(max_length=20, choices=Engagement),
        verbose_name="engagements it allows",
        default=_long_term_only,
    )
    rhythm = models.CharField(max_length=10, choices=Rhythm, default=Rhythm.ALWAYS)
    # Eligibility: open to everyone unless domains are listed or it is by invitation.
    mentor_email_domains = ArrayField(
        models.CharField(max_length=253),
        verbose_name="mentors' email domains",
        default=list,
        blank=True,
        help_text="e.g. example.ac.uk. Empty: anyone may join as a mentor.",
    )
    mentee_email_domains = ArrayField(
        models.CharField(max_length=253),
        verbose_name="mentees' email domains",
        default=list,
        blank=True,
        help_text="Empty: anyone may join as a mentee.",
    )
    invitation_only = models.BooleanField(
        "by invitation only",
        default=False,
        help_text="People join only through the programme's invitation link.",
    )
    invitation_token = models.CharField(
        max_length=64, default=new_invitation_token, editable=False, unique=True
    )
    mentor_approval_required = models.BooleanField("coordinators approve each mentor", default=True)
    mentor_training_required = models.BooleanField(
        "mentors must complete training before approval", default=False
    )
    outside_line_management = models.BooleanField(
        "mentors outside the mentee's line management",
        default=False,
        help_text="A mentee's line manager and mentors in their department are never listed, "
        "suggested or matched.",
    )
    # The rules that used to be scheme-wide.
    default_capacity = models.PositiveSmallIntegerField(
        "mentees a new mentor takes at a time",
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )
    mentor_places_cap = models.PositiveSmallIntegerField(
        "most mentees a mentor takes from this programme",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text="Empty: as many as the mentor's places. A mentor's places are counted across "
        "programmes.",
    )
    max_pending_requests = models.PositiveSmallIntegerField(
        "requests a mentee may have waiting at once",
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    max_active_mentorships = models.PositiveSmallIntegerField(
        "mentors a mentee may have at once",
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
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
        "ask mentors to confirm their profile each year in", choices=Month, default=Month.AUGUST
    )
    unmatched_alert_weeks = models.PositiveSmallIntegerField(
        "flag mentees still without a mentor after (weeks)",
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(52)],
    )
    # What every long-term pair agrees at the start (matching.Agreement), and the objectives
    # offered to them as suggestions.
    agreement_text = models.TextField(
        "mentoring agreement",
        max_length=5000,
        blank=True,
        db_default="",
        help_text="What each pair agrees to (confidentiality, respect, ending well). Shown when "
        "a pair writes its agreement. Blank lines make paragraphs.",
    )
    starter_objectives = models.TextField(
        "suggested objectives",
        max_length=3000,
        blank=True,
        db_default="",
        help_text="One per line: offered to each new pair as suggestions.",
    )
    # Words and looks the coordinators can change (emails and the programme's pages).
    contact_email = models.EmailField(
        "contact address",
        blank=True,
        db_default="",
        help_text="Where participants write to the team; shown in emails and on the programme's "
        "pages. Empty: the site's contact address.",
    )
    logo = models.ImageField(
        "logo",
        upload_to="programme-logos/",
        max_length=200,
        blank=True,
        db_default="",
        help_text="Shown at the top of the programme's pages and emails (PNG or JPEG).",
    )
    # Members of this programme sign in with this single sign-on provider (a socialaccount
    # provider id, e.g. "university"); empty: any way of signing in.
    single_sign_on = models.CharField(
        "sign in with",
        max_length=100,
        blank=True,
        db_default="",
        help_text="The university login members of this programme sign in with (the id of a "
        "configured single sign-on provider). Empty: email and password or any provider.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProgrammeQuerySet.as_manager()

    # The fields a new programme copies from the scheme-wide defaults.
    DEFAULTED = (
        "default_capacity",
        "max_pending_requests",
        "request_first_reminder_days",
        "request_second_reminder_days",
        "request_expiry_days",
        "no_meeting_nudge_days",
        "meeting_reminder_days",
        "check_in_first_weeks",
        "check_in_second_months",
        "profile_confirmation_month",
        "unmatched_alert_weeks",
    )

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(request_first_reminder_days__lt=F("request_second_reminder_days"))
                & Q(request_second_reminder_days__lt=F("request_expiry_days")),
                name="programme_reminders_before_expiry",
            ),
            models.CheckConstraint(
                condition=Q(default_capacity__gte=1, default_capacity__lte=10),
                name="programme_default_capacity_1_to_10",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("profiles:programme-detail", args=[self.slug])

    @classmethod
    def defaults(cls) -> dict:
        """What a new programme starts from: the scheme settings and the SCHEME_* settings."""
        scheme = SchemeSettings.load()
        values = {name: getattr(scheme, name) for name in cls.DEFAULTED}
        values["mentor_training_required"] = scheme.training_required
        values["mentor_approval_required"] = settings.SCHEME_MENTOR_APPROVAL_REQUIRED
        values["max_active_mentorships"] = settings.SCHEME_MAX_ACTIVE_MENTORSHIPS
        return values

    @classmethod
    def from_defaults(cls, **fields) -> Programme:
        """An unsaved programme with the scheme-wide defaults, `fields` on top."""
        return cls(**{**cls.defaults(), **fields})

    def clean_fields(self, exclude=None):
        # " @Uni.Example " and "uni.example" are one domain; empty items are dropped.
        self.mentor_email_domains = _normalise_domains(self.mentor_email_domains)
        self.mentee_email_domains = _normalise_domains(self.mentee_email_domains)
        super().clean_fields(exclude=exclude)

    def clean(self):
        super().clean()
        check_request_schedule(self)

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def has_rounds(self) -> bool:
        return self.rhythm == self.Rhythm.ROUNDS

    @property
    def mentees_choose(self) -> bool:
        return self.matching in {self.Matching.CHOICE, self.Matching.BOTH}

    @property
    def matches_centrally(self) -> bool:
        return self.matching in {self.Matching.CENTRAL, self.Matching.BOTH}

    def domains_for(self, role: str) -> list[str]:
        return (
            self.mentor_email_domains
            if role == Membership.Role.MENTOR
            else self.mentee_email_domains
        )

    def accepts_email(self, email: str, role: str) -> bool:
        """Whether an address may join in `role` by its domain (the invitation aside)."""
        domains = self.domains_for(role)
        if not domains:
            return True
        domain = email.rsplit("@", 1)[-1].lower()
        return any(domain == d or domain.endswith("." + d) for d in domains)


class Round(models.Model):
    """One cycle of a programme that is not always open (e.g. the 2026–27 academic year).

    Mentors are recruited in its windows (e.g. August and March), mentees may look for a mentor
    between `mentee_opens_on` and `mentee_closes_on`, and at `term_ends_on` its pairs complete.
    """

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="rounds")
    name = models.CharField(max_length=60, help_text="e.g. “2026–27”.")
    mentee_opens_on = models.DateField("mentees may look for a mentor from")
    mentee_closes_on = models.DateField("until")
    term_ends_on = models.DateField("pairs complete on")
    wrap_up_sent_at = models.DateTimeField(
        "pairs asked to wrap up", null=True, blank=True, editable=False
    )
    completed_at = models.DateTimeField("term ended", null=True, blank=True, editable=False)

    class Meta:
        ordering = ["programme", "-mentee_opens_on"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "name"], name="round_name_per_programme"),
            models.CheckConstraint(
                condition=Q(mentee_opens_on__lte=F("mentee_closes_on"))
                & Q(mentee_closes_on__lte=F("term_ends_on")),
                name="round_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme.name} {self.name}"

    def clean(self):
        super().clean()
        if self.mentee_opens_on and self.mentee_closes_on and self.term_ends_on:
            if self.mentee_closes_on < self.mentee_opens_on:
                raise ValidationError({"mentee_closes_on": "This must be after the opening date."})
            if self.term_ends_on < self.mentee_closes_on:
                raise ValidationError(
                    {"term_ends_on": "The term cannot end before mentees stop looking."}
                )


class RecruitmentWindow(models.Model):
    """When mentors are invited to join or confirm for a round; the invitation and reminder
    emails go out when it opens (profiles.jobs)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="recruitment_windows")
    opens_on = models.DateField()
    closes_on = models.DateField()
    announced_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["opens_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_on__lte=F("closes_on")), name="recruitment_window_in_order"
            ),
        ]

    def __str__(self) -> str:
        return f"Mentor recruitment {self.opens_on:%-d %b} – {self.closes_on:%-d %b %Y}"

    def clean(self):
        super().clean()
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            raise ValidationError({"closes_on": "This must be after the opening date."})


class MembershipQuerySet(models.QuerySet):
    def current(self):
        return self.exclude(status=Membership.Status.LEFT)

    def approved(self):
        return self.filter(status=Membership.Status.APPROVED)

    def mentors(self):
        return self.filter(role=Membership.Role.MENTOR)

    def mentees(self):
        return self.filter(role=Membership.Role.MENTEE)


class Membership(models.Model):
    """A person taking part in a programme as a mentor or a mentee. Only profiles.services
    changes `status`."""

    class Role(models.TextChoices):
        MENTOR = "mentor", _("Mentor")
        MENTEE = "mentee", _("Mentee")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Taking part")
        LEFT = "left", _("Left")

        @property
        def tone(self) -> str:
            return {"approved": "success", "pending": "warning"}.get(self.value, "secondary")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role)
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    joined_at = models.DateTimeField(default=timezone.now)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    left_at = models.DateTimeField(null=True, blank=True)
    by_invitation = models.BooleanField(default=False, editable=False)
    # A mentee applying to be matched centrally (programmes that match centrally).
    application = models.TextField(
        _("what I am looking for in a mentor"),
        max_length=2000,
        blank=True,
        help_text=_("Read by the coordinators who match you."),
    )
    applied_at = models.DateTimeField(null=True, blank=True)
    preferred_mentors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="+", blank=True
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["programme", "role", "-joined_at"]
        permissions = [("approve_membership", "Can approve mentors in their programmes")]
        indexes = [
            models.Index(fields=["programme", "role", "status"], name="membership_programme_idx"),
            # "Current members of these programmes in this role" (the admin's programme scoping,
            # the dashboard's counts) read from the index alone, without the table.
            models.Index(
                fields=["programme", "role", "user"],
                name="membership_current_idx",
                condition=~Q(status="left"),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "programme", "role"], name="one_membership_per_role"
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(approved_at__isnull=False),
                name="approved_membership_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="left") | Q(left_at__isnull=False),
                name="left_membership_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display().lower()} in {self.programme}"

    @property
    def status_choice(self) -> Status:
        return self.Status(self.status)

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED


class MentorProfileQuerySet(models.QuerySet):
    def listed(self):
        """Profiles mentees may see: approved, switched on, and of an active account."""
        return self.filter(is_listed=True)

    def with_free_place(self):
        return self.filter(mentee_count__lt=F("capacity"))

    def in_programme(self, programme: Programme | int):
        """Mentors approved in the programme (their membership), listed or not."""
        pk = programme if isinstance(programme, int) else programme.pk
        return self.filter(programme_ids__contains=[pk])


class MentorProfile(models.Model):
    class ReviewStatus(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Waiting for review")
        APPROVED = "approved", _("Approved")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")

        @property
        def tone(self) -> str:
            """The Bootstrap colour of its badge (includes/status_badge.html)."""
            return {"approved": "success", "changes_requested": "warning"}.get(
                self.value, "secondary"
            )

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentor_profile"
    )
    headline = models.CharField(
        max_length=120,
        help_text=_(
            "One line mentees read first, e.g. “Finance director who moved from "
            "engineering; happy to talk career changes”."
        ),
    )
    job_title = models.CharField(_("current job title"), max_length=120)
    organisation = models.CharField(max_length=120)
    industry = models.CharField(_("industry or sector"), max_length=30, choices=Industry)
    department = models.CharField(
        max_length=120, blank=True, help_text=_("For staff schemes: your department or service.")
    )
    city = models.CharField(max_length=80, blank=True)
    country = CountryField(blank=True)
    languages = models.CharField(
        _("languages you can mentor in"),
        max_length=200,
        blank=True,
        help_text=_("e.g. English, Spanish"),
    )
    course = models.CharField(
        _("course studied"), max_length=150, blank=True, help_text=_("For alumni schemes.")
    )
    graduation_year = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[validate_graduation_year]
    )
    key_areas = models.TextField(
        _("key areas of success and responsibility"),
        max_length=2000,
        help_text=_("What you are responsible for and what you are proud of."),
    )
    moves_experience = models.TextField(
        _("experience of moving country or industry"),
        max_length=2000,
        blank=True,
        help_text=_("Mentees value hearing how you made a move like the one they are planning."),
    )
    areas = models.ManyToManyField(
        ExpertiseArea,
        related_name="mentor_profiles",
        verbose_name=_("areas I can help with"),
        blank=True,
    )
    help_offered = models.TextField(
        _("anything else I can help with"),
        max_length=1000,
        blank=True,
        help_text=_(
            "e.g. finding a first graduate job, insight into your industry, a business plan."
        ),
    )
    formats = ArrayField(
        models.CharField(max_length=12, choices=MeetingFormat),
        verbose_name=_("meeting formats offered"),
        default=list,
        blank=True,
    )
    frequency = models.CharField(
        _("how often I can meet"),
        max_length=12,
        choices=MeetingFrequency,
        default=MeetingFrequency.MONTHLY,
    )
    capacity = models.PositiveSmallIntegerField(
        _("mentees at a time"),
        default=default_capacity,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_("Most mentors take two mentees at a time."),
    )
    # Maintained by the matching services under a lock on this row; never edited by hand.
    mentee_count = models.PositiveSmallIntegerField("current mentees", default=0, editable=False)
    is_active = models.BooleanField(
        "visible to mentees",
        default=True,
        help_text="Switch off while you are away or busy; your current mentorships carry on.",
    )
    review_status = models.CharField(
        max_length=20, choices=ReviewStatus, default=ReviewStatus.DRAFT
    )
    review_note = models.TextField(
        "message from the scheme team", blank=True, help_text="Shown to the mentor."
    )
    # Who last approved the profile or asked for changes (profiles.services).
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField("profile confirmed up to date", null=True, blank=True)
    confirmation_asked_at = models.DateTimeField(
        "last asked to confirm", null=True, blank=True, editable=False
    )
    training_completed_on = models.DateField(null=True, blank=True)
    advice_per_month = models.PositiveSmallIntegerField(
        _("one-off advice conversations a month"),
        default=0,
        db_default=0,
        validators=[MaxValueValidator(20)],
        help_text=_("0 if you do not offer them. They do not take one of your places."),
    )
    # Optional: a square JPEG made by profiles.photos (cropped, resized, metadata stripped),
    # stored through the default storage (local media or S3-compatible; README: "Media files").
    # db_default: rows written without it (the demo's COPY, raw SQL) have no photo, not NULL.
    photo = models.ImageField(
        "photo", upload_to="mentor-photos/", max_length=200, blank=True, db_default=""
    )
    # Away until a date: out of the directory, back by itself on the date (profiles.jobs).
    away_until = models.DateField(_("away until"), null=True, blank=True)
    away_note = models.CharField(
        _("a note for mentees while you are away"), max_length=255, blank=True, db_default=""
    )
    waiting_cap = models.PositiveSmallIntegerField(
        _("requests waiting for my answer at most"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("Empty: your free places plus one."),
    )
    # From the mentor's recent answers, by a nightly set-based job (never per page view).
    reply_hours = models.PositiveIntegerField(
        "usually replies within (hours)", null=True, blank=True, editable=False
    )
    replies_counted = models.PositiveSmallIntegerField(default=0, db_default=0, editable=False)
    # "Never approached" email: when it went (once per listing).
    never_approached_emailed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Kept current by profiles.search (signals and bulk updates): approved, switched on and of an
    # active account, in one column so the directory's indexes need no join.
    is_listed = models.BooleanField(default=False, editable=False)
    search_vector = SearchVectorField(null=True, editable=False)
    area_ids = ArrayField(models.BigIntegerField(), default=list, editable=False)
    # The programmes the mentor is approved in (their memberships), kept like area_ids.
    programme_ids = ArrayField(models.BigIntegerField(), default=list, editable=False)

    objects = MentorProfileQuerySet.as_manager()

    class Meta:
        permissions = [("approve_mentorprofile", "Can approve mentor profiles")]
        indexes = [
            # Whole-table GIN indexes: with partial ones the planner dropped the search index
            # for common words (bench: plans-100000.json), and the rendered directory is cached.
            GinIndex(fields=["search_vector"], name="mentor_search_gin"),
            GinIndex(fields=["area_ids"], name="mentor_area_ids_gin"),
            GinIndex(fields=["programme_ids"], name="mentor_programme_ids_gin"),
            models.Index(
                F("confirmed_at").desc(nulls_last=True),
                F("id").desc(),
                name="mentor_listed_idx",
                condition=Q(is_listed=True),
            ),
            models.Index(
                fields=["industry"], name="mentor_industry_idx", condition=Q(is_listed=True)
            ),
            models.Index(
                fields=["country"], name="mentor_country_idx", condition=Q(is_listed=True)
            ),
            # The admin's list (latest submitted first) and its review queue.
            models.Index(F("submitted_at").desc(), F("id").desc(), name="mentor_submitted_idx"),
            models.Index(
                F("submitted_at").desc(),
                F("id").desc(),
                name="mentor_review_queue_idx",
                condition=Q(review_status="submitted"),
            ),
            # The dashboard's "to review" and "listed" counts of a programme's mentors: merged
            # with the programme's memberships by user, from these small indexes alone instead
            # of a scan of every profile (mentoring.backoffice.dashboard).
            models.Index(
                fields=["user"],
                include=["submitted_at"],
                name="mentor_review_user_idx",
                condition=Q(review_status="submitted"),
            ),
            # "Listed in one of these programmes" (admin.listed_rule) read from the index alone:
            # at 100k mentors a scan of the profiles took 110 ms of the dashboard's 130.
            models.Index(
                fields=["user"],
                include=["programme_ids"],
                name="mentor_listed_programmes_idx",
                condition=Q(is_listed=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__gte=1, capacity__lte=10), name="mentor_capacity_1_to_10"
            ),
            # The last line of defence for "never more mentees than chosen".
            models.CheckConstraint(
                condition=Q(mentee_count__lte=F("capacity")), name="mentor_not_over_capacity"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.job_title})"

    def get_absolute_url(self) -> str:
        # The page is matching's: its job is the Interested box.
        return reverse("matching:mentor-detail", args=[self.pk])

    def clean(self):
        super().clean()
        # One spelling per department: the line-management rule compares them.
        self.department = " ".join(self.department.split())

    @property
    def is_visible_to_mentees(self) -> bool:
        return (
            self.review_status == self.ReviewStatus.APPROVED
            and self.is_active
            and self.user.is_active
        )

    @property
    def review_status_choice(self) -> ReviewStatus:
        """The status as its choice, which knows its label and its tone."""
        return self.ReviewStatus(self.review_status)

    @property
    def is_approved(self) -> bool:
        """Approved by the scheme team (it may still be hidden: see is_visible_to_mentees)."""
        return self.review_status == self.ReviewStatus.APPROVED

    @property
    def has_changes_requested(self) -> bool:
        return self.review_status == self.ReviewStatus.CHANGES_REQUESTED

    @property
    def can_submit(self) -> bool:
        """Whether "Save and submit for review" is offered (services.submit_for_review)."""
        return self.review_status in {self.ReviewStatus.DRAFT, self.ReviewStatus.CHANGES_REQUESTED}

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.mentee_count, 0)

    @property
    def is_full(self) -> bool:
        return self.places_left == 0

    def get_format_labels(self) -> list[str]:
        labels = dict(MeetingFormat.choices)
        return [str(labels[f]) for f in self.formats if f in labels]

    def completeness(self) -> tuple[int, list[str]]:
        """How complete the profile is (percent) and what is missing, for the mentor."""
        checks = [
            (gettext("a headline"), bool(self.headline)),
            (
                gettext("your current role and organisation"),
                bool(self.job_title and self.organisation),
            ),
            (gettext("your industry"), bool(self.industry)),
            (gettext("where you are based"), bool(self.country)),
            (gettext("your key areas of success"), bool(self.key_areas)),
            (gettext("areas you can help with"), bool(self.pk and self.area_ids)),
            (gettext("meeting formats"), bool(self.formats)),
            (gettext("your job history"), bool(self.pk and self.jobs.exists())),
            (gettext("moves between countries or industries"), bool(self.moves_experience)),
            (gettext("anything else you can help with"), bool(self.help_offered)),
        ]
        missing = [label for label, done in checks if not done]
        return round(100 * (len(checks) - len(missing)) / len(checks)), missing


class JobHistoryEntry(models.Model):
    profile = models.ForeignKey(MentorProfile, on_delete=models.CASCADE, related_name="jobs")
    title = models.CharField(_("job title"), max_length=120)
    organisation = models.CharField(max_length=120)
    start_year = models.PositiveSmallIntegerField(
        pgettext_lazy("job history: first year", "from"), validators=[validate_past_year]
    )
    end_year = models.PositiveSmallIntegerField(
        pgettext_lazy("job history: last year", "to"),
        null=True,
        blank=True,
        validators=[validate_past_year],
        help_text=_("Empty if current."),
    )
    description = models.TextField(max_length=1000, blank=True)

    class Meta:
        verbose_name = "job history entry"
        verbose_name_plural = "job history"
        ordering = [F("end_year").desc(nulls_first=True), "-start_year", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__isnull=True) | Q(end_year__gte=F("start_year")),
                name="job_end_not_before_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}, {self.organisation}"

    def clean(self):
        super().clean()
        if self.start_year and self.end_year and self.end_year < self.start_year:
            raise ValidationError({"end_year": _("The end year cannot be before the start year.")})

    @property
    def years(self) -> str:
        return f"{self.start_year}–{self.end_year or gettext('now')}"


class MenteeProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentee_profile"
    )
    role = models.CharField(
        _("course, department or role"),
        max_length=150,
        help_text=_("e.g. “BSc Economics” or “Research administrator, School of Physics”."),
    )
    stage = models.CharField(
        _("stage"),
        max_length=80,
        blank=True,
        help_text=_("e.g. “Second year” or “Three years in role”."),
    )
    goals = models.TextField(
        _("what I hope to achieve"),
        max_length=2000,
        help_text=_("Mentors read this before they reply: be as specific as you can."),
    )
    areas = models.ManyToManyField(
        ExpertiseArea,
        related_name="mentee_profiles",
        verbose_name=_("areas I want help with"),
        blank=True,
    )
    preferred_formats = ArrayField(
        models.CharField(max_length=12, choices=MeetingFormat),
        verbose_name=_("formats I prefer"),
        default=list,
        blank=True,
    )
    introduction = models.TextField(
        _("a short introduction"),
        max_length=1000,
        blank=True,
        help_text=_("A few lines about you, shared with mentors you approach."),
    )
    # Staff programmes that keep mentors outside the mentee's line management read these two.
    department = models.CharField(
        _("your department or service"),
        max_length=120,
        blank=True,
        help_text=_("Staff programmes: mentors in your department are not suggested to you."),
    )
    line_manager_email = models.EmailField(
        _("your line manager's email address"),
        blank=True,
        help_text=_(
            "Staff programmes: your line manager is never suggested as your mentor. "
            "Only the programme's coordinators see it."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user} (mentee)"

    def clean(self):
        super().clean()
        self.department = " ".join(self.department.split())
        self.line_manager_email = self.line_manager_email.strip().lower()

    def get_format_labels(self) -> list[str]:
        labels = dict(MeetingFormat.choices)
        return [str(labels[f]) for f in self.preferred_formats if f in labels]


class Training(models.Model):
    """A piece of training a programme expects of its mentors, mentees or both."""

    class Audience(models.TextChoices):
        MENTORS = "mentors", _("Mentors")
        MENTEES = "mentees", _("Mentees")
        BOTH = "both", _("Mentors and mentees")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="trainings")
    name = models.CharField(max_length=150)
    description = models.TextField(max_length=2000, blank=True)
    url = models.URLField("link", blank=True)
    audience = models.CharField("for", max_length=10, choices=Audience, default=Audience.BOTH)
    required = models.BooleanField(
        default=False, help_text="Required: approval or joining waits for it. Otherwise advised."
    )
    valid_months = models.PositiveSmallIntegerField(
        "valid for (months)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text="Empty: it does not expire.",
    )
    position = models.PositiveSmallIntegerField(default=0, help_text="Order in lists.")

    class Meta:
        ordering = ["programme", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "name"], name="one_training_per_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.programme})"


class TrainingRecord(models.Model):
    """That a person completed a training (on a date; renewed by a later date)."""

    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="records")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_records"
    )
    completed_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The coordinator who recorded it, or empty when the person did.",
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    expiry_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-completed_on"]
        constraints = [
            models.UniqueConstraint(fields=["training", "user"], name="one_record_per_training"),
        ]
        indexes = [
            models.Index(
                fields=["expires_on"],
                name="training_expiry_idx",
                condition=Q(expires_on__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} completed {self.training.name} on {self.completed_on}"


class HandbookPage(models.Model):
    """A page of a programme's handbook, written by its coordinators in Markdown (rendered and
    sanitised when shown), linked from the places where it matters."""

    class Moment(models.TextChoices):
        ANYTIME = "anytime", "Any time (listed in the handbook)"
        REQUEST = "request", "When approaching or answering a request"
        START = "start", "At the start of a pair"
        FIRST_MEETING = "first_meeting", "Before the first meeting"
        ENDING = "ending", "When a pair ends"

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="handbook")
    title = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60)
    body = models.TextField(max_length=20000, help_text="Markdown: headings, lists, links.")
    moment = models.CharField("linked", max_length=20, choices=Moment, default=Moment.ANYTIME)
    position = models.PositiveSmallIntegerField(default=0, help_text="Order in the handbook.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "handbook page"
        ordering = ["programme", "position", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "slug"], name="one_handbook_page_per_slug"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.programme})"


class ShortlistEntry(models.Model):
    """A mentor a mentee saved to look at again. Only the mentee sees it; the mentor is never
    told."""

    mentee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shortlist"
    )
    mentor_profile = models.ForeignKey(MentorProfile, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "shortlist entries"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["mentee", "mentor_profile"], name="shortlist_once"),
        ]

    def __str__(self) -> str:
        return f"{self.mentee} saved {self.mentor_profile}"


class ProfileEdit(models.Model):
    """A change staff made to a mentor's profile while reviewing it: recorded field by field and
    shown to the mentor, so nobody's words are changed in silence."""

    profile = models.ForeignKey(MentorProfile, on_delete=models.CASCADE, related_name="staff_edits")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    # [{"field": "bio", "label": "About you", "before": "...", "after": "..."}, ...]
    changes = models.JSONField(default=list)
    # When the mentor saw it on their profile page (the notice goes once it has been seen).
    seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["profile", "-at"], name="profile_edit_idx")]

    def __str__(self):
        return f"Edit of {self.profile_id} at {self.at:%Y-%m-%d %H:%M}"


class ProgrammeInvitation(models.Model):
    """One person invited to a programme by a coordinator (one by one or from a CSV): the
    email carries a signed link that joins the programme on sign-up or sign-in. One row per
    programme and address, so inviting the same list again changes nothing."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField("email address")
    name = models.CharField("name", max_length=150, blank=True)
    role = models.CharField(max_length=10, choices=Membership.Role)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                "programme", Lower("email"), name="one_invitation_per_programme_and_address"
            )
        ]

    def __str__(self):
        return f"{self.email} to {self.programme}"
