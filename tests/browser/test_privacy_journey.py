"""Issue #10: people own their data, and mentors can report a request. A visitor reads the privacy
notice; a mentor looks at their data, deletes their account (a wrong password first) and the
mentee keeps the pair's records; another mentor reports an inappropriate request."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.locators import field
from tests.browser.session import sign_in
from tests.factories import (
    PASSWORD,
    MeetingFactory,
    MenteeProfileFactory,
    MentorProfileFactory,
    MentorshipFactory,
    MentorshipRequestFactory,
    ObjectiveFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_visitor_finds_the_privacy_notice_from_the_footer_and_the_sign_up_page(
    page: Page, live_server, settings
):
    settings.SCHEME_CONTACT_EMAIL = "privacy@uni.example"
    page.goto(f"{live_server.url}/accounts/signup/")
    expect(page.get_by_role("main").get_by_role("link", name="privacy notice")).to_be_visible()

    page.get_by_role("contentinfo").get_by_role("link", name="Privacy notice").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Privacy")
    expect(page.get_by_role("main")).to_contain_text("privacy@uni.example")


def test_a_mentor_reads_their_data_then_deletes_their_account(
    browser, page: Page, context, live_server
):
    profile = MentorProfileFactory(user__full_name="Daniel Okafor", capacity=2)
    maya = MenteeProfileFactory(user__full_name="Maya Patel").user
    pair = MentorshipFactory(mentor=profile.user, mentee=maya)
    ObjectiveFactory(mentorship=pair, title="Lead a project from start to finish")
    MeetingFactory(mentorship=pair)
    sign_in(context, live_server, profile.user)

    page.goto(f"{live_server.url}/")
    page.get_by_role("button", name="Daniel").click()
    page.get_by_role("link", name="Download my data").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Maya Patel")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("JSON", re.I)).click()
    assert download.value.suggested_filename.endswith(".json")

    page.get_by_role("main").get_by_role("link", name="Delete my account").click()
    password = field(page, "Your password")
    password.fill("not-my-password")
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_role("alert")).to_contain_text(re.compile("password", re.I))
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete your account")
    field(page, "Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_role("status")).to_contain_text(re.compile("deleted", re.I))

    # Maya keeps the pair's page: the mentorship has ended, Daniel is a former participant.
    mentee_context = browser.new_context(locale="en-GB")
    try:
        sign_in(mentee_context, live_server, pair.mentee)
        mentee_page = mentee_context.new_page()
        mentee_page.goto(f"{live_server.url}/mentorships/{pair.pk}/")
        main = mentee_page.get_by_role("main")
        expect(main).to_contain_text(re.compile("former participant", re.I))
        expect(main).to_contain_text("Lead a project from start to finish")
        expect(main).not_to_contain_text("Daniel")
    finally:
        mentee_context.close()


def test_a_mentor_reports_an_inappropriate_request(page: Page, context, live_server, settings):
    settings.REQUEST_EMAIL_HOLD_MINUTES = 0
    request = MentorshipRequestFactory(
        mentee=MenteeProfileFactory(user__full_name="Sam Sender").user
    )
    sign_in(context, live_server, request.mentor)

    page.goto(f"{live_server.url}/requests/{request.pk}/")
    page.get_by_text("Report this request as inappropriate").click()
    page.get_by_role("button", name="Report to the scheme team").click()
    expect(page.get_by_role("alert")).to_contain_text("what was inappropriate")
    reason = field(page, "What was inappropriate?")
    reason.fill("The message asked for my home address.")
    page.get_by_role("button", name="Report to the scheme team").click()

    expect(page.get_by_role("main")).to_contain_text("You reported this request")
    expect(page.get_by_role("main")).to_contain_text("cannot ask you again")
