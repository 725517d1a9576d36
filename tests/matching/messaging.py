"""Builders for the new-message email tests: a conversation and its messages, made directly
(the way matching.conversations keeps them: the conversation's latest message and each
person's read time)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from matching.models import Conversation, MentorshipRequest, Message
from tests.factories import MentorshipRequestFactory

T0 = datetime(2026, 1, 12, 9, 0, tzinfo=UTC)  # winter: London time is UTC


def conversation(req: MentorshipRequest | None = None, **kwargs) -> Conversation:
    req = req or MentorshipRequestFactory(**kwargs)
    conv, _ = Conversation.objects.get_or_create(
        request=req,
        defaults={"programme": req.programme, "mentor": req.mentor, "mentee": req.mentee},
    )
    return conv


def say(conv: Conversation, author, body: str, at: datetime) -> Message:
    message = Message.objects.create(conversation=conv, author=author, body=body, created_at=at)
    Conversation.objects.filter(pk=conv.pk).update(last_message_at=at, last_author=author)
    conv.refresh_from_db()
    return message


def burst(conv: Conversation, author, n: int, *, start: datetime = T0) -> list[Message]:
    """`n` messages a few seconds apart."""
    return [
        say(conv, author, f"Message {i + 1} of the burst.", start + timedelta(seconds=20 * i))
        for i in range(n)
    ]


def read(conv: Conversation, person, at: datetime) -> None:
    field = "mentor_read_at" if person.pk == conv.mentor_id else "mentee_read_at"
    Conversation.objects.filter(pk=conv.pk).update(**{field: at})
