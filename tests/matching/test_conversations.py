"""Conversations: started by the Interested message, continued by the pair, written only by the
two people (matching.conversations)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from matching import conversations
from matching.conversations import ConversationError, post_message
from matching.models import Conversation, Mentorship, Message, MessageReport
from matching.services import accept_request, create_mentorship, end_mentorship, send_request
from mentoring.models import Outbox
from tests.factories import MentorshipRequestFactory, UserFactory, default_programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(mentee_profile, mentor_profile):
    return send_request(
        mentee=mentee_profile.user, mentor=mentor_profile.user, message="Could we meet monthly?"
    )


def test_the_interested_message_is_the_first_message(sent, mentee, mentor):
    conversation = Conversation.objects.get(request=sent)
    (first,) = conversation.messages.all()
    assert (first.author, first.body, first.created_at) == (mentee, sent.message, sent.created_at)
    assert (conversation.mentor, conversation.mentee) == (mentor, mentee)
    assert conversation.programme == sent.programme
    assert conversations.unread_count(mentor) == 1
    assert conversations.unread_count(mentee) == 0


def test_the_thread_continues_from_request_to_pair(sent, mentee, mentor):
    conversation = Conversation.objects.get(request=sent)
    post_message(conversation, author=mentor, body="What is your deadline?")
    post_message(conversation, author=mentee, body="June.")

    accept_request(sent, by=mentor)

    conversation.refresh_from_db()
    assert conversation.mentorship == sent.mentorship
    post_message(conversation, author=mentor, body="Welcome aboard.")
    assert list(conversation.messages.values_list("body", flat=True)) == [
        "Could we meet monthly?",
        "What is your deadline?",
        "June.",
        "Welcome aboard.",
    ]
    assert Conversation.objects.count() == 1


def test_central_matching_starts_a_conversation_for_the_pair(mentee_profile, mentor_profile):
    coordinator = UserFactory()
    programme = default_programme()
    programme.coordinators.add(coordinator)
    pair = create_mentorship(mentor=mentor_profile.user, mentee=mentee_profile.user, by=coordinator)

    conversation = Conversation.objects.get(mentorship=pair)
    assert conversation.request is None
    assert not conversation.messages.exists()


def test_a_stranger_cannot_write(sent, stranger):
    conversation = Conversation.objects.get(request=sent)
    with pytest.raises(ConversationError, match="Only the two people"):
        post_message(conversation, author=stranger, body="Hello")
    assert conversation.messages.count() == 1


@pytest.mark.parametrize(
    ("body", "sentence"),
    [("   ", "Please write a message."), ("x" * (Message.MAX_LENGTH + 1), "characters")],
)
def test_empty_and_too_long_messages_are_refused(sent, mentor, body, sentence):
    conversation = Conversation.objects.get(request=sent)
    with pytest.raises(ConversationError, match=sentence):
        post_message(conversation, author=mentor, body=body)


def test_a_message_is_stripped(sent, mentor):
    conversation = Conversation.objects.get(request=sent)
    assert post_message(conversation, author=mentor, body="  Hello \n").body == "Hello"


def test_a_double_submit_makes_one_message(sent, mentor):
    conversation = Conversation.objects.get(request=sent)
    first = post_message(conversation, author=mentor, body="Hello", client_token="tok-1")
    again = post_message(conversation, author=mentor, body="Hello", client_token="tok-1")
    assert first.pk == again.pk
    assert conversation.messages.filter(author=mentor).count() == 1


def test_the_rate_limit_refuses_the_next_message(sent, mentor, settings):
    settings.MESSAGE_RATE_LIMIT_COUNT = 3
    conversation = Conversation.objects.get(request=sent)
    for n in range(3):
        post_message(conversation, author=mentor, body=f"Message {n}")
    with pytest.raises(ConversationError, match="sent 3 messages in the last 10 minutes"):
        post_message(conversation, author=mentor, body="One too many")


def test_the_rate_limit_window_passes(sent, mentor, settings, time_machine):
    settings.MESSAGE_RATE_LIMIT_COUNT = 1
    conversation = Conversation.objects.get(request=sent)
    post_message(conversation, author=mentor, body="First")
    time_machine.move_to(timezone.now() + timedelta(minutes=11), tick=False)
    assert post_message(conversation, author=mentor, body="Second").body == "Second"


def test_an_ended_pair_is_read_only(sent, mentor, mentee):
    accept_request(sent, by=mentor)
    sent.refresh_from_db()
    end_mentorship(sent.mentorship, by=mentee, reason="achieved", message="")
    conversation = Conversation.objects.get(request=sent)
    with pytest.raises(ConversationError, match="ended"):
        post_message(conversation, author=mentor, body="Are you there?")


def test_a_closed_request_without_a_pair_is_read_only(sent, mentee, mentor):
    from matching.services import withdraw_request

    withdraw_request(sent, by=mentee)
    conversation = Conversation.objects.get(request=sent)
    with pytest.raises(ConversationError, match="closed"):
        post_message(conversation, author=mentor, body="Too late?")


def test_posting_updates_the_last_message_and_the_authors_read_time(sent, mentor, mentee):
    conversation = Conversation.objects.get(request=sent)
    message = post_message(conversation, author=mentor, body="A question")
    conversation.refresh_from_db()
    assert conversation.last_message_at == message.created_at
    assert conversation.last_author == mentor
    assert conversation.mentor_read_at == message.created_at
    assert conversations.unread_count(mentor) == 0
    assert conversations.unread_count(mentee) == 1


def test_mark_read_clears_the_unread_count(sent, mentor):
    conversation = Conversation.objects.get(request=sent)
    assert conversations.unread_count(mentor) == 1
    assert conversations.mark_read(conversation, mentor) is True
    assert conversations.unread_count(mentor) == 0
    assert conversations.mark_read(conversation, mentor) is False


def test_the_unread_count_is_cached(sent, mentor):
    conversations.unread_count(mentor)
    with CaptureQueriesContext(connection) as ctx:
        assert conversations.unread_count(mentor) == 1
    assert len(ctx.captured_queries) == 0


def test_report_a_message_emails_the_coordinators(sent, mentor, mentee):
    coordinator = UserFactory()
    sent.programme.coordinators.add(coordinator)
    message = Conversation.objects.get(request=sent).messages.get()

    report = conversations.report_message(message, by=mentor, reason="Rude")

    assert MessageReport.objects.get() == report
    assert report.reported_by == mentor
    (email,) = Outbox.objects.filter(kind="message_reported")
    assert email.to_email == coordinator.email
    assert "Rude" in email.body_text


def test_report_goes_to_the_scheme_contact_without_coordinators(sent, mentor, settings):
    message = Conversation.objects.get(request=sent).messages.get()
    conversations.report_message(message, by=mentor, reason="Rude")
    (email,) = Outbox.objects.filter(kind="message_reported")
    assert email.to_email == settings.SCHEME_CONTACT_EMAIL


def test_nobody_reports_their_own_message_or_a_strangers(sent, mentee, stranger):
    message = Conversation.objects.get(request=sent).messages.get()
    with pytest.raises(ConversationError, match="your own"):
        conversations.report_message(message, by=mentee, reason="Oops")
    with pytest.raises(ConversationError, match="Only the two people"):
        conversations.report_message(message, by=stranger, reason="Nosy")
    assert not MessageReport.objects.exists()


def test_a_request_from_before_conversations_gets_one_on_demand(mentee_profile, mentor_profile):
    req = MentorshipRequestFactory(mentee=mentee_profile.user, mentor=mentor_profile.user)
    conversation = conversations.conversation_for_request(req)
    assert conversations.conversation_for_request(req) == conversation
    assert conversation.messages.get().body == req.message


def test_a_message_restarts_the_requests_reminder_and_expiry_clock(sent, mentor, time_machine):
    from matching.jobs import expire_requests, remind_unanswered_requests

    programme = sent.programme
    conversation = Conversation.objects.get(request=sent)
    time_machine.move_to(sent.created_at + timedelta(days=programme.request_expiry_days - 1))
    post_message(conversation, author=mentor, body="Before I answer: which city are you in?")

    time_machine.move_to(sent.created_at + timedelta(days=programme.request_expiry_days + 1))
    assert expire_requests() == 0
    assert remind_unanswered_requests() == 0

    later = timezone.now() + timedelta(days=programme.request_expiry_days)
    assert expire_requests(now=later) == 1
    sent.refresh_from_db()
    assert sent.status == "expired"


def test_the_data_export_holds_both_sides_of_my_conversations(sent, mentee, mentor, stranger):
    from accounts.privacy import personal_data

    conversation = Conversation.objects.get(request=sent)
    post_message(conversation, author=mentor, body="Which city are you in?")

    rows = personal_data(mentee)["Messages"]
    assert [(r["From"], r["Message"]) for r in rows] == [
        ("You", "Could we meet monthly?"),
        (mentor.full_name, "Which city are you in?"),
    ]
    assert personal_data(stranger)["Messages"] == []


def test_deleting_an_account_blanks_its_messages_and_keeps_the_others(sent, mentee, mentor):
    from accounts.privacy import delete_account

    conversation = Conversation.objects.get(request=sent)
    post_message(conversation, author=mentor, body="Which city are you in?")
    post_message(conversation, author=mentee, body="Leeds, near the station.")

    delete_account(mentee)

    rows = list(conversation.messages.values_list("author", "body"))
    assert rows == [(None, ""), (mentor.pk, "Which city are you in?"), (None, "")]
    conversation.refresh_from_db()
    assert conversation.mentee is None
    assert conversations.other_name(conversation, mentor) == "a former participant"


def test_the_thread_names_its_authors_in_the_readers_language(sent, mentee, mentor):
    from django.utils import translation

    from accounts.privacy import delete_account

    conversation = Conversation.objects.get(request=sent)
    post_message(conversation, author=mentor, body="Which city are you in?")
    delete_account(mentor)
    conversation.refresh_from_db()

    with translation.override("cy"):
        rows = conversations.thread_context(conversation, mentee, post_url="/")["thread"]
    assert [row["author"] for row in rows] == ["Chi", "Cyn-gyfranogwr"]


@pytest.mark.parametrize(
    "body",
    [
        "See https://example.org/cv <script>alert(1)</script>",
        "Line one\nline two\r\n\r\nand www.example.org & a <b>tag</b>",
        "Write to me at someone@example.org.",
        "Plain words, nothing to link.",
    ],
)
def test_a_message_is_drawn_as_the_template_filters_draw_it(body):
    from django.template import engines

    filters = engines["django"].from_string("{{ body|urlize|linebreaksbr }}")
    assert conversations.message_html(body) == filters.render({"body": body})


def test_a_message_read_again_is_not_drawn_again():
    conversations._kept_message_html.cache_clear()
    body = "Shall we meet at https://example.org/room on Friday?"
    first = conversations.message_html(body)
    again = conversations.message_html("".join(body))  # an equal text from another query
    assert again == first
    info = conversations._kept_message_html.cache_info()
    assert (info.hits, info.misses) == (1, 1)


def test_a_long_message_is_drawn_each_time_not_kept():
    conversations._kept_message_html.cache_clear()
    body = "www.example.org\n" * 100  # linkified, many times its length
    assert len(body) > conversations.MESSAGE_HTML_KEPT_CHARS
    assert conversations.message_html(body).count("<a href=") == 100
    assert conversations.message_html(body) == conversations.message_html(body)
    assert conversations._kept_message_html.cache_info().currsize == 0


def test_the_pairs_page_reads_the_conversation_with_the_people_it_has(sent, mentee, mentor):
    accept_request(sent, by=mentor)
    mentorship = Mentorship.objects.select_related("mentor", "mentee").get(pk=sent.mentorship.pk)

    with CaptureQueriesContext(connection) as queries:
        conversation = conversations.find_for_mentorship(mentorship)
        names = (conversation.mentor.full_name, conversation.mentee.full_name)
        reason = conversations.read_only_reason(conversation)

    assert len(queries) == 1
    assert conversation.mentorship is mentorship
    assert names == (mentor.full_name, mentee.full_name)
    assert reason is None


def test_a_person_who_left_is_not_lent_to_the_conversation(sent, mentee, mentor):
    accept_request(sent, by=mentor)
    mentorship = Mentorship.objects.select_related("mentor", "mentee").get(pk=sent.mentorship.pk)
    # The conversation no longer names the mentee (as after they deleted their account),
    # while this copy of the pair, read before, still does.
    Conversation.objects.filter(request=sent).update(mentee=None)

    conversation = conversations.find_for_mentorship(mentorship)

    assert conversation.mentee is None
    assert conversation.mentor == mentor
    assert "deleted their account" in conversations.read_only_reason(conversation)
