"""Issue 18, item 5: a coordinator changes the opening words of an email for their programme,
previews it by its human name, and a superuser reads an email as sent in the outbox. axe audits
every page shown."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from playwright.sync_api import Page, expect

from mentoring.models import EmailWording, Outbox
from tests.browser.session import sign_in
from tests.factories import ProgrammeFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_changes_an_emails_words_and_previews_them(page: Page, context, live_server):
    careers = ProgrammeFactory(name="Careers mentoring", slug="careers")
    cora = UserFactory(full_name="Cora Lewis", email="cora@example.org", is_staff=True)
    cora.groups.add(Group.objects.get(name="Scheme coordinator"))
    careers.coordinators.add(cora)

    sign_in(context, live_server, cora)
    page.goto(f"{live_server.url}{reverse('admin:mentoring_emailwording_add')}")
    page.get_by_label("Email:").select_option(label="To the mentor when a mentee is Interested")
    page.get_by_label("Programme:").select_option(label="Careers mentoring")
    page.get_by_label("Opening paragraphs:").fill("Thank you for mentoring with the careers team.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    assert EmailWording.objects.get().updated_by == cora

    page.get_by_role("link", name="Preview To the mentor when a mentee is Interested").click()
    expect(page.get_by_role("heading", level=2, name="To mentors", exact=True)).to_be_visible()
    expect(page.locator("pre")).to_contain_text("Thank you for mentoring with the careers team.")
    frame = page.frame_locator("iframe[sandbox]")
    expect(frame.locator("body")).to_contain_text("Thank you for mentoring with the careers team.")
    expect(frame.locator("body")).to_contain_text("Careers mentoring")


def test_a_superuser_reads_an_email_as_sent_in_the_outbox(page: Page, context, live_server):
    ada = UserFactory(full_name="Ada Admin", email="ada@example.org", is_staff=True)
    ada.is_superuser = True
    ada.save()
    row = Outbox.objects.create(
        kind="request_reminder",
        to_email="maya@example.org",
        subject="A request is waiting",
        body_text="Hello Maya,\n\nStop reminders: http://testserver/email/unsubscribe/abc123def456ghi789jkl/\n",
        body_html="<html lang='en'><head><title>Reminder</title></head><body><p>Hello "
        "<strong>Maya</strong>,</p></body></html>",
        dedupe_key="journey:1",
        message_id="<journey-1@example.org>",
    )

    sign_in(context, live_server, ada)
    page.goto(f"{live_server.url}{reverse('admin:mentoring_outbox_change', args=[row.pk])}")

    expect(page.locator("pre.email-text")).to_contain_text("/email/unsubscribe/[redacted]/")
    expect(page.frame_locator("iframe.email-frame").locator("strong")).to_have_text("Maya")
