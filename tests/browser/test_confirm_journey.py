"""Nothing that cannot be undone happens on one click, in a browser at 1280 px and on a 390 px
phone: cancelling a meeting, ending the pair and withdrawing a request each go through a page
that says what happens and who is told (no JavaScript needed). No page scrolls sideways."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from matching.models import Mentorship, MentorshipRequest
from sessions_log.models import Meeting
from tests.browser.locators import field
from tests.browser.session import sign_in
from tests.factories import (
    MeetingFactory,
    MenteeProfileFactory,
    MentorProfileFactory,
    MentorshipFactory,
    MentorshipRequestFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_sideways_scroll(page: Page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [1280, 390])
def test_cancel_a_meeting_and_end_the_pair_after_saying_what_happens(
    page: Page, context, live_server, mentee, mentor, width
):
    page.set_viewport_size({"width": width, "height": 900})
    MentorProfileFactory(user=mentor, mentee_count=1)
    MenteeProfileFactory(user=mentee)
    pair = MentorshipFactory(
        mentee=mentee, mentor=mentor, started_at=timezone.now() - timedelta(days=40)
    )
    soon = MeetingFactory(mentorship=pair, starts_at=timezone.now() + timedelta(days=3))
    later = MeetingFactory(mentorship=pair, starts_at=timezone.now() + timedelta(days=30))
    sign_in(context, live_server, mentee)
    page.goto(f"{live_server.url}{pair.get_absolute_url()}")

    # Cancel the first meeting: a page asks first and says Daniel is told.
    page.get_by_role("link", name=re.compile(r"^Cancel meeting")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cancel this meeting?")
    expect(page.get_by_role("main")).to_contain_text("We will email Daniel Mentor")
    _no_sideways_scroll(page, width)
    page.get_by_role("link", name="No, go back").click()
    soon.refresh_from_db()
    assert soon.status == Meeting.Status.PLANNED
    page.get_by_role("link", name=re.compile(r"^Cancel meeting")).first.click()
    page.get_by_role("button", name="Yes, cancel the meeting").click()
    expect(page.get_by_role("status").filter(has_text="Meeting cancelled")).to_be_visible()
    soon.refresh_from_db()
    assert soon.status == Meeting.Status.CANCELLED

    # End the pair: the form asks why, then a page says what ending does, the meeting it
    # cancels included.
    page.get_by_text("End the mentorship", exact=True).first.click()
    page.get_by_label("Objectives achieved").check()
    field(page, "A message to the other person (optional)").fill("Thank you, Daniel!")
    page.get_by_role("button", name="End the mentorship").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("End your mentorship?")
    main = page.get_by_role("main")
    expect(main).to_contain_text("Your planned meeting is cancelled")
    expect(main).to_contain_text("with your message")
    _no_sideways_scroll(page, width)
    assert Mentorship.objects.get(pk=pair.pk).is_active
    page.get_by_role("button", name="Yes, end the mentorship").click()
    expect(page.get_by_role("status").filter(has_text="Your mentorship has ended")).to_be_visible()
    pair.refresh_from_db()
    assert pair.status == Mentorship.Status.ENDED
    assert pair.end_message == "Thank you, Daniel!"
    later.refresh_from_db()
    assert later.status == Meeting.Status.CANCELLED


def test_withdraw_a_request_after_saying_what_happens(page: Page, context, live_server, mentee):
    page.set_viewport_size({"width": 390, "height": 900})
    MenteeProfileFactory(user=mentee)
    req = MentorshipRequestFactory(mentee=mentee, mentor=MentorProfileFactory().user)
    sign_in(context, live_server, mentee)
    page.goto(f"{live_server.url}{req.get_absolute_url()}")

    page.get_by_role("link", name="Withdraw my request").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Withdraw your request?")
    _no_sideways_scroll(page, 390)
    page.get_by_role("button", name="Yes, withdraw my request").click()
    expect(
        page.get_by_role("status").filter(has_text="You have withdrawn your request")
    ).to_be_visible()
    req.refresh_from_db()
    assert req.status == MentorshipRequest.Status.WITHDRAWN
