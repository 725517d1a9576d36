"""Issue #4: a mentee presses Interested, the mentor accepts; another mentor declines."""

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from tests.browser.session import sign_in
from tests.factories import MenteeProfileFactory, MentorProfileFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MESSAGE = (
    "Hello Daniel, I am in my final year of economics and hope to find a first graduate job "
    "in finance. Your move from engineering caught my eye. Could we meet once a month by video?"
)


def _emails_to(address: str) -> list:
    return [m for m in mail.outbox if address in m.to]


def test_interested_then_accepted_in_two_browsers(
    browser, page: Page, context, live_server, settings
):
    # Daniel's email goes at once here; tests/matching/test_request_email_hold.py is about the hold.
    settings.REQUEST_EMAIL_HOLD_MINUTES = 0
    mentee = MenteeProfileFactory(
        user__full_name="Maya Patel", user__email="maya@example.org", role="BSc Economics"
    ).user
    mentor_profile = MentorProfileFactory(
        user__full_name="Daniel Okafor", user__email="daniel@example.org", capacity=2
    )
    sign_in(context, live_server, mentee)

    # Maya presses Interested; a too-short message is explained and kept.
    page.goto(f"{live_server.url}{mentor_profile.get_absolute_url()}")
    page.get_by_role("link", name="Interested").click()
    message = page.get_by_label("Your message")
    message.fill("Hi, can you help?")
    page.get_by_role("button", name="Send my request").click()
    expect(page.get_by_role("alert")).to_contain_text("at least 50 characters")
    expect(message).to_have_value("Hi, can you help?")
    message.fill(MESSAGE)
    page.get_by_role("button", name="Send my request").click()
    expect(page.get_by_role("status")).to_contain_text("Your request is on its way")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your request to Daniel Okafor")

    [received] = _emails_to("daniel@example.org")
    assert received.subject == "Maya Patel would like you to be their mentor"
    assert MESSAGE in received.body
    assert "BSc Economics" in received.body
    request_path = re.search(r"/requests/\d+/", received.body).group(0)

    # Daniel, in his own browser, sees it waiting on his home page and accepts.
    mentor_context = browser.new_context(locale="en-GB")
    try:
        sign_in(mentor_context, live_server, mentor_profile.user)
        mentor_page = mentor_context.new_page()
        mentor_page.goto(f"{live_server.url}/")
        waiting = mentor_page.get_by_role("region", name="As a mentor")
        expect(waiting).to_contain_text("Places used: 0 of 2")
        waiting.get_by_role("link", name="Maya Patel").click()
        # The page the email links to.
        assert mentor_page.url.endswith(request_path)
        expect(mentor_page.get_by_text(MESSAGE)).to_be_visible()
        mentor_page.get_by_role("button", name="Accept Maya").click()
        expect(mentor_page.get_by_role("heading", level=1)).to_have_text("Mentoring Maya Patel")
        expect(mentor_page.get_by_role("link", name="maya@example.org")).to_be_visible()
    finally:
        mentor_context.close()

    [accepted] = _emails_to("maya@example.org")
    assert accepted.subject == "Daniel Okafor has agreed to mentor you"
    assert "daniel@example.org" in accepted.body
    assert "Arrange your first meeting" in accepted.body

    # Maya sees the mentorship, with Daniel's email address, from her home page.
    page.goto(f"{live_server.url}/")
    page.get_by_role("region", name="As a mentee").get_by_role(
        "link", name="Daniel Okafor"
    ).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mentored by Daniel Okafor")
    expect(page.get_by_role("link", name="daniel@example.org")).to_be_visible()


def test_a_declined_request_as_the_mentee_sees_it(browser, page: Page, context, live_server):
    mentee = MenteeProfileFactory(user__full_name="Maya Patel", user__email="maya@example.org").user
    mentor_profile = MentorProfileFactory(
        user__full_name="Rosa Santos", user__email="rosa@example.org"
    )
    sign_in(context, live_server, mentee)
    page.goto(f"{live_server.url}{mentor_profile.get_absolute_url()}")
    page.get_by_role("link", name="Interested").click()
    page.get_by_label("Your message").fill(MESSAGE.replace("Daniel", "Rosa"))
    page.get_by_role("button", name="Send my request").click()
    expect(page.get_by_role("status")).to_contain_text("Your request is on its way")

    mentor_context = browser.new_context(locale="en-GB")
    try:
        sign_in(mentor_context, live_server, mentor_profile.user)
        mentor_page = mentor_context.new_page()
        mentor_page.goto(f"{live_server.url}/requests/")
        mentor_page.get_by_role("link", name="Answer Maya Patel").click()
        # Declining without a reason is explained beside the choices.
        mentor_page.get_by_role("button", name="Decline").click()
        expect(mentor_page.get_by_role("alert")).to_contain_text("Please choose a reason")
        mentor_page.get_by_label("This is not my area of expertise").check()
        mentor_page.get_by_label("A message to the mentee (optional)").fill(
            "Sara Fraser in our finance team would be a great fit."
        )
        mentor_page.get_by_role("button", name="Decline").click()
        expect(mentor_page.get_by_role("status")).to_contain_text("You have declined")
    finally:
        mentor_context.close()

    [declined] = _emails_to("maya@example.org")
    assert declined.subject == "About your request to Rosa Santos"
    assert "this is not my area of expertise" in declined.body
    assert "Sara Fraser in our finance team" in declined.body
    assert "http://testserver/mentors/" in declined.body  # encouraged to approach another mentor

    page.goto(f"{live_server.url}/requests/")
    expect(page.get_by_role("table").first).to_contain_text("Declined")
    page.get_by_role("link", name="View request to Rosa Santos").click()
    expect(page.get_by_text("This is not my area of expertise")).to_be_visible()
    expect(
        page.get_by_text("Sara Fraser in our finance team would be a great fit.")
    ).to_be_visible()
    expect(page.get_by_role("link", name="Approach another mentor")).to_be_visible()
