"""Issue #3: a mentee finds a mentor; a mentor who turns inactive disappears from the results."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.session import sign_in
from tests.factories import (
    ExpertiseAreaFactory,
    JobHistoryEntryFactory,
    MenteeProfileFactory,
    MentorProfileFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_mentee_searches_filters_and_opens_a_profile(page: Page, context, live_server):
    salary = ExpertiseAreaFactory(name="Salary negotiation", slug="salary-negotiation")
    cvs = ExpertiseAreaFactory(name="CVs and interviews", slug="cvs-and-interviews")
    mentee = MenteeProfileFactory(user__full_name="Maya Patel", areas=[salary]).user
    finance = MentorProfileFactory(
        user__full_name="Daniel Okafor",
        job_title="Finance Director",
        headline="Finance director who moved from engineering",
        areas=[salary, cvs],
    )
    JobHistoryEntryFactory(profile=finance, title="Structural Engineer", organisation="Atlas Rail")
    MentorProfileFactory(user__full_name="Rosa Santos", job_title="Product Manager", areas=[cvs])
    MentorProfileFactory(user__full_name="Tom Wilson", job_title="Hotel Manager", areas=[salary])
    sign_in(context, live_server, mentee)

    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Find a mentor").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Find a mentor")
    # Mentors who help with what Maya wants come first, with the shared area on the card.
    expect(
        page.get_by_text("Mentors with a free place first, then those who help with what you want")
    ).to_be_visible()
    first_card = page.locator(".mentor-card").first
    expect(first_card).to_contain_text("You both mention salary negotiation")

    page.get_by_role("searchbox", name="Search").fill("engineer")
    page.get_by_role("searchbox", name="Search").press("Enter")
    expect(page.locator(".mentor-card")).to_have_count(1)
    expect(page.locator(".mentor-card")).to_contain_text("Daniel Okafor")

    page.get_by_role("searchbox", name="Search").fill("")
    page.get_by_label("CVs and interviews").check()
    page.get_by_role("button", name="Show mentors").click()
    expect(page).to_have_url(
        f"{live_server.url}/mentors/?q=&area=cvs-and-interviews&industry=&country=&format="
    )
    expect(page.locator(".mentor-card")).to_have_count(2)
    expect(page.get_by_text("2 mentors")).to_be_visible()

    page.get_by_role("link", name="Daniel Okafor").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Daniel Okafor")
    expect(page.get_by_text("Atlas Rail")).to_be_visible()
    expect(page.get_by_role("link", name="Interested")).to_be_visible()
    expect(page.get_by_text(finance.user.email)).to_have_count(0)


def test_a_mentor_who_turns_inactive_disappears_from_the_results(
    browser, page: Page, context, live_server
):
    mentee = MenteeProfileFactory(user__full_name="Maya Patel").user
    leaving = MentorProfileFactory(user__full_name="Lars Robinson", job_title="Marketing Director")
    MentorProfileFactory(user__full_name="Rosa Santos", job_title="Product Manager")
    sign_in(context, live_server, mentee)
    page.goto(f"{live_server.url}/mentors/?q=marketing")
    expect(page.locator(".mentor-card")).to_contain_text("Lars Robinson")

    # Lars, in his own browser, hides his profile while he is away.
    mentor_context = browser.new_context(locale="en-GB")
    try:
        sign_in(mentor_context, live_server, leaving.user)
        mentor_page = mentor_context.new_page()
        mentor_page.goto(f"{live_server.url}/profile/mentor/")
        mentor_page.get_by_role("button", name="Hide my profile").click()
        expect(mentor_page.get_by_role("status")).to_contain_text("hidden from mentees")
    finally:
        mentor_context.close()

    page.reload()
    expect(page.get_by_text("No mentors match all of that")).to_be_visible()
    page.goto(f"{live_server.url}{leaving.get_absolute_url()}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
