"""The Reply-To address of a message notification: `reply+<token>@<REPLY_EMAIL_DOMAIN>`, where the
token signs (conversation, recipient) so a reply lands in that conversation as that person.

The token is short and lower case: an address's local part holds at most 64 characters and some
mail systems lower-case it, so it is not `signing.dumps` (base64, mixed case, ~90 characters)
but the same primitives: a salted HMAC-SHA256 over the ids and the time it was made, checked in
constant time, refused after REPLY_EMAIL_MAX_AGE_DAYS.
"""

from __future__ import annotations

import re
import time
from typing import NamedTuple

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

SALT = "matching.reply-by-email"
_SIGNATURE_LENGTH = 24  # hex characters: 96 bits
_TOKEN = re.compile(rf"^([0-9a-f]+)-([0-9a-f]+)-([0-9a-f]+)-([0-9a-f]{{{_SIGNATURE_LENGTH}}})$")
_ADDRESS = re.compile(r"(?i)\breply\+([0-9a-f-]+)@([a-z0-9.-]+)")


class ReplyTarget(NamedTuple):
    conversation_id: int
    user_id: int


def _signature(payload: str) -> str:
    return salted_hmac(SALT, payload, algorithm="sha256").hexdigest()[:_SIGNATURE_LENGTH]


def make_token(conversation_id: int, user_id: int, *, at: float | None = None) -> str:
    payload = f"{conversation_id:x}-{user_id:x}-{int(at if at is not None else time.time()):x}"
    return f"{payload}-{_signature(payload)}"


def inspect_token(token: str, *, now: float | None = None) -> tuple[ReplyTarget | None, bool]:
    """The conversation and person a genuine token was made for (None if it is forged or
    malformed), and whether it has expired (older than REPLY_EMAIL_MAX_AGE_DAYS, or dated in
    the future). An expired token's target is only good for telling its person why their reply
    was refused."""
    match = _TOKEN.match(token.strip().lower())
    if match is None:
        return None, False
    conversation, user, made, signature = match.groups()
    if not constant_time_compare(signature, _signature(f"{conversation}-{user}-{made}")):
        return None, False
    age = (now if now is not None else time.time()) - int(made, 16)
    expired = age < -300 or age > settings.REPLY_EMAIL_MAX_AGE_DAYS * 86400
    return ReplyTarget(int(conversation, 16), int(user, 16)), expired


def read_token(token: str, *, now: float | None = None) -> ReplyTarget | None:
    """The conversation and person a token was made for, or None if it is forged, malformed or
    older than REPLY_EMAIL_MAX_AGE_DAYS."""
    target, expired = inspect_token(token, now=now)
    return None if expired else target


def reply_address(conversation_id: int, user_id: int) -> str | None:
    """The address a reply to this person's notification goes to; None when reply by email is
    off (no REPLY_EMAIL_DOMAIN)."""
    domain = settings.REPLY_EMAIL_DOMAIN
    if not domain:
        return None
    return f"reply+{make_token(conversation_id, user_id)}@{domain}"


def tokens_in(addresses: list[str]) -> list[str]:
    """The reply tokens among these addresses (To, Cc, Delivered-To...) on our reply domain."""
    domain = settings.REPLY_EMAIL_DOMAIN.lower()
    found = []
    for address in addresses:
        for token, host in _ADDRESS.findall(address or ""):
            if domain and host.lower() == domain:
                found.append(token)
    return found
