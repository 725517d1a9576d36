"""The report as the CSV's rows: one figure a row, then the months, reasons and ratings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from mentoring.backoffice.reports.disclosure import plain

if TYPE_CHECKING:
    from mentoring.backoffice.reports.present import Report

HEADER = ["Section", "Figure", "Value"]


def csv_rows(report: Report) -> Iterator[list[str]]:
    yield HEADER
    yield from period_rows(report)
    yield from figure_rows(report)
    yield from month_rows(report)
    yield from breakdown_rows(report)


def period_rows(report: Report) -> Iterator[list[str]]:
    if report.covers:
        yield ["Report", "Programmes", report.covers]
    yield ["Period", "From", report.start.isoformat()]
    yield ["Period", "To", report.end.isoformat()]


def figure_rows(report: Report) -> Iterator[list[str]]:
    for section in report.sections:
        for f in section.figures:
            yield [section.title, f.csv_label or f.label, f.csv_value]


def month_rows(report: Report) -> Iterator[list[str]]:
    for series in report.trends:
        for month, point in zip(report.months, series.points, strict=True):
            yield [f"{series.title} by month", month.strftime("%Y-%m"), plain(point.value)]


def breakdown_rows(report: Report) -> Iterator[list[str]]:
    for series in (report.end_reasons, report.ratings):
        for point in series.points:
            yield [series.title, point.label, plain(point.value)]
