"""Issue #17, search that finds: a mentee searches by country and by the start of a word, sees
why each mentor matched and full mentors last, on a desktop and on a 390 px phone where the
mentors come before the filters (axe runs on every page)."""

import pytest
from django.db.models import F
from playwright.sync_api import Page, expect

from profiles.models import MentorProfile
from tests.browser.session import sign_in
from tests.factories import (
    ExpertiseAreaFactory,
    JobHistoryEntryFactory,
    MenteeProfileFactory,
    MentorProfileFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _mentors():
    salary = ExpertiseAreaFactory(name="Salary negotiation", slug="salary-negotiation")
    ExpertiseAreaFactory(name="CVs and interviews", slug="cvs-and-interviews")
    mentee = MenteeProfileFactory(user__full_name="Maya Patel").user
    nurse = MentorProfileFactory(
        user__full_name="Lucía García",
        job_title="Ward manager",
        organisation="Hospital del Mar",
        headline="From nursing in the NHS to running a ward in Barcelona",
        country="ES",
        city="Barcelona",
        industry="healthcare",
    )
    JobHistoryEntryFactory(profile=nurse, title="Staff nurse", organisation="NHS", description="")
    full = MentorProfileFactory(
        user__full_name="Javier Ruiz",
        job_title="Buyer",
        organisation="Mercado SA",
        headline="Negotiation for buyers",
        country="ES",
        city="Madrid",
        areas=[salary],
    )
    MentorProfile.objects.filter(pk=full.pk).update(mentee_count=F("capacity"))
    MentorProfileFactory(
        user__full_name="Amina Odhiambo",
        job_title="Analyst",
        organisation="Harbour Bank",
        headline="Salary talks without fear",
        country="KE",
        city="Nairobi",
        areas=[salary],
    )
    return mentee


def _no_sideways_scroll(page: Page) -> None:
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_mentee_searches_by_country_and_word_start_on_a_desktop(
    page: Page, context, live_server, artifacts_dir
):
    mentee = _mentors()
    sign_in(context, live_server, mentee)
    page.goto(f"{live_server.url}/mentors/")
    # On a desktop the filters are open beside the results, with no button to open them.
    expect(page.get_by_label("CVs and interviews")).to_be_visible()
    expect(page.get_by_text("Filters", exact=True)).to_be_hidden()

    search = page.get_by_role("searchbox", name="Search")
    search.fill("Spain")
    search.press("Enter")
    cards = page.locator(".mentor-card")
    # The full mentor comes after the one with a place, and the page says so.
    expect(cards).to_have_count(2)
    expect(cards.nth(0)).to_contain_text("Lucía García")
    expect(cards.nth(1)).to_contain_text("Javier Ruiz")
    expect(cards.nth(1)).to_contain_text("Full")
    expect(page.get_by_text("Mentors with a free place first, then best matches")).to_be_visible()
    expect(cards.nth(0).locator(".matched-on")).to_have_text("Matched on: Spain (country)")

    page.screenshot(path=artifacts_dir / "search-desktop.png")
    search.fill("nhs spa")
    search.press("Enter")
    expect(cards).to_have_count(1)
    expect(cards.first.locator(".matched-on")).to_have_text(
        "Matched on: NHS (headline), NHS (job history), Spain (country)"
    )

    search.fill("neg")
    search.press("Enter")
    expect(cards).to_have_count(2)
    expect(cards.nth(0)).to_contain_text("Amina Odhiambo")
    expect(cards.nth(0).locator(".matched-on")).to_contain_text("negotiation (areas)")

    page.goto(f"{live_server.url}/mentors/?page=999")
    expect(page.get_by_role("status").filter(has_text="There is no page 999")).to_have_text(
        "There is no page 999: there is 1 page. This is the last."
    )
    expect(cards).to_have_count(3)


def test_on_a_phone_the_mentors_come_before_the_filters(
    page: Page, context, live_server, artifacts_dir
):
    mentee = _mentors()
    sign_in(context, live_server, mentee)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/mentors/?country=ES&available=1")

    # The first mentor is on the first screen; the filters wait behind one button.
    first = page.locator(".mentor-card").first
    expect(first).to_contain_text("Lucía García")
    box = first.bounding_box()
    assert box is not None and box["y"] < PHONE["height"]
    expect(page.get_by_label("CVs and interviews")).to_be_hidden()
    _no_sideways_scroll(page)
    page.screenshot(path=artifacts_dir / "search-phone.png")

    page.get_by_text("Filters (2)").click()
    expect(page.get_by_label("CVs and interviews")).to_be_visible()
    expect(page.get_by_label("Has a free place")).to_be_checked()
    page.get_by_label("Has a free place").uncheck()
    page.get_by_role("button", name="Show mentors").click()
    expect(page.locator(".mentor-card")).to_have_count(2)
    expect(page.get_by_text("Filters (1)")).to_be_visible()
    _no_sideways_scroll(page)

    search = page.get_by_role("searchbox", name="Search")
    search.fill("kenya")
    search.press("Enter")
    expect(page.get_by_text("No mentors match all of that")).to_be_visible()
    page.get_by_role("link", name="see every mentor").click()
    search.fill("kenya")
    search.press("Enter")
    expect(page.locator(".mentor-card")).to_have_count(1)
    expect(page.locator(".matched-on")).to_have_text("Matched on: Kenya (country)")
    _no_sideways_scroll(page)
