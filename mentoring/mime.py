"""An outbox row as the bytes an SMTP server receives, built without the email package's
header parser where the result is known in advance.

Django's `EmailMultiAlternatives.message(policy=SMTP).as_bytes()` parses and re-folds every
header and part header through `email.headerregistry` (about 15 per email), which is most of a
worker's time per email. `smtp_message` writes the same bytes directly for the common case:
short ASCII headers are written as they are, the From header and envelope sender (one per
process) are rendered once by the email package and cached, and a body part with a line longer
than 78 characters is still encoded by the email package. Anything else (an empty text body,
non-ASCII addresses, headers Django treats specially, a non-UTF-8 charset) returns None and the
caller uses Django's message unchanged. tests/mentoring/test_outbox_mime.py checks the bytes
match Django's for both paths.
"""

from __future__ import annotations

import email.message
import email.policy
import random
import re
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import format_datetime
from functools import lru_cache
from typing import TYPE_CHECKING

from django.conf import settings

from mentoring import invitations

if TYPE_CHECKING:
    from mentoring.models import Outbox

POLICY = email.policy.SMTP
MAX_LINE = POLICY.max_line_length or 78
CRLF = b"\r\n"
# Headers the email package parses into structured values (addresses, dates, MIME headers), or
# that Django sets itself: a row's own `headers` naming one of these take Django's path.
_STRUCTURED = frozenset(
    {
        "from",
        "to",
        "cc",
        "bcc",
        "sender",
        "reply-to",
        "date",
        "message-id",
        "mime-version",
        "resent-from",
        "resent-sender",
        "resent-to",
        "resent-cc",
        "resent-bcc",
        "resent-date",
        "resent-message-id",
        "orig-date",
    }
)
_HEADER_NAME = re.compile(r"[!-9;-~]+")
# A short printable ASCII value with no encoded word: the email package writes it unchanged.
_PLAIN_VALUE = re.compile(r"[!-~](?:[ -~]*[!-~])?")
# An address the email package writes, and puts on the envelope, unchanged.
_PLAIN_ADDRESS = re.compile(
    r"[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
)
_PLAIN_MESSAGE_ID = re.compile(r"<[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+>")
_BOUNDARY_WIDTH = len(repr(sys.maxsize - 1))


class _Unsupported(Exception):
    """The row needs Django's own message."""


def smtp_message(
    row: Outbox, prep_address: Callable[[str], str]
) -> tuple[str, list[str], bytes] | None:
    """(envelope sender, [recipient], message bytes) for `row`, the bytes as Django's SMTP
    backend would send them; None when the row needs Django's own message.

    `prep_address` is the SMTP backend's (it validates an address and IDNA-encodes its domain)."""
    try:
        message = _message(row, settings.DEFAULT_FROM_EMAIL)
    except _Unsupported:
        return None
    to = row.to_email if _PLAIN_ADDRESS.fullmatch(row.to_email) else prep_address(row.to_email)
    return _envelope_sender(settings.DEFAULT_FROM_EMAIL, prep_address), [to], message


def _message(row: Outbox, from_email: str) -> bytes:
    if (
        not row.body_text
        or not row.to_email
        or settings.EMAIL_USE_LOCALTIME
        or settings.DEFAULT_CHARSET.lower() != "utf-8"
        # A calendar invitation's parts (mentoring.invitations) are Django's to build.
        or invitations.CONTEXT_KEY in row.context
    ):
        raise _Unsupported
    headers = {"Message-ID": row.message_id, **row.headers}
    reply_to = headers.pop("Reply-To", None)
    for name, value in headers.items():
        lowered = name.lower()
        if (
            not isinstance(value, str)
            or not _HEADER_NAME.fullmatch(name)
            or lowered.startswith("content-")
            or (lowered in _STRUCTURED and name != "Message-ID")
        ):
            raise _Unsupported
    head = [
        _header("Subject", row.subject),
        _from_header(from_email),
        _address_header("To", row.to_email),
    ]
    if reply_to is not None:
        head.append(_address_header("Reply-To", reply_to))
    # As Django 6.1 writes it: `datetime.now(timezone.utc)` through the header registry, which
    # is `format_datetime` ("+0000", not `formatdate`'s "-0000"); with EMAIL_USE_LOCALTIME the
    # row takes Django's own path (above). The tests compare the Date line byte for byte.
    head.append(b"Date: " + format_datetime(datetime.now(UTC)).encode() + CRLF)
    head.extend(_header(name, value) for name, value in headers.items())

    text = _text_part("plain", row.body_text)
    if not row.body_html:
        part_head, _, body = text.partition(CRLF + CRLF)
        return b"".join([part_head, CRLF, b"MIME-Version: 1.0\r\n", *head, CRLF, body])
    html = _text_part("html", row.body_html, mime_version=True)
    boundary = _boundary(text + html)
    delimiter = b"--" + boundary
    return b"".join(
        [
            b"MIME-Version: 1.0\r\n",
            b'Content-Type: multipart/alternative;\r\n boundary="' + boundary + b'"\r\n',
            *head,
            CRLF,
            delimiter + CRLF,
            text,
            CRLF + delimiter + CRLF,
            html,
            CRLF + delimiter + b"--" + CRLF,
        ]
    )


def _header(name: str, value: str) -> bytes:
    pattern = _PLAIN_MESSAGE_ID if name == "Message-ID" else _PLAIN_VALUE
    if len(name) + 2 + len(value) <= MAX_LINE and pattern.fullmatch(value):
        if "=?" not in value:
            return f"{name}: {value}".encode() + CRLF
    return _fold(name, value)


def _address_header(name: str, value: object) -> bytes:
    if not isinstance(value, str) or not value.isascii():
        # A non-ASCII domain is IDNA-encoded by Django's message.
        raise _Unsupported
    if len(name) + 2 + len(value) <= MAX_LINE and _PLAIN_ADDRESS.fullmatch(value):
        return f"{name}: {value}".encode() + CRLF
    return _fold(name, value)


def _fold(name: str, value: str) -> bytes:
    """The header as the email package writes it (what Django's message does for every one)."""
    if "\r" in value or "\n" in value:
        raise _Unsupported
    header = POLICY.header_factory(name, value)
    if header.defects and name.lower() in _STRUCTURED:
        raise _Unsupported
    return header.fold(policy=POLICY).encode("ascii", "surrogateescape")


@lru_cache(maxsize=8)
def _from_header(from_email: str) -> bytes:
    return _address_header("From", from_email)


_senders: dict[str, str] = {}


def _envelope_sender(from_email: str, prep_address: Callable[[str], str]) -> str:
    if from_email not in _senders:
        _senders[from_email] = prep_address(from_email)
    return _senders[from_email]


def _text_part(subtype: str, text: str, *, mime_version: bool = False) -> bytes:
    """A text/<subtype> UTF-8 part's headers and body, as `set_content` and the generator write
    it: 7bit or 8bit when no line is longer than 78 characters, else what the email package
    chooses (quoted-printable or base64)."""
    lines = text.encode().splitlines()
    if max((len(line) for line in lines), default=0) <= MAX_LINE:
        body = CRLF.join(lines) + CRLF
        cte = "7bit" if body.isascii() else "8bit"
    else:
        part = email.message.EmailMessage(policy=POLICY)
        part.set_content(text, subtype=subtype, charset="utf-8")
        cte = part["Content-Transfer-Encoding"]
        payload = part.get_payload()
        assert isinstance(payload, str)
        body = payload.replace("\n", "\r\n").encode("ascii", "surrogateescape")
    head = (
        f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
        f"Content-Transfer-Encoding: {cte}\r\n" + ("MIME-Version: 1.0\r\n" if mime_version else "")
    )
    return head.encode() + CRLF + body


def _boundary(parts: bytes) -> bytes:
    """A multipart boundary in the email package's form, which no line of the parts uses."""
    while True:
        token = random.randrange(sys.maxsize)
        boundary = f"{'=' * 15}{token:0{_BOUNDARY_WIDTH}d}==".encode()
        if b"--" + boundary not in parts:
            return boundary
