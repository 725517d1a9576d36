"""Issue #14: a mentor waiting for approval reads what their programme expects, marks its
required training done, and reads its handbook (every page audited with axe)."""

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from profiles.models import HandbookPage, Membership, MentorProfile, Training, TrainingRecord
from tests.browser.locators import field
from tests.browser.session import sign_in
from tests.factories import MentorProfileFactory, ProgrammeFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_mentor_marks_training_done_and_reads_the_handbook(page: Page, context, live_server):
    staff = ProgrammeFactory(name="Professional staff mentoring", slug="staff")
    briefing = Training.objects.create(
        programme=staff,
        name="Mentor briefing (90 minutes)",
        description="Run by the scheme team for new mentors.",
        audience="mentors",
        required=True,
        valid_months=24,
    )
    Training.objects.create(programme=staff, name="Reading list", audience="both")
    HandbookPage.objects.create(
        programme=staff,
        title="Ways you can help",
        slug="ways-you-can-help",
        moment="start",
        body="As a mentor you might:\n\n- build confidence;\n- **listen** first.\n\n"
        "[More from the scheme](https://example.org/mentoring)\n\n<script>alert(1)</script>",
    )
    HandbookPage.objects.create(
        programme=staff, title="Ending well", slug="ending-well", moment="ending", body="Thanks."
    )
    profile = MentorProfileFactory(
        user=UserFactory(full_name="Gareth Lewis"),
        programmes=[],
        review_status=MentorProfile.ReviewStatus.SUBMITTED,
    )
    Membership.objects.create(user=profile.user, programme=staff, role="mentor", status="pending")
    sign_in(context, live_server, profile.user)

    page.goto(f"{live_server.url}/")
    notice = page.locator(".training-due")
    expect(notice).to_contain_text(
        "Before you can be approved, please complete: Mentor briefing (90 minutes) (required)."
    )
    notice.get_by_role("link", name="Your training for Professional staff mentoring").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Training for Professional staff mentoring"
    )

    item = page.locator(f"#t{briefing.pk}")
    item.get_by_label("Date you completed it").fill("2999-01-01")
    item.get_by_role("button", name="I have completed this").click()
    expect(page.locator(f"#t{briefing.pk}")).to_contain_text(
        "The date you completed it cannot be in the future."
    )
    today = timezone.localdate()
    item = page.locator(f"#t{briefing.pk}")
    item.get_by_label("Date you completed it").fill(today.isoformat())
    item.get_by_role("button", name="I have completed this").click()
    expect(page.get_by_role("status").first).to_contain_text("Thank you: Mentor briefing")
    expect(page.locator(f"#t{briefing.pk}")).to_contain_text(
        f"You completed it on {today:%-d %B %Y}"
    )
    expect(page.locator(".training-waiting")).to_have_count(0)
    assert TrainingRecord.objects.get(user=profile.user).completed_on == today

    page.get_by_role("link", name="Read the Professional staff mentoring handbook").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "The Professional staff mentoring handbook"
    )
    page.get_by_role("link", name="Ways you can help").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ways you can help")
    body = page.locator(".handbook-body")
    expect(body.locator("li strong")).to_have_text("listen")
    expect(body.get_by_role("link", name="More from the scheme")).to_have_attribute(
        "rel", "noopener noreferrer"
    )
    expect(body.locator("script")).to_have_count(0)
    page.get_by_role("navigation", name="Handbook pages").get_by_role(
        "link", name="Ending well"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ending well")
    assert field(page, "Date you completed it").count() == 0
