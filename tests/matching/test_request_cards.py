"""On a phone the requests list is a list of cards, each with its link; the table shows on wider
screens (only one is displayed at a time, so nothing is read twice)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.factories import MenteeProfileFactory, MentorProfileFactory, MentorshipRequestFactory
from tests.support import count_queries

pytestmark = pytest.mark.django_db
URL = reverse("matching:request-list")


def test_each_request_is_a_card_with_its_link(client_for, mentee_profile):
    both = mentee_profile.user
    MentorProfileFactory(user=both)
    sent = MentorshipRequestFactory(
        mentee=both, mentor=MentorProfileFactory(user__full_name="Sent Sam").user
    )
    received = MentorshipRequestFactory(
        mentor=both, mentee=MenteeProfileFactory(user__full_name="Received Rita").user
    )

    html = client_for(both).get(URL).text

    cards = re.findall(r'<ul class="list-unstyled request-cards d-md-none".*?</ul>', html, re.S)
    assert len(cards) == 2
    received_cards, sent_cards = cards
    assert "From Received Rita" in received_cards
    assert f'href="{received.get_absolute_url()}">Answer' in received_cards
    assert "To Sent Sam" in sent_cards
    assert f'href="{sent.get_absolute_url()}">View' in sent_cards
    assert html.count('class="table-responsive d-none d-md-block"') == 2


def test_cards_add_no_queries(client_for, mentee_profile, django_assert_max_num_queries):
    both = mentee_profile.user
    MentorProfileFactory(user=both, capacity=10)
    client = client_for(both)
    MentorshipRequestFactory(mentee=both)
    MentorshipRequestFactory(mentor=both)
    one_each = count_queries(client, URL)
    for _ in range(9):
        MentorshipRequestFactory(mentee=both)
        MentorshipRequestFactory(mentor=both)

    with django_assert_max_num_queries(one_each):
        response = client.get(URL)

    assert response.text.count('<li class="card mb-2">') == 20
