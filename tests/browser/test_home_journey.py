"""Home as a dashboard in a browser, on a desktop and on a 390 px phone: a new pair's mentee
plans the first meeting from home, and home then shows it as the next meeting; the mentor
prepares from the pair's briefing; both get the invitation (the parsed calendar part of each
email); the meeting is marked held and the recap goes to both. No page scrolls sideways."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import Page, expect

from mentoring.models import Outbox
from sessions_log import calendar
from sessions_log.models import Meeting
from tests.browser.locators import field
from tests.browser.session import sign_in
from tests.factories import (
    MenteeProfileFactory,
    MentorProfileFactory,
    MentorshipFactory,
    MentorshipRequestFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONDON = ZoneInfo("Europe/London")
GOALS = "Move into corporate finance within a year."
MESSAGE = "Could you help me prepare for assessment centres this spring?"


def _no_sideways_scroll(page: Page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [1280, 390])
def test_a_new_pairs_mentee_plans_the_first_meeting_from_home(
    page: Page, context, live_server, mentee, mentor, width
):
    page.set_viewport_size({"width": width, "height": 900})
    MenteeProfileFactory(user=mentee, goals=GOALS)
    MentorProfileFactory(user=mentor, capacity=2)
    request = MentorshipRequestFactory(mentee=mentee, mentor=mentor, message=MESSAGE, accepted=True)
    pair = MentorshipFactory(
        mentor=mentor, mentee=mentee, request=request, started_at=timezone.now() - timedelta(1)
    )

    # Maya's home: no meeting yet, and the way to plan the first one.
    sign_in(context, live_server, mentee)
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Maya")
    expect(page.get_by_role("region", name="Your next meeting")).to_contain_text(
        "No meeting planned yet."
    )
    _no_sideways_scroll(page, width)
    page.get_by_role("link", name=re.compile(r"^Plan your first meeting")).click()

    # She plans it for tomorrow at 10:00, London time.
    expect(page.get_by_role("heading", level=1)).to_have_text("Plan a meeting")
    _no_sideways_scroll(page, width)
    tomorrow = timezone.localdate(timezone.now(), LONDON) + timedelta(days=1)
    field(page, "Date and time").fill(f"{tomorrow:%Y-%m-%d}T10:00")
    field(page, "Duration (minutes)").fill("45")
    page.get_by_label("Video call").check()
    field(page, "Place or link").fill("https://meet.example.org/maya-daniel-first-meeting")
    page.get_by_role("button", name="Plan the meeting").click()
    expect(page.get_by_role("status").filter(has_text="Meeting planned")).to_be_visible()
    # The pair's page is a briefing: her goals and first message, pinned for both.
    briefing = page.get_by_role("region", name="What you hope to achieve")
    expect(briefing).to_contain_text(GOALS)
    expect(briefing).to_contain_text(MESSAGE)
    _no_sideways_scroll(page, width)

    # Home now shows the meeting as the next one, with its calendar file.
    page.goto(live_server.url + "/")
    next_meeting = page.get_by_role("region", name="Your next meeting")
    expect(next_meeting).to_contain_text(
        f"{tomorrow:%A} {tomorrow.day} {tomorrow:%B}, 10:00 with Daniel Mentor"
    )
    expect(next_meeting.get_by_role("link", name="Add to calendar")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"^Plan your first meeting"))).to_have_count(0)
    _no_sideways_scroll(page, width)

    # Daniel prepares: his home shows the pair's next meeting; the pair's page her goals.
    context.clear_cookies()
    sign_in(context, live_server, mentor)
    page.goto(live_server.url + "/")
    mentor_card = page.get_by_role("region", name="As a mentor")
    expect(mentor_card).to_contain_text("Maya Mentee")
    expect(mentor_card).to_contain_text("No objectives yet.")
    expect(mentor_card).to_contain_text(f"Next meeting: {tomorrow.day} {tomorrow:%b}, 10:00")
    _no_sideways_scroll(page, width)
    page.goto(f"{live_server.url}{pair.get_absolute_url()}")
    expect(page.get_by_role("region", name="What Maya Mentee hopes to achieve")).to_contain_text(
        MESSAGE
    )
    _no_sideways_scroll(page, width)

    # Both accept the invitation in their email: each copy's calendar part is a REQUEST for
    # the same event, with both of them as attendees.
    meeting = Meeting.objects.get(mentorship=pair)
    invitations = {
        row.to_email: _invitation(row) for row in Outbox.objects.filter(kind="meeting_planned")
    }
    assert set(invitations) == {mentee.email, mentor.email}
    for method, event in invitations.values():
        assert method == "REQUEST"
        assert str(event["UID"]) == calendar.meeting_uid(meeting)
        assert {str(a).lower() for a in event["ATTENDEE"]} == {
            f"mailto:{mentee.email}",
            f"mailto:{mentor.email}",
        }

    # The meeting takes place (moved into the past in the database, as if tomorrow had come):
    # Daniel marks it held from the pair's page, and the recap goes to both.
    meetings = page.get_by_role("region", name="Meetings")
    expect(meetings.get_by_role("link", name=re.compile(r"^Mark held"))).to_have_count(0)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - timedelta(hours=2))
    page.reload()
    meetings.get_by_role("link", name=re.compile(r"^Mark held")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mark the meeting held")
    _no_sideways_scroll(page, width)
    field(page, "Summary").fill("We mapped out the assessment centre exercises.")
    page.get_by_role("button", name="Mark as held").click()
    expect(page.get_by_role("status").filter(has_text="Meeting recorded as held")).to_be_visible()
    _no_sideways_scroll(page, width)
    recaps = Outbox.objects.filter(kind="meeting_recap")
    assert sorted(recaps.values_list("to_email", flat=True)) == sorted([mentee.email, mentor.email])
    for row in recaps:
        assert "We mapped out the assessment centre exercises." in row.body_text


def _invitation(row: Outbox):
    """(METHOD, VEVENT) of the email's calendar part, from the bytes the worker sends."""
    message = email.message_from_bytes(
        row.as_message().message().as_bytes(), policy=email.policy.default
    )
    [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    cal = Calendar.from_ical(part.get_content())
    assert part.get_param("method") == str(cal["METHOD"])
    [event] = cal.walk("VEVENT")
    return str(cal["METHOD"]), event
