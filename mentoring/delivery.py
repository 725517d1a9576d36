"""Sending the outbox: claim rows, talk SMTP with no transaction open, record each outcome.

`mentoring.emails` writes rows; the tasks in `mentoring.tasks` call `deliver_many` (and the sweep
here decides which rows are due). Nothing here publishes a task, so the modules stay acyclic:
emails -> tasks -> delivery.
"""

from __future__ import annotations

import logging
import os
import smtplib
import socket
import time
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import mailers
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from mentoring import mime
from mentoring.models import Outbox

if TYPE_CHECKING:
    from django.core.mail.backends.base import BaseEmailBackend

logger = logging.getLogger(__name__)

# Kinds whose body carries a key, code or link that signs someone in or changes their account
# (allauth's template names, and a programme's invitation: its link vouches for the address,
# so signing up with it needs no confirmation and passes the allowed domains). Their bodies are
# blanked in the transaction that marks them sent, so no one reading the outbox afterwards can
# use them.
SECRET_KINDS = frozenset(
    {
        "password_reset_key",
        "password_reset_code",
        "email_confirmation",
        "email_confirmation_signup",
        "login_code",
        "account_already_exists",
        "unknown_account",
        "programme_invitation",
    }
)
# Kinds whose body quotes a pair's private words, which no one reads in the admin (there is no
# admin for conversation messages or working agreements): a conversation's messages
# (message_notification, message_digest) and the notes of the pair's working agreement
# (agreement_proposed, agreement_agreed). The outbox shows a superuser their metadata only, as for
# SECRET_KINDS; they are sent and purged like any other email. Emails that quote words the admin
# already shows staff are not here: a request's message and the mentor's reply or away note
# (request_received, request_reminder, request_accepted, request_declined, ...; the requests'
# admin), a pair's ending message (mentorship_ended; the mentorships' admin), a meeting's shared
# summary and next steps (meeting_recap; the meetings' admin; private meeting notes are never in
# an email), check-in answers (check_in_alert; the check-ins' admin), and the notes the scheme team
# writes itself. A reported message or request (message_reported, request_reported) goes to the
# coordinators on purpose: reporting it shares it with them.
PRIVATE_KINDS = frozenset(
    {"message_notification", "message_digest", "agreement_proposed", "agreement_agreed"}
)
# What a row keeps once its content is purged: who, what kind, subject, status and dates.
_PURGED = {"body_text": "", "body_html": "", "headers": {}, "context": {}}


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
                _send(mailer, row)
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


def _send(mailer: BaseEmailBackend, row: Outbox) -> None:
    """Send one row over the open connection. With Django's SMTP backend the message bytes are
    built by `mentoring.mime` (the same bytes as Django's message, far faster) and handed to
    smtplib as Django's backend would; any other backend, or a row `mime` leaves to Django,
    gets Django's message."""
    if type(mailer) is SMTPBackend and mailer.connection is not None:
        prepared = mime.smtp_message(row, mailer.prep_address)
        if prepared is not None:
            mailer.connection.sendmail(*prepared)
            return
    mailer.send_messages([row.as_message()])


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
