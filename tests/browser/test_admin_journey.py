"""Issue #7: a scheme administrator approves a mentor, matches a mentee centrally, reads the
report and downloads it. Every admin page on the way is audited for accessibility."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from matching.models import Mentorship
from profiles.models import MentorProfile
from tests.browser.locators import field
from tests.factories import (
    PASSWORD,
    CheckInFactory,
    ExpertiseAreaFactory,
    MeetingFactory,
    MenteeProfileFactory,
    MentorProfileFactory,
    MentorshipFactory,
    MentorshipRequestFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _some_history() -> None:
    """Six months of a small scheme, so that the report has something to show."""
    now = timezone.now()
    for months_ago in range(6):
        when = now - timedelta(days=30 * months_ago + 2)
        for n in range(3 + months_ago):
            MentorshipRequestFactory(
                created_at=when,
                status="declined" if n % 3 else "accepted",
                responded_at=when + timedelta(hours=6 + 10 * n),
            )
        pair = MentorshipFactory(started_at=when)
        for week in range(months_ago + 1):
            MeetingFactory(mentorship=pair, held=True, starts_at=when + timedelta(days=7 * week))
        CheckInFactory(mentorship=pair, sent_at=when, answered_at=when, rating=3 + months_ago % 3)
        MentorshipFactory(
            started_at=when - timedelta(days=90),
            ended=True,
            ended_at=when,
            end_reason=["achieved", "achieved", "circumstances"][months_ago % 3],
        )


def test_an_administrator_approves_matches_and_reports(
    page: Page, live_server, artifacts_dir: Path
):
    careers = ExpertiseAreaFactory(name="Changing careers", slug="changing-careers")
    UserFactory(full_name="Ada Admin", email="ada@example.org", is_staff=True, is_superuser=True)
    MentorProfileFactory(
        user__full_name="Priya Shah",
        review_status="submitted",
        submitted_at=timezone.now() - timedelta(days=2),
        areas=[careers],
    )
    # A long title and organisation squeeze the match page's columns: its "Match now" and
    # "Propose to the mentor" links must stay whole 24px targets (a CI run once found them split).
    MentorProfileFactory(
        user__full_name="Daniel Okafor",
        job_title="Senior Principal Strategic Partnerships and Knowledge Exchange Manager",
        organisation="Department for Business, Energy and Industrial Strategy Regional Office",
        areas=[careers],
    )
    MenteeProfileFactory(user__full_name="Maya Patel", areas=[careers])
    _some_history()

    # Signs in through the site's own sign-in page, then opens the admin.
    page.goto(f"{live_server.url}/accounts/login/")
    field(page, "Email").fill("ada@example.org")
    field(page, "Password").fill(PASSWORD)
    field(page, "Password").press("Enter")
    expect(page).to_have_url(f"{live_server.url}/admin/")  # staff land on the dashboard
    page.goto(f"{live_server.url}/admin/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Site administration")

    # The review queue: approve the submitted mentor.
    page.get_by_role("link", name="Mentor profiles").first.click()
    page.get_by_role("link", name="Waiting for review").click()
    row = page.get_by_role("row").filter(has_text="Priya Shah")
    row.get_by_role("checkbox").check()
    page.get_by_label("Action:").select_option(
        label="Approve the selected profiles (emails each mentor)"
    )
    page.get_by_role("button", name="Run").click()
    expect(page.locator(".messagelist")).to_contain_text("Approved 1 profile.")
    assert MentorProfile.objects.get(user__full_name="Priya Shah").review_status == "approved"

    # Central matching: find a mentor for Maya and match her with Daniel.
    page.get_by_role("link", name="Home").click()  # the dashboard lists everything
    page.get_by_role("link", name="Mentee profiles").first.click()
    page.get_by_role("row").filter(has_text="Maya Patel").get_by_role(
        "link", name="Find a mentor"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Find a mentor for Maya Patel")
    page.get_by_role("link", name="Match now with Daniel Okafor").click()
    page.get_by_role("button", name="Match Maya Patel with Daniel Okafor").click()
    expect(page.locator(".messagelist")).to_contain_text("Matched Maya Patel with Daniel Okafor")
    assert Mentorship.objects.filter(
        mentee__full_name="Maya Patel", mentor__full_name="Daniel Okafor", status="active"
    ).exists()

    # The reports, from the admin's home page.
    page.get_by_role("link", name="Home").first.click()
    page.get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Scheme report")
    expect(page.get_by_role("heading", name="Needs attention now")).to_be_visible()
    expect(page.get_by_role("img", name="Meetings held")).to_be_visible()
    expect(page.get_by_role("table").filter(has_text="Requests sent").first).to_be_visible()
    page.screenshot(path=artifacts_dir / "admin-journey-reports.png", full_page=True)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename.startswith("scheme-report-")
    assert download.suggested_filename.endswith(".csv")
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8-sig"))))
    # The team's own export is exact; the one for publication suppresses small numbers.
    assert rows[0] == ["Programmes", "From", "To", "Section", "Figure", "Value", "Suppressed"]
    assert ["Mentorships", "Matched centrally", "1", ""] in [row[3:] for row in rows]
    page.get_by_label("Suppress counts below 5 for publication").check()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename.startswith("scheme-report-for-publication-")
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8-sig"))))
    assert ["Mentorships", "Matched centrally", "", "yes"] in [row[3:] for row in rows]
