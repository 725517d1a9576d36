"""Issue #16: a mentor with two waiting requests goes away until a date, closing them kindly;
each mentee sees the kind close on their requests page; on the date the mentor comes back by
themself and is listed in the directory again. axe audits every page shown."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from matching.availability import return_moment
from mentoring.models import Outbox
from profiles import jobs
from tests.browser.session import sign_in
from tests.factories import MenteeProfileFactory, MentorProfileFactory, MentorshipRequestFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_mentor_goes_away_and_comes_back_on_the_date(page: Page, context, live_server):
    mentor = MentorProfileFactory(
        user__full_name="Daniel Okafor", user__email="daniel@example.org", capacity=2
    )
    maya = MenteeProfileFactory(user__full_name="Maya Patel", user__email="maya@example.org").user
    sam = MenteeProfileFactory(user__full_name="Sam Brook", user__email="sam@example.org").user
    for mentee in (maya, sam):
        MentorshipRequestFactory(mentee=mentee, mentor=mentor.user)
    back_on = timezone.localdate() + timedelta(days=30)

    # Daniel says he is away, from his profile page, and closes both requests kindly.
    sign_in(context, live_server, mentor.user)
    page.goto(f"{live_server.url}/profile/mentor/")
    page.get_by_role("link", name="Say until when").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Away and availability")
    expect(page.get_by_text("You have 2 requests waiting for your answer")).to_be_visible()
    page.get_by_label("I am back on").fill(back_on.isoformat())
    page.get_by_label("A note for mentees (optional)").fill("On a course until then.")
    page.get_by_label(re.compile("Close them kindly now")).check()
    page.get_by_role("button", name="Go away until this date").click()
    expect(page.get_by_role("status")).to_contain_text(
        "We closed 2 waiting requests kindly and told each mentee."
    )
    expect(page.get_by_text(f"Away until {back_on.day} {back_on:%B %Y}")).to_be_visible()
    page.goto(f"{live_server.url}/")
    expect(page.get_by_text(f"Away until {back_on.day} {back_on:%B}")).to_be_visible()

    # Each mentee sees the kind close, and is told to approach someone else.
    for mentee in (maya, sam):
        sign_in(context, live_server, mentee)
        page.goto(f"{live_server.url}/requests/")
        expect(page.get_by_role("table")).to_contain_text("Closed — the mentor is away")
        page.get_by_role("link", name="View request to Daniel Okafor").click()
        expect(page.get_by_text("Their note: “On a course until then.”")).to_be_visible()
        expect(page.get_by_text("you can approach another mentor now")).to_be_visible()
    assert Outbox.objects.filter(kind="request_closed_mentor_away").count() == 2

    # Away: not in the directory.
    page.goto(f"{live_server.url}/mentors/")
    expect(page.get_by_role("link", name="Daniel Okafor")).to_have_count(0)

    # The daily job runs on the return date (twice: one return, one email).
    on_the_day = return_moment(back_on) + timedelta(minutes=15)
    assert jobs.return_away_mentors(now=on_the_day) == 1
    assert jobs.return_away_mentors(now=on_the_day) == 0
    assert Outbox.objects.filter(kind="mentor_back", to_email="daniel@example.org").count() == 1

    page.goto(f"{live_server.url}/mentors/")
    expect(page.get_by_role("link", name="Daniel Okafor")).to_be_visible()
