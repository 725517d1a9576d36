"""The reports page: its period, its numbers in HTML and CSV, its queries (who may open it:
test_access_matrix.py)."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mentoring.backoffice.views import default_report_range
from tests.admin.conftest import local
from tests.factories import (
    CheckInFactory,
    MeetingFactory,
    MenteeProfileFactory,
    MentorProfileFactory,
    MentorshipFactory,
    MentorshipRequestFactory,
    ObjectiveFactory,
)

pytestmark = pytest.mark.django_db

REPORTS = "/admin/reports/"
SPRING = {"start": "2025-03-01", "end": "2025-05-31"}


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_the_url_name_is_admin_reports():
    assert reverse("admin-reports") == REPORTS


def test_the_admin_home_links_to_the_reports(client_for, admin_user):
    html = client_for(admin_user).get(reverse("admin:index")).content.decode()

    assert f'href="{REPORTS}"' in html


# The period -----------------------------------------------------------------------------------
def test_the_default_period_is_the_last_twelve_months():
    assert default_report_range(date(2025, 11, 23)) == (date(2024, 12, 1), date(2025, 11, 23))
    assert default_report_range(date(2026, 1, 5)) == (date(2025, 2, 1), date(2026, 1, 5))


def test_without_dates_the_page_shows_the_last_twelve_months(client_for, admin_user):
    response = client_for(admin_user).get(REPORTS)

    report = response.context["report"]
    assert (report.start, report.end) == default_report_range()
    assert len(report.months) == 12
    assert response.context["form"]["start"].value() == report.start


def test_the_page_reports_on_the_dates_asked(client_for, admin_user):
    response = client_for(admin_user).get(REPORTS, SPRING)

    report = response.context["report"]
    assert (report.start, report.end) == (date(2025, 3, 1), date(2025, 5, 31))
    assert "1 March 2025 to 31 May 2025" in response.content.decode()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "2025-13-01", "end": "2025-12-31"}, "Enter a valid date."),
        ({"start": "soon", "end": ""}, "Enter a valid date."),
        ({"start": "9999-06-01"}, "at most a year from today"),
        ({"start": "2025-06-01", "end": "2025-05-31"}, "The start date must be on or before"),
        ({"start": "2015-01-01", "end": "2025-05-31"}, "at most 5 years"),
        ({"start": "0001-01-01", "end": "0001-12-31"}, "Choose a date from 1 January 2000."),
        ({"start": "9999-01-01", "end": "9999-12-31"}, "at most a year from today"),
        ({"end": "0001-03-01"}, "Choose a date from 1 January 2000."),
    ],
)
def test_bad_dates_are_explained_never_a_server_error(client_for, admin_user, params, message):
    response = client_for(admin_user).get(REPORTS, params)

    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "Showing the last twelve months instead." in html
    assert (response.context["report"].start, response.context["report"].end) == (
        default_report_range()
    )


def test_bad_dates_give_the_explanation_not_a_csv(client_for, admin_user):
    response = client_for(admin_user).get(
        REPORTS, {"start": "2025-06-01", "end": "2025-01-01", "format": "csv"}
    )

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


def test_only_a_start_reports_from_it_to_today(client_for, admin_user):
    start = timezone.localdate() - timedelta(days=40)

    report = client_for(admin_user).get(REPORTS, {"start": start.isoformat()}).context["report"]

    assert (report.start, report.end) == (start, timezone.localdate())


# The numbers ----------------------------------------------------------------------------------
def _figure_cell(html: str, label: str) -> str:
    match = re.search(
        rf'<th scope="row">{re.escape(label)}(?:<span class="report-note">[^<]*</span>)?</th>\s*'
        r'<td class="num">([^<]*)</td>',
        html,
    )
    assert match, f"no row for {label}"
    return match.group(1)


def test_the_page_shows_the_team_exact_numbers(client_for, admin_user):
    for _ in range(3):
        MentorshipRequestFactory(created_at=local(2025, 4, 1), accepted=True)
    for _ in range(9):
        MentorshipRequestFactory(created_at=local(2025, 4, 2))

    html = client_for(admin_user).get(REPORTS, SPRING).content.decode()

    assert _figure_cell(html, "Requests sent") == "12"
    assert _figure_cell(html, "Accepted") == "3"
    assert _figure_cell(html, "Still waiting") == "9"
    assert _figure_cell(html, "Acceptance rate") == "100%"
    assert "&lt;5" not in html
    assert _figure_cell(html, "Declined") == "0"


def test_the_charts_are_inline_svg_with_a_name_and_no_inline_style(client_for, admin_user):
    for _ in range(7):
        MentorshipRequestFactory(created_at=local(2025, 4, 1))
    MentorshipRequestFactory(created_at=local(2025, 5, 1))

    html = client_for(admin_user).get(REPORTS, SPRING).content.decode()

    charts = re.findall(r'<svg class="chart[^"]*"[^>]*>.*?</svg>', html, flags=re.S)
    assert len(charts) == 5
    for chart in charts:
        assert 'role="img"' in chart
        assert re.search(r'<title id="[^"]+">[^<]+</title>', chart)
    assert " style=" not in html
    requests_chart = charts[0]
    assert ">7</text>" in requests_chart
    assert ">1</text>" in requests_chart  # exact for the team
    assert "chart-bar-small" not in requests_chart


def test_the_csv_download(client_for, admin_user):
    for _ in range(2):
        MentorshipRequestFactory(created_at=local(2025, 4, 1), declined=True)
    for _ in range(6):
        MentorshipRequestFactory(created_at=local(2025, 4, 2))

    response = client_for(admin_user).get(REPORTS, {**SPRING, "format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="scheme-report-2025-03-01-to-2025-05-31.csv"'
    )
    rows = csv_rows(response)
    assert rows[0] == ["Programmes", "From", "To", "Section", "Figure", "Value", "Suppressed"]
    figures = [row[3:] for row in rows[1:]]
    # The team's own export: exact.
    assert ["Requests", "Requests sent", "8", ""] in figures
    assert ["Requests", "Declined", "2", ""] in figures
    assert ["Requests", "Still waiting", "6", ""] in figures
    assert not any(row[3] == "yes" for row in figures)


def test_the_page_links_to_the_csv_of_the_same_period(client_for, admin_user):
    response = client_for(admin_user).get(REPORTS, SPRING)

    assert response.context["csv_url"] == "?start=2025-03-01&end=2025-05-31&format=csv"
    assert 'href="?start=2025-03-01&amp;end=2025-05-31&amp;format=csv"' in response.content.decode()


def test_needs_attention_cards_link_to_the_filtered_lists(client_for, admin_user):
    MentorshipRequestFactory(created_at=timezone.now() - timedelta(days=9))

    html = client_for(admin_user).get(REPORTS).content.decode()

    for url in [
        "/admin/matching/mentorshiprequest/?attention=waiting",
        "/admin/profiles/menteeprofile/?attention=unmatched",
        "/admin/matching/mentorship/?attention=no_meeting",
        "/admin/sessions_log/checkin/?attention=recent",
    ]:
        assert f'href="{url}"' in html
    card = re.search(r'attention=waiting">\s*<span class="attention-count">(\d+)</span>', html)
    assert card and card.group(1) == "1"


# Queries --------------------------------------------------------------------------------------
def _build_scheme(size: int) -> None:
    """`size` of everything the report counts, spread over the last months."""
    now = timezone.now()
    for i in range(size):
        when = now - timedelta(days=10 * i + 1)
        MentorshipRequestFactory(created_at=when, declined=True)
        pair = MentorshipFactory(started_at=when)
        MeetingFactory(mentorship=pair, held=True, starts_at=when + timedelta(hours=1))
        ObjectiveFactory(mentorship=pair, created_at=when)
        CheckInFactory(mentorship=pair, sent_at=when, answered_at=when, rating=1 + i % 5)
        MentorProfileFactory(review_status="submitted", submitted_at=when)
        MenteeProfileFactory()
        MentorshipFactory(started_at=when - timedelta(days=30), ended=True, ended_at=when)


def _count_queries(client, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(REPORTS, params or {})
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("who", ["admin_user", "staff_user"])
def test_the_page_needs_the_same_few_queries_for_1_or_30_of_everything(client_for, who, request):
    client = client_for(request.getfixturevalue(who))
    client.get(REPORTS)  # the scheme settings are cached from here on, as in production
    _build_scheme(1)
    small = _count_queries(client)
    _build_scheme(29)
    large = _count_queries(client)

    assert small == large
    # Session and user (+ permissions for a staff member who is not a superuser), then the
    # figures in one query and the months in another.
    assert large <= 10


def test_the_csv_needs_the_same_few_queries_for_1_or_30_of_everything(client_for, admin_user):
    client = client_for(admin_user)
    client.get(REPORTS)
    _build_scheme(1)
    small = _count_queries(client, {"format": "csv"})
    _build_scheme(29)

    assert _count_queries(client, {"format": "csv"}) == small <= 10
