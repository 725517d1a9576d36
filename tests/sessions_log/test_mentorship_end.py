"""Ending a mentorship from the pair's page. Ending gives the mentor a place back, so the pair
here have their profiles."""

from __future__ import annotations

import pytest
from django.urls import reverse

from matching.models import Mentorship, MentorshipRequest
from tests.support import messages_of, text_of

pytestmark = pytest.mark.django_db
Status = MentorshipRequest.Status


def test_end_without_a_reason_shows_the_error(
    client_for, mentee_profile, mentor_profile, mentorship, mentee
):
    response = client_for(mentee).post(
        reverse("sessions_log:mentorship-end", args=[mentorship.pk]), {"message": "Thanks!"}
    )

    assert response.status_code == 200
    assert response.context["end_form"].errors["reason"] == ["Please choose a reason."]
    assert '<details class="card end-mentorship" open>' in text_of(response)
    assert '<a href="#id_reason_0">' in text_of(response)
    mentorship.refresh_from_db()
    assert mentorship.is_active


def test_end_with_a_reason_returns_to_the_mentorship(
    client_for, mentee_profile, mentor_profile, mentorship, mentee
):
    response = client_for(mentee).post(
        reverse("sessions_log:mentorship-end", args=[mentorship.pk]),
        {"reason": "achieved", "rating": "5"},
    )

    mentorship.refresh_from_db()
    assert response["Location"] == mentorship.get_absolute_url()
    assert mentorship.status == Mentorship.Status.ENDED
    assert mentorship.feedback_rating == 5
    assert messages_of(response) == [
        "Your mentorship has ended and Daniel Mentor has been told. Thank you."
    ]
