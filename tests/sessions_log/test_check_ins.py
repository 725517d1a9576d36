from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from mentoring.models import Outbox
from sessions_log import services
from sessions_log.models import CheckIn
from sessions_log.services import SessionsError
from tests.factories import CheckInFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def check_in(mentorship, mentee):
    return CheckInFactory(mentorship=mentorship, person=mentee)


def _url(check_in: CheckIn) -> str:
    return reverse("sessions_log:check-in-answer", args=[check_in.token])


# Answering


def test_the_owner_answers_once(client_for, mentee, check_in):
    client = client_for(mentee)

    response = client.post(_url(check_in), {"rating": "4", "comment": " Going well "})

    assert response.status_code == 302
    check_in.refresh_from_db()
    assert (check_in.rating, check_in.comment, check_in.wants_contact) == (4, "Going well", False)
    assert check_in.answered_at is not None

    again = client.post(_url(check_in), {"rating": "1"}, follow=True)

    check_in.refresh_from_db()
    assert check_in.rating == 4
    assert "You answered this check-in on" in again.content.decode()
    assert again.context["form"] is None


def test_answering_twice_is_refused_by_the_service(mentee, check_in):
    services.answer_check_in(check_in, by=mentee, rating=5)

    with pytest.raises(SessionsError, match="already answered"):
        services.answer_check_in(check_in, by=mentee, rating=1)


def test_an_expired_check_in_is_explained_and_cannot_be_answered(client_for, mentee, check_in):
    check_in.expires_at = timezone.now() - timedelta(minutes=1)
    check_in.save(update_fields=["expires_at"])
    client = client_for(mentee)

    page = client.get(_url(check_in)).content.decode()
    client.post(_url(check_in), {"rating": "3"})

    assert "This check-in closed on" in page
    assert "mentoring@example.org" in page
    check_in.refresh_from_db()
    assert check_in.answered_at is None


def test_service_refuses_an_expired_check_in(mentee, check_in):
    with pytest.raises(SessionsError, match="has closed"):
        services.answer_check_in(
            check_in, by=mentee, rating=3, now=check_in.expires_at + timedelta(seconds=1)
        )


def test_someone_elses_check_in_is_404_even_for_the_other_of_the_pair(client_for, mentor, check_in):
    assert client_for(mentor).get(_url(check_in)).status_code == 404
    assert client_for(mentor).post(_url(check_in), {"rating": "5"}).status_code == 404


def test_anonymous_answers_from_the_link_without_signing_in(client, check_in):
    # The token names the person (tests/sessions_log/test_check_in_without_sign_in.py).
    response = client.get(_url(check_in))

    assert response.status_code == 200
    assert response.context["form"] is not None


@pytest.mark.parametrize("rating", ["", "0", "6", "five"])
def test_a_missing_or_bad_rating_is_an_error_beside_the_field(client_for, mentee, check_in, rating):
    response = client_for(mentee).post(_url(check_in), {"rating": rating, "comment": "Kept"})

    assert response.status_code == 200
    assert "rating" in response.context["form"].errors
    html = response.content.decode()
    assert 'id="error-summary"' in html
    assert "Kept" in html
    check_in.refresh_from_db()
    assert check_in.answered_at is None


# The scheme team hears about low ratings and requests for contact


@pytest.mark.parametrize(
    ("rating", "wants_contact", "alerts"),
    [(1, False, 1), (2, False, 1), (3, False, 0), (5, False, 0), (5, True, 1), (2, True, 1)],
)
def test_low_ratings_and_contact_requests_email_the_scheme_team(
    mentee, check_in, rating, wants_contact, alerts
):
    services.answer_check_in(
        check_in, by=mentee, rating=rating, comment="Hard to find time", wants_contact=wants_contact
    )

    rows = Outbox.objects.filter(kind="check_in_alert")
    assert rows.count() == alerts
    if alerts:
        row = rows.get()
        assert row.to_email == "mentoring@example.org"
        assert "Maya Mentee" in row.subject
        assert "Hard to find time" in row.body_text
        assert f"/admin/sessions_log/checkin/{check_in.pk}/change/" in row.body_text


def test_the_scheme_team_is_emailed_once_per_check_in(
    client_for, mentee, check_in, django_capture_on_commit_callbacks, mailoutbox
):
    client = client_for(mentee)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url(check_in), {"rating": "1", "wants_contact": "on"})
        client.post(_url(check_in), {"rating": "1", "wants_contact": "on"})

    assert [m.to for m in mailoutbox] == [["mentoring@example.org"]]
    assert mailoutbox[0].subject == "Check-in: Maya Mentee would like to be contacted"


def test_the_other_person_never_hears_about_the_answer(mentee, mentor, check_in):
    services.answer_check_in(check_in, by=mentee, rating=1, wants_contact=True)

    assert not Outbox.objects.filter(to_email=mentor.email).exists()
