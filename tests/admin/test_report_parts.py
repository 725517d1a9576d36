"""The report's steps on their own, without a database: present (the figures and series the
page shows, with the small-numbers rule) and format (the CSV's rows)."""

from __future__ import annotations

from datetime import date, timedelta

from mentoring.backoffice.reports.disclosure import exactly
from mentoring.backoffice.reports.format import csv_rows
from mentoring.backoffice.reports.present import (
    Report,
    Section,
    Series,
    count,
    duration,
    months_between,
    point,
    trends,
)


def test_months_between_spans_the_first_days_of_each_month_touched():
    assert months_between(date(2024, 11, 15), date(2025, 2, 1)) == [
        date(2024, 11, 1),
        date(2024, 12, 1),
        date(2025, 1, 1),
        date(2025, 2, 1),
    ]


def test_trends_fill_missing_months_with_zero_and_suppress_small_counts():
    months = [date(2025, 3, 1), date(2025, 4, 1)]
    requests, mentorships, meetings = trends(months, {("requests", date(2025, 4, 1)): 3})
    assert [p.shown for p in requests.points] == ["0", "<5"]
    assert [p.value for p in requests.points] == [0, 3]
    assert requests.title == "Requests sent"
    assert [p.label for p in mentorships.points] == ["Mar 2025", "Apr 2025"]
    assert meetings.key == "meetings"


def test_a_small_count_is_hidden_on_the_page_and_in_the_csv():
    assert (count("Started", 2).shown, count("Started", 2).csv_value) == ("<5", None)
    assert count("Started", 2).suppressed
    assert (count("Started", 1234).shown, count("Started", 1234).csv_value) == ("1,234", 1234)
    with exactly(True):
        assert (count("Started", 2).shown, count("Started", 2).csv_value) == ("2", 2)
        assert not count("Started", 2).suppressed


def test_a_duration_behind_too_few_responses_is_hidden():
    assert duration("Median", timedelta(hours=3), 4).shown == "–"
    figure = duration("Median", timedelta(hours=3), 5)
    assert (figure.shown, figure.csv_value, figure.csv_label) == (
        "3 hours",
        3.0,
        "Median (hours)",
    )


def test_csv_rows_list_the_period_the_figures_the_months_and_the_breakdowns():
    report = Report(
        start=date(2025, 3, 1),
        end=date(2025, 3, 31),
        sections=[Section("mentors", "Mentors", [count("Profiles approved", 7)])],
        months=[date(2025, 3, 1)],
        trends=[Series("requests", "Requests sent", [point("Mar 2025", 2)])],
        end_reasons=Series("end_reasons", "Why mentorships ended", [point("Completed", 12)]),
        ratings=Series("ratings", "Check-in ratings", [point("5 of 5", 0)]),
    )
    period = ["", "2025-03-01", "2025-03-31"]
    assert list(csv_rows(report)) == [
        ["Programmes", "From", "To", "Section", "Figure", "Value", "Suppressed"],
        [*period, "Mentors", "Profiles approved", 7, ""],
        [*period, "Requests sent by month", "2025-03", None, "yes"],
        [*period, "Why mentorships ended", "Completed", 12, ""],
        [*period, "Check-in ratings", "5 of 5", 0, ""],
    ]
    assert list(report.csv_rows()) == list(csv_rows(report))
