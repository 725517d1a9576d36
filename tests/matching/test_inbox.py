"""The inbox /messages/ and the header's unread badge."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from matching import conversations
from matching.conversations import post_message
from matching.models import Conversation
from tests.factories import MenteeProfileFactory, MentorshipRequestFactory
from tests.support import count_queries, text_of

pytestmark = pytest.mark.django_db

INBOX = reverse("matching:inbox")


def _requests_to(mentor, n: int) -> list:
    reqs = []
    for _ in range(n):
        req = MentorshipRequestFactory(mentor=mentor, mentee=MenteeProfileFactory().user)
        conversations.conversation_for_request(req)
        reqs.append(req)
    return reqs


def test_the_inbox_lists_my_conversations_newest_first(client_for, mentor_profile):
    mentor = mentor_profile.user
    first, second = _requests_to(mentor, 2)
    post_message(conversations.conversation_for_request(first), author=mentor, body="Latest word")

    html = text_of(client_for(mentor).get(INBOX))
    assert html.index(escape(first.mentee.full_name)) < html.index(escape(second.mentee.full_name))
    assert "You: Latest word" in html
    assert "Unread" in html  # the second is unread


def test_the_inbox_shows_only_my_conversations(client_for, mentor_profile, stranger):
    req = _requests_to(mentor_profile.user, 1)[0]
    html = text_of(client_for(stranger).get(INBOX))
    assert escape(req.mentee.full_name) not in html
    assert "No conversations yet" in html


def test_a_deleted_person_is_a_former_participant(client_for, mentor_profile):
    req = _requests_to(mentor_profile.user, 1)[0]
    # What deleting the account leaves (the foreign key is set to null).
    Conversation.objects.filter(request=req).update(mentee=None)
    html = text_of(client_for(mentor_profile.user).get(INBOX))
    assert "A former participant" in html


def test_the_inbox_costs_the_same_for_1_and_30_conversations(client_for, mentor_profile):
    mentor = mentor_profile.user
    client = client_for(mentor)
    _requests_to(mentor, 1)
    client.get(INBOX)
    one = count_queries(client, INBOX)
    _requests_to(mentor, 29)
    client.get(INBOX)
    many = count_queries(client, INBOX)
    assert one == many


def test_the_inbox_is_paginated(client_for, mentor_profile):
    mentor = mentor_profile.user
    _requests_to(mentor, conversations.INBOX_PAGE_SIZE + 1)
    response = client_for(mentor).get(INBOX)
    assert len(response.context["rows"]) == conversations.INBOX_PAGE_SIZE
    assert len(client_for(mentor).get(INBOX, {"page": 2}).context["rows"]) == 1


def test_the_header_badge_counts_unread_conversations(client_for, mentor_profile):
    mentor = mentor_profile.user
    reqs = _requests_to(mentor, 2)
    client = client_for(mentor)
    html = text_of(client.get(INBOX))
    assert "(2 unread conversations)" in html

    client.get(reqs[0].get_absolute_url())  # reading one
    html = text_of(client.get(INBOX))
    assert "(1 unread conversation)" in html


def test_the_header_reads_the_count_from_the_cache(client_for, mentor_profile):
    mentor = mentor_profile.user
    _requests_to(mentor, 1)
    client = client_for(mentor)  # signing in works the count out
    with_badge = count_queries(client, reverse("matching:request-list"))
    conversations.unread_count(mentor)
    assert count_queries(client, reverse("matching:request-list")) == with_badge
