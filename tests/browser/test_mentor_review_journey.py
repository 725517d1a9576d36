"""Issue #18: a coordinator reviews a mentor from the queue: oldest first with how long each has
waited, the profile as mentees will see it, a message required to ask for changes, then
Approve. Every page on the way is audited for accessibility."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import Page, expect

from profiles.models import Membership, MentorProfile
from tests.browser.locators import field
from tests.factories import PASSWORD, MentorProfileFactory, ProgrammeFactory, UserFactory
from tests.support import local_noon

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_reviews_and_approves_a_mentor(page: Page, live_server):
    staff = ProgrammeFactory(slug="staff", name="Staff mentoring")
    coordinator = UserFactory(
        full_name="Chris Coordinator", email="coordinator@example.org", is_staff=True
    )
    coordinator.groups.add(Group.objects.get(name="Scheme coordinator"))
    staff.coordinators.add(coordinator)
    for name, days, key_areas in [
        ("Priya Shah", 9, "I run the finance team of a regional hospital."),
        ("Olu Adeyemi", 30, "I lead the graduate programme."),
    ]:
        profile = MentorProfileFactory(
            user__full_name=name,
            programmes=[staff],
            review_status="submitted",
            submitted_at=local_noon(days),
            key_areas=key_areas,
        )
        Membership.objects.filter(user=profile.user).update(status=Membership.Status.PENDING)

    page.goto(f"{live_server.url}/accounts/login/")
    field(page, "Email").fill("coordinator@example.org")
    field(page, "Password").fill(PASSWORD)
    field(page, "Password").press("Enter")
    expect(page).to_have_url(f"{live_server.url}/admin/")

    # The queue: oldest first, with how long each has waited.
    page.goto(f"{live_server.url}/admin/profiles/mentorprofile/?review=queue")
    rows = page.locator("#result_list tbody tr")
    expect(rows.nth(0)).to_contain_text("Olu Adeyemi")
    expect(rows.nth(0)).to_contain_text("Waiting 30 days")
    expect(rows.nth(1)).to_contain_text("Waiting 9 days")

    # The review page shows the profile as mentees will read it.
    page.get_by_role("link", name="Review Priya Shah").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review Priya Shah")
    expect(page.get_by_text("I run the finance team of a regional hospital.")).to_be_visible()

    # Asking for changes without a message: the error is next to the field.
    page.get_by_role("button", name="Send and mark “changes requested”").click()
    expect(page.locator(".errorlist")).to_contain_text("This field is required")

    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".messagelist")).to_contain_text("Approved Priya Shah's profile.")
    profile = MentorProfile.objects.get(user__full_name="Priya Shah")
    assert profile.review_status == MentorProfile.ReviewStatus.APPROVED
    expect(page.locator("#result_list")).not_to_contain_text("Priya Shah")
