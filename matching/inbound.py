"""Reply by email: a reply to a new-message notification becomes a message in its conversation.

The notification's Reply-To is `reply+<token>@REPLY_EMAIL_DOMAIN` (matching.reply_address). Mail
to that domain reaches `handle_reply` either from a mail provider's inbound webhook, POSTed raw
(RFC 5322) to /inbound/email/ with the shared secret in the X-Inbound-Secret header, or from an
IMAP mailbox read by `manage.py fetch_reply_emails`. A reply is stored only when its address is
ours, unforged and unexpired, and it comes from a verified address of the person the token was
made for; quoted text and the signature are cut off. Otherwise nothing is stored.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import logging
import re
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.html import strip_tags
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts.models import User
from matching.conversations import (
    ConversationError,
    is_participant,
    post_message,
    read_only_reason,
)
from matching.models import Conversation, Message
from matching.reply_address import inspect_token, tokens_in

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Inbound-Secret"
# The largest raw email the webhook reads (attachments included; only the text is kept).
MAX_INBOUND_BYTES = 25 * 1024 * 1024
# Where a reply address may be: the provider may keep the envelope recipient in one of these.
_RECIPIENT_HEADERS = ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To")


class InboundError(Exception):
    """A reply that is not stored, and why (said back to the sender of the POST).

    `reason` names the refusal for the bounce (matching.reply_bounces); `person` is the known
    participant the bounce may go to (None: nobody is told), `conversation` the conversation it
    may link to, and `body` the text they wrote, quoted back so nothing typed is lost."""

    def __init__(
        self,
        text: str,
        *,
        reason: str = "invalid",
        person: User | None = None,
        conversation: Conversation | None = None,
        body: str = "",
        sender: str = "",
    ) -> None:
        super().__init__(text)
        self.sender = sender
        self.reason = reason
        self.person = person
        self.conversation = conversation
        self.body = body


# "On Mon, 12 Jan 2026 at 09:00, Daniel <d@example.org> wrote:" (one line, or broken over two
# by the mail app), and the header block Outlook puts above the quoted message.
_ON_WROTE = re.compile(r"^\s*On\b.*\bwrote:\s*$", re.IGNORECASE | re.DOTALL)
_OUTLOOK = re.compile(r"^\s*(-+\s*Original Message\s*-+|_{10,}|From:\s.+)\s*$", re.IGNORECASE)


def strip_quoted(text: str) -> str:
    """The new text of a reply: everything before the quoted message ("On ... wrote:", an
    Outlook header block, or lines starting with ">") and before the signature ("-- ")."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for i, line in enumerate(lines):
        if line.rstrip() == "--" or line == "-- ":
            break
        if _ON_WROTE.match(line) or (
            i + 1 < len(lines)
            and line.strip().lower().startswith("on ")
            and _ON_WROTE.match(f"{line} {lines[i + 1]}")
        ):
            break
        if _OUTLOOK.match(line):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line.rstrip())
    return "\n".join(kept).strip()


def html_to_text(markup: str) -> str:
    """Simple text of an HTML-only email: line breaks where blocks end, tags and quoted
    blocks (<blockquote>) dropped, entities decoded."""
    markup = re.sub(r"(?is)<(script|style|head|blockquote)\b.*?</\1\s*>", "", markup)
    markup = re.sub(r"(?i)<br\s*/?>", "\n", markup)
    markup = re.sub(r"(?i)</(p|div|li|h[1-6]|tr)\s*>", "\n", markup)
    text = html.unescape(strip_tags(markup))
    return re.sub(r"\n{3,}", "\n\n", text)


def reply_text(message: EmailMessage) -> str:
    """The new text a reply adds: its text/plain part (or its HTML as text), quotes and
    signature cut off. A part in a character set Python does not know is read as UTF-8 with
    replacement characters rather than failing."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, UnicodeError, ValueError, AssertionError):
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    if part.get_content_type() == "text/html":
        content = html_to_text(content)
    return strip_quoted(content)


def _recipients(message: EmailMessage) -> list[str]:
    values: list[str] = []
    for header in _RECIPIENT_HEADERS:
        values.extend(str(v) for v in message.get_all(header, []))
    return [address for _, address in getaddresses(values)]


# An email that says it was sent by a program (an out-of-office, a mailing list, a bounce) is
# neither stored nor answered: answering it could start a loop of automatic emails.
_AUTOMATIC_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}


def _is_automatic(message: EmailMessage) -> bool:
    if str(message.get("Auto-Submitted", "no")).strip().lower() != "no":
        return True
    if str(message.get("Precedence", "")).strip().lower() in _AUTOMATIC_PRECEDENCE:
        return True
    return any(message.get(h) is not None for h in ("X-Autoreply", "X-Autorespond", "List-Id"))


def _verified_owner(address: str) -> User | None:
    """The active person whose verified address this is, or None."""
    if not address:
        return None
    found = (
        EmailAddress.objects.filter(email__iexact=address, verified=True, user__is_active=True)
        .select_related("user")
        .first()
    )
    return found.user if found is not None else None


def handle_reply(raw: bytes) -> Message:
    """Store a raw RFC 5322 reply as a message of the person its reply address was made for.
    Raises InboundError, storing nothing, when the address is missing, forged or expired, when
    it does not come from that person, when the conversation is read-only or the reply too long,
    or when it adds no text. A reply delivered twice (same Message-ID) is stored once.

    A refused reply from a known participant is answered by one explanatory email
    (matching.reply_bounces); automatic emails, unknown senders and replies without a genuine
    signed reply address are never answered."""
    try:
        return _store_reply(raw)
    except InboundError as exc:
        from matching.reply_bounces import bounce  # noqa: PLC0415 - it imports this module

        bounce(exc)
        raise


def _store_reply(raw: bytes) -> Message:
    if not settings.REPLY_EMAIL_DOMAIN:
        raise InboundError("Reply by email is off.", reason="off")
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    if _is_automatic(message):
        raise InboundError("An automatic reply (Auto-Submitted) is not a message.", reason="auto")
    sender = parseaddr(str(message.get("From", "")))[1]
    tokens = tokens_in(_recipients(message))
    # Only a genuine token names a conversation; the first genuine one wins.
    inspected = [inspect_token(token) for token in tokens]
    target, expired = next(((t, e) for t, e in inspected if t is not None), (None, False))
    if target is None:
        # No genuine signed token: nobody is answered. The From address proves nothing (anyone
        # can write a member's address there), so answering it would email the person whose
        # address was forged.
        if not tokens:
            raise InboundError(
                "No reply address of this site among the recipients.", reason="unknown"
            )
        raise InboundError("The reply address is not valid (forged or expired).", reason="unknown")
    user = User.objects.filter(pk=target.user_id, is_active=True).first()
    conversation = (
        Conversation.objects.select_related("mentor", "mentee", "mentorship", "request")
        .filter(pk=target.conversation_id)
        .first()
    )
    from_user = (
        bool(sender)
        and user is not None
        and EmailAddress.objects.filter(user=user, email__iexact=sender, verified=True).exists()
    )
    body = reply_text(message)
    if user is None or conversation is None or not is_participant(conversation, user):
        raise InboundError(
            "The reply address is not valid (no such conversation or person).",
            reason="gone",
            person=user if from_user else None,
        )
    if expired:
        raise InboundError(
            "The reply address is not valid (forged or expired).",
            reason="expired",
            person=user if from_user else None,
            conversation=conversation,
            body=body,
        )
    if not from_user:
        # Someone else answered this person's email: the other participant (told to answer
        # from their own email) or an address the person has not verified (they are told at
        # their account's address, which the token's email reached). Anyone else: nobody.
        other = _verified_owner(sender)
        told = other if other is not None and is_participant(conversation, other) else user
        raise InboundError(
            "The sender is not a verified address of the person replying.",
            reason="not_participant" if told.pk != user.pk else "unverified",
            person=told,
            conversation=conversation,
            body=body if told.pk == user.pk else "",
            sender=sender,
        )
    if not body:
        raise InboundError(
            "The reply has no new text.", reason="empty", person=user, conversation=conversation
        )
    if refusal := read_only_reason(conversation):
        raise InboundError(
            refusal, reason="read_only", person=user, conversation=conversation, body=body
        )
    if len(body) > Message.MAX_LENGTH:
        raise InboundError(
            f"The reply is too long ({len(body)} characters; at most {Message.MAX_LENGTH}).",
            reason="too_long",
            person=user,
            conversation=conversation,
            body=body,
        )
    message_id = str(message.get("Message-ID", "")).strip()
    client_token = (
        "email:" + hashlib.sha256(message_id.encode()).hexdigest()[:56] if message_id else ""
    )
    try:
        with transaction.atomic():
            return post_message(
                conversation, author=user, body=body, client_token=client_token, by_email=True
            )
    except ConversationError as exc:
        raise InboundError(
            str(exc), reason="refused", person=user, conversation=conversation, body=body
        ) from exc


def _secret_ok(request: HttpRequest) -> bool:
    secret = settings.INBOUND_EMAIL_SECRET
    given = request.headers.get(SECRET_HEADER, "")
    return bool(secret) and hmac.compare_digest(given.encode(), secret.encode())


@csrf_exempt
@require_POST
def inbound_email(request: HttpRequest) -> HttpResponse:
    """A mail provider's inbound webhook: the raw message is the request body."""
    if not _secret_ok(request):
        return HttpResponse("Forbidden.\n", status=403, content_type="text/plain")
    # Read here rather than through request.body, which refuses anything over Django's 2.5 MB
    # for form posts: a reply with a photo or a large signature image is bigger than that.
    raw = request.read(MAX_INBOUND_BYTES + 1)
    if len(raw) > MAX_INBOUND_BYTES:
        return HttpResponse("Too large.\n", status=413, content_type="text/plain")
    try:
        message = handle_reply(raw)
    except InboundError as exc:
        logger.info("Inbound reply refused: %s", exc)
        return HttpResponse(f"{exc}\n", status=400, content_type="text/plain")
    return HttpResponse(f"Stored as message {message.pk}.\n", status=201, content_type="text/plain")
