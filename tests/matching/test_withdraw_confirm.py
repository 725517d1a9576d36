"""Withdrawing a request asks first: the request page links to a page that says what happens
and who is told, whose button withdraws (no JavaScript)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from matching.models import MentorshipRequest
from tests.support import messages_of, text_of

pytestmark = pytest.mark.django_db


def _url(req) -> str:
    return reverse("matching:request-withdraw", args=[req.pk])


def test_the_request_page_links_to_the_question(client_for, pending):
    html = text_of(client_for(pending.mentee).get(pending.get_absolute_url()))

    assert f'href="{_url(pending)}"' in html
    assert f'action="{_url(pending)}"' not in html


def test_withdrawing_asks_first_and_says_who_is_told(client_for, pending):
    response = client_for(pending.mentee).get(_url(pending))

    assert response.status_code == 200
    text = text_of(response)
    assert "Withdraw your request?" in text
    mentor = pending.mentor.get_short_name()
    assert (
        f"We will email {mentor} to say there is nothing to do." in text
        or f"{mentor} will never hear of it" in text
    )
    assert "Yes, withdraw my request" in text
    assert f'action="{_url(pending)}"' in text
    pending.refresh_from_db()
    assert pending.status == MentorshipRequest.Status.PENDING


def test_the_button_withdraws_and_twice_is_harmless(client_for, pending):
    client = client_for(pending.mentee)

    assert client.post(_url(pending)).status_code == 302
    assert client.post(_url(pending)).status_code == 302

    pending.refresh_from_db()
    assert pending.status == MentorshipRequest.Status.WITHDRAWN


def test_the_mentor_asking_is_sent_back_with_a_sentence(client_for, pending):
    response = client_for(pending.mentor).get(_url(pending), follow=True)

    assert "There is nothing to withdraw" in messages_of(response)[0]
    pending.refresh_from_db()
    assert pending.status == MentorshipRequest.Status.PENDING


def test_a_withdrawn_request_has_nothing_left_to_confirm(client_for, pending):
    client = client_for(pending.mentee)
    client.post(_url(pending))

    response = client.get(_url(pending))

    assert response.status_code == 302
    assert response["Location"] == pending.get_absolute_url()
