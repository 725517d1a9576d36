"""The report as the CSV's rows: one figure a row, then the months, reasons and ratings.

Each row repeats the programmes and the period, so that a row means the same on its own. The
"Value" column holds numbers only (no thousands separators; durations in hours, rates in per
cent): a suppressed figure is an empty cell with "yes" under "Suppressed"; an empty cell
without it has nothing behind it (a rate of no requests).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from mentoring.backoffice.reports.disclosure import SUPPRESSED

if TYPE_CHECKING:
    from mentoring.backoffice.reports.present import Point, Report

HEADER = ["Programmes", "From", "To", "Section", "Figure", "Value", "Suppressed"]


def csv_rows(report: Report) -> Iterator[list]:
    yield HEADER
    first = [report.covers, report.start.isoformat(), report.end.isoformat()]
    for section, label, value, suppressed in _rows(report):
        yield [*first, section, label, value, SUPPRESSED if suppressed else ""]


def _rows(report: Report) -> Iterator[tuple[str, str, int | float | None, bool]]:
    for section in report.sections:
        for f in section.figures:
            yield section.title, f.csv_label or f.label, f.csv_value, f.suppressed
    for series in report.trends:
        for month, point in zip(report.months, series.points, strict=True):
            yield f"{series.title} by month", month.strftime("%Y-%m"), *_value(point)
    for series in (report.end_reasons, report.ratings):
        for point in series.points:
            yield series.title, point.label, *_value(point)


def _value(point: Point) -> tuple[int | None, bool]:
    return (None, True) if point.suppressed else (point.value, False)
