"""Matching's scheduled jobs: reminders of unanswered requests and their expiry, and the end of
a round's term, which completes its pairs. Set-based where a join does it (each request's days
come from its own programme, joined in the query: a constant number of queries for any number
of requests and programmes) and safe to run twice, or from two beat processes at once. Beat
tasks (matching.tasks) and the commands are thin doors to them."""

from __future__ import annotations

from datetime import datetime
from itertools import groupby

from django.db import connection, transaction
from django.db.models import DurationField, F, Func, Q
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from matching import emails, services
from matching.models import Mentorship, MentorshipRequest
from profiles.models import MentorProfile, Round

Status = MentorshipRequest.Status


def _days_before(now: datetime, field: str) -> CombinedExpression:
    """`now` minus as many days as the programme's `field` says, as a database expression (the
    programme joined through the row's `programme`)."""
    days = Func(
        F(field), template="make_interval(days => %(expressions)s)", output_field=DurationField()
    )
    return now - days


# A request's reminders and expiry count from its latest message: a mentor's question (or the
# mentee's answer) in the request's conversation starts its clock again.
_CLOCK = Greatest("created_at", Coalesce("conversation__last_message_at", "created_at"))


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
    MentorshipRequest.objects.filter(pk__in=seconds).update(reminders_sent=2)
    MentorshipRequest.objects.filter(pk__in=firsts).update(reminders_sent=1)
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
        stale = MentorshipRequest.objects.stale(older_than)
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
