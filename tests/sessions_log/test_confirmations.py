"""Nothing that cannot be undone happens on one click: cancelling a meeting and ending a pair
first show what happens and who is told, with the button that does it (no JavaScript)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from matching.models import Mentorship
from mentoring.models import Outbox
from sessions_log.models import Meeting
from tests.factories import MeetingFactory
from tests.sessions_log.conftest import LONDON, next_week
from tests.support import messages_of, text_of

pytestmark = pytest.mark.django_db


def _cancel_url(meeting) -> str:
    return reverse("sessions_log:meeting-cancel", args=[meeting.mentorship_id, meeting.pk])


def test_the_pair_page_links_to_the_question_not_a_post(client_for, mentee, planned):
    html = client_for(mentee).get(planned.mentorship.get_absolute_url()).content.decode()

    assert f'href="{_cancel_url(planned)}"' in html
    assert f'action="{_cancel_url(planned)}"' not in html


def test_cancelling_asks_first_and_says_who_is_told(client_for, mentee, planned):
    response = client_for(mentee).get(_cancel_url(planned))

    assert response.status_code == 200
    text = text_of(response)
    assert "Cancel this meeting?" in text
    assert "We will email Daniel Mentor to say you cancelled it" in text
    assert f'action="{_cancel_url(planned)}"' in text
    assert "Yes, cancel the meeting" in text
    planned.refresh_from_db()
    assert planned.status == Meeting.Status.PLANNED
    assert not Outbox.objects.exists()


def test_the_confirmation_button_cancels_once(client_for, mentee, planned):
    client = client_for(mentee)

    first = client.post(_cancel_url(planned))
    again = client.post(_cancel_url(planned))

    assert first.status_code == again.status_code == 302
    planned.refresh_from_db()
    assert planned.status == Meeting.Status.CANCELLED
    # Once: to the other person and the canceller's own copy.
    assert Outbox.objects.filter(kind="meeting_cancelled").count() == 2


def test_asking_to_cancel_a_held_meeting_goes_back_with_a_sentence(client_for, mentee, held):
    response = client_for(mentee).get(_cancel_url(held), follow=True)

    assert messages_of(response) == ["This meeting is held already."]


def test_asking_to_cancel_in_an_ended_pair_goes_back(client_for, mentee, ended):
    meeting = MeetingFactory(mentorship=ended, starts_at=next_week())

    response = client_for(mentee).get(_cancel_url(meeting), follow=True)

    assert "can no longer be changed" in messages_of(response)[0]


# Ending the pair: the form on the pair page asks first (step=review).


def _end_url(mentorship) -> str:
    return reverse("sessions_log:mentorship-end", args=[mentorship.pk])


def test_the_end_form_reviews_before_ending(
    client_for, mentee_profile, mentor_profile, mentorship, mentee
):
    first = MeetingFactory(mentorship=mentorship, starts_at=next_week())
    client = client_for(mentee)

    html = client.get(mentorship.get_absolute_url()).content.decode()
    assert '<input type="hidden" name="step" value="review">' in html

    response = client.post(
        _end_url(mentorship),
        {"step": "review", "reason": "achieved", "message": "Thank you!", "rating": "5"},
    )

    assert response.status_code == 200
    text = text_of(response)
    assert "End your mentorship?" in text
    assert "We will email Daniel Mentor to say you ended it, with your message." in text
    assert "Your planned meeting is cancelled" in text
    local = first.starts_at.astimezone(LONDON)
    assert f"{local:%A} {local.day} {local:%B %Y}, {local:%H:%M}" in text
    assert "Daniel Mentor's place as a mentor is freed" in text
    # What was chosen travels with the button, and nothing has happened yet.
    for name, value in (("reason", "achieved"), ("message", "Thank you!"), ("rating", "5")):
        assert f'name="{name}" value="{value}"' in text, name
    assert 'name="step"' not in text
    mentorship.refresh_from_db()
    assert mentorship.is_active
    assert not Outbox.objects.filter(kind="mentorship_ended").exists()

    # The button ends it, with what was chosen.
    done = client.post(
        _end_url(mentorship), {"reason": "achieved", "message": "Thank you!", "rating": "5"}
    )

    assert done.status_code == 302
    mentorship.refresh_from_db()
    assert mentorship.status == Mentorship.Status.ENDED
    assert (mentorship.end_message, mentorship.feedback_rating) == ("Thank you!", 5)
    first.refresh_from_db()
    assert first.status == Meeting.Status.CANCELLED


def test_the_review_still_shows_a_missing_reason_on_the_pair_page(
    client_for, mentee_profile, mentor_profile, mentorship, mentee
):
    response = client_for(mentee).post(
        _end_url(mentorship), {"step": "review", "message": "Typed with care"}
    )

    assert response.status_code == 200
    assert response.context["end_form"].errors["reason"] == ["Please choose a reason."]
    assert "Typed with care" in text_of(response)
    mentorship.refresh_from_db()
    assert mentorship.is_active


@pytest.mark.parametrize("role", ["stranger", "anonymous"])
def test_only_the_pair_sees_the_review(client_for, mentorship, stranger, role):
    client = client_for(stranger if role == "stranger" else None)

    response = client.post(_end_url(mentorship), {"step": "review", "reason": "achieved"})

    if role == "stranger":
        assert response.status_code == 404
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    mentorship.refresh_from_db()
    assert mentorship.is_active
