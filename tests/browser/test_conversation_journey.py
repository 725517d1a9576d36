"""Issue #15: the mentor asks a question on a request, the mentee answers, the mentor accepts,
and they go on talking in the pair's space; the header's unread badges follow."""

import re

import pytest
from playwright.sync_api import Page, expect

from matching.services import send_request
from tests.browser.session import sign_in
from tests.factories import MenteeProfileFactory, MentorProfileFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MESSAGE = (
    "Hello Daniel, I am in my final year of economics and hope to find a first graduate job "
    "in finance. Could we meet once a month by video?"
)


def _messages_link(page: Page):
    return page.get_by_role("navigation", name="Main").get_by_role(
        "link", name=re.compile(r"^Messages")
    )


def test_a_question_before_accepting_then_talking_in_the_pair_space(
    browser, page: Page, context, live_server
):
    mentee = MenteeProfileFactory(user__full_name="Maya Patel", user__email="maya@example.org")
    mentor_profile = MentorProfileFactory(
        user__full_name="Daniel Okafor", user__email="daniel@example.org", capacity=2
    )
    req = send_request(mentee=mentee.user, mentor=mentor_profile.user, message=MESSAGE)
    sign_in(context, live_server, mentee.user)

    mentor_context = browser.new_context(locale="en-GB")
    try:
        sign_in(mentor_context, live_server, mentor_profile.user)
        mentor_page = mentor_context.new_page()

        # Daniel has one unread conversation: Maya's request. He asks a question first.
        mentor_page.goto(f"{live_server.url}/")
        expect(_messages_link(mentor_page)).to_contain_text("1 unread conversation")
        _messages_link(mentor_page).click()
        expect(mentor_page.get_by_role("heading", level=1)).to_have_text("Messages")
        mentor_page.get_by_role("link", name="Maya Patel").click()
        expect(mentor_page.get_by_text(MESSAGE)).to_be_visible()
        expect(_messages_link(mentor_page)).not_to_contain_text("unread")
        mentor_page.get_by_role("button", name="Send").click()  # empty: explained
        expect(mentor_page.get_by_text("Please write a message.")).to_be_visible()
        mentor_page.get_by_label("Your message").fill(
            "Which city are you in? See https://example.org/faq"
        )
        mentor_page.get_by_role("button", name="Send").click()
        expect(mentor_page.get_by_role("link", name="https://example.org/faq")).to_be_visible()

        # Maya sees the badge, reads the question and answers on her request's page.
        page.goto(f"{live_server.url}/")
        expect(_messages_link(page)).to_contain_text("1 unread conversation")
        page.goto(f"{live_server.url}{req.get_absolute_url()}")
        expect(page.get_by_text("Which city are you in?")).to_be_visible()
        expect(_messages_link(page)).not_to_contain_text("unread")
        page.get_by_label("Your message").fill("Leeds. Thank you for asking!")
        page.get_by_role("button", name="Send").click()
        expect(page.get_by_text("Leeds. Thank you for asking!")).to_be_visible()

        # Daniel reads the answer and accepts; the thread goes on in the pair's space.
        mentor_page.goto(f"{live_server.url}{req.get_absolute_url()}")
        expect(mentor_page.get_by_text("Leeds. Thank you for asking!")).to_be_visible()
        mentor_page.get_by_role("button", name="Accept Maya").click()
        expect(mentor_page.get_by_role("heading", level=1)).to_have_text("Mentoring Maya Patel")
        expect(mentor_page.get_by_text("Which city are you in?")).to_be_visible()
        mentor_page.get_by_label("Your message").fill("Welcome! Shall we meet on Tuesday?")
        mentor_page.get_by_role("button", name="Send").click()
        expect(mentor_page.get_by_text("Welcome! Shall we meet on Tuesday?")).to_be_visible()
    finally:
        mentor_context.close()

    page.goto(f"{live_server.url}/messages/")
    expect(_messages_link(page)).to_contain_text("1 unread conversation")
    page.get_by_role("link", name="Daniel Okafor").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mentored by Daniel Okafor")
    for text in (MESSAGE, "Which city are you in?", "Leeds.", "Shall we meet on Tuesday?"):
        expect(page.get_by_text(text, exact=False).first).to_be_visible()
    expect(_messages_link(page)).not_to_contain_text("unread")
