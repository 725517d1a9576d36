from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import User, validate_time_zone

pytestmark = pytest.mark.django_db

URL = reverse("accounts:time-zone-edit")


def test_new_people_start_in_the_schemes_zone(settings):
    settings.TIME_ZONE = "Europe/Dublin"

    assert User(email="new@example.org").time_zone == "Europe/Dublin"


def test_a_person_chooses_their_time_zone(client_for, mentee):
    response = client_for(mentee).post(URL, {"time_zone": "Asia/Kolkata"})

    assert response.status_code == 302
    mentee.refresh_from_db()
    assert mentee.time_zone == "Asia/Kolkata"


def test_an_unknown_zone_is_an_error_beside_the_field(client_for, mentee):
    response = client_for(mentee).post(URL, {"time_zone": "Mars/Olympus_Mons"})

    assert response.status_code == 200
    assert response.context["form"].errors["time_zone"]
    assert 'id="error-summary"' in response.content.decode()
    mentee.refresh_from_db()
    assert mentee.time_zone == "Europe/London"


def test_the_page_needs_a_sign_in(client):
    response = client.get(URL)

    assert response["Location"] == f"{reverse('account_login')}?next={URL}"


def test_the_signed_in_persons_zone_is_active_on_their_pages(client_for, mentee):
    mentee.time_zone = "Pacific/Auckland"
    mentee.save(update_fields=["time_zone"])

    response = client_for(mentee).get(URL)

    assert 'value="Pacific/Auckland" selected' in response.content.decode()
    # The request is over: the zone does not leak into the next one.
    assert timezone.get_current_timezone_name() == "Europe/London"


def test_the_validator_knows_iana_names():
    validate_time_zone("America/Sao_Paulo")
    with pytest.raises(ValidationError):
        validate_time_zone("Europe/Atlantis")


def test_the_account_menu_links_to_the_time_zone_and_calendar_pages(client_for, mentee):
    html = client_for(mentee).get(reverse("home")).content.decode()

    assert f'href="{URL}"' in html
    assert f'href="{reverse("sessions_log:calendar-feed-detail")}"' in html
