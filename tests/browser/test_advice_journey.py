"""Issue #14: a mentee who has a mentor asks another mentor for one conversation on a topic;
the mentor accepts, the meeting is planned and marked held, the conversation completes itself
and the mentee answers the two feedback questions."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from matching.models import Engagement, Mentorship, MentorshipRequest
from sessions_log.models import CheckIn, Meeting
from tests.browser.locators import field
from tests.browser.session import sign_in
from tests.factories import (
    MenteeProfileFactory,
    MentorProfileFactory,
    MentorshipFactory,
    default_programme,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONDON = ZoneInfo("Europe/London")
TOPIC = "Negotiating my first salary"
MESSAGE = (
    "Hello Ana, I have a job offer from a bank and would value one conversation about "
    "negotiating the salary before I accept. A video call this week would be ideal."
)


def test_a_mentee_with_a_mentor_gets_one_conversation_of_advice(
    browser, page: Page, context, live_server, settings, artifacts_dir: Path
):
    settings.REQUEST_EMAIL_HOLD_MINUTES = 0
    programme = default_programme()
    programme.engagement_types = [Engagement.LONG_TERM, Engagement.ADVICE]
    programme.max_active_mentorships = 1
    programme.save()
    maya = MenteeProfileFactory(user__full_name="Maya Patel", user__email="maya@example.org").user
    MentorshipFactory(
        mentee=maya, mentor=MentorProfileFactory(user__full_name="Daniel Okafor").user
    )
    ana = MentorProfileFactory(
        user__full_name="Ana Adviser", user__email="ana@example.org", capacity=1, advice_per_month=2
    )
    sign_in(context, live_server, maya)

    # Maya already has her mentor, so Ana's page offers her one conversation instead.
    page.goto(f"{live_server.url}{ana.get_absolute_url()}")
    offer = page.locator("#advice-offer")
    expect(offer).to_contain_text("also offers one-off advice")
    offer.get_by_role("link", name="Ask for one conversation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask Ana for advice")

    # Without a topic the form says so beside the field and keeps her message.
    page.get_by_label("Your message").fill(MESSAGE)
    page.get_by_role("button", name="Send my request").click()
    expect(page.get_by_role("alert")).to_contain_text("Please say what you would like advice on")
    expect(page.get_by_label("Your message")).to_have_value(MESSAGE)
    field(page, "The topic of the conversation").fill(TOPIC)
    page.get_by_role("button", name="Send my request").click()
    expect(page.get_by_role("status")).to_contain_text("Your request is on its way")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Your request for advice from Ana Adviser"
    )
    expect(page.locator("#advice-topic")).to_contain_text(TOPIC)
    req = MentorshipRequest.objects.get(engagement=Engagement.ADVICE)

    # Ana accepts in her own browser: it takes none of her places.
    ana_context = browser.new_context(locale="en-GB")
    try:
        sign_in(ana_context, live_server, ana.user)
        ana_page = ana_context.new_page()
        ana_page.goto(f"{live_server.url}{req.get_absolute_url()}")
        expect(ana_page.get_by_role("heading", level=1)).to_have_text(
            "Maya Patel would like one conversation with you"
        )
        expect(ana_page.get_by_text("It does not take one of your places.")).to_be_visible()
        ana_page.get_by_role("button", name="Accept Maya").click()
        expect(ana_page.get_by_role("heading", level=1)).to_have_text(
            "Advice conversation with Maya Patel"
        )
        expect(
            ana_page.get_by_role("region", name="A one-off advice conversation")
        ).to_contain_text(TOPIC)
    finally:
        ana_context.close()
    pair = Mentorship.objects.get(request=req)
    ana.refresh_from_db()
    assert ana.mentee_count == 0
    # As if Ana accepted two days ago (a meeting cannot be recorded before the pair began).
    Mentorship.objects.filter(pk=pair.pk).update(started_at=timezone.now() - timedelta(days=2))

    # Maya plans the conversation for tomorrow at 10:00...
    page.goto(f"{live_server.url}{pair.get_absolute_url()}")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Advice conversation with Ana Adviser"
    )
    expect(page.get_by_role("region", name="Objectives")).to_have_count(0)
    tomorrow = timezone.localdate(timezone.now(), LONDON) + timedelta(days=1)
    page.get_by_role("link", name="Plan a meeting").click()
    field(page, "Date and time").fill(f"{tomorrow:%Y-%m-%d}T10:00")
    field(page, "Duration (minutes)").fill("30")
    page.get_by_label("Video call").check()
    page.get_by_role("button", name="Plan the meeting").click()
    expect(page.get_by_role("status").filter(has_text="Meeting planned")).to_be_visible()

    # ...the day comes (the meeting moved into the past in the database), they meet earlier
    # than planned, and she marks it held: the conversation completes.
    Meeting.objects.filter(mentorship=pair).update(starts_at=timezone.now() - timedelta(hours=1))
    page.reload()
    meetings = page.get_by_role("region", name="Meetings")
    meetings.get_by_role("link", name=re.compile(r"^Mark held")).click()
    earlier = (timezone.now() - timedelta(hours=1)).astimezone(LONDON)
    field(page, "Date and time").fill(f"{earlier:%Y-%m-%dT%H:%M}")
    field(page, "Summary").fill("Ana showed me how to make a counter-offer.")
    page.get_by_role("button", name="Mark as held").click()
    expect(page.get_by_role("status").filter(has_text="Meeting recorded as held")).to_contain_text(
        "Your advice conversation is complete"
    )
    expect(page.get_by_text("This advice conversation is complete.")).to_be_visible()
    pair.refresh_from_db()
    assert pair.status == Mentorship.Status.COMPLETED

    # The two questions, from the link in her email.
    check_in = CheckIn.objects.get(mentorship=pair, person=maya, kind="advice_feedback")
    page.goto(f"{live_server.url}{check_in.get_absolute_url()}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your advice conversation")
    page.get_by_label("5: Very useful").check()
    page.get_by_label("Anything you would like to tell us about it? (optional)").fill(
        "Clear and kind: I negotiated a better offer."
    )
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_role("status")).to_contain_text("Thank you")
    check_in.refresh_from_db()
    assert check_in.rating == 5
    # Her long-term mentorship carries on.
    assert Mentorship.objects.active().filter(mentee=maya, engagement="long_term").count() == 1

    page.screenshot(path=artifacts_dir / "advice-journey-feedback.png", full_page=True)
