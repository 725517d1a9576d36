"""Matching's scheduled jobs: reminders of unanswered requests and their expiry. Set-based (a
constant number of queries for any number of requests) and safe to run twice. Beat tasks
(matching.tasks) and the commands are thin doors to them."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from matching import emails
from matching.models import MentorshipRequest
from mentoring.models import SchemeSettings

Status = MentorshipRequest.Status


@transaction.atomic
def remind_unanswered_requests(*, now: datetime | None = None) -> int:
    """Remind mentors of requests they have not answered (first and second reminder, from the
    scheme settings). Set-based: a constant number of queries for any number of requests; a
    request's reminder count and the email's dedupe key make a second run send nothing."""
    now = now or timezone.now()
    cfg = SchemeSettings.load()
    first = now - timedelta(days=cfg.request_first_reminder_days)
    second = now - timedelta(days=cfg.request_second_reminder_days)
    due = list(
        MentorshipRequest.objects.pending()
        .filter(created_at__gt=now - timedelta(days=cfg.request_expiry_days))
        .filter(
            Q(reminders_sent__lt=1, created_at__lte=first)
            | Q(reminders_sent__lt=2, created_at__lte=second)
        )
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("mentee", "mentor", "mentee__mentee_profile")
    )
    if not due:
        return 0
    seconds = [r.pk for r in due if r.created_at <= second]
    firsts = [r.pk for r in due if r.created_at > second]
    MentorshipRequest.objects.filter(pk__in=seconds).update(reminders_sent=2)
    MentorshipRequest.objects.filter(pk__in=firsts).update(reminders_sent=1)
    return emails.request_reminders(
        due, second_ids=set(seconds), expires_in=cfg.request_expiry_days
    )


@transaction.atomic
def expire_requests(*, older_than: datetime | None = None, now: datetime | None = None) -> int:
    """Expire every request still pending since `older_than` or before (by default the scheme's
    expiry age). A constant number of queries for the batch. Returns how many expired."""
    now = now or timezone.now()
    if older_than is None:
        older_than = now - timedelta(days=SchemeSettings.load().request_expiry_days)
    expired = list(
        MentorshipRequest.objects.stale(older_than)
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("mentee", "mentor")
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
    emails.requests_expired(expired)
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
