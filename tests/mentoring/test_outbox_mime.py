"""The worker's message bytes (`mentoring.mime`) are Django's: every email kind, odd subjects,
bodies and headers give byte for byte what `EmailMultiAlternatives.message(policy=SMTP)` gives
(the random multipart boundary seeded alike, the Date line compared apart), and a send through
the SMTP backend puts those bytes and that envelope on the wire."""

from __future__ import annotations

import email
import email.policy
import random
import re
import threading
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.utils import timezone

from accounts.models import User
from mentoring import delivery, emails, mime
from mentoring.backoffice import previews
from mentoring.models import Outbox
from tests.delivery.conftest import free_port

# Takes a free port on loopback (or one it knows is closed): under `make test`'s parallel part
# the tests that do run in one process, one at a time, so no two of them meet on a port.
pytestmark = pytest.mark.xdist_group("ports")

DATE_LINE = re.compile(rb"^Date: (.*)\r\n", re.MULTILINE)
BOUNDARY = re.compile(rb"={15}\d{19}==")
FROZEN = datetime(2026, 3, 9, 14, 5, 7, 250000, tzinfo=UTC)
MESSAGE_ID = "<176543210987.12345.6789012345678901234@example.org>"


# Never opened: only its address checks are used.
BACKEND = SMTPBackend(alias="mime-test", host="127.0.0.1")


def _django(row: Outbox) -> tuple[str, list[str], bytes]:
    """What Django's SMTP backend sends for the row (its `_send`)."""
    message = row.as_message()
    sender = BACKEND.prep_address(message.from_email)
    recipients = [BACKEND.prep_address(a) for a in message.recipients()]
    return sender, recipients, message.message(policy=email.policy.SMTP).as_bytes()


def _without_date(message: bytes) -> bytes:
    dates = DATE_LINE.findall(message)
    assert len(dates) == 1
    sent = parsedate_to_datetime(dates[0].decode())
    assert abs((sent - datetime.now(UTC)).total_seconds()) < 60
    return DATE_LINE.sub(b"", message)


def assert_same_as_django(row: Outbox) -> bytes:
    """Byte for byte, the Date line included: both are built at the same frozen moment."""
    with time_machine.travel(FROZEN, tick=False):
        random.seed(11)
        expected = _django(row)
        random.seed(11)
        built = mime.smtp_message(row, BACKEND.prep_address)
    assert built is not None, "the row took Django's path"
    assert built[:2] == expected[:2]
    assert DATE_LINE.findall(built[2]) == [b"Mon, 09 Mar 2026 14:05:07 +0000"]
    assert built[2] == expected[2]
    return built[2]


def _row(**fields) -> Outbox:
    defaults = {
        "kind": "ping",
        "to_email": "maya.patel@example.org",
        "subject": "Your request to Daniel",
        "body_text": "Hello Maya,\n\nDaniel has replied.\n",
        "body_html": "<p>Hello Maya,</p>\n<p>Daniel has replied.</p>\n",
        "headers": {},
        "message_id": MESSAGE_ID,
    }
    return Outbox(**{**defaults, **fields})


@pytest.mark.django_db
def test_every_kind_is_built_as_django_builds_it():
    # Kinds with preview samples (test_email_previews requires one for every kind).
    kinds = sorted(set(previews.all_kinds()) & set(previews.sample_contexts()))
    assert len(kinds) > 30
    for kind in kinds:
        row = previews.render_kind(kind)
        row.message_id = MESSAGE_ID

        message = assert_same_as_django(row)

        parsed = email.message_from_bytes(message, policy=email.policy.default)
        assert parsed["Message-ID"] == MESSAGE_ID, kind
        assert parsed["To"] == row.to_email, kind
        assert parsed["Subject"] == row.subject, kind
        text = parsed.get_body(("plain",)).get_content()
        assert text.replace("\r\n", "\n") == row.body_text.replace("\r\n", "\n"), kind


def test_a_reminder_keeps_its_one_click_unsubscribe_headers():
    user = User(pk=42, full_name="Maya Patel", email="maya.patel@example.org")
    _, headers = emails.reminder_extras(user)

    message = assert_same_as_django(_row(headers=headers))

    parsed = email.message_from_bytes(message, policy=email.policy.default)
    assert parsed["List-Unsubscribe"] == headers["List-Unsubscribe"]
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert parsed["MIME-Version"] == "1.0"
    assert parsed.get_content_type() == "multipart/alternative"


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"body_html": ""}, id="text only"),
        pytest.param({"subject": "Zoë’s request: £5 café", "body_text": "Zoë\n"}, id="non-ASCII"),
        pytest.param({"subject": "A " * 60 + "long subject"}, id="folded subject"),
        pytest.param({"subject": "  spaced   out  "}, id="odd spacing"),
        pytest.param({"subject": "=?utf-8?q?not_an_encoded_word?="}, id="encoded-word lookalike"),
        pytest.param({"body_html": "<p>" + "x" * 200 + "</p>\n"}, id="quoted-printable"),
        pytest.param({"body_html": "<p>" + "é" * 200 + "</p>\n"}, id="base64"),
        pytest.param({"body_text": "a\r\nb\rc\n.\n..\nFrom here\n" + "y" * 90}, id="line ends"),
        pytest.param({"body_text": "no final newline"}, id="no final newline"),
        pytest.param({"headers": {"Reply-To": "reply+abc.def@reply.example.org"}}, id="reply-to"),
        pytest.param({"headers": {"Reply-To": "Mentoring <r@example.org>"}}, id="named reply-to"),
        pytest.param({"headers": {"X-Long": "word " * 40}}, id="long header"),
        pytest.param({"to_email": "o'neil+tag@example.org"}, id="quoted local part"),
        pytest.param({"to_email": "a" * 70 + "@example.org"}, id="long address"),
    ],
)
def test_odd_rows_are_built_as_django_builds_them(fields):
    assert_same_as_django(_row(**fields))


def test_random_rows_are_built_as_django_builds_them():
    rng = random.Random(3)
    printable = "".join(chr(c) for c in range(32, 127)) + "\n\n\té£€—"
    for _ in range(300):
        row = _row(
            subject="".join(rng.choices(printable.replace("\n", ""), k=rng.randint(0, 100))),
            body_text="".join(rng.choices(printable, k=rng.randint(1, 400))),
            body_html=rng.choice(["", "".join(rng.choices(printable, k=rng.randint(1, 400)))]),
            headers={"X-Note": "".join(rng.choices(printable.replace("\n", ""), k=30))},
        )
        if "\t" in row.headers["X-Note"] or "\t" in row.subject:
            continue
        assert_same_as_django(row)


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"body_text": ""}, id="no text body"),
        pytest.param({"to_email": "zoë@exämple.org"}, id="non-ASCII address"),
        pytest.param({"headers": {"Date": "Mon, 1 Jan 2030 09:00:00 +0000"}}, id="own date"),
        pytest.param({"headers": {"Sender": "x@example.org"}}, id="sender"),
        pytest.param({"headers": {"reply-to": "x@example.org"}}, id="lower-case reply-to"),
        pytest.param({"headers": {"Content-Language": "en"}}, id="content header"),
        pytest.param({"subject": "two\nlines"}, id="newline in subject"),
    ],
)
def test_rows_django_treats_specially_are_left_to_django(fields):
    assert mime.smtp_message(_row(**fields), BACKEND.prep_address) is None


def test_a_local_time_date_is_left_to_django(settings):
    """With EMAIL_USE_LOCALTIME Django writes the scheme's offset (+0100 in summer): its path."""
    settings.EMAIL_USE_LOCALTIME = True

    assert mime.smtp_message(_row(), BACKEND.prep_address) is None


class _Sink:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.received: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.received.append(
                (envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
            )
        return "250 OK"


@pytest.fixture
def sink(settings):
    handler, port = _Sink(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, ready_timeout=10)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }
    try:
        yield handler
    finally:
        controller.stop()


def _normalised(message: bytes) -> bytes:
    return BOUNDARY.sub(b"BOUNDARY", _without_date(message)).rstrip(b"\r\n")


@pytest.mark.django_db
def test_the_worker_sends_djangos_bytes_without_building_djangos_message(sink, monkeypatch):
    user = User(pk=42, full_name="Maya Patel", email="maya.patel@example.org")
    _, headers = emails.reminder_extras(user)
    rows = [
        Outbox.objects.create(
            kind=row.kind,
            to_email=row.to_email,
            subject=row.subject,
            body_text=row.body_text,
            body_html=row.body_html,
            headers=row.headers,
            dedupe_key=f"mime:{n}",
            message_id=f"<mime.{n}@example.org>",
        )
        for n, row in enumerate(
            [_row(headers=headers), _row(to_email="o'neil@example.org", body_html="")]
        )
    ]
    expected = {row.to_email: _django(row) for row in rows}

    def not_used(self):
        raise AssertionError("Django's message was built")

    monkeypatch.setattr(Outbox, "as_message", not_used)
    sent = delivery.deliver_many([row.pk for row in rows])

    assert sent == 2
    assert (
        Outbox.objects.filter(status=Outbox.Status.SENT, sent_at__lte=timezone.now()).count() == 2
    )
    assert len(sink.received) == 2
    for sender, recipients, message in sink.received:
        want_sender, want_recipients, want_message = expected[recipients[0]]
        assert (sender, recipients) == (want_sender, want_recipients)
        assert _normalised(message) == _normalised(want_message)
