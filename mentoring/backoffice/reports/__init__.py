"""The scheme's report for a date range, for the scheme team's yearly evaluation.

Three steps, each in its own module: `query` fetches a period's figures (two queries in all,
whatever the size of the scheme), `present` turns them into the sections, series and cards the
page and its charts show (with the small-numbers rule of `disclosure`), and `format` writes them
as the CSV's rows.

A report covers one programme, a coordinator's programmes, or (for a superuser) all of them:
`Scope`. The scheme team sees exact numbers (`exact=True`); a report for publication has its
small numbers suppressed (the default here; `disclosure`). `pairs` is the per-pair export.

Dates are whole days in the scheme's time zone (settings.TIME_ZONE), both ends included.
"Now" figures (visible mentors, full mentors, mentees without a mentor, needs attention) describe
today, whatever the range.
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone

from mentoring.backoffice.reports.disclosure import HIDDEN, SMALL, SUPPRESSED, suppress
from mentoring.backoffice.reports.present import (
    Attention,
    Figure,
    Point,
    Report,
    Section,
    Series,
    present_report,
)
from mentoring.backoffice.reports.query import (
    EVERYWHERE,
    Period,
    Scope,
    monthly_counts,
    period_figures,
)

__all__ = [
    "HIDDEN",
    "SMALL",
    "SUPPRESSED",
    "Attention",
    "Figure",
    "Point",
    "Report",
    "Section",
    "Scope",
    "Series",
    "build_report",
    "suppress",
]


def build_report(
    start: date,
    end: date,
    *,
    now: datetime | None = None,
    scope: Scope = EVERYWHERE,
    exact: bool = False,
) -> Report:
    """The report of the programmes in `scope` (every programme by default): exact, or with
    small numbers suppressed for publication (the default)."""
    period = Period(start, end)
    figures = period_figures(period, now or timezone.now(), scope)
    return present_report(period, figures, monthly_counts(period, scope), exact=exact)
