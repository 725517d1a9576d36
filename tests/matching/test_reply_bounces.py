"""A refused reply by email is explained once to the participant who sent it, never to a sender
we do not know (no backscatter to forged senders) and never to an automatic email."""

from __future__ import annotations

import time
from email.message import EmailMessage

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone

from matching.inbound import InboundError, handle_reply
from matching.models import MentorshipRequest, Message
from matching.reply_address import make_token, reply_address
from matching.reply_bounces import MAX_PER_DAY
from mentoring.models import Outbox
from tests.factories import UserFactory
from tests.matching.messaging import conversation
from tests.matching.test_reply_by_email import DOMAIN, SECRET, URL, raw_reply

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _reply_settings(settings):
    settings.REPLY_EMAIL_DOMAIN = DOMAIN
    settings.INBOUND_EMAIL_SECRET = SECRET
    settings.SITE_URL = "https://mentoring.example.org"


def _verified(user, email=None):
    EmailAddress.objects.update_or_create(
        user=user, email=email or user.email, defaults={"verified": True, "primary": email is None}
    )


@pytest.fixture
def conv():
    conv = conversation()
    _verified(conv.mentor)
    _verified(conv.mentee)
    return conv


def refuse(raw: bytes) -> InboundError:
    with pytest.raises(InboundError) as refused:
        handle_reply(raw)
    assert not Message.objects.exists()
    return refused.value


def bounces() -> list[Outbox]:
    return list(Outbox.objects.filter(kind="reply_refused").order_by("pk"))


def withdraw(conv) -> None:
    MentorshipRequest.objects.filter(pk=conv.request_id).update(
        status=MentorshipRequest.Status.WITHDRAWN, withdrawn_at=timezone.now()
    )


def the_address(conv, person):
    return reply_address(conv.pk, person.pk)


def test_a_reply_to_a_closed_request_is_explained_once_with_the_text_and_a_link(conv):
    withdraw(conv)
    raw = raw_reply(the_address(conv, conv.mentor), conv.mentor.email, "Shall we meet Tuesday?")

    assert refuse(raw).reason == "read_only"
    refuse(raw)  # delivered again: still one explanation

    [email] = bounces()
    assert email.recipient == conv.mentor and email.to_email == conv.mentor.email
    assert email.subject == "Your reply by email was not added to the conversation"
    assert email.headers == {"Auto-Submitted": "auto-replied"}  # no Reply-To: no loop
    assert "this request is closed: its conversation is read-only." in email.body_text
    assert f"in your conversation with {conv.mentee.full_name}" in email.body_text
    assert "Shall we meet Tuesday?" in email.body_text  # nothing typed is lost
    url = f"https://mentoring.example.org/requests/{conv.request_id}/"
    assert f"Read the conversation and answer on the site: {url}" in email.body_text
    assert f'href="{url}"' in email.body_html


def test_an_expired_address_is_explained_to_its_person(conv, settings):
    old = time.time() - (settings.REPLY_EMAIL_MAX_AGE_DAYS + 1) * 86400
    to = f"reply+{make_token(conv.pk, conv.mentee_id, at=old)}@{DOMAIN}"

    assert refuse(raw_reply(to, conv.mentee.email)).reason == "expired"

    [email] = bounces()
    assert email.recipient == conv.mentee
    assert "reply addresses work for 90 days" in email.body_text
    assert "Tuesday at six works for me." in email.body_text


def test_a_too_long_reply_is_explained_and_quoted_whole(conv):
    text = "word " * 1000

    assert refuse(raw_reply(the_address(conv, conv.mentee), conv.mentee.email, text)).reason == (
        "too_long"
    )

    [email] = bounces()
    assert "it is 4999 characters long, and a message holds at most 4000." in email.body_text
    assert text.strip() in email.body_text


def test_a_forged_address_from_a_participants_address_is_answered_by_nobody(conv):
    """Anyone can write a member's address in From: without a genuine signed token, answering
    it would email the person whose address was forged."""
    raw = raw_reply(f"reply+{'0' * 40}@{DOMAIN}", conv.mentee.email, "Secret plans.")
    no_token = raw_reply(conv.mentee.email, conv.mentee.email, "Hello", message_id="<2@x>")

    assert refuse(raw).reason == "unknown"
    assert refuse(no_token).reason == "unknown"

    assert bounces() == []
    assert not Outbox.objects.filter(to_email=conv.mentee.email).exists()


def test_a_forged_address_from_an_unknown_sender_is_answered_by_nobody(conv):
    refuse(raw_reply(f"reply+{'0' * 40}@{DOMAIN}", "spoofed@elsewhere.example"))
    refuse(raw_reply(f"{conv.mentee.email}", "spoofed@elsewhere.example", message_id="<2@x>"))

    assert bounces() == []


def test_a_forged_address_from_a_person_with_no_conversation_is_answered_by_nobody(conv):
    outsider = UserFactory()
    _verified(outsider)

    refuse(raw_reply(f"reply+{'0' * 40}@{DOMAIN}", outsider.email))

    assert bounces() == []


def test_a_stranger_using_a_real_address_is_not_answered_but_its_person_is_told(conv):
    raw = raw_reply(the_address(conv, conv.mentee), "someone@elsewhere.example", "Hello there")

    assert refuse(raw).reason == "unverified"

    [email] = bounces()
    assert email.recipient == conv.mentee and email.to_email == conv.mentee.email
    assert "it came from someone@elsewhere.example, which is not a confirmed" in email.body_text
    assert Outbox.objects.filter(to_email="someone@elsewhere.example").count() == 0


def test_the_other_participant_answering_from_their_own_address_is_told_where_to_answer(conv):
    raw = raw_reply(the_address(conv, conv.mentee), conv.mentor.email, "From the mentor")

    assert refuse(raw).reason == "not_participant"

    [email] = bounces()
    assert email.recipient == conv.mentor
    assert "an email that was sent to the other person" in email.body_text
    assert "From the mentor" not in email.body_text


@pytest.mark.parametrize(
    "headers",
    [{"Auto_Submitted": "auto-replied"}, {"Precedence": "bulk"}, {"X_Autoreply": "yes"}],
)
def test_automatic_emails_are_never_answered(conv, headers):
    withdraw(conv)
    raw = raw_reply(the_address(conv, conv.mentee), conv.mentee.email, **headers)

    assert refuse(raw).reason == "auto"
    assert bounces() == []


def test_a_person_is_told_at_most_a_few_times_a_day(conv):
    withdraw(conv)
    for i in range(MAX_PER_DAY + 3):
        other = conversation(mentee=conv.mentee)  # another conversation each time
        withdraw(other)
        refuse(raw_reply(the_address(other, conv.mentee), conv.mentee.email, f"Try {i}"))

    assert len(bounces()) == MAX_PER_DAY


def test_the_inbound_endpoint_refuses_and_explains(client, conv):
    withdraw(conv)
    raw = raw_reply(the_address(conv, conv.mentee), conv.mentee.email)

    response = client.post(
        URL, data=raw, content_type="message/rfc822", headers={"X-Inbound-Secret": SECRET}
    )

    assert response.status_code == 400
    assert not Message.objects.exists()
    assert [b.recipient for b in bounces()] == [conv.mentee]


def test_an_unreadable_character_set_is_read_as_utf8_not_a_server_error(client, conv):
    raw = raw_reply(the_address(conv, conv.mentee), conv.mentee.email, "Thanks, see you then")
    raw = raw.replace(b'charset="utf-8"', b'charset="x-no-such-charset"')
    assert b"x-no-such-charset" in raw

    response = client.post(
        URL, data=raw, content_type="message/rfc822", headers={"X-Inbound-Secret": SECRET}
    )

    assert response.status_code == 201
    assert Message.objects.get().body == "Thanks, see you then"


def test_a_reply_with_a_large_attachment_is_stored_and_a_huge_one_refused(
    client, conv, settings, monkeypatch
):
    message = EmailMessage()
    message["From"] = conv.mentee.email
    message["To"] = the_address(conv, conv.mentee)
    message["Message-ID"] = "<photo@x>"
    message.set_content("Here is the photo of the event.")
    message.add_attachment(b"\x89PNG" + b"\x00" * 3_000_000, maintype="image", subtype="png")
    raw = message.as_bytes()
    assert len(raw) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    headers = {"X-Inbound-Secret": SECRET}

    response = client.post(URL, data=raw, content_type="message/rfc822", headers=headers)

    assert response.status_code == 201
    assert Message.objects.get().body == "Here is the photo of the event."

    monkeypatch.setattr("matching.inbound.MAX_INBOUND_BYTES", 1_000_000)
    response = client.post(URL, data=raw, content_type="message/rfc822", headers=headers)
    assert response.status_code == 413
    assert Message.objects.count() == 1


def test_a_welsh_speakers_explanation_names_a_deleted_participant_in_welsh(conv):
    from accounts.models import User
    from accounts.privacy import delete_account

    User.objects.filter(pk=conv.mentor_id).update(language="cy")
    mentor = User.objects.get(pk=conv.mentor_id)
    delete_account(conv.mentee)  # closes the request: its conversation is read-only
    raw = raw_reply(the_address(conv, mentor), mentor.email, "Shall we meet Tuesday?")

    assert refuse(raw).reason == "read_only"

    [email] = bounces()
    assert email.recipient == mentor
    assert "cyn-gyfranogwr" in email.body_text
    assert "a former participant" not in email.body_text
