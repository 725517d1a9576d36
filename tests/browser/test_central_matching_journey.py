"""Issue #13: the coordinator of the staff programme signs in to the admin, opens the queue of
applicants, matches one with a suggested mentor (never their line manager) and sees the pair.
Every admin page on the way is audited for accessibility."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import Page, expect

from matching.models import Mentorship
from profiles.models import Membership
from tests.browser.locators import field
from tests.factories import (
    PASSWORD,
    ExpertiseAreaFactory,
    MenteeProfileFactory,
    MentorProfileFactory,
    MentorshipRequestFactory,
    ProgrammeFactory,
    UserFactory,
)
from tests.support import local_noon

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_matches_a_staff_applicant_centrally(
    page: Page, live_server, artifacts_dir: Path
):
    leadership = ExpertiseAreaFactory(name="Leading a team", slug="leading-a-team")
    coordinator = UserFactory(
        full_name="Cora Coordinator", email="coordinator@example.org", is_staff=True
    )
    coordinator.groups.add(Group.objects.get(name="Scheme coordinator"))
    staff = ProgrammeFactory(
        name="Professional staff mentoring",
        slug="staff",
        matching="central",
        outside_line_management=True,
        coordinators=[coordinator],
    )
    careers = ProgrammeFactory(name="Alumni career mentoring", slug="careers")
    MentorshipRequestFactory(
        programme=careers,
        mentee=MenteeProfileFactory(user__full_name="Carla Careers", programmes=[careers]).user,
        mentor=MentorProfileFactory(user__full_name="Connor Careers", programmes=[careers]).user,
    )
    MentorProfileFactory(
        user__full_name="Martin Manager",
        user__email="martin@example.org",
        department="Finance",
        areas=[leadership],
        programmes=[staff],
    )
    MentorProfileFactory(
        user__full_name="Olivia Okoro",
        job_title="Head of Library Services",
        department="Library",
        areas=[leadership],
        programmes=[staff],
    )
    amir = MenteeProfileFactory(
        user__full_name="Amir Haddad",
        role="Finance officer",
        goals="Lead a small team within two years.",
        department="Finance",
        line_manager_email="martin@example.org",
        areas=[leadership],
        programmes=[staff],
    )
    Membership.objects.filter(user=amir.user, programme=staff).update(
        application="Someone who moved from a specialist role into leading people.",
        applied_at=local_noon(12),
    )

    # Signs in through the site's own sign-in page, then opens the admin.
    page.goto(f"{live_server.url}/accounts/login/")
    field(page, "Email").fill("coordinator@example.org")
    field(page, "Password").fill(PASSWORD)
    field(page, "Password").press("Enter")
    expect(page).to_have_url(f"{live_server.url}/admin/")  # staff land on the dashboard
    page.goto(f"{live_server.url}/admin/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Site administration")

    # Their programmes: staff only, never careers.
    page.get_by_role("link", name="Programmes").first.click()
    expect(page.get_by_role("row").filter(has_text="Professional staff mentoring")).to_be_visible()
    expect(page.get_by_text("Alumni career mentoring")).to_have_count(0)

    # The programme's own page: its rules in groups, its invitation link to share.
    page.get_by_role("link", name="Professional staff mentoring", exact=True).click()
    for heading in ["About", "People and eligibility", "Matching and engagements", "Rules"]:
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(page.locator(".field-invitation_link")).to_contain_text("/programmes/staff/join/")
    page.screenshot(path=artifacts_dir / "programme-change-coordinator.png", full_page=True)
    page.go_back()

    # The queue: Amir waits, with Olivia suggested and his line manager left out.
    page.get_by_role("row").filter(has_text="Professional staff mentoring").get_by_role(
        "link", name="Applicants"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Applicants to be matched: Professional staff mentoring"
    )
    applicant = page.get_by_role("region", name="Amir Haddad")
    expect(applicant).to_contain_text("Waiting 12 days")
    expect(applicant).to_contain_text("Lead a small team within two years.")
    expect(applicant).to_contain_text("Olivia Okoro")
    expect(applicant).not_to_contain_text("Martin Manager")
    expect(applicant).to_contain_text("Shares 1 area: Leading a team")
    page.screenshot(path=artifacts_dir / "central-matching-queue.png", full_page=True)

    # Match now asks first: who with whom, what happens, who is emailed, an optional note.
    applicant.get_by_role("link", name="Match now: Amir Haddad with Olivia Okoro").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Match Amir Haddad with Olivia Okoro")
    expect(page.locator("#content-main")).to_contain_text("Emailed now:")
    assert not Mentorship.objects.exists()
    page.get_by_label("Introduction note to both (optional)").fill(
        "Olivia moved from a specialist role into leading people, as Amir hopes to."
    )
    page.screenshot(path=artifacts_dir / "central-matching-confirm.png", full_page=True)
    page.get_by_role("button", name="Match Amir Haddad with Olivia Okoro").click()
    expect(page.locator(".messagelist")).to_contain_text(
        "Matched Amir Haddad with Olivia Okoro in Professional staff mentoring"
    )
    expect(page.get_by_text("Nobody is waiting to be matched")).to_be_visible()
    page.screenshot(path=artifacts_dir / "central-matching-matched.png", full_page=True)

    # The pair.
    page.get_by_role("link", name="See the pair").click()
    expect(page.locator("#content")).to_contain_text("Amir Haddad")
    expect(page.locator("#content")).to_contain_text("Olivia Okoro")
    pair = Mentorship.objects.get(mentee=amir.user)
    assert (pair.mentor.full_name, pair.programme, pair.created_by) == (
        "Olivia Okoro",
        staff,
        coordinator,
    )
    assert pair.introduction_note.startswith("Olivia moved from a specialist role")

    # The list of pairs holds theirs only.
    page.get_by_role("link", name="Mentorships").first.click()
    expect(page.get_by_role("row").filter(has_text="Amir Haddad")).to_be_visible()
    expect(page.get_by_text("Carla Careers")).to_have_count(0)


def test_an_administrator_approves_a_mentor_and_reads_one_programmes_report(
    page: Page, live_server, artifacts_dir: Path
):
    UserFactory(full_name="Ada Admin", email="ada@example.org", is_staff=True, is_superuser=True)
    staff = ProgrammeFactory(name="Professional staff mentoring", slug="staff", matching="central")
    careers = ProgrammeFactory(name="Alumni career mentoring", slug="careers")
    for _ in range(6):
        MentorshipRequestFactory(
            programme=careers,
            mentee=MenteeProfileFactory(programmes=[careers]).user,
            mentor=MentorProfileFactory(programmes=[careers]).user,
        )
    waiting = MentorProfileFactory(
        user__full_name="Priya Shah",
        review_status="submitted",
        training_completed_on=timezone.localdate(),
        programmes=[],
    )
    Membership.objects.create(user=waiting.user, programme=staff, role="mentor")

    page.goto(f"{live_server.url}/accounts/login/")
    field(page, "Email").fill("ada@example.org")
    field(page, "Password").fill(PASSWORD)
    field(page, "Password").press("Enter")
    expect(page).to_have_url(f"{live_server.url}/admin/")  # staff land on the dashboard

    # Memberships: approve Priya as a mentor of the staff programme.
    page.goto(f"{live_server.url}/admin/profiles/membership/?status__exact=pending")
    page.get_by_role("row").filter(has_text="Priya Shah").get_by_role("checkbox").check()
    page.get_by_label("Action:").select_option(
        label="Approve the selected mentors in their programme"
    )
    page.get_by_role("button", name="Run").click()
    expect(page.locator(".messagelist")).to_contain_text("Approved 1 membership.")
    assert Membership.objects.get(user=waiting.user).status == "approved"

    # A new programme starts from the defaults.
    page.goto(f"{live_server.url}/admin/profiles/programme/add/")
    expect(page.get_by_label("Mentees a new mentor takes at a time")).to_have_value("2")

    # The report of one programme.
    page.goto(f"{live_server.url}/admin/reports/")
    page.get_by_label("Programme").select_option(label="Alumni career mentoring")
    page.get_by_role("button", name="Show report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report: Alumni career mentoring")
    figures = page.locator("#figures-requests")
    expect(figures.get_by_role("row").filter(has_text="Requests sent")).to_contain_text("6")
    page.screenshot(path=artifacts_dir / "report-one-programme.png", full_page=True)
    page.get_by_label("Programme").select_option(label="Professional staff mentoring")
    page.get_by_role("button", name="Show report").click()
    figures = page.locator("#figures-requests")
    expect(figures.get_by_role("row").filter(has_text="Requests sent")).to_contain_text("0")
