"""Issue #16: a mentee saves mentors to a shortlist from the directory and the mentor's page,
finds them again with their current availability, and removes one."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.session import sign_in
from tests.factories import MenteeProfileFactory, MentorProfileFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_mentee_saves_finds_and_removes_mentors(page: Page, context, live_server):
    mentee = MenteeProfileFactory(user__full_name="Maya Patel").user
    MentorProfileFactory(user__full_name="Daniel Okafor", job_title="Finance Director", capacity=2)
    MentorProfileFactory(user__full_name="Rosa Santos", job_title="Product Manager", capacity=1)
    sign_in(context, live_server, mentee)

    page.goto(f"{live_server.url}/mentors/")
    daniel = page.locator(".mentor-card", has_text="Daniel Okafor")
    daniel.get_by_role("button", name="Save to my shortlist").click()
    expect(page.get_by_text("Daniel Okafor is on your shortlist")).to_be_visible()
    expect(daniel.get_by_role("button", name="Saved")).to_be_visible()

    page.locator(".mentor-card", has_text="Rosa Santos").get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rosa Santos")
    page.get_by_role("button", name="Save to my shortlist").click()
    expect(page.get_by_role("button", name="Saved")).to_be_visible()

    page.goto(f"{live_server.url}/mentors/")
    page.get_by_role("link", name="my shortlist").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My shortlist")
    saved = page.get_by_role("list", name="Saved mentors")
    expect(saved.get_by_role("listitem")).to_have_count(2)
    expect(saved).to_contain_text("2 places left")
    expect(saved).to_contain_text("1 place left")

    page.get_by_role("button", name="Remove Rosa Santos from my shortlist").click()
    expect(page.get_by_text("Removed from your shortlist.")).to_be_visible()
    expect(saved.get_by_role("listitem")).to_have_count(1)
    expect(saved).to_contain_text("Daniel Okafor")
