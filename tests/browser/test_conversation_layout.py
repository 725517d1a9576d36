"""A conversation on a phone: a long link wraps inside its message instead of making the whole
page wider than the screen (found in the hand check of #15)."""

import pytest
from playwright.sync_api import Page, expect

from matching import conversations
from tests.browser.session import sign_in
from tests.factories import MentorshipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_LINK = "https://docs.example.org/d/" + "1Xq9ZpLmNvB7rT2yKw" * 16  # no hyphen to break at


def test_a_long_link_wraps_on_a_narrow_screen(page: Page, context, live_server):
    pair = MentorshipFactory()
    conversations.post_message(
        conversations.conversation_for_mentorship(pair),
        author=pair.mentee,
        body=f"My CV is here: {LONG_LINK}",
    )
    sign_in(context, live_server, pair.mentor)
    page.set_viewport_size({"width": 375, "height": 800})

    page.goto(f"{live_server.url}{pair.get_absolute_url()}")
    expect(page.get_by_role("link", name=LONG_LINK)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    page.goto(f"{live_server.url}/messages/")
    expect(page.get_by_text("My CV is here:")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
