"""The pair's space in a browser: objectives, a planned meeting and its calendar file, the
meeting marked held with the objective it moved forward, the objective achieved, the timeline."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import Page, expect

from sessions_log.models import Meeting
from tests.browser.locators import field
from tests.factories import PASSWORD, MentorshipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONDON = ZoneInfo("Europe/London")


def _sign_in(page: Page, live_server, email: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    field(page, "Email").fill(email)
    field(page, "Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")


def _sign_out(page: Page, short_name: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("button", name=short_name).click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in").first).to_be_visible()


def _add_objective(page: Page, title: str, success: str) -> None:
    page.get_by_role("link", name="Add an objective").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add an objective")
    field(page, "Objective").fill(title)
    field(page, "What success looks like (optional)").fill(success)
    page.get_by_role("button", name="Add the objective").click()
    expect(page.get_by_role("status").filter(has_text="Objective added")).to_be_visible()


def test_pair_plans_a_meeting_records_it_and_sees_progress_on_the_timeline(
    page: Page, live_server, mentee, mentor, artifacts_dir: Path
):
    mentorship = MentorshipFactory(
        mentee=mentee, mentor=mentor, started_at=timezone.now() - timedelta(days=40)
    )
    pair_url = f"{live_server.url}{mentorship.get_absolute_url()}"

    # Daniel writes down the first objective they agreed...
    _sign_in(page, live_server, mentor.email)
    page.goto(pair_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Mentoring Maya Mentee")
    _add_objective(page, "Lead a project from start to finish", "I have run one project end to end")
    _sign_out(page, "Daniel")

    # ...and Maya the second.
    _sign_in(page, live_server, mentee.email)
    page.goto(pair_url)
    _add_objective(page, "Present to the senior team", "I have presented our results once")
    objectives = page.get_by_role("region", name="Objectives")
    expect(objectives.get_by_role("heading", level=3)).to_have_text(
        ["Lead a project from start to finish", "Present to the senior team"]
    )
    expect(objectives).to_contain_text("0 of 2 achieved")

    # Maya plans a meeting for tomorrow at 10:00, London time.
    tomorrow = timezone.localdate(timezone.now(), LONDON) + timedelta(days=1)
    page.get_by_role("link", name="Plan a meeting").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Plan a meeting")
    field(page, "Date and time").fill(f"{tomorrow:%Y-%m-%d}T10:00")
    field(page, "Duration (minutes)").fill("45")
    page.get_by_label("Video call").check()
    field(page, "Place or link").fill("https://meet.example.org/maya-daniel")
    field(page, "Agenda").fill("The project plan")
    page.get_by_role("button", name="Plan the meeting").click()
    expect(page.get_by_role("status").filter(has_text="Meeting planned")).to_contain_text(
        "Daniel Mentor has been emailed"
    )
    meetings = page.get_by_role("region", name="Meetings")
    expect(meetings).to_contain_text(f"{tomorrow:%A} {tomorrow.day} {tomorrow:%B %Y}, 10:00")

    # She downloads its calendar file: 10:00 in London, with the zone, the right UTC instant.
    with page.expect_download() as download_info:
        meetings.get_by_role("link", name=re.compile(r"^Add to calendar")).click()
    download = download_info.value
    assert download.suggested_filename == f"meeting-{tomorrow:%Y-%m-%d}.ics"
    [event] = Calendar.from_ical(Path(download.path()).read_bytes()).walk("VEVENT")
    meeting = Meeting.objects.get()
    assert str(event["UID"]) == f"{meeting.uid}@testserver"  # SITE_URL's host in the tests
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    start = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 10, tzinfo=LONDON)
    assert event.decoded("DTSTART").astimezone(UTC) == start.astimezone(UTC)
    assert str(event["SUMMARY"]) == "Mentoring: Daniel Mentor and Maya Mentee"

    # Tomorrow's meeting cannot be marked held yet: the page says when it can.
    expect(meetings.get_by_role("link", name=re.compile(r"^Mark held"))).to_have_count(0)
    expect(meetings).to_contain_text("You can mark it held once it has started.")

    # Time passes: the meeting was due three hours ago (moved in the database, as if tomorrow
    # had come). A future time typed by mistake is refused, and what she wrote stays; she
    # corrects the time and links the objective it moved forward.
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - timedelta(hours=3))
    page.reload()
    meetings.get_by_role("link", name=re.compile(r"^Mark held")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mark the meeting held")
    field(page, "Date and time").fill(f"{tomorrow:%Y-%m-%d}T10:00")
    field(page, "Summary").fill("We broke the project into milestones.")
    page.get_by_label("Lead a project from start to finish").check()
    field(page, "Next steps").fill("Maya drafts the milestone plan.")
    page.get_by_role("button", name="Mark as held").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("A meeting that has been held cannot be in the future.")
    expect(summary).to_be_focused()
    expect(field(page, "Summary")).to_have_value("We broke the project into milestones.")
    expect(page.get_by_label("Lead a project from start to finish")).to_be_checked()

    earlier = (timezone.now() - timedelta(hours=2)).astimezone(LONDON)
    field(page, "Date and time").fill(f"{earlier:%Y-%m-%dT%H:%M}")
    page.get_by_role("button", name="Mark as held").click()
    expect(page.get_by_role("status").filter(has_text="Meeting recorded as held")).to_be_visible()
    totals = meetings.get_by_role("definition")
    expect(totals.nth(0)).to_have_text("1")  # meetings held
    expect(totals.nth(1)).to_have_text("45 min")  # time together

    # The objective is achieved.
    page.get_by_role(
        "link", name=re.compile(r"^Update progress\W+Lead a project from start to finish$")
    ).click()
    page.get_by_label("Achieved", exact=True).check()
    field(page, "Progress note (optional)").fill("Delivered on time!")
    page.get_by_role("button", name="Record progress").click()
    expect(objectives).to_contain_text("1 of 2 achieved")

    # The timeline, newest first: the achievement, then the meeting with the objective it moved.
    timeline = page.get_by_role("region", name="Timeline")
    entries = timeline.get_by_role("listitem").filter(has=page.locator("time"))
    expect(entries.first).to_contain_text(
        "You marked Lead a project from start to finish achieved."
    )
    expect(entries.first).to_contain_text("Delivered on time!")
    held = timeline.locator(f"#meeting-{meeting.pk}")
    expect(held).to_contain_text("Meeting held: video call, 45 minutes")
    expect(held.get_by_role("link", name="Lead a project from start to finish")).to_be_visible()
    expect(held).not_to_contain_text("Present to the senior team")

    page.screenshot(path=artifacts_dir / "sessions-journey-pair-page.png", full_page=True)
