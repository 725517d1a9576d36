"""The queries behind the report: a period's figures in one SELECT, its months in another.

Every figure is a database aggregate, never a loop over rows, whatever the size of the scheme.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    Count,
    DurationField,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone

from matching import selectors as matching_selectors
from matching.models import Mentorship, MentorshipRequest
from mentoring.models import SchemeSettings
from profiles.models import MenteeProfile, MentorProfile
from sessions_log import selectors as sessions_selectors
from sessions_log.models import CheckIn, Meeting, Objective


@dataclass(frozen=True)
class Period:
    """Whole days in the scheme's time zone, both ends included."""

    start: date
    end: date
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo(settings.TIME_ZONE))

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=self.zone)

    @property
    def until(self) -> datetime:
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=self.zone)

    def within(self, name: str) -> Q:
        return Q(**{f"{name}__gte": self.since, f"{name}__lt": self.until})


@dataclass(frozen=True)
class Figures:
    """The exact numbers of a period, by table (each a dict of aggregate name to value)."""

    mentors: dict[str, Any]
    mentees: dict[str, Any]
    requests: dict[str, Any]
    pairs: dict[str, Any]
    meetings: dict[str, Any]
    objectives: dict[str, Any]
    check_ins: dict[str, Any]
    unmatched_weeks: int


class Median(Aggregate):
    """Postgres's percentile_cont(0.5): the median of an interval (or a number)."""

    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)%(filter)s"
    output_field = DurationField()


def period_figures(period: Period, now: datetime) -> Figures:
    """Every figure of the report but the months, in a single query."""
    since, until, within = period.since, period.until, period.within
    start, end = period.start, period.end
    waiting = matching_selectors.waiting_request(now)
    unmatched_weeks = SchemeSettings.load().unmatched_alert_weeks
    unmatched = matching_selectors.unmatched_mentee(now, unmatched_weeks)
    quiet = sessions_selectors.quiet_pair(now)
    worrying = sessions_selectors.worrying_check_in(since=now - sessions_selectors.RECENT_CHECK_INS)

    together = Together()
    mentors = together.aggregate(
        MentorProfile.objects.all(),
        submitted=Count("pk", filter=within("submitted_at")),
        approved=Count("pk", filter=within("approved_at")),
        listed=Count("pk", filter=Q(is_listed=True)),
        full=Count("pk", filter=Q(is_listed=True, mentee_count__gte=F("capacity"))),
    )
    mentees = together.aggregate(
        MenteeProfile.objects.all(),
        joined=Count("pk", filter=within("created_at")),
        without_mentor=Count("pk", filter=~matching_selectors.with_mentor()),
        unmatched=Count("pk", filter=unmatched),
    )

    sent = within("created_at")
    requests = together.aggregate(
        MentorshipRequest.objects.filter(sent | waiting),
        sent=Count("pk", filter=sent),
        **{
            status: Count("pk", filter=sent & Q(status=status))
            for status in MentorshipRequest.Status.values
        },
        responded=Count("pk", filter=sent & Q(responded_at__isnull=False)),
        median_response=Median(
            F("responded_at") - F("created_at"), filter=sent & Q(responded_at__isnull=False)
        ),
        waiting=Count("pk", filter=waiting),
    )

    overlaps = Q(started_at__lt=until) & (Q(ended_at__isnull=True) | Q(ended_at__gte=since))
    started, ended = within("started_at"), within("ended_at")
    reasons = Mentorship.EndReason
    pairs = together.aggregate(
        Mentorship.objects.filter(overlaps | quiet),
        started=Count("pk", filter=started),
        central=Count("pk", filter=started & Q(created_by__isnull=False)),
        active_at_end=Count(
            "pk",
            filter=Q(started_at__lt=until) & (Q(ended_at__isnull=True) | Q(ended_at__gte=until)),
        ),
        ended=Count("pk", filter=ended),
        **{
            f"ended_{reason}": Count("pk", filter=ended & Q(end_reason=reason))
            for reason in reasons.values
        },
        feedback=Avg("feedback_rating", filter=ended),
        feedback_n=Count("feedback_rating", filter=ended),
        mentors=Count("mentor", distinct=True, filter=overlaps),
        mentees=Count("mentee", distinct=True, filter=overlaps),
        quiet=Count("pk", filter=quiet),
    )

    held = within("starts_at") & Q(status=Meeting.Status.HELD)
    meetings = together.aggregate(
        Meeting.objects.filter(within("starts_at")),
        held=Count("pk", filter=held),
        minutes=Sum("duration_minutes", filter=held),
        pairs=Count("mentorship", distinct=True, filter=held),
        cancelled=Count("pk", filter=Q(status=Meeting.Status.CANCELLED)),
    )

    achieved = Q(achieved_on__gte=start, achieved_on__lte=end)
    objectives = together.aggregate(
        Objective.objects.filter(within("created_at") | achieved),
        set=Count("pk", filter=within("created_at")),
        achieved=Count("pk", filter=achieved),
    )

    asked = within("sent_at")
    answered = asked & Q(answered_at__isnull=False)
    check_ins = together.aggregate(
        CheckIn.objects.filter(asked | worrying),
        sent=Count("pk", filter=asked),
        answered=Count("pk", filter=answered),
        avg_rating=Avg("rating", filter=answered),
        contact=Count("pk", filter=answered & Q(wants_contact=True)),
        **{f"rated_{n}": Count("pk", filter=answered & Q(rating=n)) for n in range(1, 6)},
        worrying=Count("pk", filter=worrying),
    )

    together.run()
    return Figures(
        mentors=mentors,
        mentees=mentees,
        requests=requests,
        pairs=pairs,
        meetings=meetings,
        objectives=objectives,
        check_ins=check_ins,
        unmatched_weeks=unmatched_weeks,
    )


class Together:
    """Several `qs.aggregate(...)` answered by a single SELECT.

    An aggregate without GROUP BY always gives exactly one row (zeros and NULLs when no row
    matches), so the parts can sit side by side in one FROM clause: one round trip to the
    database, however many tables the report reads. `aggregate()` returns the dict that `run()`
    fills in.
    """

    def __init__(self):
        self._parts: list[tuple[QuerySet, dict[str, Aggregate], dict]] = []

    def aggregate(self, qs: QuerySet, **aggregates: Aggregate) -> dict:
        result: dict = {}
        self._parts.append((qs, aggregates, result))
        return result

    def run(self) -> None:
        sqls, params = [], []
        for index, (qs, aggregates, _) in enumerate(self._parts):
            one_row = qs.order_by().values(_all=Value(1)).annotate(**aggregates).values(*aggregates)
            sql, part_params = one_row.query.sql_with_params()
            sqls.append(f"({sql}) AS part{index}")
            params.extend(part_params)
        columns = ", ".join(f"part{index}.*" for index in range(len(sqls)))
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {columns} FROM {' CROSS JOIN '.join(sqls)}", params)
            columns = zip((c.name for c in cursor.description), cursor.fetchone(), strict=True)
        for _, aggregates, result in self._parts:
            for key in aggregates:
                name, value = next(columns)
                assert name == key, f"column {name} read as {key}"
                result[key] = float(value) if isinstance(value, Decimal) else value


def monthly_sources() -> list[tuple[str, QuerySet, str]]:
    """The series counted by month: a key, the rows, the date that places a row in a month."""
    return [
        ("requests", MentorshipRequest.objects.all(), "created_at"),
        ("mentorships", Mentorship.objects.all(), "started_at"),
        ("meetings", Meeting.objects.held(), "starts_at"),
    ]


def monthly_counts(period: Period) -> dict[tuple[str, date], int]:
    """Counts by (series key, first day of the month), in one query (a UNION ALL of GROUP BYs).
    Months without a row are absent."""
    parts = [
        qs.filter(period.within(name))
        .annotate(month=TruncMonth(name, tzinfo=period.zone))
        .values("month")
        .annotate(n=Count("pk"), series=Value(key))
        .values_list("series", "month", "n")
        for key, qs, name in monthly_sources()
    ]
    found: dict[tuple[str, date], int] = {}
    for key, month, n in parts[0].union(*parts[1:], all=True).order_by("series", "month"):
        found[key, timezone.localtime(month, period.zone).date()] = n
    return found
