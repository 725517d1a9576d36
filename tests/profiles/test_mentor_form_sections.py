"""The mentor profile form in short sections: a contents list, availability (pause and capacity)
first, then about you, experience and how you can help; long text fields carry a maxlength the
static counter script reads (no inline script)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.factories import ExpertiseAreaFactory, MentorProfileFactory
from tests.profiles.test_mentor_edit import _valid

pytestmark = pytest.mark.django_db
URL = reverse("profiles:mentor-edit")
SECTIONS = ["availability", "about-you", "experience", "how-you-can-help"]


def _positions(html: str, needles: list[str]) -> list[int]:
    found = [html.find(n) for n in needles]
    assert all(p >= 0 for p in found), dict(zip(needles, found, strict=True))
    return found


def test_the_contents_list_links_each_section_in_order(client_for, mentor):
    MentorProfileFactory(user=mentor)
    html = client_for(mentor).get(URL).text

    nav = re.search(r'<nav class="profile-contents.*?</nav>', html, re.S).group(0)
    assert re.findall(r'href="#([a-z-]+)"', nav) == SECTIONS
    assert _positions(html, [f'id="{s}"' for s in SECTIONS]) == sorted(
        _positions(html, [f'id="{s}"' for s in SECTIONS])
    )
    for title in ("Availability", "About you", "Experience", "How you can help"):
        assert f">{title}</h2>" in html


def test_pause_and_capacity_come_before_everything_else(client_for, mentor):
    MentorProfileFactory(user=mentor)
    html = client_for(mentor).get(URL).text

    hide, away, capacity, headline = _positions(
        html,
        [
            'form="mentor-active-form"',
            f'href="{reverse("matching:mentor-away")}"',
            'name="capacity"',
            'name="headline"',
        ],
    )
    assert max(hide, away, capacity) < headline
    assert "Hide my profile" in html


def test_the_pause_button_submits_its_own_form(client_for, mentor):
    profile = MentorProfileFactory(user=mentor)
    html = client_for(mentor).get(URL).text

    form = re.search(r'<form method="post" action="([^"]+)" id="mentor-active-form">', html)
    assert form and form.group(1) == reverse("profiles:mentor-active")
    client_for(mentor).post(form.group(1), {"active": "0"})
    profile.refresh_from_db()
    assert not profile.is_active


def test_a_new_mentor_sees_availability_without_a_pause_button(client_for, mentor):
    html = client_for(mentor).get(URL).text

    assert 'id="availability"' in html
    assert 'name="capacity"' in html
    assert "mentor-active-form" not in html


def test_long_text_fields_carry_their_limit_and_the_counter_script(client_for, mentor):
    html = client_for(mentor).get(URL).text

    assert re.search(r'<textarea name="key_areas"[^>]*maxlength="2000"', html)
    assert re.search(r'<textarea name="help_offered"[^>]*maxlength="1000"', html)
    assert "data-char-counters" in html
    assert re.search(
        r'<script src="/static/js/char_counter\.js[^"]*" nonce="[^"]+"></script>', html
    )
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)


def test_an_error_keeps_what_was_typed_in_every_section(client_for, mentor):
    data = _valid(ExpertiseAreaFactory(), headline="", capacity="3")
    data["moves_experience"] = "Moved from Lagos to Leeds"

    response = client_for(mentor).post(URL, data)

    assert response.status_code == 200
    assert response.context["form"].errors["headline"]
    html = response.text
    assert "Moved from Lagos to Leeds" in html
    assert re.search(r'name="capacity" value="3"', html)


def test_too_long_text_is_an_error_beside_the_field_not_a_crash(client_for, mentor):
    data = _valid(ExpertiseAreaFactory(), key_areas="x" * 2001)

    response = client_for(mentor).post(URL, data)

    assert response.status_code == 200
    assert response.context["form"].errors["key_areas"]
