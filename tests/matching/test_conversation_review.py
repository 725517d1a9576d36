"""From the review of conversations: the pair's message URL's full authorization matrix, links
that are never scripts, and line breaks counted the way the message box counts them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from matching import conversations
from matching.models import Message
from tests.factories import UserFactory
from tests.support import text_of

pytestmark = pytest.mark.django_db


def _pair_post_url(pair) -> str:
    return reverse("sessions_log:mentorship-messages", args=[pair.pk])


@pytest.mark.parametrize("who", ["mentor", "mentee"])
def test_both_people_of_a_pair_write_in_its_space(client_for, mentorship, who):
    user = getattr(mentorship, who)
    response = client_for(user).post(
        _pair_post_url(mentorship), {"body": f"From the {who}", "client_token": "t1"}
    )

    assert response.status_code == 302
    assert response["Location"] == f"{mentorship.get_absolute_url()}#messages"
    assert Message.objects.filter(author=user, body=f"From the {who}").count() == 1
    assert f"From the {who}" in text_of(client_for(user).get(mentorship.get_absolute_url()))


def test_a_pairs_messages_are_closed_to_strangers_coordinators_and_anonymous(
    client, client_for, mentorship, stranger
):
    coordinator = UserFactory(is_staff=True)
    coordinator.groups.add(Group.objects.get(name="Scheme coordinator"))
    mentorship.programme.coordinators.add(coordinator)
    conversations.post_message(
        conversations.conversation_for_mentorship(mentorship),
        author=mentorship.mentee,
        body="Private words",
    )
    message = Message.objects.get()
    report_url = reverse("matching:message-report", args=[message.pk])

    for person in (stranger, coordinator):
        other = client_for(person)
        assert other.post(_pair_post_url(mentorship), {"body": "Hi"}).status_code == 404
        assert other.get(mentorship.get_absolute_url()).status_code == 404
        assert other.get(report_url).status_code == 404
        assert "Private words" not in text_of(other.get(reverse("matching:inbox")))
    for response in (
        client.post(_pair_post_url(mentorship), {"body": "Hi"}),
        client.get(report_url),
    ):
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]
    assert Message.objects.count() == 1


def test_only_web_links_become_links(client_for, mentorship):
    conversations.post_message(
        conversations.conversation_for_mentorship(mentorship),
        author=mentorship.mentee,
        body='javascript:alert(1) data:text/html,x "><b>bold</b> https://example.org/a?b=1&c=2',
    )

    html = client_for(mentorship.mentor).get(mentorship.get_absolute_url()).content.decode()

    assert 'href="javascript' not in html and 'href="data:' not in html
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    assert '<a href="https://example.org/a?b=1&amp;c=2" rel="nofollow">' in html


def test_line_breaks_count_once_so_a_full_box_is_accepted(client_for, mentorship):
    body = ("x" * 79 + "\r\n") * 49 + "x" * 80  # 4000 characters as the box counts them

    response = client_for(mentorship.mentee).post(
        _pair_post_url(mentorship), {"body": body, "client_token": "full"}
    )

    assert response.status_code == 302
    stored = Message.objects.get().body
    assert len(stored) == Message.MAX_LENGTH and "\r" not in stored


def test_a_message_over_the_limit_says_so_next_to_the_box_and_keeps_the_text(
    client_for, mentorship
):
    body = "y" * (Message.MAX_LENGTH + 5)

    response = client_for(mentorship.mentee).post(_pair_post_url(mentorship), {"body": body})

    assert response.status_code == 400
    page = text_of(response)
    assert "Please keep a message to 4000 characters (it has 4005)." in page
    assert body in response.content.decode()
    assert not Message.objects.exists()


def test_the_admin_shows_when_a_reported_message_was_sent_as_a_date(client_for, mentorship):
    coordinator = UserFactory(is_staff=True)
    coordinator.groups.add(Group.objects.get(name="Scheme coordinator"))
    mentorship.programme.coordinators.add(coordinator)
    message = conversations.post_message(
        conversations.conversation_for_mentorship(mentorship),
        author=mentorship.mentee,
        body="Rude words",
    )
    Message.objects.filter(pk=message.pk).update(
        created_at=datetime(2026, 1, 12, 9, 30, 15, 123456, tzinfo=UTC)
    )
    report = conversations.report_message(message, by=mentorship.mentor, reason="Rude")

    html = text_of(
        client_for(coordinator).get(
            reverse("admin:matching_messagereport_change", args=[report.pk])
        )
    )

    assert "12 Jan 2026, 9:30 a.m." in html
    assert "+00:00" not in html and "123456" not in html
