"""A pair agrees its mentoring agreement in a browser: Maya proposes how often and how they
meet, Daniel agrees, and the pair's page shows the agreement and when the next meeting is due.
On the way she adds one of the programme's suggested objectives with one click."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import dateformat, timezone
from playwright.sync_api import Page, expect

from matching.models import Agreement
from tests.browser.locators import field
from tests.factories import PASSWORD, MeetingFactory, MentorshipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page: Page, live_server, email: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    field(page, "Email").fill(email)
    field(page, "Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")


def _sign_out(page: Page, short_name: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("button", name=short_name).click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in").first).to_be_visible()


def test_a_mentee_proposes_the_agreement_and_the_mentor_agrees(
    page: Page, live_server, mentee, mentor
):
    mentorship = MentorshipFactory(
        mentee=mentee, mentor=mentor, started_at=timezone.now() - timedelta(days=20)
    )
    programme = mentorship.programme
    programme.agreement_text = "We keep what we discuss between us.\n\nWe end the pair kindly."
    programme.starter_objectives = "Build a network beyond my team\nPrepare for a promotion"
    programme.save(update_fields=["agreement_text", "starter_objectives"])
    held = MeetingFactory(mentorship=mentorship, held=True)
    pair_url = f"{live_server.url}{mentorship.get_absolute_url()}"
    review_on = timezone.localdate() + timedelta(days=90)
    ends_on = timezone.localdate() + timedelta(days=270)

    # Maya opens their page: the agreement comes first, with the programme's text.
    _sign_in(page, live_server, mentee.email)
    page.goto(pair_url)
    agreement = page.get_by_role("region", name="Our agreement")
    expect(agreement).to_contain_text("Agree together how often and how you will meet")

    # She adds a suggested objective with one click; it leaves the suggestions.
    objectives = page.get_by_role("region", name="Objectives")
    objectives.get_by_role("button", name=re.compile("Add “Prepare for a promotion”")).click()
    expect(page.get_by_role("status").filter(has_text="Objective added")).to_be_visible()
    expect(objectives.get_by_role("heading", level=3)).to_have_text(["Prepare for a promotion"])
    expect(
        objectives.get_by_role("button", name=re.compile("Prepare for a promotion"))
    ).to_have_count(0)

    # She proposes meeting every two months, in person or by video. She forgets the
    # confidentiality statement: the error sits by it and what she chose stays.
    page.get_by_role("link", name="Propose your agreement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Propose your mentoring agreement")
    page.get_by_label("Every two months").check()
    page.get_by_label("In person").check()
    page.get_by_label("Video call").check()
    field(page, "When will you review how it is going? (optional)").fill(f"{review_on:%Y-%m-%d}")
    field(page, "When do you intend to finish? (optional)").fill(f"{ends_on:%Y-%m-%d}")
    field(page, "Anything else you agree (optional)").fill("I arrange the meetings.")
    page.get_by_role("button", name="Propose this agreement").click()
    expect(page.get_by_role("alert")).to_contain_text("Tick the confidentiality statement")
    expect(page.get_by_label("Every two months")).to_be_checked()
    expect(field(page, "Anything else you agree (optional)")).to_have_value(
        "I arrange the meetings."
    )
    page.get_by_label("We keep what we discuss confidential").check()
    page.get_by_role("button", name="Propose this agreement").click()
    expect(
        page.get_by_role("status").filter(has_text="Your proposal is with Daniel")
    ).to_be_visible()
    agreement = page.get_by_role("region", name="Our agreement")
    expect(agreement).to_contain_text("Your proposal, waiting for Daniel")
    expect(agreement.get_by_role("button", name=re.compile("^Withdraw"))).to_be_visible()
    _sign_out(page, "Maya")

    # Daniel agrees it.
    _sign_in(page, live_server, mentor.email)
    page.goto(pair_url)
    agreement = page.get_by_role("region", name="Our agreement")
    expect(agreement).to_contain_text("Maya Mentee proposed")
    expect(agreement).to_contain_text("Every two months")
    agreement.get_by_role("button", name="Agree").click()
    expect(page.get_by_role("status").filter(has_text="You have both agreed it")).to_be_visible()

    # The page shows the agreement and when the next meeting is due: two months after the
    # meeting they held.
    agreement = page.get_by_role("region", name="Our agreement")
    expect(agreement).to_contain_text("Agreed on")
    expect(agreement).to_contain_text("In person, Video call")
    expect(agreement).to_contain_text(f"Finish by{dateformat.format(ends_on, 'j F Y')}")
    due = timezone.localdate(held.starts_at) + timedelta(days=61)
    expect(agreement).to_contain_text(f"Next meeting due by {dateformat.format(due, 'j F Y')}")
    expect(agreement.get_by_role("link", name="Propose a change")).to_be_visible()
    assert Agreement.objects.get().status == "agreed"
    mentorship.refresh_from_db()
    assert mentorship.cadence_days == 61
