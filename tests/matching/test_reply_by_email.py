"""Reply by email: a reply to a notification lands in its conversation, as its person; anything
doubtful is refused and nothing is stored."""

from __future__ import annotations

import time
from email.message import EmailMessage

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from django.urls import reverse

from matching.inbound import InboundError, handle_reply, html_to_text, strip_quoted
from matching.models import Message
from matching.reply_address import make_token, read_token, reply_address
from tests.matching.messaging import conversation

pytestmark = pytest.mark.django_db
URL = reverse("matching:inbound-email")
SECRET = "s3cret-for-tests"
DOMAIN = "reply.example.org"


@pytest.fixture(autouse=True)
def _reply_settings(settings):
    settings.REPLY_EMAIL_DOMAIN = DOMAIN
    settings.INBOUND_EMAIL_SECRET = SECRET


@pytest.fixture
def conv():
    conv = conversation()
    for person in (conv.mentor, conv.mentee):
        EmailAddress.objects.update_or_create(
            user=person, email=person.email, defaults={"verified": True, "primary": True}
        )
    return conv


def raw_reply(
    to: str,
    sender: str,
    text: str = "Tuesday at six works for me.",
    *,
    html: str | None = None,
    message_id: str = "<reply-1@mail.example.com>",
    **headers: str,
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = "Re: A new message"
    message["Message-ID"] = message_id
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message.as_bytes()


def post(client, raw: bytes, secret: str | None = SECRET):
    headers = {} if secret is None else {"X-Inbound-Secret": secret}
    return client.post(URL, data=raw, content_type="message/rfc822", headers=headers)


def test_a_reply_lands_in_the_right_conversation_as_its_person(client, conv):
    address = reply_address(conv.pk, conv.mentor_id)

    response = post(client, raw_reply(address, conv.mentor.email))

    assert response.status_code == 201
    [message] = Message.objects.all()
    assert message.conversation_id == conv.pk
    assert message.author_id == conv.mentor_id
    assert message.body == "Tuesday at six works for me."
    assert message.by_email is True
    conv.refresh_from_db()
    assert conv.last_author_id == conv.mentor_id


def test_a_reply_delivered_twice_is_stored_once(client, conv):
    raw = raw_reply(reply_address(conv.pk, conv.mentee_id), conv.mentee.email)

    assert post(client, raw).status_code == 201
    assert post(client, raw).status_code == 201
    assert Message.objects.count() == 1


def test_the_address_may_be_only_in_delivered_to(client, conv):
    address = reply_address(conv.pk, conv.mentee_id)
    raw = raw_reply("Someone <someone@example.org>", conv.mentee.email, Delivered_To=address)

    assert post(client, raw).status_code == 201
    assert Message.objects.get().author_id == conv.mentee_id


def test_a_forged_address_is_refused_and_nothing_stored(client, conv):
    token = make_token(conv.pk, conv.mentor_id)
    forged = token[:-1] + ("0" if token[-1] != "0" else "1")

    response = post(client, raw_reply(f"reply+{forged}@{DOMAIN}", conv.mentor.email))

    assert response.status_code == 400
    assert "not valid" in response.content.decode()
    assert not Message.objects.exists()


def test_a_token_for_another_person_cannot_be_rewritten(client, conv):
    # Swapping the person in a genuine token breaks its signature.
    conversation_hex, _, made, signature = make_token(conv.pk, conv.mentor_id).split("-")
    swapped = f"{conversation_hex}-{conv.mentee_id:x}-{made}-{signature}"

    response = post(client, raw_reply(f"reply+{swapped}@{DOMAIN}", conv.mentee.email))

    assert response.status_code == 400
    assert not Message.objects.exists()


def test_an_expired_address_is_refused_and_nothing_stored(client, conv, settings):
    settings.REPLY_EMAIL_MAX_AGE_DAYS = 90
    old = make_token(conv.pk, conv.mentor_id, at=time.time() - 91 * 86400)

    response = post(client, raw_reply(f"reply+{old}@{DOMAIN}", conv.mentor.email))

    assert response.status_code == 400
    assert not Message.objects.exists()


def test_an_unknown_address_is_refused_and_nothing_stored(client, conv):
    for to in ("hello@example.org", f"reply+nonsense@{DOMAIN}", f"reply+abc@{DOMAIN}"):
        assert post(client, raw_reply(to, conv.mentor.email)).status_code == 400
    # A genuine token on another domain is not ours either.
    other = f"reply+{make_token(conv.pk, conv.mentor_id)}@elsewhere.example.com"
    assert post(client, raw_reply(other, conv.mentor.email)).status_code == 400
    assert not Message.objects.exists()


def test_a_token_for_a_conversation_that_is_gone_is_refused(client, conv):
    address = reply_address(conv.pk + 1000, conv.mentor_id)

    assert post(client, raw_reply(address, conv.mentor.email)).status_code == 400
    assert not Message.objects.exists()


def test_a_sender_who_is_not_that_person_is_refused(client, conv, stranger):
    address = reply_address(conv.pk, conv.mentor_id)

    for sender in (stranger.email, conv.mentee.email, "daniel@evil.example"):
        response = post(client, raw_reply(address, sender))
        assert response.status_code == 400
        assert "not a verified address" in response.content.decode()
    assert not Message.objects.exists()


def test_an_unverified_address_of_that_person_is_refused(client, conv):
    EmailAddress.objects.create(user=conv.mentor, email="other@example.org", verified=False)
    address = reply_address(conv.pk, conv.mentor_id)

    assert post(client, raw_reply(address, "other@example.org")).status_code == 400
    assert not Message.objects.exists()


def test_wrong_or_missing_secret_is_forbidden(client, conv):
    raw = raw_reply(reply_address(conv.pk, conv.mentor_id), conv.mentor.email)

    assert post(client, raw, secret="wrong").status_code == 403
    assert post(client, raw, secret=None).status_code == 403
    assert not Message.objects.exists()


def test_no_secret_configured_refuses_everything(client, conv, settings):
    settings.INBOUND_EMAIL_SECRET = ""
    raw = raw_reply(reply_address(conv.pk, conv.mentor_id), conv.mentor.email)

    assert post(client, raw, secret="").status_code == 403
    assert not Message.objects.exists()


def test_only_post_is_accepted(client):
    assert client.get(URL, headers={"X-Inbound-Secret": SECRET}).status_code == 405


def test_reply_by_email_off_without_a_domain(conv, settings):
    address = reply_address(conv.pk, conv.mentor_id)
    settings.REPLY_EMAIL_DOMAIN = ""

    assert reply_address(conv.pk, conv.mentor_id) is None
    with pytest.raises(InboundError):
        handle_reply(raw_reply(address, conv.mentor.email))
    assert not Message.objects.exists()


def test_an_automatic_reply_is_not_stored(client, conv):
    raw = raw_reply(
        reply_address(conv.pk, conv.mentor_id),
        conv.mentor.email,
        "I am out of the office until Monday.",
        Auto_Submitted="auto-replied",
    )

    assert post(client, raw).status_code == 400
    assert not Message.objects.exists()


def test_quotes_and_signature_are_stripped_before_storing(client, conv):
    text = (
        "Tuesday at six works for me.\n"
        "See you then!\n"
        "\n"
        "-- \n"
        "Daniel Okafor\n"
        "Finance Director\n"
        "\n"
        "On Mon, 12 Jan 2026 at 09:05, Mentoring <noreply@example.org> wrote:\n"
        "> Maya wrote to you:\n"
        "> Could we meet on Tuesday?\n"
    )

    post(client, raw_reply(reply_address(conv.pk, conv.mentor_id), conv.mentor.email, text))

    assert Message.objects.get().body == "Tuesday at six works for me.\nSee you then!"


def test_a_reply_with_only_quoted_text_is_refused(client, conv):
    text = "On Mon, 12 Jan 2026, Mentoring wrote:\n> Could we meet on Tuesday?\n"

    response = post(
        client, raw_reply(reply_address(conv.pk, conv.mentor_id), conv.mentor.email, text)
    )

    assert response.status_code == 400
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Yes!\n\nOn Mon, 12 Jan 2026 at 09:05, Maya Patel <m@example.org> wrote:\n> Hi", "Yes!"),
        # Gmail breaks a long attribution line in two.
        ("Yes!\n\nOn Mon, 12 Jan 2026 at 09:05, Maya Patel\n<m@example.org> wrote:\n> Hi", "Yes!"),
        ("Yes!\n> quoted\nAnd more.", "Yes!\nAnd more."),
        ("Yes!\n--\nSent from my phone", "Yes!"),
        ("Yes!\n-----Original Message-----\nFrom: Mentoring\nHi", "Yes!"),
        ("Yes!\r\n\r\nFrom: Mentoring <noreply@example.org>\r\nSent: Monday", "Yes!"),
        ("Online on Monday, as you wrote: fine.", "Online on Monday, as you wrote: fine."),
    ],
)
def test_strip_quoted(text, expected):
    assert strip_quoted(text) == expected


def test_an_html_only_reply_is_read_as_text(client, conv):
    message = EmailMessage()
    message["From"] = conv.mentor.email
    message["To"] = reply_address(conv.pk, conv.mentor_id)
    message["Message-ID"] = "<html-1@mail.example.com>"
    message.set_content(
        "<p>Tuesday &amp; Thursday both work.<br>Daniel</p>"
        "<blockquote>Could we meet on Tuesday?</blockquote>",
        subtype="html",
    )

    assert post(client, message.as_bytes()).status_code == 201
    assert Message.objects.get().body == "Tuesday & Thursday both work.\nDaniel"


def test_html_to_text_drops_tags_and_quotes():
    assert html_to_text("<div>One</div><div>Two<script>x</script></div>").split() == [
        "One",
        "Two",
    ]


def test_the_token_round_trips_short_and_lower_case():
    token = make_token(123456, 654321)

    assert token == token.lower() and len(f"reply+{token}") <= 64
    assert read_token(token) == (123456, 654321)
    assert read_token(token.upper()) == (123456, 654321)
    assert read_token(token + "0") is None


# Reading the mailbox over IMAP is tested against a real IMAP server in
# test_reply_imap_server.py.


def test_fetch_reply_emails_without_a_mailbox_says_what_to_set(settings):
    settings.REPLY_IMAP_HOST = ""

    with pytest.raises(CommandError, match="REPLY_IMAP_HOST"):
        call_command("fetch_reply_emails")
