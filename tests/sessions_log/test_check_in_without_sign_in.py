"""A check-in is answered from the emailed link without signing in: the token names the person.
An anonymous visitor sees only the check-in; answered, expired and wrong links are explained
kindly; many wrong links from one address are slowed down."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from sessions_log import check_in_links
from sessions_log.models import CheckIn
from tests.factories import CheckInFactory, MentorshipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def check_in(mentee, mentor) -> CheckIn:
    pair = MentorshipFactory(mentee=mentee, mentor=mentor)
    return CheckInFactory(mentorship=pair, person=mentee)


def _url(token: str) -> str:
    return reverse("sessions_log:check-in-answer", args=[token])


def test_the_emailed_link_opens_without_signing_in(client, check_in):
    response = client.get(_url(check_in.token))

    assert response.status_code == 200
    page = response.text
    assert "How is your mentoring with Daniel going?" in page
    assert "You do not need to sign in" in page
    assert response["X-Robots-Tag"] == "noindex"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_an_anonymous_visitor_sees_only_the_check_in(client, check_in, mentee, mentor):
    page = client.get(_url(check_in.token)).text

    assert mentee.email not in page
    assert escape(mentee.full_name) not in page
    assert escape(mentor.full_name) not in page  # the first name gives the question its context
    assert check_in.mentorship.get_absolute_url() not in page


def test_answering_without_signing_in_records_it_for_the_person_named(client, check_in, mentee):
    response = client.post(_url(check_in.token), {"rating": "4", "comment": "Going well"})

    assert response.status_code == 302
    check_in.refresh_from_db()
    assert (check_in.rating, check_in.comment, check_in.answered_at is not None) == (
        4,
        "Going well",
        True,
    )
    assert check_in.person == mentee
    # Answering does not sign anyone in.
    assert client.get(reverse("accounts:email-preferences")).status_code == 302


def test_a_second_answer_is_harmless_and_explained(client, check_in):
    client.post(_url(check_in.token), {"rating": "4"})

    response = client.post(_url(check_in.token), {"rating": "1"}, follow=True)

    check_in.refresh_from_db()
    assert check_in.rating == 4
    assert "You answered this check-in on" in response.text


def test_an_answered_link_says_thank_you(client, check_in):
    check_in.answered_at, check_in.rating = timezone.now(), 5
    check_in.save(update_fields=["answered_at", "rating"])

    page = client.get(_url(check_in.token)).text

    assert "You answered this check-in on" in page
    assert "Send my answer" not in page


def test_an_expired_link_is_explained_kindly(client, check_in):
    check_in.expires_at = timezone.now() - timedelta(minutes=1)
    check_in.save(update_fields=["expires_at"])

    response = client.post(_url(check_in.token), {"rating": "3"}, follow=True)

    assert response.status_code == 200
    assert "so it can no longer be answered" in response.text
    check_in.refresh_from_db()
    assert check_in.answered_at is None


def test_a_missing_rating_is_shown_next_to_the_field_and_the_comment_kept(client, check_in):
    response = client.post(_url(check_in.token), {"comment": "Mostly good"})

    assert response.status_code == 200
    assert "Mostly good" in response.text
    assert "is-invalid" in response.text


def test_a_wrong_token_is_a_404(client, check_in):
    assert client.get(_url("not-the-token")).status_code == 404
    assert client.post(_url(check_in.token[:-1] + "x"), {"rating": "5"}).status_code == 404
    check_in.refresh_from_db()
    assert check_in.answered_at is None


def test_signed_in_as_someone_else_it_is_a_404(client_for, check_in, mentor):
    assert client_for(mentor).get(_url(check_in.token)).status_code == 404
    assert client_for(UserFactory()).post(_url(check_in.token), {"rating": "1"}).status_code == 404
    check_in.refresh_from_db()
    assert check_in.answered_at is None


def test_signed_in_as_the_person_the_page_links_back_to_the_pair(client_for, check_in, mentee):
    page = client_for(mentee).get(_url(check_in.token)).text

    assert "Daniel Mentor" in page


def test_the_link_of_a_deactivated_account_is_a_404(client, check_in, mentee):
    mentee.is_active = False
    mentee.save(update_fields=["is_active"])

    assert client.get(_url(check_in.token)).status_code == 404


def test_many_wrong_links_from_one_address_are_slowed_down(check_in):
    client = Client()
    for n in range(check_in_links.MISS_LIMIT):
        assert client.get(_url(f"guess-{n}")).status_code == 404

    refused = client.get(_url("guess-one-more"))

    assert refused.status_code == 429
    assert "Too many tries" in refused.text
    # Another address is not affected.
    assert Client(REMOTE_ADDR="10.0.0.9").get(_url("guess-elsewhere")).status_code == 404


def test_wrong_guesses_from_an_address_do_not_block_a_real_link_there(check_in):
    """The token is looked up first: someone sharing the address with a valid link still gets in."""
    client = Client()
    for n in range(check_in_links.MISS_LIMIT + 2):
        client.get(_url(f"guess-{n}"))

    page = client.get(_url(check_in.token))

    assert page.status_code == 200
    assert "How is your mentoring with Daniel going?" in page.text
    response = client.post(_url(check_in.token), {"rating": "4"})
    assert response.status_code == 302
    assert client.get(_url("guess-again")).status_code == 429


def test_the_token_is_long_and_random(check_in):
    other = CheckInFactory()

    assert len(check_in.token) >= 40
    assert check_in.token != other.token
