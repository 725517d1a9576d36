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
    assert "Thanks!</textarea>" in text_of(response), "what was typed is kept"
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


@pytest.mark.parametrize("language", ["en-gb", "cy"])
def test_the_pair_page_shows_the_end_form_as_crispy_draws_it(
    client_for, mentee_profile, mentor_profile, mentorship, mentee, language
):
    from django.template import engines
    from django.utils import translation

    from matching.forms import EndMentorshipForm

    mentee.language = language
    mentee.save()
    html = text_of(client_for(mentee).get(mentorship.get_absolute_url()))
    fields = engines["django"].from_string("{% load crispy_forms_tags %}{{ form|crispy }}")
    with translation.override(language):
        expected = fields.render({"form": EndMentorshipForm()})
    assert expected in html
    assert 'name="reason"' in expected
