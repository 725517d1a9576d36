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
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone

from matching import selectors as matching_selectors
from matching.models import Engagement, Mentorship, MentorshipRequest
from profiles.models import Membership, MenteeProfile, MentorProfile, Programme
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
    unmatched_weeks: str  # "4 weeks", or the range of the programmes' own weeks
    # One-off advice conversations and informal pairs, counted apart from the long-term pairs.
    engagements: dict[str, Any] = field(default_factory=dict)


class Median(Aggregate):
    """Postgres's percentile_cont(0.5): the median of an interval (or a number)."""

    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)%(filter)s"
    output_field = DurationField()


@dataclass(frozen=True)
class Scope:
    """The programmes a report covers: `ids`, or every programme when None (a superuser's
    "all programmes"). A coordinator's "all my programmes" is the list of theirs."""

    ids: list[int] | None = None

    def rows(self, qs: QuerySet, lookup: str) -> QuerySet:
        """`qs` (requests, pairs, meetings…) narrowed to the programmes by `lookup`."""
        if self.ids is None:
            return qs
        if not self.ids:
            # Nothing; an empty IN cannot be written into the combined query (Together).
            return qs.filter(pk__isnull=True)
        return qs.filter(**{f"{lookup}__in": self.ids})

    def people(self, qs: QuerySet, role: str) -> QuerySet:
        """Profiles of people taking part (or waiting for approval) in the programmes in
        `role`: one EXISTS on the memberships, so nobody counts twice."""
        if self.ids is None:
            return qs
        if not self.ids:
            return qs.filter(pk__isnull=True)
        memberships = Membership.objects.current().filter(
            user=OuterRef("user"), role=role, programme__in=self.ids
        )
        return qs.filter(Exists(memberships))


EVERYWHERE = Scope()


def period_figures(period: Period, now: datetime, scope: Scope = EVERYWHERE) -> Figures:
    """Every figure of the report but the months, in a single query."""
    since, until, within = period.since, period.until, period.within
    start, end = period.start, period.end
    waiting = matching_selectors.waiting_request(now)
    # Each programme's own weeks; a mentee's pairs count only in the programmes reported on.
    unmatched = matching_selectors.unmatched_mentee(now, scope.ids)
    quiet = sessions_selectors.quiet_pair(now)
    worrying = sessions_selectors.worrying_check_in(since=now - sessions_selectors.RECENT_CHECK_INS)

    together = Together()
    mentors = together.aggregate(
        scope.people(MentorProfile.objects.all(), Membership.Role.MENTOR),
        submitted=Count("pk", filter=within("submitted_at")),
        approved=Count("pk", filter=within("approved_at")),
        listed=Count("pk", filter=Q(is_listed=True)),
        full=Count("pk", filter=Q(is_listed=True, mentee_count__gte=F("capacity"))),
    )
    mentees = together.aggregate(
        scope.people(MenteeProfile.objects.all(), Membership.Role.MENTEE),
        joined=Count("pk", filter=within("created_at")),
        without_mentor=Count("pk", filter=~matching_selectors.with_mentor(scope.ids)),
        unmatched=Count("pk", filter=unmatched),
    )

    alert_weeks = together.aggregate(
        scope.rows(Programme.objects.all(), "pk"),
        low=Min("unmatched_alert_weeks"),
        high=Max("unmatched_alert_weeks"),
    )

    sent = within("created_at")
    # Requests for long-term mentoring; advice requests and informal records count apart
    # (`engagements` below).
    long_term = Q(engagement=Engagement.LONG_TERM)
    requests = together.aggregate(
        scope.rows(MentorshipRequest.objects.filter(long_term).filter(sent | waiting), "programme"),
        sent=Count("pk", filter=sent),
        **{
            status: Count("pk", filter=sent & Q(status=status))
            for status in MentorshipRequest.Status.values
        },
        # Closed by the scheme, by reason: a mentee matched elsewhere is not a withdrawal.
        **{
            f"closed_{reason}": Count(
                "pk", filter=sent & Q(status=MentorshipRequest.Status.CLOSED, close_reason=reason)
            )
            for reason in MentorshipRequest.CloseReason.values
        },
        responded=Count("pk", filter=sent & Q(responded_at__isnull=False)),
        median_response=Median(
            F("responded_at") - F("created_at"), filter=sent & Q(responded_at__isnull=False)
        ),
        waiting=Count("pk", filter=waiting),
    )

    overlaps = Q(started_at__lt=until) & (Q(ended_at__isnull=True) | Q(ended_at__gte=since))
    started, finished = within("started_at"), within("ended_at")
    reasons = Mentorship.EndReason
    # A pair that completed (its round's term ended) is counted apart from those that ended.
    completed = finished & Q(status=Mentorship.Status.COMPLETED)
    ended = finished & ~Q(status=Mentorship.Status.COMPLETED)
    pairs = together.aggregate(
        scope.rows(Mentorship.objects.filter(long_term).filter(overlaps | quiet), "programme"),
        started=Count("pk", filter=started),
        central=Count("pk", filter=started & Q(created_by__isnull=False)),
        active_at_end=Count(
            "pk",
            filter=Q(started_at__lt=until) & (Q(ended_at__isnull=True) | Q(ended_at__gte=until)),
        ),
        ended=Count("pk", filter=ended),
        completed=Count("pk", filter=completed),
        **{
            f"ended_{reason}": Count("pk", filter=ended & Q(end_reason=reason))
            for reason in reasons.values
        },
        feedback=Avg("feedback_rating", filter=finished),
        feedback_n=Count("feedback_rating", filter=finished),
        mentors=Count("mentor", distinct=True, filter=overlaps),
        mentees=Count("mentee", distinct=True, filter=overlaps),
        quiet=Count("pk", filter=quiet),
    )

    advice, informal = Q(engagement=Engagement.ADVICE), Q(engagement=Engagement.INFORMAL)
    active_at_end = Q(started_at__lt=until) & (Q(ended_at__isnull=True) | Q(ended_at__gte=until))
    engagements = together.aggregate(
        scope.rows(Mentorship.objects.filter(advice | informal).filter(overlaps), "programme"),
        advice_started=Count("pk", filter=advice & started),
        advice_completed=Count("pk", filter=advice & completed),
        advice_ended=Count("pk", filter=advice & ended),
        advice_mentors=Count("mentor", distinct=True, filter=advice),
        informal_started=Count("pk", filter=informal & started),
        informal_active_at_end=Count("pk", filter=informal & active_at_end),
        informal_scheme_emails=Count("pk", filter=informal & active_at_end & Q(scheme_emails=True)),
    )
    advice_requests = together.aggregate(
        scope.rows(MentorshipRequest.objects.filter(advice & sent), "programme"),
        asked=Count("pk"),
        accepted=Count("pk", filter=Q(status=MentorshipRequest.Status.ACCEPTED)),
        declined=Count("pk", filter=Q(status=MentorshipRequest.Status.DECLINED)),
    )
    feedback = together.aggregate(
        scope.rows(
            CheckIn.objects.filter(
                kind=CheckIn.Kind.ADVICE_FEEDBACK, answered_at__isnull=False
            ).filter(within("answered_at")),
            "mentorship__programme",
        ),
        useful=Avg("rating"),
        useful_n=Count("pk"),
    )

    held = within("starts_at") & Q(status=Meeting.Status.HELD)
    meetings = together.aggregate(
        scope.rows(Meeting.objects.filter(within("starts_at")), "mentorship__programme"),
        held=Count("pk", filter=held),
        minutes=Sum("duration_minutes", filter=held),
        pairs=Count("mentorship", distinct=True, filter=held),
        cancelled=Count("pk", filter=Q(status=Meeting.Status.CANCELLED)),
    )

    achieved = Q(achieved_on__gte=start, achieved_on__lte=end)
    objectives = together.aggregate(
        scope.rows(
            Objective.objects.filter(within("created_at") | achieved), "mentorship__programme"
        ),
        set=Count("pk", filter=within("created_at")),
        achieved=Count("pk", filter=achieved),
    )

    asked = within("sent_at")
    answered = asked & Q(answered_at__isnull=False)
    check_ins = together.aggregate(
        scope.rows(
            CheckIn.objects.exclude(kind=CheckIn.Kind.ADVICE_FEEDBACK).filter(asked | worrying),
            "mentorship__programme",
        ),
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
        engagements={
            **engagements,
            **{f"advice_{k}": v for k, v in advice_requests.items()},
            **{f"advice_{k}": v for k, v in feedback.items()},
        },
        unmatched_weeks=matching_selectors.alert_weeks_label(
            alert_weeks["low"], alert_weeks["high"]
        ),
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


def monthly_sources(scope: Scope = EVERYWHERE) -> list[tuple[str, QuerySet, str]]:
    """The series counted by month: a key, the rows, the date that places a row in a month."""
    return [
        (
            "requests",
            scope.rows(
                MentorshipRequest.objects.filter(engagement=Engagement.LONG_TERM), "programme"
            ),
            "created_at",
        ),
        (
            "mentorships",
            scope.rows(Mentorship.objects.filter(engagement=Engagement.LONG_TERM), "programme"),
            "started_at",
        ),
        ("meetings", scope.rows(Meeting.objects.held(), "mentorship__programme"), "starts_at"),
    ]


def monthly_counts(period: Period, scope: Scope = EVERYWHERE) -> dict[tuple[str, date], int]:
    """Counts by (series key, first day of the month), in one query (a UNION ALL of GROUP BYs).
    Months without a row are absent."""
    parts = [
        qs.filter(period.within(name))
        .annotate(month=TruncMonth(name, tzinfo=period.zone))
        .values("month")
        .annotate(n=Count("pk"), series=Value(key))
        .values_list("series", "month", "n")
        for key, qs, name in monthly_sources(scope)
    ]
    found: dict[tuple[str, date], int] = {}
    for key, month, n in parts[0].union(*parts[1:], all=True).order_by("series", "month"):
        found[key, timezone.localtime(month, period.zone).date()] = n
    return found
