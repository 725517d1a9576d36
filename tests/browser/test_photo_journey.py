"""A mentor adds a photo on a 390 px phone: it is shown on the form, on their page and on their
card in the directory, and nothing scrolls sideways; removing it brings the initials back. axe
audits every page shown."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from tests.browser.session import sign_in
from tests.factories import ExpertiseAreaFactory, MenteeProfileFactory, MentorProfileFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (900, 600), (31, 79, 130)).save(out, "JPEG")
    return out.getvalue()


def _no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_mentor_adds_and_removes_a_photo_on_a_phone(
    page: Page, context, live_server, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    mentor = MentorProfileFactory(
        user__full_name="Grace Hopper",
        user__email="grace@example.org",
        areas=[ExpertiseAreaFactory(name="Changing sector")],
    )
    mentee = MenteeProfileFactory(user__email="maya@example.org").user
    page.set_viewport_size(PHONE)

    sign_in(context, live_server, mentor.user)
    page.goto(f"{live_server.url}/profile/mentor/")
    expect(page.locator(".photo-field .avatar-initials")).to_have_text("GH")
    page.get_by_label("Photo (optional)").set_input_files(
        files=[{"name": "me.jpg", "mimeType": "image/jpeg", "buffer": _photo()}]
    )
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Your mentor profile is saved")
    photo = page.get_by_role("img", name="Photo of Grace Hopper")
    expect(photo).to_be_visible()
    assert photo.evaluate("img => img.naturalWidth") == 400
    _no_sideways_scroll(page)

    page.goto(f"{live_server.url}/mentors/{mentor.pk}/")
    # Beside the name heading the photo is decorative: the name is not read twice.
    expect(page.locator("img.avatar[alt='']")).to_be_visible()
    expect(page.get_by_role("img", name="Photo of Grace Hopper")).to_have_count(0)
    _no_sideways_scroll(page)

    sign_in(context, live_server, mentee)
    page.goto(f"{live_server.url}/mentors/")
    card = page.locator(".mentor-card", has_text="Grace Hopper")
    expect(card.locator("img.avatar[alt='']")).to_be_visible()
    _no_sideways_scroll(page)

    sign_in(context, live_server, mentor.user)
    page.goto(f"{live_server.url}/profile/mentor/")
    page.get_by_label("Remove my photo").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".photo-field .avatar-initials")).to_have_text("GH")
    expect(page.get_by_role("img", name="Photo of Grace Hopper")).to_have_count(0)
