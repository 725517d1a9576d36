"""Reports for the team and for publication: exact numbers for coordinators, the suppressed CSV
as a choice on the export (numbers stay numbers), and the per-pair export for funders."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from tests.admin.conftest import local
from tests.factories import (
    MeetingFactory,
    MentorshipFactory,
    MentorshipRequestFactory,
    ObjectiveFactory,
    ProgrammeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

REPORTS = "/admin/reports/"
PAIRS = "/admin/reports/pairs.csv"
SPRING = {"start": "2025-03-01", "end": "2025-05-31"}
HEADER = ["Programmes", "From", "To", "Section", "Figure", "Value", "Suppressed"]
PAIR_HEADER = [
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


@pytest.fixture
def staff():
    return ProgrammeFactory(slug="staff", name="Staff mentoring")


@pytest.fixture
def careers():
    return ProgrammeFactory(slug="careers", name="Careers mentoring")


def coordinator_of(*programmes):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Scheme coordinator"))
    for programme in programmes:
        programme.coordinators.add(user)
    return user


def rows_of(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def _figure_cell(html: str, label: str) -> str:
    start = html.index(f'<th scope="row">{label}')
    cell = html.index('<td class="num">', start) + len('<td class="num">')
    return html[cell : html.index("</td>", cell)]


def test_a_coordinator_sees_exact_numbers_of_their_programmes(client_for, staff, careers):
    for _ in range(3):
        MentorshipRequestFactory(programme=staff, created_at=local(2025, 4, 1), declined=True)
    MentorshipRequestFactory(programme=careers, created_at=local(2025, 4, 1), declined=True)

    html = client_for(coordinator_of(staff)).get(REPORTS, SPRING).content.decode()

    assert _figure_cell(html, "Requests sent") == "3"  # careers' request is not theirs
    assert _figure_cell(html, "Declined") == "3"
    assert "&lt;5" not in html
    assert "Suppress counts below 5 for publication" in html


def _numeric_columns_hold_numbers(rows: list[list[str]]) -> None:
    assert rows[0] == HEADER
    for row in rows[1:]:
        value, suppressed = row[5], row[6]
        assert suppressed in {"", "yes"}
        if value:
            float(value)  # a number, never "<5" or "–"
            assert suppressed == ""
        assert "<" not in value and "–" not in value


def test_the_csv_without_suppression_is_exact(client_for, staff):
    for _ in range(2):
        MentorshipRequestFactory(programme=staff, created_at=local(2025, 4, 1), declined=True)

    response = client_for(coordinator_of(staff)).get(REPORTS, {**SPRING, "format": "csv"})

    rows = rows_of(response)
    _numeric_columns_hold_numbers(rows)
    figures = [row[3:] for row in rows[1:]]
    assert ["Requests", "Declined", "2", ""] in figures
    assert ["Requests sent by month", "2025-04", "2", ""] in figures
    assert ["Requests", "Acceptance rate (%)", "0", ""] in figures
    assert not any(row[3] == "yes" for row in figures)
    assert "for-publication" not in response["Content-Disposition"]


def test_the_csv_for_publication_suppresses_small_counts_in_a_column_of_its_own(client_for, staff):
    for _ in range(2):
        MentorshipRequestFactory(programme=staff, created_at=local(2025, 4, 1), declined=True)
    for _ in range(6):
        MentorshipRequestFactory(programme=staff, created_at=local(2025, 4, 2))

    response = client_for(coordinator_of(staff)).get(
        REPORTS, {**SPRING, "format": "csv", "suppress": "1"}
    )

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="scheme-report-for-publication-2025-03-01-to-2025-05-31.csv"'
    )
    rows = rows_of(response)
    _numeric_columns_hold_numbers(rows)
    figures = [row[3:] for row in rows[1:]]
    assert ["Requests", "Requests sent", "8", ""] in figures
    assert ["Requests", "Declined", "", "yes"] in figures  # 2: suppressed
    assert ["Requests", "Still waiting", "6", ""] in figures
    assert ["Requests", "Withdrawn by the mentee", "0", ""] in figures  # 0 describes nobody
    assert ["Requests", "Acceptance rate (%)", "", "yes"] in figures  # rests on 2
    values = {row[2] for row in figures}
    assert not {"1", "2", "3", "4"} & values


def test_suppress_off_or_nonsense_is_the_teams_exact_export(client_for, staff):
    MentorshipRequestFactory(programme=staff, created_at=local(2025, 4, 1), declined=True)
    client = client_for(coordinator_of(staff))

    for value in ["0", "false", ""]:
        rows = rows_of(client.get(REPORTS, {**SPRING, "format": "csv", "suppress": value}))
        assert ["Requests", "Declined", "1", ""] in [row[3:] for row in rows[1:]]


def _pair(programme, **kwargs):
    pair = MentorshipFactory(programme=programme, started_at=local(2025, 3, 10), **kwargs)
    MeetingFactory(mentorship=pair, held=True, starts_at=local(2025, 4, 1), duration_minutes=90)
    MeetingFactory(mentorship=pair, held=True, starts_at=local(2025, 4, 15), duration_minutes=45)
    MeetingFactory(mentorship=pair, starts_at=local(2025, 5, 20))  # planned, not held
    MeetingFactory(mentorship=pair, held=True, starts_at=local(2025, 7, 1))  # after the period
    ObjectiveFactory(mentorship=pair, created_at=local(2025, 3, 12))
    ObjectiveFactory(
        mentorship=pair,
        created_at=local(2025, 3, 12),
        status="achieved",
        achieved_on=date(2025, 5, 1),
    )
    return pair


def test_the_per_pair_export_has_numbers_and_dates_and_no_names(client_for, staff):
    pair = _pair(staff)
    ended = MentorshipFactory(
        programme=staff, started_at=local(2025, 1, 5), ended=True, ended_at=local(2025, 4, 30)
    )
    MentorshipFactory(programme=staff, started_at=local(2025, 6, 2))  # after the period
    MentorshipFactory(
        programme=staff, started_at=local(2024, 1, 5), ended=True, ended_at=local(2024, 12, 1)
    )  # before it

    response = client_for(coordinator_of(staff)).get(PAIRS, SPRING)

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="pairs-2025-03-01-to-2025-05-31.csv"'
    )
    rows = rows_of(response)
    assert rows[0] == PAIR_HEADER
    assert rows[1:] == [
        [str(ended.pk), "Staff mentoring", ended.get_engagement_display(), "2025-01-05",
         "2025-04-30", "Ended", "0", "0.0", "0", "0"],
        [str(pair.pk), "Staff mentoring", pair.get_engagement_display(), "2025-03-10", "",
         "Active", "2", "2.2", "2", "1"],
    ]  # fmt: skip
    text = "\n".join(",".join(row) for row in rows)
    for person in [pair.mentor, pair.mentee, ended.mentor, ended.mentee]:
        assert person.email not in text
        assert person.full_name not in text


def test_a_coordinator_of_staff_gets_no_careers_pairs(client_for, staff, careers):
    mine = _pair(staff)
    _pair(careers)

    response = client_for(coordinator_of(staff)).get(PAIRS, SPRING)
    chosen = client_for(coordinator_of(staff)).get(PAIRS, {**SPRING, "programme": careers.pk})

    assert [row[0] for row in rows_of(response)[1:]] == [str(mine.pk)]
    assert chosen.status_code == 400  # not one of theirs: a clear refusal, never careers' rows


def test_a_superuser_gets_every_programmes_pairs(client_for, admin_user, staff, careers):
    _pair(staff)
    _pair(careers)

    rows = rows_of(client_for(admin_user).get(PAIRS, SPRING))

    assert sorted(row[1] for row in rows[1:]) == ["Careers mentoring", "Staff mentoring"]


@pytest.mark.parametrize("pairs", [2, 20])
def test_the_per_pair_export_reads_a_constant_number_of_queries(
    client_for, staff, django_assert_num_queries, pairs
):
    for _ in range(pairs):
        _pair(staff)
    client = client_for(coordinator_of(staff))
    client.get(REPORTS)  # the session and the person, cached before counting

    # Two-factor check, programmes, the pairs (the session and the person come from the
    # cache): the same for 2 and for 20.
    with django_assert_num_queries(QUERIES):
        rows = rows_of(client.get(PAIRS, SPRING))
    assert len(rows) == pairs + 1


QUERIES = 4


def test_the_page_links_to_the_per_pair_export_for_whoever_may_read_pairs(
    client_for, staff, staff_user
):
    page = client_for(coordinator_of(staff)).get(REPORTS, SPRING)
    no_permission = client_for(staff_user).get(REPORTS, SPRING)  # staff, not in the group

    assert page.context["pairs_url"] == reverse("admin-report-pairs") + (
        "?start=2025-03-01&end=2025-05-31"
    )
    assert no_permission.context["pairs_url"] == ""
    assert client_for(staff_user).get(PAIRS, SPRING).status_code == 403


def test_anonymous_and_non_staff_people_are_refused(client_for, staff):
    _pair(staff)
    member = UserFactory()

    anonymous = client_for(None).get(PAIRS, SPRING)
    not_staff = client_for(member).get(PAIRS, SPRING)

    for response in [anonymous, not_staff]:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    for response in [client_for(None).get(REPORTS), client_for(member).get(REPORTS)]:
        assert response.status_code == 302


def test_bad_dates_are_refused_with_a_message_not_an_error(client_for, staff):
    response = client_for(coordinator_of(staff)).get(PAIRS, {"start": "spring", "end": "x"})

    assert response.status_code == 400
    assert b"The export was not made" in response.content
    assert response["Content-Type"] == "text/plain; charset=utf-8"
