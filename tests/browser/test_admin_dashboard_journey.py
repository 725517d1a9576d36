"""Issue #18: a coordinator signs in, lands on their programme dashboard, and follows one line
of it to the admin list it counts. Every page on the way is audited for accessibility."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.locators import field
from tests.factories import (
    PASSWORD,
    MenteeProfileFactory,
    MentorProfileFactory,
    MentorshipRequestFactory,
    ProgrammeFactory,
    UserFactory,
)
from tests.support import local_noon

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_lands_on_the_dashboard_and_opens_the_review_queue(page: Page, live_server):
    staff = ProgrammeFactory(slug="staff", name="Staff mentoring")
    careers = ProgrammeFactory(slug="careers", name="Careers mentoring")
    coordinator = UserFactory(
        full_name="Chris Coordinator", email="coordinator@example.org", is_staff=True
    )
    coordinator.groups.add(Group.objects.get(name="Scheme coordinator"))
    staff.coordinators.add(coordinator)
    MentorProfileFactory(
        user__full_name="Priya Shah",
        programmes=[staff],
        review_status="submitted",
        submitted_at=local_noon(9),
    )
    MentorProfileFactory(
        user__full_name="Olu Adeyemi",
        programmes=[careers],
        review_status="submitted",
        submitted_at=local_noon(30),
    )
    mentor = MentorProfileFactory(user__full_name="Daniel Okafor", programmes=[staff])
    MentorshipRequestFactory(
        mentee=MenteeProfileFactory(programmes=[staff]).user,
        mentor=mentor.user,
        programme=staff,
        created_at=timezone.now() - timedelta(days=10),
    )

    page.goto(f"{live_server.url}/accounts/login/")
    field(page, "Email").fill("coordinator@example.org")
    field(page, "Password").fill(PASSWORD)
    field(page, "Password").press("Enter")

    # Lands on the dashboard: their programme's waiting things, oldest first.
    expect(page).to_have_url(f"{live_server.url}/admin/")
    expect(page.get_by_role("heading", name="Waiting for you")).to_be_visible()
    cards = page.locator(".dashboard-waiting .attention-card")
    expect(cards).to_have_count(2)
    expect(cards.nth(0)).to_contain_text("Requests unanswered after a week")
    expect(cards.nth(1)).to_contain_text("Mentor profiles to review")
    expect(cards.nth(1)).to_contain_text("(oldest waiting 9 days)")
    expect(page.locator("#programme-dashboard")).to_contain_text("Staff mentoring")
    expect(page.locator("#programme-dashboard")).not_to_contain_text("Careers")
    # The list of everything in the admin is still below.
    expect(page.get_by_role("heading", name="Everything in the admin")).to_be_visible()

    # One line leads to the list it counts: the review queue, theirs only.
    cards.nth(1).get_by_role("link").click()
    expect(page).to_have_url(f"{live_server.url}/admin/profiles/mentorprofile/?review=queue")
    expect(page.get_by_role("row").filter(has_text="Priya Shah")).to_have_count(1)
    expect(page.get_by_role("row").filter(has_text="Olu Adeyemi")).to_have_count(0)
