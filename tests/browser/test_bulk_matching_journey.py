"""Issue #18: a coordinator signs in, sees the dashboard, reviews and approves a mentor's profile,
then runs a bulk match for the applicants of a round of a programme that matches centrally:
proposes a set of pairs, changes one applicant's mentor, publishes, and reads the outcome. Every
admin page on the way is audited for accessibility."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.template.defaultfilters import floatformat
from django.utils import timezone
from playwright.sync_api import Page, expect

from matching.models import MatchRun, Mentorship
from profiles.models import Membership, MentorProfile, Round
from tests.browser.locators import field
from tests.factories import (
    PASSWORD,
    ExpertiseAreaFactory,
    MenteeProfileFactory,
    MentorProfileFactory,
    ProgrammeFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _mentor(programme, name, *, areas=(), email=None, department="Library"):
    user = UserFactory(full_name=name, **({"email": email} if email else {}))
    return MentorProfileFactory(
        user=user, programmes=[programme], areas=list(areas), department=department, capacity=1
    )


def _applicant(programme, name, *, days, areas=(), manager="", department="Finance"):
    profile = MenteeProfileFactory(
        user=UserFactory(full_name=name),
        department=department,
        line_manager_email=manager,
        programmes=[programme],
        areas=list(areas),
        # Words no mentor's profile has, so the scores come from the areas alone.
        goals="Qwxz vrtz.",
        role="Zyxt",
        preferred_formats=[],
    )
    Membership.objects.filter(user=profile.user, programme=programme).update(
        applied_at=timezone.now() - timedelta(days=days)
    )
    return profile


def test_a_coordinator_reviews_a_profile_then_runs_and_publishes_a_bulk_match(
    page: Page, live_server, artifacts_dir: Path
):
    staff = ProgrammeFactory(
        name="Staff mentoring", slug="staff", matching="central", outside_line_management=True
    )
    coordinator = UserFactory(
        full_name="Chris Coordinator", email="coordinator@example.org", is_staff=True
    )
    coordinator.groups.add(Group.objects.get(name="Scheme coordinator"))
    staff.coordinators.add(coordinator)
    leadership, budgets, careers = (
        ExpertiseAreaFactory(name=n) for n in ("Leadership", "Budgets", "Careers")
    )
    # Priya waits for review in the coordinator's other programme.
    alumni = ProgrammeFactory(name="Alumni mentoring", slug="alumni")
    alumni.coordinators.add(coordinator)
    priya = MentorProfileFactory(
        user__full_name="Priya Shah",
        programmes=[alumni],
        review_status="submitted",
        submitted_at=timezone.now() - timedelta(days=9),
        key_areas="I run the finance team of a regional hospital.",
    )
    Membership.objects.filter(user=priya.user).update(status=Membership.Status.PENDING)
    _mentor(staff, "Xavier Expert", areas=[leadership, budgets])
    _mentor(staff, "Yasmin Young", email="yasmin@example.org", areas=[leadership])
    _mentor(staff, "Zoe Zhang", areas=[careers])
    wendy = _mentor(staff, "Wendy Wilson", department="Finance")
    _applicant(staff, "Ann Archer", days=20, areas=[leadership, budgets])
    _applicant(staff, "Ben Baker", days=15, areas=[budgets], manager="yasmin@example.org")
    _applicant(staff, "Cat Cole", days=10, areas=[careers], department="Estates")
    # The run is for this autumn's round: Dan applied before its window opened and waits for
    # another run.
    today = timezone.localdate()
    autumn = Round.objects.create(
        programme=staff,
        name="Autumn 2026",
        mentee_opens_on=today - timedelta(days=30),
        mentee_closes_on=today,
        term_ends_on=today + timedelta(days=200),
    )
    _applicant(staff, "Dan Early", days=60, areas=[careers])
    # Wendy is Ann's and Ben's colleague (Finance), so only Cat may have her. The best set is
    # Ann–Yasmin, Ben–Xavier, Cat–Zoe; one applicant at a time would give Ann Xavier and Ben
    # nobody (Yasmin is his line manager).

    page.goto(f"{live_server.url}/accounts/login/")
    field(page, "Email").fill("coordinator@example.org")
    field(page, "Password").fill(PASSWORD)
    field(page, "Password").press("Enter")

    # The dashboard: a profile to review and applicants to match.
    expect(page).to_have_url(f"{live_server.url}/admin/")
    cards = page.locator(".dashboard-waiting .attention-card")
    expect(cards.filter(has_text="Mentor profiles to review")).to_have_count(1)
    expect(cards.filter(has_text="Applicants to match: Staff mentoring")).to_contain_text("4")

    # Review and approve Priya on her review page.
    cards.filter(has_text="Mentor profiles to review").get_by_role("link").click()
    page.get_by_role("link", name="Review Priya Shah").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review Priya Shah")
    expect(page.get_by_text("I run the finance team of a regional hospital.")).to_be_visible()
    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".messagelist")).to_contain_text("Approved Priya Shah's profile.")
    priya.refresh_from_db()
    assert priya.review_status == MentorProfile.ReviewStatus.APPROVED

    # The applicants queue, from the dashboard.
    page.goto(f"{live_server.url}/admin/")
    cards.filter(has_text="Applicants to match: Staff mentoring").get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Applicants to be matched: Staff mentoring"
    )

    # Propose a set of pairs for the round: the assignment, which beats one applicant at a time.
    page.get_by_label("Applicants").select_option(label="Applied in Autumn 2026")
    page.get_by_role("button", name="Propose a set of pairs").click()
    expect(page.locator(".messagelist")).to_contain_text("Proposed 3 pairs for 3 applicants.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Matching run: Staff mentoring")
    pairs = page.locator("table.match-run-pairs")
    for mentee, mentor in [
        ("Ann Archer", "Yasmin Young"),
        ("Ben Baker", "Xavier Expert"),
        ("Cat Cole", "Zoe Zhang"),
    ]:
        expect(pairs.get_by_role("row").filter(has_text=mentee)).to_contain_text(mentor)
    expect(pairs.get_by_role("row").filter(has_text="Cat Cole")).to_contain_text(
        "Shares 1 area: Careers"
    )
    run = MatchRun.objects.get(programme=staff)
    assert run.round == autumn
    expect(page.locator("#content-main")).to_contain_text("applicants of Autumn 2026")
    expect(pairs).not_to_contain_text("Dan Early")
    assert run.summary["total"] > run.summary["greedy_total"]
    expect(page.locator("#content-main")).to_contain_text(
        f"It scored {floatformat(run.summary['total'], 1)} with 3 pairs; taking the best mentor "
        f"for each applicant in turn would score {floatformat(run.summary['greedy_total'], 1)}"
    )
    page.screenshot(path=artifacts_dir / "bulk-matching-proposed.png", full_page=True)

    # Adjust: Cat goes to Wendy instead (the only other mentor with room she may have).
    page.get_by_label("Mentor for Cat Cole").select_option(str(wendy.user_id))
    pairs.get_by_role("row").filter(has_text="Cat Cole").get_by_role(
        "button", name="Change"
    ).click()
    expect(page.locator(".messagelist")).to_contain_text("The applicant's mentor was changed.")
    expect(pairs.get_by_role("row").filter(has_text="Cat Cole")).to_contain_text(
        "Wendy Wilson (chosen by a coordinator)"
    )

    # Publish, after a confirmation that says what happens.
    page.get_by_role("button", name="Publish…").click()
    expect(page.locator("#content-main")).to_contain_text(
        "Match now: each pair starts today and both people are emailed an introduction."
    )
    page.get_by_role("button", name="Publish 3 pairs and email both people").click()
    expect(page.locator(".messagelist")).to_contain_text("Published: 3 pairs matched.")
    expect(page.locator("#content-main")).to_contain_text("Status: Published")
    outcome = page.locator("table.match-run-pairs")
    expect(outcome.get_by_role("row").filter(has_text="Matched")).to_have_count(3)
    page.screenshot(path=artifacts_dir / "bulk-matching-published.png", full_page=True)

    made = set(
        Mentorship.objects.filter(programme=staff).values_list(
            "mentee__full_name", "mentor__full_name"
        )
    )
    assert made == {
        ("Ann Archer", "Yasmin Young"),
        ("Ben Baker", "Xavier Expert"),
        ("Cat Cole", "Wendy Wilson"),
    }
