"""Matching's scheduled jobs: reminders of unanswered requests and their expiry, and the end of
a round's term, which completes its pairs. Set-based where a join does it (each request's days
come from its own programme, joined in the query: a constant number of queries for any number
of requests and programmes) and safe to run twice, or from two beat processes at once. Beat
tasks (matching.tasks) and the commands are thin doors to them."""

from __future__ import annotations

import imaplib
import logging
import ssl
from datetime import datetime, timedelta
from itertools import groupby
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, DurationField, F, Func, Q, QuerySet, Value, When
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from accounts.models import User
from matching import emails, engagements, inbound, never_approached, responsiveness, services
from matching.models import Conversation, Mentorship, MentorshipRequest, Message
from profiles import handbook
from profiles.models import MentorProfile, Round

Status = MentorshipRequest.Status
logger = logging.getLogger(__name__)


def _days_before(now: datetime, field: str) -> CombinedExpression:
    """`now` minus as many days as the programme's `field` says, as a database expression (the
    programme joined through the row's `programme`)."""
    days = Func(
        F(field), template="make_interval(days => %(expressions)s)", output_field=DurationField()
    )
    return now - days


# A request's reminders and expiry count from its latest message: a mentor's question (or the
# mentee's answer) in the request's conversation starts its clock again; a request a mentor away
# until a date kept waiting counts from their return (`expires_after`, matching.availability).
_CLOCK = Greatest(
    "created_at",
    Coalesce("conversation__last_message_at", "created_at"),
    Coalesce("expires_after", "created_at"),
)


@transaction.atomic
def remind_unanswered_requests(*, now: datetime | None = None) -> int:
    """Remind mentors of requests they have not answered, first and second reminder after the
    days of the request's own programme. Set-based: a constant number of queries for any number
    of requests; a request's reminder count and the email's dedupe key make a second run send
    nothing."""
    now = now or timezone.now()
    second = _days_before(now, "programme__request_second_reminder_days")
    due = list(
        MentorshipRequest.objects.pending()
        # An informal pair someone recorded is no request to a mentor: nobody is reminded.
        .exclude(engagement="informal")
        .alias(clock=_CLOCK)
        .filter(clock__gt=_days_before(now, "programme__request_expiry_days"))
        .filter(
            Q(
                reminders_sent__lt=1,
                clock__lte=_days_before(now, "programme__request_first_reminder_days"),
            )
            | Q(reminders_sent__lt=2, clock__lte=second)
        )
        .annotate(is_second=Q(clock__lte=second))
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("mentee", "mentor", "mentee__mentee_profile", "programme")
        .order_by("programme__request_expiry_days", "pk")
    )
    if not due:
        return 0
    seconds = [r.pk for r in due if r.is_second]
    firsts = [r.pk for r in due if not r.is_second]
    MentorshipRequest.objects.filter(pk__in=seconds).update(reminders_sent=2, reminded_at=now)
    MentorshipRequest.objects.filter(pk__in=firsts).update(reminders_sent=1, reminded_at=now)
    # One batch of emails per expiry age (the email says when the request expires): as many
    # as the programmes have different ages, whatever the number of requests.
    sent = 0
    for expires_in, batch in groupby(due, key=lambda r: r.programme.request_expiry_days):
        sent += emails.request_reminders(
            list(batch), second_ids=set(seconds), expires_in=expires_in
        )
    return sent


@transaction.atomic
def expire_requests(*, older_than: datetime | None = None, now: datetime | None = None) -> int:
    """Expire every request still pending for its programme's expiry age (or, given
    `older_than`, made at that moment or before). A constant number of queries for the batch.
    Returns how many expired."""
    now = now or timezone.now()
    if older_than is None:
        stale = (
            MentorshipRequest.objects.pending()
            .alias(clock=_CLOCK)
            .filter(clock__lte=_days_before(now, "programme__request_expiry_days"))
        )
    else:
        # Kept waiting by a mentor away until a date: not before they are back.
        stale = MentorshipRequest.objects.stale(older_than).exclude(expires_after__gt=now)
    expired = list(
        stale.select_for_update(skip_locked=True, of=("self",)).select_related(
            "mentee", "mentor", "programme"
        )
    )
    if not expired:
        return 0
    note = "The mentor did not answer in time."
    MentorshipRequest.objects.filter(pk__in=[r.pk for r in expired]).update(
        status=Status.EXPIRED, expired_at=now, closing_note=note
    )
    _record_many([r.pk for r in expired], Status.PENDING, Status.EXPIRED, at=now, note=note)
    for req in expired:
        req.status, req.expired_at, req.closing_note = Status.EXPIRED, now, note
    # An informal pair nobody confirmed lapses quietly (it was recorded, not asked for).
    emails.requests_expired([r for r in expired if r.engagement != "informal"])
    return len(expired)


def _record_many(
    request_ids: list[int], previous: str, status: str, *, at: datetime, note: str
) -> None:
    """History lines for a batch of requests the scheme changed, in one INSERT."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO matching_statuschange (request_id, from_status, to_status, at, note)
            SELECT id, %s, %s, %s, %s FROM unnest(%s::bigint[]) AS id
            """,
            [previous, status, at, note, request_ids],
        )


def complete_rounds(*, now: datetime | None = None) -> int:
    """On a round's term end (its `term_ends_on`, in the scheme's time zone), complete the
    round's active pairs (services.complete_mentorship: places freed, planned meetings
    cancelled, both thanked) and mark the round completed. Returns how many pairs completed.

    Exactly once, even from two beat processes at once: each round is done in its own
    transaction that holds the round's row (the other process skips it, then finds it
    completed), and a pair already completed is left as it is."""
    now = now or timezone.now()
    due = list(
        Round.objects.filter(
            term_ends_on__lte=timezone.localdate(now), completed_at__isnull=True
        ).values_list("pk", flat=True)
    )
    # Every pair's "completed" emails link the same handbook pages: looked up once per
    # programme for the whole run, not once per email.
    with handbook.remembered():
        return sum(_complete_round(pk, now=now) for pk in due)


@transaction.atomic
def _complete_round(pk: int, *, now: datetime) -> int:
    # FOR NO KEY UPDATE: a pair being added to the round at this moment (its foreign key check
    # holds the row FOR KEY SHARE at commit) neither waits for this nor makes a beat skip it.
    rnd = (
        Round.objects.select_for_update(skip_locked=True, no_key=True)
        .filter(pk=pk, completed_at__isnull=True)
        .first()
    )
    if rnd is None:
        return 0  # another process has it, or has just finished it
    pairs = Mentorship.objects.active().filter(round=rnd)
    # The mentors' profiles first, all together and in one order (as account deletion takes
    # them), so completing many pairs never waits on another transaction in a circle.
    list(
        MentorProfile.objects.select_for_update()
        .filter(user__in=pairs.values("mentor"))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    completed = 0
    for pair in pairs.order_by("pk"):
        services.complete_mentorship(pair, at=now)
        completed += 1
    Round.objects.filter(pk=rnd.pk).update(completed_at=now)
    return completed


# Conversations: new messages are emailed to the other person unless they read them on the site
# first; a burst is one email; a person who chose a daily digest gets one a day instead.


def _addressed(messages: QuerySet[Message]) -> Any:
    """Each message annotated with its recipient (the conversation's other person), their
    choice of message emails and when they last read the conversation, all from the one join.
    A message whose author or recipient has gone counts as "off"."""
    conv = "conversation__"
    by_mentor = Q(author_id=F(f"{conv}mentor_id"))
    by_mentee = Q(author_id=F(f"{conv}mentee_id"))
    return messages.annotate(
        recipient_choice=Coalesce(
            Case(
                When(by_mentor, then=F(f"{conv}mentee__message_emails")),
                When(by_mentee, then=F(f"{conv}mentor__message_emails")),
            ),
            Value(User.MessageEmails.OFF),
        ),
        recipient_read_at=Case(
            When(by_mentor, then=F(f"{conv}mentee_read_at")),
            When(by_mentee, then=F(f"{conv}mentor_read_at")),
        ),
    )


def _recipient(message: Message) -> User | None:
    conversation = message.conversation
    if message.author_id is None:
        return None
    if message.author_id == conversation.mentor_id:
        return conversation.mentee
    return conversation.mentor


def _is_unread(message: Message) -> bool:
    read_at = message.recipient_read_at  # type: ignore[attr-defined]
    return read_at is None or message.created_at > read_at


def _unnotified(messages: QuerySet[Message]) -> Any:
    return _addressed(messages.filter(notified_at__isnull=True))


def _take(due: QuerySet[Message]) -> list[Message]:
    """The due messages of the conversations this run takes. The conversations' rows are taken
    first (FOR NO KEY UPDATE SKIP LOCKED: a new message's insert does not wait on them), so all
    of a conversation's waiting messages go to one run, and a burst is never split between two
    emails by two runs at once; the messages are then read with their people."""
    taken = list(
        Conversation.objects.filter(pk__in=due.values("conversation_id"))
        .order_by("pk")
        .select_for_update(skip_locked=True, no_key=True)
        .values_list("pk", flat=True)
    )
    if not taken:
        return []
    return list(
        due.filter(conversation_id__in=taken)
        .select_for_update(of=("self",))
        .select_related(
            "author",
            "conversation__programme",
            "conversation__mentor",
            "conversation__mentee",
        )
        .order_by("conversation_id", "created_at", "pk")
    )


@transaction.atomic
def notify_new_messages(*, now: datetime | None = None) -> int:
    """Email the other person of each conversation about the messages they have not read on the
    site: one email per conversation and recipient listing every waiting message (a burst of
    five is one email). A message waits MESSAGE_EMAIL_DELAY_MINUTES, and until the conversation
    has been quiet that long (or MESSAGE_EMAIL_MAX_WAIT_MINUTES have passed). Messages read in
    time, and those to people who chose "off" or have gone, are marked notified with no email;
    those to people who chose the daily digest are left to `send_message_digests`.

    Set-based (a constant number of queries for any number of conversations) and exactly once,
    even from two beat processes at once: their conversations are taken FOR NO KEY UPDATE SKIP
    LOCKED (`_take`) and the messages marked notified in the transaction that queues the emails
    (whose dedupe key is per burst).
    Returns how many emails were queued."""
    now = now or timezone.now()
    quiet_since = now - timedelta(minutes=settings.MESSAGE_EMAIL_DELAY_MINUTES)
    waited_since = now - timedelta(minutes=settings.MESSAGE_EMAIL_MAX_WAIT_MINUTES)
    due = _take(
        _unnotified(
            Message.objects.filter(created_at__lte=quiet_since).filter(
                Q(conversation__last_message_at__lte=quiet_since) | Q(created_at__lte=waited_since)
            )
        ).exclude(recipient_choice=User.MessageEmails.DIGEST)
    )
    if not due:
        return 0
    batches = []
    for _, group in groupby(due, key=lambda m: (m.conversation_id, _recipient(m))):
        unread = [m for m in group if _is_unread(m)]
        recipient = _recipient(unread[0]) if unread else None
        if (
            recipient is None
            or not recipient.is_active
            or recipient.message_emails != User.MessageEmails.IMMEDIATE
        ):
            continue
        batches.append((unread[0].conversation, recipient, unread))
    Message.objects.filter(pk__in=[m.pk for m in due]).update(notified_at=now)
    return emails.message_notifications(batches)


def last_digest_time(now: datetime) -> datetime:
    """The latest MESSAGE_DIGEST_HOUR (scheme time zone) at or before `now`: a digest lists the
    messages that arrived before it."""
    local = timezone.localtime(now)
    cutoff = local.replace(hour=settings.MESSAGE_DIGEST_HOUR, minute=0, second=0, microsecond=0)
    if cutoff > local:
        cutoff = (local - timedelta(days=1)).replace(
            hour=settings.MESSAGE_DIGEST_HOUR, minute=0, second=0, microsecond=0
        )
    return cutoff


@transaction.atomic
def send_message_digests(*, now: datetime | None = None) -> int:
    """Each person who chose the daily digest gets one email listing their conversations with
    unread messages that arrived before today's digest hour and were not in an earlier digest
    (messages read on the site are left out). Safe to run hourly or twice at once: messages are
    taken with their conversations (`_take`) and marked notified with the email queued; a later
    run the same day finds none before the cutoff, and the dedupe key is per person per day.
    Returns how many digests were queued."""
    now = now or timezone.now()
    cutoff = last_digest_time(now)
    due = _take(
        _unnotified(Message.objects.filter(created_at__lt=cutoff)).filter(
            recipient_choice=User.MessageEmails.DIGEST
        )
    )
    if not due:
        return 0
    per_person: dict[int, tuple[User, list[tuple[Conversation, list[Message]]]]] = {}
    for _, group in groupby(due, key=lambda m: (m.conversation_id, _recipient(m))):
        unread = [m for m in group if _is_unread(m)]
        recipient = _recipient(unread[0]) if unread else None
        if recipient is None or not recipient.is_active:
            continue
        per_person.setdefault(recipient.pk, (recipient, []))[1].append(
            (unread[0].conversation, unread)
        )
    Message.objects.filter(pk__in=[m.pk for m in due]).update(notified_at=now)
    batches = sorted(per_person.values(), key=lambda item: item[0].pk)
    return emails.message_digests(batches, day=cutoff.date())


def fetch_reply_emails() -> tuple[int, int]:
    """Read the unseen mail of the reply mailbox over IMAP (REPLY_IMAP_*) and store each reply
    as its person's message (matching.inbound.handle_reply: refused ones store nothing). Every
    message read is marked seen, stored or refused, so none is tried twice. Returns (stored,
    refused)."""
    if not settings.REPLY_IMAP_HOST:
        raise inbound.InboundError("Set REPLY_IMAP_HOST, REPLY_IMAP_USER and REPLY_IMAP_PASSWORD.")
    # A verified TLS connection (imaplib's own default context checks no certificate, and the
    # mailbox's password goes over it), with a timeout so a silent server cannot hold a worker.
    imap = imaplib.IMAP4_SSL(
        settings.REPLY_IMAP_HOST,
        settings.REPLY_IMAP_PORT,
        ssl_context=ssl.create_default_context(),
        timeout=60,
    )
    stored = refused = 0
    try:
        imap.login(settings.REPLY_IMAP_USER, settings.REPLY_IMAP_PASSWORD)
        imap.select(settings.REPLY_IMAP_MAILBOX)
        _, data = imap.search(None, "UNSEEN")
        for number in (data[0] or b"").decode().split():
            _, parts = imap.fetch(number, "(BODY.PEEK[])")
            raw = next((p[1] for p in parts if isinstance(p, tuple)), b"")
            try:
                inbound.handle_reply(raw)
                stored += 1
            except inbound.InboundError as exc:
                refused += 1
                logger.info("Reply %s refused: %s", number, exc)
            except Exception:
                # One email that cannot be read must not stop the mailbox for ever: it is
                # logged, marked seen like a refused one, and the others are read.
                refused += 1
                logger.exception("Reply %s could not be read", number)
            imap.store(number, "+FLAGS", "\\Seen")
    finally:
        imap.logout()
    return stored, refused


def complete_advice_conversations(*, now: datetime | None = None) -> int:
    """One-off advice conversations complete themselves once their meeting was held, or a week
    after its date when nobody marked it (matching.engagements). Exactly once: each pair is
    completed under its lock and only while active, so a second run (or a second beat process)
    finds nothing to do. The sessions log's check-in job then asks both people for feedback.
    Returns how many completed."""
    now = now or timezone.now()
    due = (
        Mentorship.objects.filter(engagements.advice_due(now))
        .values_list("pk", "mentor_id")
        .distinct()
        .order_by("pk")
    )
    return sum(
        engagements.complete_advice(Mentorship(pk=pk, mentor_id=mentor_id), at=now)
        for pk, mentor_id in due
    )


def update_reply_times(*, now: datetime | None = None) -> int:
    """Nightly: each mentor's usual reply time from their recent answers, for the cards
    (matching.responsiveness; one set-based UPDATE)."""
    return responsiveness.update_reply_times(now=now)


def email_never_approached_mentors(*, now: datetime | None = None) -> int:
    """Daily: one friendly email to mentors listed for six weeks whom nobody has approached
    (matching.never_approached)."""
    return never_approached.email_never_approached_mentors(now=now)
