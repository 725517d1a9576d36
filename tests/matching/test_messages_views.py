"""The conversation on a request's page and in the pair's space: who reads and writes it, the
form, the pages of a long thread, and reports of a message."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from matching import conversations
from matching.models import Conversation, Message, MessageReport
from matching.services import accept_request, end_mentorship
from tests.factories import UserFactory
from tests.support import count_queries, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread(pending):
    return conversations.conversation_for_request(pending)


def _request_post_url(req) -> str:
    return reverse("matching:request-messages", args=[req.pk])


def _pair_post_url(pair) -> str:
    return reverse("sessions_log:mentorship-messages", args=[pair.pk])


def _fill(conversation, n: int) -> None:
    start = timezone.now() - timedelta(days=1)
    Message.objects.bulk_create(
        Message(
            conversation=conversation,
            author_id=conversation.mentor_id if i % 2 else conversation.mentee_id,
            body=f"Message number {i}",
            created_at=start + timedelta(seconds=i),
        )
        for i in range(n)
    )


# Who reads and writes -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["mentor", "mentee"])
def test_both_people_read_the_thread_on_the_request_page(client_for, pending, who, request):
    user = request.getfixturevalue(who)
    html = text_of(client_for(user).get(pending.get_absolute_url()))
    assert pending.message in html
    assert _request_post_url(pending) in html


@pytest.mark.parametrize("who", ["mentor", "mentee"])
def test_both_people_write_on_the_request(client_for, pending, thread, who, request):
    user = request.getfixturevalue(who)
    response = client_for(user).post(
        _request_post_url(pending), {"body": "A question for you", "client_token": "t1"}
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#messages")
    assert thread.messages.filter(author=user, body="A question for you").exists()


def test_a_stranger_gets_404_and_writes_nothing(client_for, pending, thread, stranger):
    client = client_for(stranger)
    assert client.get(pending.get_absolute_url()).status_code == 404
    assert client.post(_request_post_url(pending), {"body": "Hi"}).status_code == 404
    assert thread.messages.count() == 1


def test_anonymous_is_sent_to_log_in(client, pending):
    for response in (
        client.post(_request_post_url(pending), {"body": "Hi"}),
        client.get(reverse("matching:inbox")),
        client.post(reverse("matching:message-report", args=[1]), {"reason": "x"}),
    ):
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]


def test_a_coordinator_cannot_read_a_conversation_on_the_site(client_for, pending, thread):
    coordinator = UserFactory(is_staff=True)
    coordinator.groups.add(Group.objects.get(name="Scheme coordinator"))
    pending.programme.coordinators.add(coordinator)
    client = client_for(coordinator)
    assert client.get(pending.get_absolute_url()).status_code == 404
    assert client.post(_request_post_url(pending), {"body": "Hi"}).status_code == 404
    message = thread.messages.get()
    assert client.get(reverse("matching:message-report", args=[message.pk])).status_code == 404
    assert pending.message not in text_of(client.get(reverse("matching:inbox")))


def test_conversations_and_messages_have_no_admin():
    assert not admin.site.is_registered(Conversation)
    assert not admin.site.is_registered(Message)
    assert admin.site.is_registered(MessageReport)


def test_a_coordinator_sees_only_reported_messages_in_the_admin(client_for, pending, thread):
    coordinator = UserFactory(is_staff=True)
    coordinator.groups.add(Group.objects.get(name="Scheme coordinator"))
    pending.programme.coordinators.add(coordinator)
    conversations.post_message(thread, author=pending.mentor, body="Private question")
    client = client_for(coordinator)
    changelist = reverse("admin:matching_messagereport_changelist")
    assert pending.message[:40] not in text_of(client.get(changelist))

    first = thread.messages.order_by("created_at").first()
    report = conversations.report_message(first, by=pending.mentor, reason="Asked for my address")

    html = text_of(client.get(reverse("admin:matching_messagereport_change", args=[report.pk])))
    assert pending.message in html
    assert "Asked for my address" in html
    assert "Private question" not in html


# The form ---------------------------------------------------------------------------------------


def test_a_double_submit_makes_one_message(client_for, mentor, pending, thread):
    client = client_for(mentor)
    data = {"body": "Which city are you in?", "client_token": "same-token"}
    client.post(_request_post_url(pending), data)
    client.post(_request_post_url(pending), data)
    assert thread.messages.filter(author=mentor).count() == 1


def test_each_render_has_a_new_token(client_for, mentor, pending):
    client = client_for(mentor)
    first = client.get(pending.get_absolute_url()).context["message_form"]["client_token"].value()
    second = client.get(pending.get_absolute_url()).context["message_form"]["client_token"].value()
    assert first and second and first != second


def test_an_empty_message_is_refused_next_to_the_field(client_for, mentor, pending):
    response = client_for(mentor).post(_request_post_url(pending), {"body": "  "})
    assert response.status_code == 400
    assert "Please write a message." in text_of(response)
    assert 'aria-invalid="true"' in text_of(response)


def test_a_refused_message_keeps_what_was_typed(client_for, mentor, pending, settings):
    settings.MESSAGE_RATE_LIMIT_COUNT = 0
    response = client_for(mentor).post(
        _request_post_url(pending), {"body": "My carefully written question", "client_token": "x"}
    )
    html = text_of(response)
    assert response.status_code == 400
    assert "the most the scheme allows" in html
    assert "My carefully written question" in html


def test_links_are_clickable_and_html_is_escaped(client_for, mentor, mentee, pending, thread):
    conversations.post_message(
        thread, author=mentor, body="See https://example.org/cv <script>alert(1)</script>"
    )
    html = text_of(client_for(mentee).get(pending.get_absolute_url()))
    assert '<a href="https://example.org/cv"' in html
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_opening_the_page_marks_it_read(client_for, mentor, pending, thread):
    assert conversations.unread_count(mentor) == 1
    client_for(mentor).get(pending.get_absolute_url())
    assert conversations.unread_count(mentor) == 0


def test_the_mentor_asks_before_accepting_and_the_thread_goes_on_in_the_pair(
    client_for, mentor, mentee, pending, thread
):
    client_for(mentor).post(_request_post_url(pending), {"body": "When is your deadline?"})
    client_for(mentee).post(_request_post_url(pending), {"body": "In June."})
    accept_request(pending, by=mentor)
    pending.refresh_from_db()
    pair = pending.mentorship

    response = client_for(mentor).post(_pair_post_url(pair), {"body": "Welcome!"})
    assert response.status_code == 302
    html = text_of(client_for(mentee).get(pair.get_absolute_url()))
    for body in (pending.message, "When is your deadline?", "In June.", "Welcome!"):
        assert body in html
    # The request's page now points to the pair's space, and its form is gone.
    request_page = text_of(client_for(mentee).get(pending.get_absolute_url()))
    assert _request_post_url(pending) not in request_page
    assert client_for(mentee).post(_request_post_url(pending), {"body": "x"}).status_code == 302
    assert thread.messages.count() == 4


def test_the_pair_space_404s_for_a_stranger(client_for, mentorship, stranger):
    client = client_for(stranger)
    assert client.post(_pair_post_url(mentorship), {"body": "Hi"}).status_code == 404


def test_an_ended_pair_is_read_only(client_for, mentorship):
    end_mentorship(mentorship, by=mentorship.mentee, reason="achieved")
    client = client_for(mentorship.mentor)
    html = text_of(client.get(mentorship.get_absolute_url()))
    assert "This mentorship has ended: its conversation is read-only." in html
    assert _pair_post_url(mentorship) not in html
    response = client.post(_pair_post_url(mentorship), {"body": "Still there?"})
    assert response.status_code == 400
    assert not Message.objects.filter(body="Still there?").exists()


# Long threads ---------------------------------------------------------------------------------


def test_a_thread_shows_the_latest_50_with_a_link_to_older(client_for, mentor, pending, thread):
    _fill(thread, 120)
    client = client_for(mentor)
    page = client.get(pending.get_absolute_url())
    html = text_of(page)
    # The Interested message (sent now) is the latest; then numbers 119 down to 71.
    assert pending.message in html
    assert "Message number 119<" in html
    assert "Message number 71<" in html
    assert "Message number 70<" not in html
    older = page.context["thread_older_before"]
    html = text_of(client.get(f"{pending.get_absolute_url()}?before={older}"))
    assert "Message number 70<" in html
    assert "Message number 21<" in html
    assert "Message number 20<" not in html
    assert "Message number 71<" not in html


@pytest.mark.parametrize("where", ["request", "pair"])
def test_queries_do_not_grow_with_the_thread(client_for, pending, mentor, where):
    thread = conversations.conversation_for_request(pending)
    if where == "pair":
        accept_request(pending, by=mentor)
        pending.refresh_from_db()
        url = pending.mentorship.get_absolute_url()
    else:
        url = pending.get_absolute_url()
    client = client_for(mentor)
    counts = []
    for total in (1, 50, 500):
        _fill(thread, total - thread.messages.count())
        client.get(url)  # warm: the read mark and the unread count
        counts.append(count_queries(client, url))
    assert counts[0] == counts[1] == counts[2]


# Reports --------------------------------------------------------------------------------------


def test_report_a_message_from_the_thread(client_for, mentor, pending, thread):
    message = thread.messages.get()
    response = client_for(mentor).post(
        reverse("matching:message-report", args=[message.pk]), {"reason": "Offensive"}
    )
    assert response.status_code == 302
    report = MessageReport.objects.get()
    assert (report.message, report.reported_by, report.reason) == (message, mentor, "Offensive")
    assert "You reported this message" in text_of(
        client_for(mentor).get(pending.get_absolute_url())
    )


def test_a_report_without_a_reason_shows_the_error(client_for, mentor, thread):
    message = thread.messages.get()
    response = client_for(mentor).post(
        reverse("matching:message-report", args=[message.pk]), {"reason": ""}
    )
    assert response.status_code == 400
    assert "Please say what is wrong with the message." in text_of(response)
    assert not MessageReport.objects.exists()


def test_nobody_reports_their_own_message_or_a_strangers(client_for, mentee, stranger, thread):
    url = reverse("matching:message-report", args=[thread.messages.get().pk])
    assert client_for(mentee).post(url, {"reason": "mine"}).status_code == 404
    assert client_for(stranger).post(url, {"reason": "nosy"}).status_code == 404
    assert not MessageReport.objects.exists()


def test_the_thread_offers_a_report_form_only_for_the_other_persons_messages(
    client_for, mentor, mentee, pending, thread
):
    mine = conversations.post_message(thread, author=mentor, body="A reply from the mentor")
    theirs = thread.messages.exclude(pk=mine.pk).get()
    html = text_of(client_for(mentor).get(pending.get_absolute_url()))
    assert f'action="{reverse("matching:message-report", args=[theirs.pk])}"' in html
    assert f'id="report-reason-{theirs.pk}"' in html
    assert reverse("matching:message-report", args=[mine.pk]) not in html
    assert html.count("Report this message") == 1
    # The other side: the mentor's reply can be reported, the mentee's own message cannot.
    html = text_of(client_for(mentee).get(pending.get_absolute_url()))
    assert reverse("matching:message-report", args=[mine.pk]) in html
    assert reverse("matching:message-report", args=[theirs.pk]) not in html
