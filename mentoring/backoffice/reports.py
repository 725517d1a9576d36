"""The scheme's report for a date range, for the scheme team's yearly evaluation.

Every figure is a database aggregate, never a loop over rows: two queries in all (the figures,
then the months), whatever the size of the scheme.

Small numbers. A count from 1 to 4 is shown as "<5", on the page and in the CSV, so that no one
can be picked out of a figure ("the one mentee who ended early"). 0 is shown as 0: it describes
nobody. Rates, averages, medians and hours are computed from the exact numbers, but shown as
"–" when fewer than 5 people or things are behind them. This is primary suppression only: a
total minus the other cells of its breakdown can still narrow a "<5" down, so figures meant for
publication deserve a second look.

Dates are whole days in the scheme's time zone (settings.TIME_ZONE), both ends included.
"Now" figures (visible mentors, full mentors, mentees without a mentor, needs attention) describe
today, whatever the range.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
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

SMALL = 5
HIDDEN = "–"


class Median(Aggregate):
    """Postgres's percentile_cont(0.5): the median of an interval (or a number)."""

    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)%(filter)s"
    output_field = DurationField()


def suppress(n: int) -> str:
    """A count as it may be shown: "<5" from 1 to 4, the number otherwise."""
    if 0 < n < SMALL:
        return f"<{SMALL}"
    return f"{n:,}"


def _plain(n: int) -> str:
    return suppress(n).replace(",", "")


@dataclass(frozen=True)
class Figure:
    label: str
    shown: str  # as on the page
    csv_value: str  # as in the CSV (no thousands separators, durations in hours)
    csv_label: str = ""
    note: str = ""


def count(label: str, n: int, note: str = "") -> Figure:
    return Figure(label, suppress(n), _plain(n), note=note)


def rate(label: str, part: int, whole: int, note: str = "") -> Figure:
    shown = f"{round(100 * part / whole)}%" if whole >= SMALL else HIDDEN
    return Figure(label, shown, shown, note=note)


def average(label: str, value: float | None, n: int, note: str = "") -> Figure:
    shown = f"{value:.1f}" if value is not None and n >= SMALL else HIDDEN
    return Figure(label, f"{shown} of 5" if shown != HIDDEN else shown, shown, note=note)


def hours(label: str, minutes: int | None, n: int, note: str = "") -> Figure:
    shown = f"{(minutes or 0) / 60:,.1f}" if n >= SMALL else HIDDEN
    return Figure(label, shown, shown.replace(",", ""), note=note)


def duration(label: str, value: timedelta | None, n: int, note: str = "") -> Figure:
    if value is None or n < SMALL:
        return Figure(label, HIDDEN, HIDDEN, csv_label=f"{label} (hours)", note=note)
    in_hours = value.total_seconds() / 3600
    return Figure(
        label, _friendly(value), f"{in_hours:.1f}", csv_label=f"{label} (hours)", note=note
    )


def _friendly(value: timedelta) -> str:
    in_hours = value.total_seconds() / 3600
    if in_hours < 1:
        return "under an hour"
    if in_hours < 48:
        whole = round(in_hours)
        return f"{whole} hour{'s' if whole != 1 else ''}"
    return f"{in_hours / 24:.1f} days"


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    figures: list[Figure]


@dataclass(frozen=True)
class Point:
    label: str
    value: int  # exact, for drawing only: show `shown`
    shown: str


@dataclass(frozen=True)
class Series:
    key: str
    title: str
    points: list[Point]


@dataclass(frozen=True)
class Attention:
    key: str
    label: str
    count: int  # exact: the card links to the rows, which name the people anyway
    changelist: str  # admin URL name
    value: str  # of ?attention=


@dataclass
class Report:
    start: date
    end: date
    sections: list[Section]
    months: list[date]
    trends: list[Series]  # one point per month
    end_reasons: Series
    ratings: Series
    attention: list[Attention] = field(default_factory=list)

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)

    def figure(self, label: str) -> Figure:
        return next(f for s in self.sections for f in s.figures if f.label == label)

    def month_rows(self) -> list[tuple[str, list[str]]]:
        """The trends as a table: a month, then each series' count as shown."""
        return [
            (month.strftime("%b %Y"), [series.points[i].shown for series in self.trends])
            for i, month in enumerate(self.months)
        ]

    def csv_rows(self) -> Iterator[list[str]]:
        yield ["Section", "Figure", "Value"]
        yield ["Period", "From", self.start.isoformat()]
        yield ["Period", "To", self.end.isoformat()]
        for section in self.sections:
            for f in section.figures:
                yield [section.title, f.csv_label or f.label, f.csv_value]
        for series in self.trends:
            for month, point in zip(self.months, series.points, strict=True):
                yield [f"{series.title} by month", month.strftime("%Y-%m"), _plain(point.value)]
        for series in (self.end_reasons, self.ratings):
            for point in series.points:
                yield [series.title, point.label, _plain(point.value)]


def build_report(start: date, end: date, *, now: datetime | None = None) -> Report:
    now = now or timezone.now()
    zone = ZoneInfo(settings.TIME_ZONE)
    since = datetime.combine(start, time.min, tzinfo=zone)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)

    def within(name: str) -> Q:
        return Q(**{f"{name}__gte": since, f"{name}__lt": until})

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

    months = _months(start, end)
    trends = _monthly(
        months,
        since,
        until,
        zone,
        [
            ("requests", "Requests sent", MentorshipRequest.objects.all(), "created_at"),
            ("mentorships", "Mentorships started", Mentorship.objects.all(), "started_at"),
            ("meetings", "Meetings held", Meeting.objects.held(), "starts_at"),
        ],
    )

    Status = MentorshipRequest.Status
    answered_requests = requests[Status.ACCEPTED] + requests[Status.DECLINED]
    sections = [
        Section(
            "mentors",
            "Mentors",
            [
                count("Profiles submitted for review", mentors["submitted"]),
                count("Profiles approved", mentors["approved"]),
                count("Mentors with a mentee in the period", pairs["mentors"]),
                count("Visible to mentees now", mentors["listed"]),
                count(
                    "Full now",
                    mentors["full"],
                    note="Visible mentors with every place taken.",
                ),
            ],
        ),
        Section(
            "mentees",
            "Mentees",
            [
                count("New mentee profiles", mentees["joined"]),
                count("Mentees with a mentor in the period", pairs["mentees"]),
                count("Without a mentor now", mentees["without_mentor"]),
            ],
        ),
        Section(
            "requests",
            "Requests",
            [
                count("Requests sent", requests["sent"]),
                count("Accepted", requests[Status.ACCEPTED]),
                count("Declined", requests[Status.DECLINED]),
                count("Withdrawn by the mentee", requests[Status.WITHDRAWN]),
                count("Expired unanswered", requests[Status.EXPIRED]),
                count("Still waiting", requests[Status.PENDING]),
                rate(
                    "Acceptance rate",
                    requests[Status.ACCEPTED],
                    answered_requests + requests[Status.EXPIRED],
                    note="Accepted, of those accepted, declined or expired.",
                ),
                duration(
                    "Median time to a response",
                    requests["median_response"],
                    requests["responded"],
                    note="From sending to the mentor's accept or decline.",
                ),
            ],
        ),
        Section(
            "mentorships",
            "Mentorships",
            [
                count("Started", pairs["started"]),
                count("Matched centrally", pairs["central"]),
                count("Active at the end of the period", pairs["active_at_end"]),
                count("Ended", pairs["ended"]),
                *[
                    count(f"Ended: {label}", pairs[f"ended_{reason}"])
                    for reason, label in reasons.choices
                ],
                average(
                    "Rating at the end",
                    pairs["feedback"],
                    pairs["feedback_n"],
                    note="From the feedback given when a mentorship ends.",
                ),
            ],
        ),
        Section(
            "meetings",
            "Meetings",
            [
                count("Meetings held", meetings["held"]),
                hours("Hours of mentoring", meetings["minutes"], meetings["held"]),
                count("Pairs who met", meetings["pairs"]),
                count("Meetings cancelled", meetings["cancelled"]),
            ],
        ),
        Section(
            "objectives",
            "Objectives",
            [
                count("Objectives set", objectives["set"]),
                count("Objectives achieved", objectives["achieved"]),
            ],
        ),
        Section(
            "check_ins",
            "Check-ins",
            [
                count("Check-ins sent", check_ins["sent"]),
                count("Answered", check_ins["answered"]),
                rate("Response rate", check_ins["answered"], check_ins["sent"]),
                average("Average rating", check_ins["avg_rating"], check_ins["answered"]),
                count("Asked the scheme team to get in touch", check_ins["contact"]),
            ],
        ),
    ]
    return Report(
        start=start,
        end=end,
        sections=sections,
        months=months,
        trends=trends,
        end_reasons=Series(
            "end_reasons",
            "Why mentorships ended",
            [_point(label, pairs[f"ended_{reason}"]) for reason, label in reasons.choices],
        ),
        ratings=Series(
            "ratings",
            "Check-in ratings",
            [_point(f"{n} of 5", check_ins[f"rated_{n}"]) for n in range(1, 6)],
        ),
        attention=[
            Attention(
                "requests",
                "Requests waiting over a week",
                requests["waiting"],
                "admin:matching_mentorshiprequest_changelist",
                "waiting",
            ),
            Attention(
                "mentees",
                f"Mentees without a mentor after {unmatched_weeks} weeks",
                mentees["unmatched"],
                "admin:profiles_menteeprofile_changelist",
                "unmatched",
            ),
            Attention(
                "pairs",
                "Pairs with no meeting in 60 days",
                pairs["quiet"],
                "admin:matching_mentorship_changelist",
                "no_meeting",
            ),
            Attention(
                "check_ins",
                "Check-ins rated low or asking for contact (30 days)",
                check_ins["worrying"],
                "admin:sessions_log_checkin_changelist",
                "recent",
            ),
        ],
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


def _point(label: str, n: int) -> Point:
    return Point(label, n, suppress(n))


def _months(start: date, end: date) -> list[date]:
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def _monthly(
    months: list[date],
    since: datetime,
    until: datetime,
    zone: ZoneInfo,
    series: list[tuple[str, str, QuerySet, str]],
) -> list[Series]:
    """Counts by month for several tables, in one query (a UNION ALL of GROUP BYs)."""
    parts = [
        qs.filter(**{f"{name}__gte": since, f"{name}__lt": until})
        .annotate(month=TruncMonth(name, tzinfo=zone))
        .values("month")
        .annotate(n=Count("pk"), series=Value(key))
        .values_list("series", "month", "n")
        for key, _, qs, name in series
    ]
    found: dict[tuple[str, date], int] = {}
    for key, month, n in parts[0].union(*parts[1:], all=True).order_by("series", "month"):
        found[key, timezone.localtime(month, zone).date()] = n
    return [
        Series(
            key,
            title,
            [_point(month.strftime("%b %Y"), found.get((key, month), 0)) for month in months],
        )
        for key, title, _, _ in series
    ]
