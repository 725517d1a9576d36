"""Issue 18: a coordinator reads why each mentor is suggested for a mentee, proposes one
to the mentor with a note (after a confirmation page); the mentor sees the request marked as
the coordinator's, with the note, and accepts. Every page on the way is audited with axe."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse
from playwright.sync_api import Page, expect

from matching.models import Mentorship, MentorshipRequest
from tests.browser.session import sign_in
from tests.factories import (
    ExpertiseAreaFactory,
    MenteeProfileFactory,
    MentorProfileFactory,
    ProgrammeFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NOTE = "Nia ran NHS services for twenty years, the move Amir is planning."


def test_a_coordinator_proposes_a_mentor_who_accepts(
    browser, page: Page, context, live_server, settings
):
    settings.REQUEST_EMAIL_HOLD_MINUTES = 0
    finance = ExpertiseAreaFactory(name="Finance", slug="finance")
    coordinator = UserFactory(full_name="Cora Coordinator", is_staff=True)
    coordinator.groups.add(Group.objects.get(name="Scheme coordinator"))
    staff = ProgrammeFactory(
        name="Staff mentoring", slug="staff", matching="central", coordinators=[coordinator]
    )
    nia = MentorProfileFactory(
        user__full_name="Nia Jones",
        user__email="nia@example.org",
        headline="NHS management for twenty years",
        job_title="Director of operations",
        industry="healthcare",
        programmes=[staff],
    )
    MentorProfileFactory(
        user__full_name="Arun Shah", job_title="Adviser", areas=[finance], programmes=[staff]
    )
    amir = MenteeProfileFactory(
        user__full_name="Amir Haddad",
        user__email="amir@example.org",
        role="Finance officer",
        goals="I would like to move into NHS management.",
        areas=[finance],
        programmes=[staff],
    )
    sign_in(context, live_server, coordinator)

    # The mentee's page: the goals match first, with the reasons.
    page.goto(f"{live_server.url}{reverse('admin:profiles_menteeprofile_match', args=[amir.pk])}")
    rows = page.locator("table.match-suggestions tbody tr")
    expect(rows.first).to_contain_text("Nia Jones")
    expect(rows.first).to_contain_text("The mentee's goals match the profile: NHS management")
    expect(rows.nth(1)).to_contain_text("Shares 1 area: Finance")

    # Propose asks first, then sends the request with the note.
    rows.first.get_by_role("link", name="Propose to the mentor Nia Jones").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Propose Nia Jones to mentor Amir Haddad"
    )
    assert not MentorshipRequest.objects.exists()
    page.get_by_label("Note to the mentor and the mentee (optional)").fill(NOTE)
    page.get_by_role("button", name="Propose Nia Jones to mentor Amir Haddad").click()
    expect(page.locator(".messagelist")).to_contain_text(
        "Proposed Nia Jones as Amir Haddad's mentor in Staff mentoring"
    )
    req = MentorshipRequest.objects.get()
    assert (req.proposed_by, req.coordinator_note) == (coordinator, NOTE)
    assert {m.to[0] for m in mail.outbox} == {"nia@example.org", "amir@example.org"}

    # Nia, in her own browser, reads the proposal and accepts.
    mentor_context = browser.new_context(locale="en-GB")
    try:
        sign_in(mentor_context, live_server, nia.user)
        mentor_page = mentor_context.new_page()
        mentor_page.goto(f"{live_server.url}{reverse('matching:request-detail', args=[req.pk])}")
        proposal = mentor_page.get_by_role("region", name="Proposed by the coordinator")
        expect(proposal).to_contain_text(NOTE)
        mentor_page.get_by_role("button", name="Accept Amir").click()
        expect(mentor_page.get_by_role("heading", level=1)).to_have_text("Mentoring Amir Haddad")
    finally:
        mentor_context.close()

    pair = Mentorship.objects.get()
    assert (pair.mentor, pair.mentee, pair.request) == (nia.user, amir.user, req)
