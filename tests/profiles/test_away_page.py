"""/profile/mentor/away/: who may open it, going away and back, the cap on waiting requests,
errors beside their field with what was typed kept, and "Away until" on the mentor's pages."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django.utils.html import escape

from matching.models import MentorshipRequest
from profiles.models import MentorProfile
from tests.factories import MenteeProfileFactory, MentorshipRequestFactory
from tests.support import messages_of, text_of

pytestmark = pytest.mark.django_db

URL = "/profile/mentor/away/"
BACK = "2026-03-01"


@pytest.fixture(autouse=True)
def _clock(clock):
    return clock


def _away(client, **extra):
    data = {"action": "away", "away-until": BACK, "away-note": "", "away-waiting": "close"}
    data.update(extra)
    return client.post(URL, data)


def test_the_stable_url_names_the_page():
    assert reverse("matching:mentor-away") == URL


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for response in (client.get(URL), client.post(URL, {"action": "back"})):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_a_person_without_a_mentor_profile_gets_a_404(client_for, mentee_profile):
    client = client_for(mentee_profile.user)

    assert client.get(URL).status_code == 404
    assert _away(client).status_code == 404


def test_a_mentor_sees_only_their_own_availability(client_for, mentor_profile):
    other = MentorshipRequestFactory(mentee=MenteeProfileFactory().user)  # another mentor's
    MentorshipRequestFactory(mentor=mentor_profile.user)

    response = client_for(mentor_profile.user).get(URL)

    assert response.status_code == 200
    text = text_of(response)
    assert "You have 1 request waiting for your answer" in text
    assert escape(other.mentee.full_name) not in text


def test_another_mentor_going_away_changes_nothing_of_mine(client_for, mentor_profile):
    from tests.factories import MentorProfileFactory

    stranger = MentorProfileFactory()
    mine = MentorshipRequestFactory(mentor=mentor_profile.user)

    _away(client_for(stranger.user))

    mine.refresh_from_db()
    assert mine.is_pending
    assert MentorProfile.objects.get(pk=mentor_profile.pk).away_until is None


def test_going_away_closes_waiting_requests_and_says_so(client_for, mentor_profile):
    req = MentorshipRequestFactory(mentor=mentor_profile.user)
    client = client_for(mentor_profile.user)

    response = _away(client, **{"away-note": "On leave"})

    assert response.status_code == 302
    assert messages_of(response) == [
        "You are away until 1 March. We closed 1 waiting request kindly and told each mentee."
    ]
    req.refresh_from_db()
    assert req.close_reason == "mentor_away"
    page = text_of(client.get(URL))
    assert "Away until 1 March 2026" in page
    assert "Your note: “On leave”" in page
    # A double submit is harmless.
    assert _away(client).status_code == 302
    assert MentorProfile.objects.get(pk=mentor_profile.pk).away_until == date(2026, 3, 1)


def test_away_shows_on_the_home_page_and_the_own_profile_pages(client_for, mentor_profile):
    client = client_for(mentor_profile.user)
    _away(client)

    for url in ("/", reverse("profiles:mentor-edit"), mentor_profile.get_absolute_url()):
        assert "Away until 1 March" in text_of(client.get(url)), url


def test_keeping_requests_waiting(client_for, mentor_profile):
    req = MentorshipRequestFactory(mentor=mentor_profile.user)

    response = _away(client_for(mentor_profile.user), **{"away-waiting": "keep"})

    assert "stay open and do not expire while you are away" in messages_of(response)[0]
    req.refresh_from_db()
    assert req.is_pending and req.expires_after is not None


@pytest.mark.parametrize(
    ("until", "error"),
    [
        ("", "Please give the date you will be back"),
        ("2026-01-12", "Please choose a date after today"),
        ("not a date", "Please give a real date"),
        ("2030-01-01", "Please choose a date within a year"),
    ],
)
def test_a_bad_date_is_explained_beside_its_field_and_the_note_is_kept(
    client_for, mentor_profile, until, error
):
    response = _away(
        client_for(mentor_profile.user), **{"away-until": until, "away-note": "My kept note"}
    )

    assert response.status_code == 400
    text = text_of(response)
    assert text.count(error) == 2  # the summary at the top, and beside the field
    assert 'value="My kept note"' in text
    assert MentorProfile.objects.get(pk=mentor_profile.pk).away_until is None


def test_coming_back_early(client_for, mentor_profile):
    client = client_for(mentor_profile.user)
    _away(client)

    response = client.post(URL, {"action": "back"})

    assert messages_of(response)[-1] == "Welcome back: you are in the directory again."
    profile = MentorProfile.objects.get(pk=mentor_profile.pk)
    assert (profile.away_until, profile.is_listed) == (None, True)


def test_the_waiting_cap_is_chosen_on_the_page(client_for, mentor_profile):
    client = client_for(mentor_profile.user)

    response = client.post(URL, {"action": "cap", "cap-waiting_cap": "4"})

    assert response.status_code == 302
    assert MentorProfile.objects.get(pk=mentor_profile.pk).waiting_cap == 4
    assert "0 of 4 waiting now" in text_of(client.get(URL))
    client.post(URL, {"action": "cap", "cap-waiting_cap": ""})
    # Empty: free places (2) plus one.
    assert MentorProfile.objects.get(pk=mentor_profile.pk).waiting_cap is None
    assert "0 of 3 waiting now" in text_of(client.get(URL))


@pytest.mark.parametrize("value", ["0", "21", "many"])
def test_a_bad_cap_is_refused_beside_its_field(client_for, mentor_profile, value):
    response = client_for(mentor_profile.user).post(
        URL, {"action": "cap", "cap-waiting_cap": value}
    )

    assert response.status_code == 400
    assert "from 1 to 20, or leave it empty" in text_of(response)
    assert MentorProfile.objects.get(pk=mentor_profile.pk).waiting_cap is None


def test_an_unknown_action_is_a_400_not_a_500(client_for, mentor_profile):
    response = client_for(mentor_profile.user).post(URL, {"action": "dance"})

    assert response.status_code == 400
    assert MentorshipRequest.objects.count() == 0
