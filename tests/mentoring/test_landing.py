import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    MenteeProfileFactory,
    MentorProfileFactory,
    MentorshipFactory,
    MentorshipRequestFactory,
    ProgrammeFactory,
)
from tests.support import text_of

pytestmark = pytest.mark.django_db


def test_anonymous_sees_the_landing_page(client):
    response = client.get("/")

    assert response.status_code == 200
    assert b"What mentoring is" in response.content
    assert reverse("account_signup").encode() in response.content


def test_signed_in_user_sees_their_home(client_for, mentee):
    response = client_for(mentee).get("/")

    assert response.status_code == 200
    assert b"Welcome, Maya" in response.content


def test_pages_carry_a_csp_with_a_nonce_on_every_script(client):
    response = client.get("/")

    policy = response.headers["Content-Security-Policy"]
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert "script-src 'self' 'nonce-" in policy
    html = response.content.decode()
    assert html.count("<script") == html.count(f'nonce="{nonce}"')


def test_landing_has_a_skip_link_and_landmarks(client):
    html = client.get("/").content.decode()

    assert 'href="#main"' in html
    assert '<main id="main"' in html
    assert "<header" in html and "<footer" in html and 'lang="en-GB"' in html


# A signed-in person's home


def test_home_shows_a_mentor_their_places_and_the_requests_waiting_with_their_age(
    client_for, mentor_profile, mentor
):
    MentorshipFactory(mentor=mentor)
    MentorshipRequestFactory(
        mentor=mentor,
        mentee=MenteeProfileFactory(user__full_name="Wendy Waiting").user,
        created_at=timezone.now() - timedelta(days=3),
    )

    html = text_of(client_for(mentor).get(reverse("home")))

    assert "Places used: <strong>1 of 2</strong>" in html
    assert "Wendy Waiting" in html
    assert "waiting 3\xa0days" in html


def test_home_shows_a_mentee_their_pending_requests(client_for, mentee_profile):
    MentorshipRequestFactory(
        mentee=mentee_profile.user,
        mentor=MentorProfileFactory(user__full_name="Patient Pat").user,
        created_at=timezone.now() - timedelta(days=2),
    )

    html = text_of(client_for(mentee_profile.user).get(reverse("home")))

    assert "Waiting for an answer" in html
    assert "Patient Pat" in html
    assert "sent 2\xa0days ago" in html


def test_home_shows_a_mentee_with_a_mentor_their_other_pending_requests(
    set_scheme, settings, client_for, mentee_profile
):
    # Schemes that allow two mentors at a time: the first one must not hide the second request.
    set_scheme(max_active_mentorships=2)
    MentorshipFactory(
        mentee=mentee_profile.user, mentor=MentorProfileFactory(user__full_name="Mo Mentor").user
    )
    MentorshipRequestFactory(
        mentee=mentee_profile.user, mentor=MentorProfileFactory(user__full_name="Patient Pat").user
    )

    html = text_of(client_for(mentee_profile.user).get(reverse("home")))

    assert "Mo Mentor" in html
    assert "Patient Pat" in html


def test_with_one_programme_home_says_nothing_of_programmes(client_for, mentee_profile):
    text = text_of(client_for(mentee_profile.user).get("/"))

    assert "Your programmes" not in text
    assert "runs several mentoring programmes" not in text


def test_with_several_programmes_home_lists_the_persons_own(client_for, mentee_profile):
    staff = ProgrammeFactory(name="Professional staff mentoring", slug="staff")
    MentorProfileFactory(user=mentee_profile.user, programmes=[staff])

    html = text_of(client_for(mentee_profile.user).get("/"))

    text = " ".join(re.sub(r"<[^>]+>", "", html).split())
    assert "Your programmes: Mentoring scheme (mentee), Professional staff mentoring (mentor)." in (
        text
    )


def test_with_several_programmes_a_newcomer_is_sent_to_choose_one(client_for, mentee):
    ProgrammeFactory(name="Alumni career mentoring", slug="careers")
    ProgrammeFactory(name="Professional staff mentoring", slug="staff")

    response = client_for(mentee).get("/")

    assert "Choose the programme you would like to join</a> first" in text_of(response)
    assert reverse("profiles:programme-list").encode() in response.content
