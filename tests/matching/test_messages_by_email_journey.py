"""The whole path through the real services: a request's Interested message, the mentor's
question, the email a few minutes later with its Reply-To, the mentee's reply by email landing
in the conversation, and the mentor's email about it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from matching import jobs
from matching.conversations import conversation_for_request, mark_read, post_message
from matching.models import Message
from matching.services import send_request
from tests.factories import MenteeProfileFactory, MentorProfileFactory
from tests.support import queued

pytestmark = pytest.mark.django_db
DOMAIN = "reply.example.org"


@pytest.fixture(autouse=True)
def _reply_settings(settings):
    settings.REPLY_EMAIL_DOMAIN = DOMAIN
    settings.INBOUND_EMAIL_SECRET = "s3cret"


def test_question_email_reply_by_email_and_notification(
    client, time_machine, django_capture_on_commit_callbacks
):
    mentor = MentorProfileFactory().user
    mentee = MenteeProfileFactory().user
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    req = send_request(mentee=mentee, mentor=mentor, message="Could you mentor me in finance?")
    conv = conversation_for_request(req)

    # The Interested message is told by the "new request" email, not by a message email.
    time_machine.move_to(start + timedelta(minutes=10), tick=False)
    assert jobs.notify_new_messages() == 0

    post_message(conv, author=mentor, body="Happy to. Which roles are you applying for?")
    time_machine.move_to(start + timedelta(minutes=20), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.notify_new_messages() == 1
    [email] = queued("message_notification")
    assert email.recipient == mentee
    assert "Which roles are you applying for?" in email.body_text
    [sent] = [m for m in mail.outbox if m.to == [mentee.email]]
    reply_to = sent.message()["Reply-To"]
    assert reply_to.startswith("reply+") and reply_to.endswith(f"@{DOMAIN}")

    raw = (
        f"From: {mentee.full_name} <{mentee.email}>\r\n"
        f"To: {reply_to}\r\n"
        "Subject: Re: A new message\r\n"
        "Message-ID: <journey-1@mail.example.com>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "Graduate schemes in corporate finance.\r\n\r\n"
        "On Mon, 12 Jan 2026 at 09:05, Mentoring <noreply@example.org> wrote:\r\n"
        "> Happy to. Which roles are you applying for?\r\n"
    ).encode()
    response = client.post(
        reverse("matching:inbound-email"),
        data=raw,
        content_type="message/rfc822",
        headers={"X-Inbound-Secret": "s3cret"},
    )

    assert response.status_code == 201
    reply = Message.objects.latest("pk")
    assert (reply.conversation_id, reply.author_id, reply.by_email) == (conv.pk, mentee.pk, True)
    assert reply.body == "Graduate schemes in corporate finance."

    # The mentor hears of it a few minutes later, unless they read it on the site first.
    time_machine.move_to(start + timedelta(minutes=30), tick=False)
    assert jobs.notify_new_messages() == 1
    assert queued("message_notification")[-1].recipient == mentor

    post_message(conv, author=mentee, body="And one more thing.")
    conv.refresh_from_db()
    mark_read(conv, mentor)
    time_machine.move_to(start + timedelta(minutes=40), tick=False)
    assert jobs.notify_new_messages() == 0
