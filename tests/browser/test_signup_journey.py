import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.locators import field

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONFIRM_LINK = re.compile(r"https?://\S+/accounts/confirm-email/\S+/")


def test_visitor_signs_up_confirms_email_and_lands_home(
    page: Page, live_server, mailoutbox, artifacts_dir
):
    page.goto(live_server.url)
    page.get_by_role("main").get_by_role("link", name="Sign up").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Sign up")
    field(page, "Full name").fill("Zoe Quinn")
    field(page, "Email").fill("zoe@example.org")
    field(page, "Password").fill("maple-lantern-orbit")
    field(page, "Password (again)").fill("maple-lantern-orbit")
    field(page, "Password (again)").press("Enter")  # submit from the keyboard

    expect(page.get_by_role("heading", level=1)).to_have_text("Verify your email address")
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["zoe@example.org"]
    link = CONFIRM_LINK.search(email.body).group(0)

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your email address")
    page.get_by_role("button", name="Confirm").click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Zoe")
    # Styled by Bootstrap (a flex navbar) and by site.css (the header's pale blue).
    expect(page.get_by_role("navigation", name="Main")).to_have_css("display", "flex")
    expect(page.get_by_role("banner")).to_have_css("background-color", "rgb(244, 247, 251)")
    page.screenshot(path=artifacts_dir / "signup-journey-home.png", full_page=True)


def test_sign_up_with_bad_input_explains_each_problem_and_keeps_what_was_typed(
    page: Page, live_server, mailoutbox
):
    page.goto(f"{live_server.url}/accounts/signup/")

    field(page, "Full name").fill("Zoe Quinn")
    field(page, "Email").fill("zoe.example.org")
    field(page, "Password").fill("maple-lantern-orbit")
    field(page, "Password (again)").fill("maple-lantern-orbet")
    page.get_by_role("button", name="Sign Up").click()

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Please correct the 2 problems below")
    expect(summary.get_by_role("link")).to_have_text(
        [
            "Email: Enter a valid email address.",
            "Password (again): You must type the same password each time.",
        ]
    )
    # Keyboard and screen reader users start at the summary.
    expect(summary).to_be_focused()
    # Each message is tied to its field, so it is read out with the field.
    expect(field(page, "Email")).to_have_accessible_description(
        re.compile("Enter a valid email address")
    )
    expect(field(page, "Password (again)")).to_have_accessible_description(
        re.compile("You must type the same password each time")
    )
    expect(field(page, "Full name")).to_have_value("Zoe Quinn")
    expect(field(page, "Email")).to_have_value("zoe.example.org")
    assert mailoutbox == []
