"""Issue #13: a person joins a programme and finds a mentor in it; an installation with one
programme looks as it did before programmes."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from profiles.models import Membership
from tests.browser.locators import field
from tests.factories import (
    PASSWORD,
    MenteeProfileFactory,
    MentorProfileFactory,
    ProgrammeFactory,
    UserFactory,
    default_programme,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page: Page, live_server, email: str) -> None:
    page.goto(live_server.url)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in").click()
    field(page, "Email").fill(email)
    field(page, "Password").fill(PASSWORD)
    field(page, "Password").press("Enter")
    expect(page).to_have_url(f"{live_server.url}/")


def test_a_person_joins_a_programme_and_finds_a_mentor_in_it(
    page: Page, live_server, artifacts_dir
):
    careers = ProgrammeFactory(
        name="Alumni career mentoring",
        slug="careers",
        summary="Students and recent graduates meet alumni who work in their field.",
        description="Our alumni give their time.\n\nMost pairs meet once a month.",
        audience="Students and recent graduates",
        matching="choice",
    )
    staff = ProgrammeFactory(
        name="Professional staff mentoring",
        slug="staff",
        summary="Staff mentor staff across departments.",
        matching="central",
    )
    MentorProfileFactory(
        user__full_name="Hana Okafor",
        job_title="Finance Director",
        headline="Finance director who moved from engineering",
        programmes=[careers],
    )
    MentorProfileFactory(
        user__full_name="Stan Staffmentor", job_title="Head of Estates", programmes=[staff]
    )
    person = UserFactory(full_name="Zoe Quinn", email="zoe@example.org")

    _sign_in(page, live_server, "zoe@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Programmes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Programmes")
    expect(page.get_by_role("heading", level=2)).to_have_text(
        ["Alumni career mentoring", "Professional staff mentoring"]
    )
    page.screenshot(path=artifacts_dir / "programme-list.png", full_page=True)

    page.get_by_role("link", name="Alumni career mentoring", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Alumni career mentoring")
    expect(page.get_by_text("Most pairs meet once a month.")).to_be_visible()
    page.screenshot(path=artifacts_dir / "programme-detail.png", full_page=True)
    page.get_by_role("button", name="Join as a mentee").click()

    # No mentee profile yet: the next step is writing it.
    expect(page).to_have_url(f"{live_server.url}{reverse('profiles:mentee-edit')}")
    expect(page.get_by_role("status")).to_contain_text(
        "You have joined Alumni career mentoring as a mentee."
    )
    field(page, "Course, department or role").fill("BSc Economics")
    field(page, "What I hope to achieve").fill("A first graduate job in corporate finance.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Your mentee profile is saved.")

    page.goto(f"{live_server.url}{reverse('profiles:directory')}?programme=careers")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Find a mentor")
    expect(page.locator(".mentor-card")).to_contain_text(["Hana Okafor"])
    expect(page.get_by_text("Stan Staffmentor")).to_have_count(0)
    page.get_by_role("link", name="Hana Okafor").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hana Okafor")

    assert list(
        Membership.objects.filter(user=person).values_list("programme__slug", "role", "status")
    ) == [("careers", "mentee", "approved")]


def test_one_programme_no_chooser_and_onboarding_as_before(page: Page, live_server, artifacts_dir):
    programme = default_programme()
    MentorProfileFactory(user__full_name="Hana Okafor", job_title="Finance Director")
    person = UserFactory(full_name="Zoe Quinn", email="zoe@example.org")

    _sign_in(page, live_server, "zoe@example.org")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Find a mentor")).to_be_visible()
    expect(nav.get_by_role("link", name="Programmes")).to_have_count(0)
    page.screenshot(path=artifacts_dir / "single-programme-home.png", full_page=True)

    page.goto(f"{live_server.url}{reverse('profiles:start')}")
    expect(page.get_by_text("several mentoring programmes")).to_have_count(0)
    page.get_by_label("I'd like a mentor", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    field(page, "Course, department or role").fill("BSc Economics")
    field(page, "What I hope to achieve").fill("A first graduate job in corporate finance.")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Find a mentor")
    expect(page.locator(".mentor-card")).to_contain_text(["Hana Okafor"])
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Programmes")
    ).to_have_count(0)
    assert list(Membership.objects.filter(user=person).values_list("programme", "role")) == [
        (programme.pk, "mentee")
    ]


def test_a_staff_mentee_applies_to_be_matched_and_sees_what_they_sent(
    page: Page, live_server, artifacts_dir
):
    default_programme()
    staff = ProgrammeFactory(
        name="Professional staff mentoring",
        slug="staff",
        summary="Staff mentor staff across departments.",
        matching="central",
        outside_line_management=True,
    )
    MentorProfileFactory(
        user__full_name="Hana Okafor", job_title="Head of Research Office", programmes=[staff]
    )
    MenteeProfileFactory(
        user__full_name="Priya Patel", user__email="priya@example.org", programmes=[staff]
    )

    _sign_in(page, live_server, "priya@example.org")
    page.goto(f"{live_server.url}{staff.get_absolute_url()}")
    page.get_by_role("link", name="Apply to be matched").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Apply to be matched")
    expect(
        page.get_by_role("link", name="Add your department and your line manager")
    ).to_be_visible()

    # Sent empty: the reason is beside the field, the mentor chosen stays chosen.
    page.get_by_label("Hana Okafor, Head of Research Office").check()
    page.get_by_role("button", name="Send my application").click()
    expect(page.get_by_role("alert")).to_contain_text("Please correct the problem below")
    expect(field(page, "What I am looking for in a mentor")).to_have_accessible_description(
        re.compile("Tell the coordinators what you are looking for")
    )
    expect(page.get_by_label("Hana Okafor, Head of Research Office")).to_be_checked()

    field(page, "What I am looking for in a mentor").fill(
        "Someone who moved from research into administration."
    )
    page.get_by_role("button", name="Send my application").click()
    expect(page.get_by_role("status")).to_contain_text("your application is with the coordinators")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your application to be matched")
    expect(page.get_by_text("Mentors you would like: Hana Okafor.")).to_be_visible()
    expect(field(page, "What I am looking for in a mentor")).to_have_value(
        "Someone who moved from research into administration."
    )
    page.screenshot(path=artifacts_dir / "programme-apply.png", full_page=True)
