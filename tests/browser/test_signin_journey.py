import pytest
from playwright.sync_api import Page, expect

from tests.browser.locators import field
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_wrong_password_is_explained_then_the_right_one_lands_home(page: Page, live_server, mentee):
    page.goto(live_server.url)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")

    email = field(page, "Email")
    password = field(page, "Password")
    email.fill("maya@example.org")
    password.fill("not-my-password")
    password.press("Enter")

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text(
        "The email address and/or password you specified are not correct."
    )
    expect(summary).to_be_focused()
    expect(email).to_have_value("maya@example.org")
    expect(password).to_have_value("")

    # Keyboard only: into the email field, Tab to the password, Enter to submit.
    email.focus()
    page.keyboard.press("Tab")
    expect(password).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Maya")
