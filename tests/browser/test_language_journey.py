"""Issue 19: the language switcher in the footer turns the pages Welsh, keyboard first; the next
page and a later visit stay Welsh, and a signed-in person's choice follows them to their next
sign-in on another device. Every page is audited with axe (tests/browser/accessibility.py)."""

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.locators import field
from tests.browser.session import sign_in
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_visitor_switches_to_welsh_with_the_keyboard_and_it_is_remembered(
    page: Page, live_server
):
    page.goto(f"{live_server.url}/accessibility/")
    expect(page.locator("html")).to_have_attribute("lang", "en-GB")
    switch = page.get_by_role("contentinfo").get_by_role("button", name="Cymraeg")
    switch.focus()
    page.keyboard.press("Enter")

    # Back on the same page, in Welsh.
    expect(page).to_have_url(f"{live_server.url}/accessibility/")
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page.get_by_role("heading", level=1)).to_have_text("Datganiad hygyrchedd")

    # The next page, and a later visit, stay Welsh (the language cookie).
    page.get_by_role("contentinfo").get_by_role("link", name="Hysbysiad preifatrwydd").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hysbysiad preifatrwydd")
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Dewch o hyd i fentor sydd wedi cerdded y llwybr rydych arno"
    )

    # And back to English the same way.
    page.get_by_role("contentinfo").get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en-GB")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Find a mentor who has walked the path you are on"
    )


def test_a_signed_in_mentee_chooses_welsh_and_gets_it_at_the_next_sign_in(
    browser: Browser, page: Page, context, live_server, mentee
):
    sign_in(context, live_server, mentee)
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Maya")
    page.get_by_role("contentinfo").get_by_role("button", name="Cymraeg").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Croeso, Maya")
    mentee.refresh_from_db()
    assert mentee.language == "cy"

    # Another device, an English browser: signing in brings her Welsh back.
    other = browser.new_context(locale="en-GB")
    try:
        second = other.new_page()
        second.goto(f"{live_server.url}/accounts/login/")
        field(second, "Email").fill(mentee.email)
        password = field(second, "Password")
        password.fill(PASSWORD)
        password.press("Enter")
        expect(second).to_have_url(f"{live_server.url}/")
        expect(second.get_by_role("heading", level=1)).to_have_text("Croeso, Maya")
        expect(second.locator("html")).to_have_attribute("lang", "cy")
    finally:
        other.close()
