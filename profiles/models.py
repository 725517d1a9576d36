from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django_countries.fields import CountryField

from mentoring.models import SchemeSettings

MIN_YEAR = 1940


def _current_year() -> int:
    return timezone.now().year


def default_capacity() -> int:
    return SchemeSettings.load().default_capacity


def validate_past_year(value: int) -> None:
    if value < MIN_YEAR or value > _current_year():
        raise ValidationError(f"Enter a year between {MIN_YEAR} and {_current_year()}.")


def validate_graduation_year(value: int) -> None:
    # Current students in alumni schemes may give the year they expect to graduate.
    if value < MIN_YEAR or value > _current_year() + 6:
        raise ValidationError(f"Enter a year between {MIN_YEAR} and {_current_year() + 6}.")


class MeetingFormat(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    VIDEO = "video", "Video call"
    PHONE = "phone", "Phone"
    EMAIL = "email", "Email"


class MeetingFrequency(models.TextChoices):
    ONE_OFF = "one_off", "A single conversation (advice point)"
    FORTNIGHTLY = "fortnightly", "Every two weeks"
    MONTHLY = "monthly", "About once a month"
    BIMONTHLY = "bimonthly", "Every two months"
    FLEXIBLE = "flexible", "Flexible, agreed together"


class Industry(models.TextChoices):
    HIGHER_EDUCATION = "higher_education", "Higher education and research"
    EDUCATION = "education", "Schools and education"
    PUBLIC_SECTOR = "public_sector", "Government and public sector"
    HEALTHCARE = "healthcare", "Healthcare and life sciences"
    CHARITY = "charity", "Charities and social enterprise"
    FINANCE = "finance", "Banking and finance"
    ACCOUNTING = "accounting", "Accounting and professional services"
    CONSULTING = "consulting", "Consulting"
    LAW = "law", "Law"
    TECHNOLOGY = "technology", "Technology and software"
    ENGINEERING = "engineering", "Engineering and manufacturing"
    ENERGY = "energy", "Energy and environment"
    MEDIA = "media", "Media, arts and publishing"
    MARKETING = "marketing", "Marketing, advertising and PR"
    RETAIL = "retail", "Retail and consumer goods"
    HOSPITALITY = "hospitality", "Hospitality, travel and tourism"
    PROPERTY = "property", "Property and construction"
    TRANSPORT = "transport", "Transport and logistics"
    OTHER = "other", "Other"


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


class MentorProfileQuerySet(models.QuerySet):
    def listed(self):
        """Profiles mentees may see: approved, switched on, and of an active account."""
        return self.filter(is_listed=True)

    def with_free_place(self):
        return self.filter(mentee_count__lt=F("capacity"))


class MentorProfile(models.Model):
    class ReviewStatus(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Waiting for review"
        APPROVED = "approved", "Approved"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"

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
        help_text="One line mentees read first, e.g. “Finance director who moved from "
        "engineering; happy to talk career changes”.",
    )
    job_title = models.CharField("current job title", max_length=120)
    organisation = models.CharField(max_length=120)
    industry = models.CharField("industry or sector", max_length=30, choices=Industry)
    department = models.CharField(
        max_length=120, blank=True, help_text="For staff schemes: your department or service."
    )
    city = models.CharField(max_length=80, blank=True)
    country = CountryField(blank=True)
    languages = models.CharField(
        "languages you can mentor in", max_length=200, blank=True, help_text="e.g. English, Spanish"
    )
    course = models.CharField(
        "course studied", max_length=150, blank=True, help_text="For alumni schemes."
    )
    graduation_year = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[validate_graduation_year]
    )
    key_areas = models.TextField(
        "key areas of success and responsibility",
        max_length=2000,
        help_text="What you are responsible for and what you are proud of.",
    )
    moves_experience = models.TextField(
        "experience of moving country or industry",
        max_length=2000,
        blank=True,
        help_text="Mentees value hearing how you made a move like the one they are planning.",
    )
    areas = models.ManyToManyField(
        ExpertiseArea,
        related_name="mentor_profiles",
        verbose_name="areas I can help with",
        blank=True,
    )
    help_offered = models.TextField(
        "anything else I can help with",
        max_length=1000,
        blank=True,
        help_text="e.g. finding a first graduate job, insight into your industry, a business plan.",
    )
    formats = ArrayField(
        models.CharField(max_length=12, choices=MeetingFormat),
        verbose_name="meeting formats offered",
        default=list,
        blank=True,
    )
    frequency = models.CharField(
        "how often I can meet",
        max_length=12,
        choices=MeetingFrequency,
        default=MeetingFrequency.MONTHLY,
    )
    capacity = models.PositiveSmallIntegerField(
        "mentees at a time",
        default=default_capacity,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text="Most mentors take two mentees at a time.",
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
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Kept current by profiles.search (signals and bulk updates): approved, switched on and of an
    # active account, in one column so the directory's indexes need no join.
    is_listed = models.BooleanField(default=False, editable=False)
    search_vector = SearchVectorField(null=True, editable=False)
    area_ids = ArrayField(models.BigIntegerField(), default=list, editable=False)

    objects = MentorProfileQuerySet.as_manager()

    class Meta:
        permissions = [("approve_mentorprofile", "Can approve mentor profiles")]
        indexes = [
            # Whole-table GIN indexes: with partial ones the planner dropped the search index
            # for common words (bench: plans-100000.json), and the rendered directory is cached.
            GinIndex(fields=["search_vector"], name="mentor_search_gin"),
            GinIndex(fields=["area_ids"], name="mentor_area_ids_gin"),
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
        return [labels[f] for f in self.formats if f in labels]

    def completeness(self) -> tuple[int, list[str]]:
        """How complete the profile is (percent) and what is missing, for the mentor."""
        checks = [
            ("a headline", bool(self.headline)),
            ("your current role and organisation", bool(self.job_title and self.organisation)),
            ("your industry", bool(self.industry)),
            ("where you are based", bool(self.country)),
            ("your key areas of success", bool(self.key_areas)),
            ("areas you can help with", bool(self.pk and self.area_ids)),
            ("meeting formats", bool(self.formats)),
            ("your job history", bool(self.pk and self.jobs.exists())),
            ("moves between countries or industries", bool(self.moves_experience)),
            ("anything else you can help with", bool(self.help_offered)),
        ]
        missing = [label for label, done in checks if not done]
        return round(100 * (len(checks) - len(missing)) / len(checks)), missing


class JobHistoryEntry(models.Model):
    profile = models.ForeignKey(MentorProfile, on_delete=models.CASCADE, related_name="jobs")
    title = models.CharField("job title", max_length=120)
    organisation = models.CharField(max_length=120)
    start_year = models.PositiveSmallIntegerField("from", validators=[validate_past_year])
    end_year = models.PositiveSmallIntegerField(
        "to", null=True, blank=True, validators=[validate_past_year], help_text="Empty if current."
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
            raise ValidationError({"end_year": "The end year cannot be before the start year."})

    @property
    def years(self) -> str:
        return f"{self.start_year}–{self.end_year or 'now'}"


class MenteeProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentee_profile"
    )
    role = models.CharField(
        "course, department or role",
        max_length=150,
        help_text="e.g. “BSc Economics” or “Research administrator, School of Physics”.",
    )
    stage = models.CharField(
        "stage",
        max_length=80,
        blank=True,
        help_text="e.g. “Second year” or “Three years in role”.",
    )
    goals = models.TextField(
        "what I hope to achieve",
        max_length=2000,
        help_text="Mentors read this before they reply: be as specific as you can.",
    )
    areas = models.ManyToManyField(
        ExpertiseArea,
        related_name="mentee_profiles",
        verbose_name="areas I want help with",
        blank=True,
    )
    preferred_formats = ArrayField(
        models.CharField(max_length=12, choices=MeetingFormat),
        verbose_name="formats I prefer",
        default=list,
        blank=True,
    )
    introduction = models.TextField(
        "a short introduction",
        max_length=1000,
        blank=True,
        help_text="A few lines about you, shared with mentors you approach.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user} (mentee)"

    def get_format_labels(self) -> list[str]:
        labels = dict(MeetingFormat.choices)
        return [labels[f] for f in self.preferred_formats if f in labels]
