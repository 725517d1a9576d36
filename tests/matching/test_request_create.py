"""The Interested form: a mentee's request to a mentor, through the page."""

from __future__ import annotations

import pytest

from matching.models import MentorshipRequest
from tests.factories import (
    MenteeProfileFactory,
    MentorshipFactory,
    UserFactory,
)
from tests.matching.conftest import MESSAGE
from tests.support import interested_url, messages_of, text_of

pytestmark = pytest.mark.django_db


def test_interested_form_shows_the_mentor(client_for, mentee_profile, mentor_profile):
    response = client_for(mentee_profile.user).get(interested_url(mentor_profile))

    assert response.status_code == 200
    assert "Ask Daniel to mentor you" in text_of(response)


def test_interested_creates_the_request_and_opens_it(
    client_for, mentee_profile, mentor_profile, settings
):
    settings.REQUEST_EMAIL_HOLD_MINUTES = 0
    response = client_for(mentee_profile.user).post(
        interested_url(mentor_profile), {"message": MESSAGE}
    )

    req = MentorshipRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == req.get_absolute_url()
    assert req.message == MESSAGE
    assert messages_of(response) == [
        "Your request is on its way: Daniel Mentor has been emailed. You will hear by email when "
        "they answer."
    ]


def test_interested_says_when_the_mentor_will_be_emailed_while_it_is_held(
    client_for, mentee_profile, mentor_profile, settings
):
    settings.REQUEST_EMAIL_HOLD_MINUTES = 5

    response = client_for(mentee_profile.user).post(
        interested_url(mentor_profile), {"message": MESSAGE}
    )

    assert messages_of(response) == [
        "Your request is on its way: Daniel Mentor will be emailed in 5 minutes (withdraw "
        "before then and they are not told). You will hear by email when they answer."
    ]


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("Can you help me?", "at least 50 characters (you wrote 16)"),
        ("x" * 2001, "Please keep your message under 2,000 characters (you wrote 2001)."),
    ],
    ids=["too-short", "too-long"],
)
def test_interested_with_a_bad_message_shows_the_error_beside_it_and_keeps_it(
    client_for, mentee_profile, mentor_profile, typed, error
):
    response = client_for(mentee_profile.user).post(
        interested_url(mentor_profile), {"message": typed}
    )

    html = text_of(response)
    assert response.status_code == 200
    assert error in response.context["form"].errors["message"][0]
    # The message is rendered in the field's own error block and the typed text is kept.
    assert 'id="id_message_error"' in html
    assert error in html[html.index('id="id_message_error"') :]
    assert f">\n{typed}</textarea>" in html
    assert not MentorshipRequest.objects.exists()


def test_interested_with_no_message_asks_for_one(client_for, mentee_profile, mentor_profile):
    response = client_for(mentee_profile.user).post(interested_url(mentor_profile), {})

    assert response.status_code == 200
    assert response.context["form"].errors["message"] == [
        "Please write a short message to the mentor."
    ]


def test_interested_refused_by_the_service_shows_the_sentence_and_keeps_the_message(
    client_for, mentee_profile, mentor_profile
):
    MentorshipFactory(mentor=mentor_profile.user)
    MentorshipFactory(mentor=mentor_profile.user)

    response = client_for(mentee_profile.user).post(
        interested_url(mentor_profile), {"message": MESSAGE}
    )

    html = text_of(response)
    assert response.status_code == 200
    assert "Daniel Mentor has no free place at the moment. Please approach another mentor." in html
    assert MESSAGE in html
    assert not MentorshipRequest.objects.filter(mentee=mentee_profile.user).exists()


def test_interested_in_yourself_is_refused_on_the_form(client_for, mentor_profile):
    MenteeProfileFactory(user=mentor_profile.user)

    response = client_for(mentor_profile.user).post(
        interested_url(mentor_profile), {"message": MESSAGE}
    )

    assert response.status_code == 200
    assert "You cannot send a request to yourself." in text_of(response)


def test_interested_without_a_mentee_profile_is_refused_on_the_form(client_for, mentor_profile):
    response = client_for(UserFactory()).post(interested_url(mentor_profile), {"message": MESSAGE})

    assert response.status_code == 200
    assert "Please create your mentee profile before you approach a mentor." in text_of(response)


def test_interested_submitted_twice_creates_one_request(client_for, mentee_profile, mentor_profile):
    client = client_for(mentee_profile.user)

    first = client.post(interested_url(mentor_profile), {"message": MESSAGE})
    second = client.post(interested_url(mentor_profile), {"message": MESSAGE})

    assert MentorshipRequest.objects.count() == 1
    assert (
        first["Location"]
        == second["Location"]
        == MentorshipRequest.objects.get().get_absolute_url()
    )
