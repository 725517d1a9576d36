"""The time-zone page offers common zones by region with friendly labels, keeps every IANA zone
one choice away, works without JavaScript, and carries the script that suggests the browser's
zone."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from accounts.forms import COMMON_TIME_ZONES, OTHER_ZONE, TimeZoneForm
from accounts.models import time_zone_names

pytestmark = pytest.mark.django_db
URL = reverse("accounts:time-zone-edit")


def test_common_zones_are_grouped_by_region_with_friendly_labels(client_for, mentee):
    html = client_for(mentee).get(URL).text

    for region in ("Europe", "Africa", "Americas", "Asia and the Middle East", "Oceania"):
        assert f'<optgroup label="{region}">' in html
    assert '<option value="Europe/London" selected>London (UK)</option>' in html
    assert '<option value="America/New_York">New York (US Eastern)</option>' in html
    assert f'<option value="{OTHER_ZONE}">Another time zone…</option>' in html


def test_every_common_zone_is_a_real_one():
    names = set(time_zone_names())
    for _, zones in COMMON_TIME_ZONES:
        for zone, label in zones:
            assert zone in names, zone
            assert label and label[0].isupper()


def test_the_full_list_is_still_there(client_for, mentee):
    html = client_for(mentee).get(URL).text
    full = re.search(r'<select name="other_time_zone".*?</select>', html, re.S)

    assert full is not None
    assert full.group(0).count("<option") == len(time_zone_names()) + 1
    assert '<option value="Pacific/Chatham">Pacific/Chatham</option>' in full.group(0)


def test_a_zone_from_the_full_list_is_saved_without_javascript(client_for, mentee):
    client = client_for(mentee)

    response = client.post(
        URL, {"time_zone": OTHER_ZONE, "other_time_zone": "America/Argentina/Ushuaia"}, follow=True
    )

    mentee.refresh_from_db()
    assert mentee.time_zone == "America/Argentina/Ushuaia"
    assert "Your time zone is now America/Argentina/Ushuaia." in response.text
    # Back on the page, the zone shows as chosen from the full list.
    html = client.get(URL).text
    assert f'<option value="{OTHER_ZONE}" selected>' in html
    assert '<option value="America/Argentina/Ushuaia" selected>' in html


def test_a_common_zone_is_confirmed_by_its_friendly_name(client_for, mentee):
    response = client_for(mentee).post(URL, {"time_zone": "America/New_York"}, follow=True)

    mentee.refresh_from_db()
    assert mentee.time_zone == "America/New_York"
    assert "Your time zone is now New York (US Eastern)." in response.text


def test_another_zone_without_one_chosen_is_an_error_beside_the_field(client_for, mentee):
    response = client_for(mentee).post(URL, {"time_zone": OTHER_ZONE})

    assert response.status_code == 200
    assert response.context["form"].errors["other_time_zone"] == [
        "Choose your time zone from the full list."
    ]
    assert 'id="error-summary"' in response.text
    assert f'<option value="{OTHER_ZONE}" selected>' in response.text  # nothing typed is lost
    mentee.refresh_from_db()
    assert mentee.time_zone == "Europe/London"


@pytest.mark.parametrize("bad", ["Mars/Olympus_Mons", "", "<script>", "other/../x"])
def test_bad_input_is_an_error_not_a_crash(client_for, mentee, bad):
    response = client_for(mentee).post(URL, {"time_zone": bad, "other_time_zone": bad})

    assert response.status_code == 200
    assert response.context["form"].errors
    mentee.refresh_from_db()
    assert mentee.time_zone == "Europe/London"


def test_saving_twice_is_harmless(client_for, mentee):
    client = client_for(mentee)
    client.post(URL, {"time_zone": "Asia/Tokyo"})

    assert client.post(URL, {"time_zone": "Asia/Tokyo"}).status_code == 302
    mentee.refresh_from_db()
    assert mentee.time_zone == "Asia/Tokyo"


def test_the_browser_zone_suggestion_is_a_static_script_and_a_polite_live_region(
    client_for, mentee
):
    html = client_for(mentee).get(URL).text

    assert re.search(r'<script src="/static/js/time_zone\.js[^"]*" nonce="[^"]+"></script>', html)
    assert '<div role="status" aria-live="polite" data-time-zone-suggestion></div>' in html
    # No inline script: the strict CSP would block it.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)


def test_a_zone_outside_the_common_list_starts_on_another_time_zone(mentee):
    mentee.time_zone = "Asia/Kathmandu"

    form = TimeZoneForm(instance=mentee)

    assert form.initial["time_zone"] == OTHER_ZONE
    assert form.initial["other_time_zone"] == "Asia/Kathmandu"
