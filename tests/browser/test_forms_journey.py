"""Forms people finish, in Chromium at 1280 px and on a 390 px phone, axe on every page: the mentor
profile in short sections (availability first) with character counters announced politely; the
requests list as cards on a phone with nothing scrolling sideways; allauth's password change page
in our layout and words; the time-zone page suggesting the browser's zone."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import Page, expect

from tests.browser.session import sign_in
from tests.factories import (
    PASSWORD,
    ExpertiseAreaFactory,
    MenteeProfileFactory,
    MentorProfileFactory,
    MentorshipRequestFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTHS = [1280, 390]


def _no_sideways_scroll(page: Page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", WIDTHS)
def test_the_mentor_profile_in_sections_with_counters(page: Page, context, live_server, width):
    page.set_viewport_size({"width": width, "height": 900})
    ExpertiseAreaFactory(name="Changing sector")
    profile = MentorProfileFactory(
        user__full_name="Daniel Okafor", key_areas="I lead a team of 24.", capacity=2
    )
    sign_in(context, live_server, profile.user)

    page.goto(f"{live_server.url}/profile/mentor/")

    contents = page.get_by_role("navigation", name="On this page")
    expect(contents.get_by_role("link")).to_have_text(
        ["Availability", "About you", "Experience", "How you can help"]
    )
    headings = page.locator("form h2")
    expect(headings).to_have_text(["Availability", "About you", "Experience", "How you can help"])
    # Pause and capacity come first: above the headline, within the first screens.
    capacity = page.get_by_label("Mentees at a time")
    hide = page.get_by_role("button", name="Hide my profile")
    headline_box = page.locator('input[name="headline"]').bounding_box()
    assert capacity.bounding_box()["y"] < headline_box["y"]
    assert hide.bounding_box()["y"] < headline_box["y"]
    expect(page.get_by_role("link", name="Say until when")).to_be_visible()

    # The contents list jumps to a section.
    contents.get_by_role("link", name="How you can help").click()
    expect(page).to_have_url(re.compile(r"#how-you-can-help$"))

    # A counter under each long field, described to screen readers, and a polite live region.
    key_areas = page.locator('textarea[name="key_areas"]')
    counter = page.locator("#id_key_areas_counter")
    expect(counter).to_have_text("1,980 characters left of 2,000")
    assert "id_key_areas_counter" in key_areas.get_attribute("aria-describedby")
    key_areas.fill("I lead a team of 24 and set up the graduate programme.")
    expect(counter).to_have_text("1,946 characters left of 2,000")
    live = page.locator('[data-char-counter-live][aria-live="polite"]').first
    expect(live).to_have_text("1,946 characters left of 2,000")
    # Counted as the server counts: an emoji is one character, a line break two (CR LF sent).
    key_areas.fill("Café 🎉\nNext")
    expect(counter).to_have_text("1,988 characters left of 2,000")
    key_areas.fill("I lead a team of 24 and set up the graduate programme.")
    _no_sideways_scroll(page, width)

    # The form still saves, and what was typed is kept.
    capacity.fill("3")
    page.get_by_label("Changing sector").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#error-summary")).to_have_count(0)
    profile.refresh_from_db()
    assert profile.capacity == 3
    assert profile.key_areas.startswith("I lead a team of 24 and set up")


@pytest.mark.parametrize("width", WIDTHS)
def test_requests_are_cards_on_a_phone(page: Page, context, live_server, width):
    page.set_viewport_size({"width": width, "height": 900})
    mentor = MentorProfileFactory(user__full_name="Daniel Okafor", capacity=5).user
    for name in ("Maya Patel", "Sam Brook", "Aisha Rahman-Whitfield-Longname"):
        MentorshipRequestFactory(
            mentor=mentor, mentee=MenteeProfileFactory(user__full_name=name).user
        )
    sign_in(context, live_server, mentor)

    page.goto(f"{live_server.url}/requests/")

    answer = page.get_by_role("link", name="Answer Maya Patel")
    expect(answer).to_be_visible()
    if width == 390:
        expect(page.locator(".request-cards").first).to_be_visible()
        expect(page.locator("table").first).to_be_hidden()
    else:
        expect(page.locator("table").first).to_be_visible()
        expect(page.locator(".request-cards").first).to_be_hidden()
    _no_sideways_scroll(page, width)
    answer.click()
    expect(page).to_have_url(re.compile(r"/requests/\d+/$"))


@pytest.mark.parametrize("width", WIDTHS)
def test_changing_the_password_looks_like_our_pages(
    page: Page, context, live_server, mentee, width
):
    page.set_viewport_size({"width": width, "height": 900})
    EmailAddress.objects.update_or_create(
        user=mentee, email=mentee.email, defaults={"verified": True, "primary": True}
    )
    sign_in(context, live_server, mentee)

    page.goto(f"{live_server.url}/accounts/password/change/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Change password")
    expect(page.get_by_role("navigation", name="Account settings")).to_be_visible()
    expect(page.locator("footer")).to_be_visible()
    page.get_by_label("Current password").fill(PASSWORD)
    page.locator("#id_password1").fill("a much longer passphrase 7")
    page.get_by_label("New password (again)").fill("a much longer passphrase 7")
    button = page.get_by_role("button", name="Change password")
    assert "btn-primary" in button.get_attribute("class")
    _no_sideways_scroll(page, width)
    button.click()

    expect(page.get_by_text("Password successfully changed.")).to_be_visible()
    mentee.refresh_from_db()
    assert mentee.check_password("a much longer passphrase 7")


def test_the_time_zone_page_suggests_the_browsers_zone(browser, live_server, mentee, a11y):
    context = browser.new_context(
        locale="en-GB", timezone_id="Europe/Madrid", viewport={"width": 390, "height": 900}
    )
    a11y.install(context)
    try:
        page = context.new_page()
        sign_in(context, live_server, mentee)
        page.goto(f"{live_server.url}/profile/time-zone/")

        region = page.locator('[data-time-zone-suggestion][role="status"]')
        expect(region).to_contain_text("Your browser says Europe/Madrid.")
        region.get_by_role("button", name="Use Madrid (Spain)").click()
        expect(region).to_contain_text("Madrid (Spain) is chosen.")
        expect(page.get_by_label("Your time zone")).to_have_value("Europe/Madrid")
        _no_sideways_scroll(page, 390)
        page.get_by_role("button", name="Save time zone").click()

        expect(page.get_by_text("Your time zone is now Madrid (Spain).")).to_be_visible()
        mentee.refresh_from_db()
        assert mentee.time_zone == "Europe/Madrid"
        a11y.wait_for_audit(page)
        assert not a11y.report()
    finally:
        context.close()
