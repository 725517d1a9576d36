"""The one place emails are sent from.

`queue()` renders an email and writes it to the outbox inside the caller's transaction; after
commit a Celery task sends it. One small function per kind of email lives here (or beside the
app that owns the event) and calls `queue()`.
"""

from __future__ import annotations

import logging
import os
import smtplib
import socket
import time
from datetime import datetime, timedelta
from email.utils import make_msgid
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage, mailers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import (
    DatabaseError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    connection,
    transaction,
)
from django.db.models import F, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import get_random_string

from mentoring import breaker
from mentoring.context_processors import scheme
from mentoring.models import Outbox

if TYPE_CHECKING:
    from django.core.mail.backends.base import BaseEmailBackend

    from accounts.models import User

logger = logging.getLogger(__name__)

SWEEP_BATCH = 500

# Kinds whose body carries a key, code or link that signs someone in or changes their account
# (allauth's template names). Their bodies are blanked in the transaction that marks them sent,
# so no one reading the outbox afterwards can use them.
SECRET_KINDS = frozenset(
    {
        "password_reset_key",
        "password_reset_code",
        "email_confirmation",
        "email_confirmation_signup",
        "login_code",
        "account_already_exists",
        "unknown_account",
    }
)
# What a row keeps once its content is purged: who, what kind, subject, status and dates.
_PURGED = {"body_text": "", "body_html": "", "headers": {}, "context": {}}


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _message_id() -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(">").strip() or "localhost"
    return make_msgid(domain=domain)


def render(
    kind: str,
    *,
    to: User | str,
    ctx: dict[str, Any] | None = None,
    dedupe_key: str,
    headers: dict[str, str] | None = None,
) -> Outbox:
    """Render `templates/emails/<kind>{_subject.txt,.txt,.html}` into an unsaved outbox row."""
    recipient = None if isinstance(to, str) else to
    to_email = to if isinstance(to, str) else to.email
    # The names the `scheme` context processor gives pages, so a template reads the same with or
    # without a request (emails/base.html uses SCHEME_NAME).
    context = {
        **scheme(None),
        "site_url": settings.SITE_URL,
        "scheme_name": settings.SCHEME_NAME,
        "recipient": recipient,
        **(ctx or {}),
    }
    subject = " ".join(render_to_string(f"emails/{kind}_subject.txt", context).split())
    return Outbox(
        kind=kind,
        recipient=recipient,
        to_email=to_email,
        subject=subject,
        body_text=render_to_string(f"emails/{kind}.txt", context),
        body_html=render_to_string(f"emails/{kind}.html", context),
        headers=headers or {},
        context={k: v for k, v in (ctx or {}).items() if isinstance(v, str | int | float | bool)},
        dedupe_key=dedupe_key,
    )


def queue(
    kind: str,
    *,
    to: User | str,
    ctx: dict[str, Any] | None = None,
    dedupe_key: str,
    headers: dict[str, str] | None = None,
    hold: timedelta | None = None,
) -> Outbox:
    """Render an email and write it to the outbox.

    Call it inside the transaction of the change the email reports. If a row with the same
    `dedupe_key` exists, nothing new is queued and that row is returned.

    With `hold`, the email waits that long before it may be sent (the sweep publishes it when it
    is due), so `cancel_queued` can still stop it.
    """
    row = render(kind, to=to, ctx=ctx, dedupe_key=dedupe_key, headers=headers)
    return _store(**{f.attname: getattr(row, f.attname) for f in _STORED_FIELDS}, hold=hold)


def cancel_queued(dedupe_key: str) -> bool:
    """Stop a queued email from being sent. Returns whether one was cancelled.

    Call it inside the transaction of the change that makes the email wrong. An email already
    sent or failed is left alone, and so is one being sent at this moment (`sending`): it may
    already be with the SMTP server.
    """
    cancelled = Outbox.objects.filter(dedupe_key=dedupe_key, status=Outbox.Status.QUEUED).update(
        status=Outbox.Status.CANCELLED, queued_at=None
    )
    return cancelled > 0


_QUEUE_MANY_SQL = """
INSERT INTO mentoring_outbox (kind, recipient_id, to_email, subject, body_text, body_html,
    headers, context, dedupe_key, message_id, status, attempts, next_attempt_at, queued_at,
    last_error, claimed_by, created_at)
SELECT kind, recipient_id, to_email, subject, body_text, body_html, headers, context,
       dedupe_key, message_id, 'queued', 0, %(now)s, %(now)s, '', '', %(now)s
FROM unnest(%(kind)s::text[], %(recipient_id)s::bigint[], %(to_email)s::text[],
            %(subject)s::text[], %(body_text)s::text[], %(body_html)s::text[],
            %(headers)s::jsonb[], %(context)s::jsonb[], %(dedupe_key)s::text[],
            %(message_id)s::text[])
     AS r(kind, recipient_id, to_email, subject, body_text, body_html, headers, context,
          dedupe_key, message_id)
ON CONFLICT (dedupe_key) DO NOTHING
RETURNING id
"""


def queue_many(rows: list[Outbox]) -> int:
    """Write many rendered rows (see `render`) in one INSERT, whatever their number; rows whose
    dedupe_key is already in the outbox are skipped. Returns how many were queued."""
    if not rows:
        return 0
    encode = DjangoJSONEncoder().encode
    now = timezone.now()
    for row in rows:
        row.message_id, row.created_at = _message_id(), now
        row.next_attempt_at, row.queued_at = now, now
    params: dict[str, Any] = {
        "now": now,
        "kind": [r.kind for r in rows],
        "recipient_id": [r.recipient_id for r in rows],
        "to_email": [r.to_email for r in rows],
        "subject": [r.subject for r in rows],
        "body_text": [r.body_text for r in rows],
        "body_html": [r.body_html for r in rows],
        "headers": [encode(r.headers) for r in rows],
        "context": [encode(r.context) for r in rows],
        "dedupe_key": [r.dedupe_key for r in rows],
        "message_id": [r.message_id for r in rows],
    }
    with connection.cursor() as cursor:
        cursor.execute(_QUEUE_MANY_SQL, params)
        pks = [pk for (pk,) in cursor.fetchall()]
    transaction.on_commit(partial(_publish_many, pks), robust=True)
    return len(pks)


def queue_message(
    kind: str, message: EmailMessage, *, dedupe_key: str | None = None
) -> Outbox | None:
    """Write an already rendered message (e.g. one of allauth's) to the outbox, one row per recipient."""
    html = ""
    for content, mimetype in getattr(message, "alternatives", []):
        if mimetype == "text/html":
            html = content
    row = None
    for address in message.to:
        row = _store(
            kind=kind,
            recipient=None,
            to_email=address,
            subject=message.subject,
            body_text=message.body,
            body_html=html,
            headers={},
            context={},
            dedupe_key=dedupe_key or f"{kind}:{get_random_string(24)}",
        )
    return row


_STORED_FIELDS = [
    f
    for f in Outbox._meta.concrete_fields
    if f.name
    in {
        "kind",
        "recipient",
        "to_email",
        "subject",
        "body_text",
        "body_html",
        "headers",
        "context",
        "dedupe_key",
    }
]


def _store(*, hold: timedelta | None = None, **fields: Any) -> Outbox:
    now = timezone.now()
    try:
        with transaction.atomic():
            row = Outbox.objects.create(
                **fields,
                message_id=_message_id(),
                created_at=now,
                next_attempt_at=now + hold if hold else now,
                # A held row has no task outstanding: the sweep publishes it once it is due.
                queued_at=None if hold else now,
            )
    except IntegrityError:
        existing = Outbox.objects.filter(dedupe_key=fields["dedupe_key"]).first()
        if existing is None:
            raise
        return existing
    if not hold:
        transaction.on_commit(partial(_publish, row.pk), robust=True)
    return row


def _publish_many(pks: list[int]) -> None:
    """Publish one batch task per OUTBOX_SEND_BATCH rows: each sends its rows over one SMTP
    connection."""
    from mentoring.tasks import send_outbox_emails

    size = settings.OUTBOX_SEND_BATCH
    for start in range(0, len(pks), size):
        if not _send_task(send_outbox_emails, pks[start : start + size]):
            # The broker is down: the rest wait for the sweep, which publishes them at once.
            Outbox.objects.filter(pk__in=pks[start:], status=Outbox.Status.QUEUED).update(
                queued_at=None
            )
            return


def _publish(pk: int) -> bool:
    from mentoring.tasks import send_outbox_email

    if not _send_task(send_outbox_email, pk):
        # The broker is unreachable. The row is safe in the database; clearing queued_at tells
        # the next sweep to publish it without waiting for the grace period.
        Outbox.objects.filter(pk=pk, status=Outbox.Status.QUEUED).update(queued_at=None)
        return False
    return True


def _send_task(task: Any, arg: Any) -> bool:
    """Publish `task(arg)`; False if the broker failed, or is skipped while its breaker is open
    (the breaker logs the outage once, so a request does not)."""
    conf = task.app.conf
    # An eager task (no REDIS_URL) runs here and now: there is no broker to guard.
    guard = None if conf.task_always_eager else breaker.for_redis(conf.broker_url)
    if guard is not None and not guard.allow():
        return False
    try:
        task.delay(arg)
    except Exception as exc:  # noqa: BLE001 - any broker failure: the sweep retries
        if guard is not None and isinstance(exc, breaker.UNAVAILABLE):
            guard.failed(exc)
        else:
            logger.warning(
                "Could not publish %s(%s); the sweep will retry", task.name, arg, exc_info=True
            )
        return False
    if guard is not None:
        guard.succeeded()
    return True


def _backoff(attempts: int) -> timedelta:
    seconds = settings.OUTBOX_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, 6 * 3600))


# A task may reach a worker whose clock is a little behind the web process that queued the
# email: a row due within this margin is sent rather than left for the next sweep.
CLOCK_MARGIN = timedelta(seconds=2)
# Recording a send's outcome is retried this many times on a fresh database connection: the
# email has gone, and a lost "sent" would send it again.
RECORD_TRIES = 4
MAY_HAVE_BEEN_DELIVERED = "the server may have the message, so a retry may deliver a second copy"
CLAIM_EXPIRED = "claim expired: the previous attempt may have been delivered"


def deliver(pk: int) -> bool:
    """Send one outbox row if it is still queued and due. Returns True when this call sent it."""
    return deliver_many([pk]) == 1


def deliver_many(pks: list[int]) -> int:
    """Send the given outbox rows that are queued and due over one SMTP connection; returns how
    many this call sent.

    The rows are claimed in one short committed transaction (status `sending`, each attempt
    counted, who and when; rows another sender holds are skipped), sent one by one with no
    transaction open, and each outcome recorded on its own, retried on a fresh database
    connection if the first one died. If this process dies mid-send a row stays `sending`
    until its claim expires, and the sweep retries it as an attempt that may have been
    delivered (`OUTBOX_MAX_ATTEMPTS` still bounds the copies).
    """
    rows, claimed_at = _claim(pks)
    if not rows:
        # Sent, failed, cancelled or being sent already, or held or backing off.
        return 0
    # Rows still unsent when the claim is half way to expiring go back to the queue rather than
    # risk a second sender taking them while this one still might.
    give_back_at = time.monotonic() + settings.OUTBOX_CLAIM_SECONDS / 2
    mailer = mailers.default
    sent = 0
    done = 0
    try:
        for row in rows:
            if time.monotonic() > give_back_at:
                break
            done += 1
            try:
                mailer.open()
            except Exception as exc:  # noqa: BLE001 - the server never saw this message
                _close_quietly(mailer)
                _record_failure(row, exc, may_have_been_delivered=False)
                continue
            try:
                mailer.send_messages([row.as_message()])
            except Exception as exc:  # noqa: BLE001 - record any SMTP or network failure
                # The next row starts on a new connection: this one may be out of step.
                _close_quietly(mailer)
                _record_failure(row, exc, may_have_been_delivered=_no_reply(exc))
                continue
            if _record_sent(row):
                sent += 1
    finally:
        _close_quietly(mailer)
        if done < len(rows):
            _give_back(rows[done:], claimed_at)
    return sent


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _claim(pks: list[int]) -> tuple[list[Outbox], datetime]:
    now = timezone.now()
    mine = {"claimed_at": now, "claimed_by": _worker_name()}
    with transaction.atomic():
        claimable = list(
            Outbox.objects.select_for_update(skip_locked=True)
            .filter(
                pk__in=pks, status=Outbox.Status.QUEUED, next_attempt_at__lte=now + CLOCK_MARGIN
            )
            .values_list("pk", flat=True)
        )
        if not claimable:
            return [], now
        Outbox.objects.filter(pk__in=claimable).update(
            status=Outbox.Status.SENDING, attempts=F("attempts") + 1, **mine
        )
        rows = {row.pk: row for row in Outbox.objects.filter(pk__in=claimable)}
    return [rows[pk] for pk in pks if pk in rows], now


def _give_back(rows: list[Outbox], claimed_at: datetime) -> None:
    """Return claimed rows this call never tried to send to the queue, their attempt uncounted."""
    try:
        Outbox.objects.filter(
            pk__in=[row.pk for row in rows],
            status=Outbox.Status.SENDING,
            claimed_at=claimed_at,
            claimed_by=_worker_name(),
        ).update(status=Outbox.Status.QUEUED, attempts=F("attempts") - 1, queued_at=None)
    except DatabaseError:
        # Their claims expire and the sweep retries them.
        logger.warning("Could not give back %s unsent outbox emails", len(rows), exc_info=True)


def _close_quietly(mailer: BaseEmailBackend) -> None:
    try:
        mailer.close()
    except Exception:  # noqa: BLE001 - the connection is being dropped anyway
        logger.debug("Closing the SMTP connection failed", exc_info=True)


def _permanent(exc: Exception) -> bool:
    """A 5xx reply: the server refused the message for good, so retrying cannot help."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500


def _no_reply(exc: Exception) -> bool:
    """No reply came (a timeout, a dropped connection): the server may have taken the message."""
    replied = smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused
    return isinstance(exc, OSError) and not isinstance(exc, replied)


def _record_failure(row: Outbox, exc: Exception, *, may_have_been_delivered: bool) -> None:
    error = f"{type(exc).__name__}: {exc}"
    if may_have_been_delivered:
        error = f"{error} ({MAY_HAVE_BEEN_DELIVERED})"
    fields: dict[str, Any] = {"last_error": error[:2000]}
    if _permanent(exc) or row.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        fields["status"] = Outbox.Status.FAILED
        logger.error("Outbox email %s failed for good: %s", row.pk, error)
    else:
        # This task has finished with the row, so none is outstanding: the sweep may publish the
        # retry as soon as it is due instead of waiting out the grace period as well.
        fields.update(
            status=Outbox.Status.QUEUED,
            next_attempt_at=timezone.now() + _backoff(row.attempts),
            queued_at=None,
        )
        logger.warning("Outbox email %s failed (attempt %s): %s", row.pk, row.attempts, error)
    _record(row, fields)


def _record_sent(row: Outbox) -> bool:
    fields: dict[str, Any] = {
        "status": Outbox.Status.SENT,
        "sent_at": timezone.now(),
        "last_error": "",
    }
    if row.kind in SECRET_KINDS:
        fields.update(_PURGED)
    return _record(row, fields)


def _record(row: Outbox, fields: dict[str, Any]) -> bool:
    """Write the outcome of this call's attempt, unless a later attempt has claimed the row since.

    A claim the sweep expired (re-queued or failed) still takes the outcome: a late "sent" saves
    the retry a copy. `sent` is matched too, so a retry after an UPDATE that committed but whose
    reply was lost finds its own row."""
    ours = Outbox.objects.filter(pk=row.pk, claimed_at=row.claimed_at, claimed_by=row.claimed_by)
    for tries_left in reversed(range(RECORD_TRIES)):
        try:
            # One UPDATE: in autocommit it is its own short transaction.
            updated = ours.update(**fields)
            break
        except (OperationalError, InterfaceError):
            # The database connection died while SMTP ran (a failover, a killed backend, an
            # idle timeout): try again on a new one. Inside a caller's transaction that is
            # impossible, so the error goes up.
            if tries_left == 0 or connection.in_atomic_block:
                raise
            logger.warning("Recording outbox email %s failed; reconnecting", row.pk, exc_info=True)
            connection.close()
            time.sleep(0.2 * (RECORD_TRIES - tries_left))
    if not updated:
        logger.warning("Outbox email %s was claimed again before this attempt ended", row.pk)
    return bool(updated)


def expire_claims(now: datetime) -> int:
    """Rows stuck in `sending` past OUTBOX_CLAIM_SECONDS: their sender died or lost its database
    connection mid-send. Each is queued again (the attempt stays counted, so max attempts bounds
    the copies), or failed once out of attempts, with the reason in last_error."""
    expired = Outbox.objects.filter(
        status=Outbox.Status.SENDING,
        claimed_at__lt=now - timedelta(seconds=settings.OUTBOX_CLAIM_SECONDS),
    )
    with transaction.atomic():
        failed = expired.filter(attempts__gte=settings.OUTBOX_MAX_ATTEMPTS).update(
            status=Outbox.Status.FAILED, last_error=f"{CLAIM_EXPIRED}; no attempts left"
        )
        retried = expired.update(
            status=Outbox.Status.QUEUED,
            next_attempt_at=now,
            queued_at=None,
            last_error=CLAIM_EXPIRED,
        )
    if failed or retried:
        logger.warning("Outbox: %s expired claims retried, %s failed", retried, failed)
    return failed + retried


def due_for_sweep(now: datetime) -> QuerySet[Outbox]:
    """Queued rows whose send is due and whose last published task is presumed lost."""
    grace = timedelta(seconds=settings.OUTBOX_SWEEP_GRACE_SECONDS)
    return Outbox.objects.filter(status=Outbox.Status.QUEUED, next_attempt_at__lte=now).exclude(
        queued_at__gt=now - grace
    )


def sweep(now: datetime | None = None) -> int:
    """Retry expired claims, then publish batch send tasks for every due row; returns how many
    rows were published. Safe to run twice at once: a row is published by one sweep (SKIP
    LOCKED), and a task sends only rows it can claim."""
    from mentoring.tasks import send_outbox_emails

    now = now or timezone.now()
    expire_claims(now)
    with transaction.atomic():
        pks = list(
            due_for_sweep(now)
            .order_by("next_attempt_at")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:SWEEP_BATCH]
        )
        Outbox.objects.filter(pk__in=pks).update(queued_at=now)
    size = settings.OUTBOX_SEND_BATCH
    for published in range(0, len(pks), size):
        if not _send_task(send_outbox_emails, pks[published : published + size]):
            logger.info(
                "Sweep could not publish; %s emails wait for the next sweep", len(pks) - published
            )
            Outbox.objects.filter(pk__in=pks[published:], status=Outbox.Status.QUEUED).update(
                queued_at=None
            )
            return published
    return len(pks)


def purge(now: datetime | None = None) -> tuple[int, int]:
    """Retention: blank the content of rows sent (or failed or cancelled) more than
    OUTBOX_BODY_RETENTION_DAYS ago, and delete those older than OUTBOX_DELETE_AFTER_DAYS.
    Returns (blanked, deleted); one UPDATE and one DELETE, whatever the number of rows."""
    now = now or timezone.now()
    done = [Outbox.Status.FAILED, Outbox.Status.CANCELLED]

    def finished_before(days: int) -> Q:
        before = now - timedelta(days=days)
        return Q(status=Outbox.Status.SENT, sent_at__lt=before) | Q(
            status__in=done, created_at__lt=before
        )

    with transaction.atomic():
        deleted, _ = Outbox.objects.filter(
            finished_before(settings.OUTBOX_DELETE_AFTER_DAYS)
        ).delete()
        blanked = (
            Outbox.objects.filter(finished_before(settings.OUTBOX_BODY_RETENTION_DAYS))
            .exclude(**_PURGED)
            .update(**_PURGED)
        )
    return blanked, deleted


UNSUBSCRIBE_SALT = "mentoring.unsubscribe-reminders"


def wants_reminders(user: User) -> bool:
    return user.is_active and user.reminder_emails


def unsubscribe_token(user: User) -> str:
    return signing.dumps(user.pk, salt=UNSUBSCRIBE_SALT, compress=True)


def user_for_unsubscribe_token(token: str) -> int | None:
    try:
        return signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None


def reminder_extras(user: User) -> tuple[dict[str, str], dict[str, str]]:
    """The context and headers every reminder carries: a signed one-click unsubscribe link
    (RFC 8058), so mail apps show their own unsubscribe button."""
    url = absolute_url(reverse("unsubscribe", args=[unsubscribe_token(user)]))
    headers = {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    return {"unsubscribe_url": url}, headers
