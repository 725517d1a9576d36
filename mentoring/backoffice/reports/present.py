"""What the reports page and its charts show: sections of figures, series by month or by kind,
and the needs-attention cards, built from a period's exact numbers with the rule of `disclosure`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from matching.models import Mentorship, MentorshipRequest
from mentoring.backoffice.reports.disclosure import (
    HIDDEN,
    exactly,
    hidden,
    suppress,
    too_few,
)
from mentoring.backoffice.reports.format import csv_rows
from mentoring.backoffice.reports.query import Figures, Period


@dataclass(frozen=True)
class Figure:
    label: str
    shown: str  # as on the page
    # As in the CSV: a number (durations in hours, rates in per cent), or None when suppressed
    # (`suppressed`) or when nothing is behind it (a rate of no requests).
    csv_value: int | float | None
    csv_label: str = ""
    note: str = ""
    suppressed: bool = False


def count(label: str, n: int, note: str = "") -> Figure:
    if hidden(n):
        return Figure(label, suppress(n), None, note=note, suppressed=True)
    return Figure(label, suppress(n), n, note=note)


def rate(label: str, part: int, whole: int, note: str = "") -> Figure:
    csv_label = f"{label} (%)"
    if too_few(whole) or not whole:
        return Figure(label, HIDDEN, None, csv_label, note, suppressed=too_few(whole))
    value = round(100 * part / whole)
    return Figure(label, f"{value}%", value, csv_label, note)


def average(label: str, value: float | None, n: int, note: str = "") -> Figure:
    if value is None or too_few(n):
        return Figure(label, HIDDEN, None, note=note, suppressed=too_few(n))
    return Figure(label, f"{value:.1f} of 5", round(value, 1), note=note)


def hours(label: str, minutes: int | None, n: int, note: str = "") -> Figure:
    if too_few(n):
        return Figure(label, HIDDEN, None, note=note, suppressed=True)
    value = round((minutes or 0) / 60, 1)
    return Figure(label, f"{value:,.1f}", value, note=note)


def duration(label: str, value: timedelta | None, n: int, note: str = "") -> Figure:
    csv_label = f"{label} (hours)"
    if value is None or too_few(n):
        return Figure(label, HIDDEN, None, csv_label, note, suppressed=too_few(n))
    in_hours = round(value.total_seconds() / 3600, 1)
    return Figure(label, _friendly(value), in_hours, csv_label, note)


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
    suppressed: bool = False


def point(label: str, n: int) -> Point:
    return Point(label, n, suppress(n), hidden(n))


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
    covers: str = ""  # the programme(s) it covers, when there is more than one to choose from
    exact: bool = False  # False: small numbers suppressed, for publication

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
        return csv_rows(self)


def present_report(
    period: Period,
    figures: Figures,
    monthly: dict[tuple[str, date], int],
    *,
    exact: bool = False,
) -> Report:
    """The report with exact numbers (for the scheme team) or with small numbers suppressed
    (for publication; the default)."""
    with exactly(exact):
        return _present(period, figures, monthly, exact)


def _present(
    period: Period, figures: Figures, monthly: dict[tuple[str, date], int], exact: bool
) -> Report:
    months = months_between(period.start, period.end)
    return Report(
        start=period.start,
        end=period.end,
        sections=[
            mentors_section(figures),
            mentees_section(figures),
            requests_section(figures),
            mentorships_section(figures),
            meetings_section(figures),
            objectives_section(figures),
            check_ins_section(figures),
            engagements_section(figures),
        ],
        months=months,
        trends=trends(months, monthly),
        end_reasons=end_reasons(figures),
        ratings=ratings(figures),
        attention=attention(figures),
        exact=exact,
    )


def mentors_section(f: Figures) -> Section:
    return Section(
        "mentors",
        "Mentors",
        [
            count("Profiles submitted for review", f.mentors["submitted"]),
            count("Profiles approved", f.mentors["approved"]),
            count("Mentors with a mentee in the period", f.pairs["mentors"]),
            count("Visible to mentees now", f.mentors["listed"]),
            count("Full now", f.mentors["full"], note="Visible mentors with every place taken."),
        ],
    )


def mentees_section(f: Figures) -> Section:
    return Section(
        "mentees",
        "Mentees",
        [
            count("New mentee profiles", f.mentees["joined"]),
            count("Mentees with a mentor in the period", f.pairs["mentees"]),
            count("Without a mentor now", f.mentees["without_mentor"]),
        ],
    )


def requests_section(f: Figures) -> Section:
    Status = MentorshipRequest.Status
    requests = f.requests
    answered = requests[Status.ACCEPTED] + requests[Status.DECLINED]
    return Section(
        "requests",
        "Requests",
        [
            count("Requests sent", requests["sent"]),
            count("Accepted", requests[Status.ACCEPTED]),
            count("Declined", requests[Status.DECLINED]),
            count("Withdrawn by the mentee", requests[Status.WITHDRAWN]),
            count(
                "Closed: the mentee found a mentor",
                requests["closed_matched_elsewhere"],
                note="Closed by the scheme when the mentee was matched elsewhere.",
            ),
            count(
                "Closed: the mentor was away or paused",
                requests["closed_mentor_away"] + requests["closed_mentor_hidden"],
            ),
            count("Closed: the mentor left the programme", requests["closed_mentor_left"]),
            count("Expired unanswered", requests[Status.EXPIRED]),
            count("Still waiting", requests[Status.PENDING]),
            rate(
                "Acceptance rate",
                requests[Status.ACCEPTED],
                answered + requests[Status.EXPIRED],
                note="Accepted, of those accepted, declined or expired.",
            ),
            duration(
                "Median time to a response",
                requests["median_response"],
                requests["responded"],
                note="From sending to the mentor's accept or decline.",
            ),
        ],
    )


def mentorships_section(f: Figures) -> Section:
    pairs = f.pairs
    return Section(
        "mentorships",
        "Mentorships",
        [
            count("Started", pairs["started"]),
            count("Matched centrally", pairs["central"]),
            count("Active at the end of the period", pairs["active_at_end"]),
            count(
                "Completed",
                pairs["completed"],
                note="Pairs whose round's term ended, apart from those that ended early.",
            ),
            count("Ended", pairs["ended"]),
            *[
                count(f"Ended: {label}", pairs[f"ended_{reason}"])
                for reason, label in Mentorship.EndReason.choices
            ],
            average(
                "Rating at the end",
                pairs["feedback"],
                pairs["feedback_n"],
                note="From the feedback given when a mentorship ends.",
            ),
        ],
    )


def engagements_section(f: Figures) -> Section:
    """One-off advice conversations and informal pairs: not in the mentorship figures above."""
    e = f.engagements
    return Section(
        "engagements",
        "Advice conversations and informal pairs",
        [
            count("Advice conversations asked for", e["advice_asked"]),
            count("Advice conversations accepted", e["advice_accepted"]),
            count("Advice conversations declined", e["advice_declined"]),
            count("Advice conversations started", e["advice_started"]),
            count(
                "Advice conversations completed",
                e["advice_completed"],
                note="Completed by themselves once the meeting was held, or a week after its date.",
            ),
            count("Advice conversations ended early", e["advice_ended"]),
            count("Mentors who gave advice", e["advice_mentors"]),
            average(
                "How useful the advice was",
                e["advice_useful"],
                e["advice_useful_n"],
                note="From the two questions both people are asked afterwards (1–5).",
            ),
            count("Informal pairs recorded", e["informal_started"]),
            count("Informal pairs active at the end of the period", e["informal_active_at_end"]),
            count(
                "Informal pairs that asked for the scheme's emails",
                e["informal_scheme_emails"],
            ),
        ],
    )


def meetings_section(f: Figures) -> Section:
    meetings = f.meetings
    return Section(
        "meetings",
        "Meetings",
        [
            count("Meetings held", meetings["held"]),
            hours("Hours of mentoring", meetings["minutes"], meetings["held"]),
            count("Pairs who met", meetings["pairs"]),
            count("Meetings cancelled", meetings["cancelled"]),
        ],
    )


def objectives_section(f: Figures) -> Section:
    return Section(
        "objectives",
        "Objectives",
        [
            count("Objectives set", f.objectives["set"]),
            count("Objectives achieved", f.objectives["achieved"]),
        ],
    )


def check_ins_section(f: Figures) -> Section:
    check_ins = f.check_ins
    return Section(
        "check_ins",
        "Check-ins",
        [
            count("Check-ins sent", check_ins["sent"]),
            count("Answered", check_ins["answered"]),
            rate("Response rate", check_ins["answered"], check_ins["sent"]),
            average("Average rating", check_ins["avg_rating"], check_ins["answered"]),
            count("Asked the scheme team to get in touch", check_ins["contact"]),
        ],
    )


def end_reasons(f: Figures) -> Series:
    return Series(
        "end_reasons",
        "Why mentorships ended",
        [
            point(label, f.pairs[f"ended_{reason}"])
            for reason, label in Mentorship.EndReason.choices
        ],
    )


def ratings(f: Figures) -> Series:
    return Series(
        "ratings",
        "Check-in ratings",
        [point(f"{n} of 5", f.check_ins[f"rated_{n}"]) for n in range(1, 6)],
    )


def attention(f: Figures) -> list[Attention]:
    return [
        Attention(
            "requests",
            "Requests waiting over a week",
            f.requests["waiting"],
            "admin:matching_mentorshiprequest_changelist",
            "waiting",
        ),
        Attention(
            "mentees",
            f"Mentees without a mentor after {f.unmatched_weeks}",
            f.mentees["unmatched"],
            "admin:profiles_menteeprofile_changelist",
            "unmatched",
        ),
        Attention(
            "pairs",
            "Pairs with no meeting in 60 days",
            f.pairs["quiet"],
            "admin:matching_mentorship_changelist",
            "no_meeting",
        ),
        Attention(
            "check_ins",
            "Check-ins rated low or asking for contact (30 days)",
            f.check_ins["worrying"],
            "admin:sessions_log_checkin_changelist",
            "recent",
        ),
    ]


# The series by month, in the order of the page, with their titles.
TRENDS = [
    ("requests", "Requests sent"),
    ("mentorships", "Mentorships started"),
    ("meetings", "Meetings held"),
]


def trends(months: list[date], monthly: dict[tuple[str, date], int]) -> list[Series]:
    return [
        Series(
            key,
            title,
            [point(month.strftime("%b %Y"), monthly.get((key, month), 0)) for month in months],
        )
        for key, title in TRENDS
    ]


def months_between(start: date, end: date) -> list[date]:
    """The first day of each month from start's to end's."""
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months
