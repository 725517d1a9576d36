"""Issue #18, item 6: no axe violations on any admin page a coordinator uses.

A coordinator (the "Scheme coordinator" group, coordinating the default programme) and a
superuser each open, for every registered model they may see, the list, the add page when
they may add, and the change page of one object they may see. The browser fixtures audit every
page shown (WCAG 2.2 AA, see accessibility.py); the test fails on any violation.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.accessibility import Auditor
from tests.browser.session import sign_in
from tests.factories import (
    CheckInFactory,
    ExpertiseAreaFactory,
    MeetingFactory,
    MenteeProfileFactory,
    MentorProfileFactory,
    MentorshipFactory,
    MentorshipRequestFactory,
    ObjectiveFactory,
    UserFactory,
    default_programme,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _scheme() -> None:
    """One of most things, so that every list has a row and a change page to open."""
    careers = ExpertiseAreaFactory(name="Changing careers", slug="changing-careers")
    ExpertiseAreaFactory(name="Leadership", slug="leadership")
    MentorProfileFactory(
        user__full_name="Priya Shah",
        review_status="submitted",
        submitted_at=timezone.now() - timedelta(days=2),
        areas=[careers],
    )
    MenteeProfileFactory(user__full_name="Maya Patel", areas=[careers])
    MentorshipRequestFactory()
    pair = MentorshipFactory()
    ObjectiveFactory(mentorship=pair)
    MeetingFactory(mentorship=pair, held=True)
    CheckInFactory(mentorship=pair, answered_at=timezone.now(), rating=4)


def _pages_for(user) -> Iterator[str]:
    """The admin pages `user` may open: each model's list, its add page, one change page.
    Lazily, after the list has been shown: opening a list may create a singleton (the scheme's
    settings), which then has no add page."""
    request = RequestFactory().get("/admin/")
    request.user = user
    for model, model_admin in sorted(
        admin.site._registry.items(), key=lambda item: item[0]._meta.label
    ):
        if not model_admin.has_view_permission(request):
            continue
        opts = model._meta
        name = f"admin:{opts.app_label}_{opts.model_name}"
        yield reverse(f"{name}_changelist")
        if model_admin.has_add_permission(request):
            yield reverse(f"{name}_add")
        obj = model_admin.get_queryset(request).order_by("pk").first()
        if obj is not None and model_admin.has_view_permission(request, obj):
            yield reverse(f"{name}_change", args=[obj.pk])


def _visit_all(page: Page, live_server, a11y: Auditor, user) -> list[str]:
    urls = []
    for url in _pages_for(user):
        urls.append(url)
        response = page.goto(f"{live_server.url}{url}")
        assert response is not None and response.status == 200, url
        expect(page.locator("#content")).to_be_visible()
        # Some widgets are drawn by the admin's scripts after the first audit (the autocomplete
        # boxes, the date and time shortcuts on "load"): audit such pages again once drawn.
        if page.locator("select.admin-autocomplete, .vDateField, .vTimeField").count():
            page.wait_for_load_state("load")
            if page.locator("select.admin-autocomplete").count():
                expect(page.locator(".select2-container").first).to_be_visible()
            a11y.audit(page)
    return urls


def test_every_admin_page_a_coordinator_opens_passes_axe(
    page: Page, live_server, context, a11y: Auditor
):
    default_programme()
    _scheme()
    coordinator = UserFactory(
        full_name="Cora Coordinator", email="coordinator@example.org", is_staff=True
    )
    coordinator.groups.add(Group.objects.get(name="Scheme coordinator"))
    default_programme().coordinators.add(coordinator)

    sign_in(context, live_server, coordinator)
    urls = _visit_all(page, live_server, a11y, coordinator)
    # The pages the issue found failing are among those checked.
    assert reverse("admin:profiles_expertisearea_changelist") in urls
    assert reverse("admin:profiles_round_add") in urls

    # The autocomplete box is named by its field's label, and still searches.
    page.goto(f"{live_server.url}{reverse('admin:profiles_trainingrecord_add')}")
    label = page.locator('label[for="id_user"]').inner_text().rstrip(":")
    box = page.get_by_role("combobox", name=re.compile(re.escape(label)))
    box.click()
    page.locator(".select2-search__field").fill("Priya")
    page.get_by_role("option", name=re.compile("Priya Shah")).click()
    expect(box).to_contain_text("Priya Shah")


def test_every_admin_page_a_superuser_opens_passes_axe(
    page: Page, live_server, context, a11y: Auditor
):
    default_programme()
    _scheme()
    superuser = UserFactory(
        full_name="Ada Admin", email="ada@example.org", is_staff=True, is_superuser=True
    )

    sign_in(context, live_server, superuser)
    urls = _visit_all(page, live_server, a11y, superuser)
    assert reverse("admin:auth_group_add") in urls
    assert reverse("admin:accounts_user_add") in urls
