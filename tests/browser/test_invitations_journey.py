"""Issue #19: a coordinator invites people by pasting addresses, reads the preview, sends; the
invited person opens the email's link, creates an account with the invited address and joins.
Every page on the way is audited for accessibility."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import Page, expect

from mentoring.models import Outbox
from profiles.models import Membership
from tests.browser.locators import field
from tests.factories import PASSWORD, ProgrammeFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_invites_and_the_invited_person_joins(
    page: Page, context, live_server, mailoutbox
):
    careers = ProgrammeFactory(slug="careers", name="Alumni careers", invitation_only=True)
    coordinator = UserFactory(
        full_name="Chris Coordinator", email="coordinator@example.org", is_staff=True
    )
    coordinator.groups.add(Group.objects.get(name="Scheme coordinator"))
    careers.coordinators.add(coordinator)
    member = UserFactory(email="member@example.org")
    Membership.objects.create(
        user=member, programme=careers, role="mentee", status="pending", approved_at=None
    )

    page.goto(f"{live_server.url}/accounts/login/")
    field(page, "Email").fill("coordinator@example.org")
    field(page, "Password").fill(PASSWORD)
    field(page, "Password").press("Enter")
    expect(page).to_have_url(f"{live_server.url}/admin/")

    page.goto(f"{live_server.url}/admin/profiles/programme/{careers.pk}/change/")
    page.get_by_role("link", name="Invite people to Alumni careers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Invite people to Alumni careers")
    # Nothing given: the error says what to do.
    page.get_by_role("button", name="Check the list").click()
    expect(page.get_by_text("Upload a CSV file or paste some addresses.")).to_be_visible()
    page.get_by_label("Or paste addresses").fill(
        "Ann New <ann@example.org>\nmember@example.org, not-an-address"
    )
    page.get_by_role("button", name="Check the list").click()

    expect(page.get_by_role("heading", level=2).first).to_have_text(
        "Preview: 1 new, 1 already a member, 1 bad address — line 2"
    )
    assert not Outbox.objects.filter(kind="programme_invitation").exists()
    page.get_by_role("button", name="Send 1 invitation").click()
    expect(page.get_by_text(re.compile(r"^Sent 1 invitation"))).to_be_visible()
    page.wait_for_load_state("load")

    # The email as sent: the outbox keeps no copy of the link once it has gone.
    assert Outbox.objects.filter(kind="programme_invitation").count() == 1
    [email] = [m for m in mailoutbox if m.to == ["ann@example.org"]]
    link = re.search(r"https?://\S+/programmes/careers/invitation/\S+/", email.body)[0]
    path = link.split("://", 1)[1].split("/", 1)[1]
    context.clear_cookies()

    page.goto(f"{live_server.url}/{path}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your invitation to Alumni careers")
    page.get_by_role("link", name="Create an account").click()
    expect(field(page, "Email")).to_have_value("ann@example.org")
    field(page, "Full name").fill("Ann New")
    field(page, "Password").fill("a-long-unusual-passphrase")
    field(page, "Password (again)").fill("a-long-unusual-passphrase")
    page.get_by_role("button", name="Sign Up").click()
    page.get_by_role("button", name="Join the programme").click()

    expect(page).to_have_url(f"{live_server.url}/profile/mentee/")
    joined = Membership.objects.get(user__email="ann@example.org")
    assert (joined.programme, joined.role, joined.status) == (careers, "mentee", "approved")
