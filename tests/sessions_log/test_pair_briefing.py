"""The briefing pinned on the pair's page: the mentee's goals, introduction and first message,
for the two of them only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import MenteeProfileFactory, MentorshipFactory, MentorshipRequestFactory
from tests.support import text_of

pytestmark = pytest.mark.django_db

GOALS = "Move into corporate finance within a year."
INTRODUCTION = "Final-year economics student who runs the investment society."
MESSAGE = "Could you help me prepare for assessment centres this spring?"


@pytest.fixture
def pair(mentor, mentee):
    MenteeProfileFactory(user=mentee, goals=GOALS, introduction=INTRODUCTION)
    request = MentorshipRequestFactory(mentee=mentee, mentor=mentor, message=MESSAGE, accepted=True)
    return MentorshipFactory(mentor=mentor, mentee=mentee, request=request)


def _page(client, pair):
    return client.get(reverse("sessions_log:mentorship-detail", args=[pair.pk]))


def test_the_mentor_sees_what_the_mentee_hopes_to_achieve(client_for, mentor, pair):
    html = text_of(_page(client_for(mentor), pair))

    assert "What Maya Mentee hopes to achieve" in html
    assert GOALS in html and INTRODUCTION in html and MESSAGE in html
    assert "Their first message" in html
    assert "Only you and Maya Mentee see this." in html


def test_the_mentee_sees_their_own_words(client_for, mentee, pair):
    html = text_of(_page(client_for(mentee), pair))

    assert "What you hope to achieve" in html
    assert GOALS in html and MESSAGE in html
    assert "Your first message" in html


def test_the_topic_of_an_advice_request_is_pinned(client_for, mentor, mentee):
    MenteeProfileFactory(user=mentee, goals=GOALS)
    request = MentorshipRequestFactory(
        mentee=mentee,
        mentor=mentor,
        engagement="advice",
        topic="Preparing for a PhD interview",
        accepted=True,
    )
    pair = MentorshipFactory(mentor=mentor, mentee=mentee, request=request, engagement="advice")

    html = text_of(_page(client_for(mentor), pair))

    assert "Topic:</span> Preparing for a PhD interview" in html


def test_a_pair_matched_centrally_shows_the_profile_only(client_for, mentor, mentee):
    MenteeProfileFactory(user=mentee, goals=GOALS, introduction="")
    pair = MentorshipFactory(mentor=mentor, mentee=mentee)

    html = text_of(_page(client_for(mentor), pair))

    assert GOALS in html
    assert "first message" not in html


def test_a_stranger_gets_404_and_never_the_briefing(client_for, stranger, pair):
    response = _page(client_for(stranger), pair)

    assert response.status_code == 404
    assert GOALS not in response.content.decode()


def test_anonymous_is_sent_to_sign_in(client, pair):
    response = _page(client, pair)

    assert response.status_code == 302
    assert reverse("account_login") in response.url
