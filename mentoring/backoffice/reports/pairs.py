"""The per-pair export for funders: one row a pair, with numbers and dates only.

Pairs of the programmes in scope that were under way at any time in the period, long-term,
advice and informal alike (the "Engagement" column tells them apart). Meetings held, hours met
and objectives set and achieved are each pair's totals up to the end of the period. No names,
email addresses or anything the pair wrote: a pair is its id, as in the admin. Read in one
query (correlated subqueries, not a query a row), whatever the number of pairs.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from django.db.models import (
    Aggregate,
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from matching.models import Mentorship
from mentoring.backoffice.reports.query import Period, Scope
from sessions_log.models import Meeting, Objective

HEADER = [
    "Pair",
    "Programme",
    "Engagement",
    "Started",
    "Ended",
    "Status",
    "Meetings held",
    "Hours met",
    "Objectives set",
    "Objectives achieved",
]


def _total(qs: QuerySet, aggregate: Aggregate) -> Coalesce:
    """One number of the pair's rows in `qs` (0 when there are none), as a subquery."""
    one = qs.filter(mentorship=OuterRef("pk")).order_by().values("mentorship")
    return Coalesce(
        Subquery(one.annotate(n=aggregate).values("n"), output_field=IntegerField()), Value(0)
    )


def pairs(period: Period, scope: Scope) -> QuerySet:
    """The pairs of the export, each with its totals annotated."""
    overlaps = Q(started_at__lt=period.until) & (
        Q(ended_at__isnull=True) | Q(ended_at__gte=period.since)
    )
    held = Meeting.objects.held().filter(starts_at__lt=period.until)
    objectives = Objective.objects.filter(created_at__lt=period.until)
    return (
        scope.rows(Mentorship.objects.filter(overlaps), "programme")
        .select_related("programme")
        .only("pk", "programme__name", "engagement", "started_at", "ended_at", "status")
        .annotate(
            meetings_held=_total(held, Count("pk")),
            minutes_met=_total(held, Sum("duration_minutes")),
            objectives_set=_total(objectives, Count("pk")),
            objectives_achieved=_total(objectives.filter(achieved_on__lte=period.end), Count("pk")),
        )
        .order_by("started_at", "pk")
    )


def _day(moment: datetime | None) -> str:
    return timezone.localtime(moment).date().isoformat() if moment else ""


def pair_rows(period: Period, scope: Scope) -> Iterator[list]:
    """The CSV's rows, the header first; numbers are numbers, dates are YYYY-MM-DD."""
    yield HEADER
    for pair in pairs(period, scope).iterator(chunk_size=500):
        yield [
            pair.pk,
            pair.programme.name,
            pair.get_engagement_display(),
            _day(pair.started_at),
            _day(pair.ended_at),
            pair.get_status_display(),
            pair.meetings_held,
            round(pair.minutes_met / 60, 1),
            pair.objectives_set,
            pair.objectives_achieved,
        ]
