"""The pair's scheduled jobs: check-in surveys, meeting reminders, no-meeting nudges and the
wrap-up before a round's term ends.

Each is set-based (a constant number of queries for any number of pairs and programmes: each
pair's days come from its own programme, joined in the query) and idempotent: what was done is
recorded on the rows (check-ins exist, `Mentorship.nudged_at`, `Round.wrap_up_sent_at`) and
every email has an occurrence key as its outbox dedupe key, so running a job twice, or from two
beat processes at once, never sends twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import (
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.models import ReminderKind
from matching.models import Engagement, Mentorship
from mentoring.emails import absolute_url, queue_many, reminder_extras, render, wants_reminders
from profiles.models import Round
from sessions_log import emails
from sessions_log.models import CheckIn, Meeting

CHECK_IN_WINDOW = timedelta(weeks=4)  # a check-in missed by more than this is not sent late
ENDING_WINDOW = timedelta(days=30)
# A round's pairs are asked to wrap up (the ending check-in) this long before its term ends.
WRAP_UP_BEFORE = timedelta(days=14)
# A pair that agreed a rhythm (matching.agreements) is nudged this many days after a meeting
# was due, not on the day: a meeting a few days late is normal.
CADENCE_GRACE_DAYS = 7
# The agreed rhythm in the nudge's words, by `Mentorship.cadence_days` (Agreement.CADENCE_DAYS).
# Lazy: the nudge is rendered in its recipient's language (mentoring.emails.render).
RHYTHM_WORDS = {
    14: gettext_lazy("every two weeks"),
    31: gettext_lazy("once a month"),
    61: gettext_lazy("every two months"),
}


def _interval(unit: str, field: str) -> Func:
    """An interval of as many `unit`s (days, weeks, months) as the pair's programme's `field`
    says. Calendar months as Postgres counts them: `moment - 6 months` is the same day six
    months earlier, or that month's last day when it is shorter (a pair that began on
    29 January is six months old on 29 July, one that began on 31 August on 1 March)."""
    return Func(
        F(field),
        template=f"make_interval({unit} => %(expressions)s)",
        output_field=DurationField(),
    )


def _with_check_ins(pairs: QuerySet[Mentorship]) -> QuerySet[Mentorship]:
    """The pairs the scheme's check-ins are for: long-term pairs, and informal pairs that opted
    in to the scheme's emails. One-off advice pairs get their own two questions instead."""
    return pairs.filter(
        Q(engagement=Engagement.LONG_TERM) | Q(engagement=Engagement.INFORMAL, scheme_emails=True)
    )


@transaction.atomic
def send_check_ins(*, now: datetime | None = None, only: Iterable[int] | None = None) -> int:
    """Create and email the first (6 weeks), second (6 months) and ending check-ins that are
    due, to both people, each pair at the weeks and months of its programme; and the two
    feedback questions after a one-off advice conversation completed itself. `only`: just
    these mentorships (a pair that has just completed, from its page)."""
    now = now or timezone.now()
    first = now - _interval("weeks", "programme__check_in_first_weeks")
    second = now - _interval("months", "programme__check_in_second_months")
    scope = Mentorship.objects.all() if only is None else Mentorship.objects.filter(pk__in=only)
    active = _with_check_ins(scope.active())
    due = {
        CheckIn.Kind.SIX_WEEKS: active.filter(
            started_at__lte=first, started_at__gt=first - CHECK_IN_WINDOW
        ),
        CheckIn.Kind.SIX_MONTHS: active.filter(
            started_at__lte=second, started_at__gt=second - CHECK_IN_WINDOW
        ),
        # A completed pair was asked before its term ended (ask_pairs_to_wrap_up); one that
        # began too late for that is asked now.
        CheckIn.Kind.ENDING: _with_check_ins(scope).filter(
            status__in=[Mentorship.Status.ENDED, Mentorship.Status.COMPLETED],
            ended_at__gt=now - ENDING_WINDOW,
        ),
        CheckIn.Kind.ADVICE_FEEDBACK: scope.filter(
            engagement=Engagement.ADVICE,
            status=Mentorship.Status.COMPLETED,
            ended_at__gt=now - ENDING_WINDOW,
        ),
    }
    expires_at = now + timedelta(days=settings.SCHEME_CHECK_IN_VALID_DAYS)
    new = []
    for kind, mentorships in due.items():
        pairs = mentorships.exclude(check_ins__kind=kind).values_list(
            "pk", "mentor_id", "mentee_id"
        )
        new.extend(_check_ins_for(pairs, kind=kind, now=now, expires_at=expires_at))
    if not new:
        return 0
    _insert_check_ins(new)
    created = list(
        CheckIn.objects.filter(created_at=now, sent_at__isnull=True)
        .select_related("person", "mentorship__mentor", "mentorship__mentee")
        .select_for_update(of=("self",))
    )
    queue_many(
        [
            render(
                "check_in",
                to=c.person,
                ctx=emails.check_in_ctx(c),
                dedupe_key=f"check-in:{c.pk}",
            )
            for c in created
        ]
    )
    CheckIn.objects.filter(created_at=now, sent_at__isnull=True).update(sent_at=now)
    return len(created)


def _check_ins_for(
    pairs: Iterable[tuple[int, int | None, int | None]],
    *,
    kind: str,
    now: datetime,
    expires_at: datetime,
) -> list[CheckIn]:
    """Unsaved check-ins of `kind` for both people of each (pk, mentor_id, mentee_id)."""
    return [
        CheckIn(
            mentorship_id=pk,
            person_id=person_id,
            kind=kind,
            created_at=now,
            expires_at=expires_at,
        )
        for pk, mentor_id, mentee_id in pairs
        for person_id in (mentee_id, mentor_id)
        if person_id is not None  # that person deleted their account
    ]


def _insert_check_ins(rows: list[CheckIn]) -> None:
    """One INSERT for any number of check-ins (bulk_create would take one per thousand)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO sessions_log_checkin (mentorship_id, person_id, kind, token, created_at,
                expires_at, comment, wants_contact)
            SELECT m, p, k, t, c, e, '', false
            FROM unnest(%s::bigint[], %s::bigint[], %s::text[], %s::text[],
                        %s::timestamptz[], %s::timestamptz[]) AS r(m, p, k, t, c, e)
            ON CONFLICT DO NOTHING
            """,
            [
                [r.mentorship_id for r in rows],
                [r.person_id for r in rows],
                [r.kind for r in rows],
                [r.token for r in rows],
                [r.created_at for r in rows],
                [r.expires_at for r in rows],
            ],
        )


@transaction.atomic
def remind_upcoming_meetings(*, now: datetime | None = None) -> int:
    """Remind both people of a planned meeting the day before (or the days before of the pair's
    programme), but not an informal pair that did not ask for the scheme's emails. A rescheduled
    meeting gets a new reminder: the occurrence key includes its start time."""
    now = now or timezone.now()
    horizon = now + _interval("days", "mentorship__programme__meeting_reminder_days")
    meetings = list(
        Meeting.objects.planned()
        .filter(starts_at__gt=now, starts_at__lte=horizon)
        .filter(mentorship__status=Mentorship.Status.ACTIVE)
        # Informal pairs get the scheme's emails only when they opted in; an advice pair is
        # reminded of its one meeting.
        .exclude(mentorship__engagement=Engagement.INFORMAL, mentorship__scheme_emails=False)
        .select_related("mentorship__mentor", "mentorship__mentee")
    )
    rows = []
    for meeting in meetings:
        pair = meeting.mentorship
        for person in (pair.mentee, pair.mentor):
            if not wants_reminders(person, ReminderKind.MEETINGS):
                continue
            ctx, headers = reminder_extras(person, ReminderKind.MEETINGS)
            rows.append(
                render(
                    "meeting_reminder",
                    to=person,
                    ctx={
                        "meeting": meeting,
                        "other": pair.other_party(person),
                        "person": person,
                        "zone": person.time_zone,
                        "url": absolute_url(meeting.get_absolute_url()),
                        "ics_url": absolute_url(
                            reverse("sessions_log:meeting-ics", args=[pair.pk, meeting.pk])
                        ),
                        **ctx,
                    },
                    headers=headers,
                    dedupe_key=f"meeting-reminder:{meeting.pk}:{meeting.starts_at:%Y%m%d%H%M}"
                    f":{person.pk}",
                )
            )
    return queue_many(rows)


@transaction.atomic
def nudge_quiet_pairs(*, now: datetime | None = None) -> int:
    """Nudge pairs with no meeting held for N days and none planned: the mentee first, who
    arranges meetings, and the mentor. Again every N days while they stay quiet.

    N is the pair's agreed rhythm plus `CADENCE_GRACE_DAYS` (a pair that agreed to meet every
    two months is not nudged after 30 days, but 61 + 7 days after their last meeting), or their
    programme's `no_meeting_nudge_days` when they have agreed no rhythm. One-off advice
    conversations are never nudged, nor informal pairs that did not ask for scheme emails."""
    now = now or timezone.now()
    quiet_days = Coalesce(
        F("cadence_days") + Value(CADENCE_GRACE_DAYS),
        F("programme__no_meeting_nudge_days"),
    )
    quiet_since = ExpressionWrapper(
        Value(now)
        - Func(
            quiet_days,
            template="make_interval(days => %(expressions)s)",
            output_field=DurationField(),
        ),
        output_field=DateTimeField(),
    )
    last_held = (
        Meeting.objects.held()
        .filter(mentorship=OuterRef("pk"))
        .order_by("-starts_at")
        .values("starts_at")[:1]
    )
    last_meeting = Coalesce(Subquery(last_held), "started_at", output_field=DateTimeField())
    planned = Meeting.objects.planned().filter(mentorship=OuterRef("pk"), starts_at__gt=now)
    pairs = list(
        Mentorship.objects.active()
        .filter(
            Q(engagement=Engagement.LONG_TERM)
            | Q(engagement=Engagement.INFORMAL, scheme_emails=True)
        )
        .annotate(last_meeting=last_meeting, quiet_since=quiet_since, has_planned=Exists(planned))
        .filter(last_meeting__lte=F("quiet_since"), has_planned=False)
        # At most one nudge every N days while the pair stays quiet.
        .filter(Q(nudged_at__isnull=True) | Q(nudged_at__lte=F("quiet_since")))
        .select_related("mentor", "mentee")
    )
    if not pairs:
        return 0
    Mentorship.objects.filter(pk__in=[p.pk for p in pairs]).update(nudged_at=now)
    rows = []
    for pair in pairs:
        for person, role in ((pair.mentee, "mentee"), (pair.mentor, "mentor")):
            if not wants_reminders(person, ReminderKind.NUDGES):
                continue
            ctx, headers = reminder_extras(person, ReminderKind.NUDGES)
            rows.append(
                render(
                    "no_meeting_nudge",
                    to=person,
                    ctx={
                        "mentorship": pair,
                        "person": person,
                        "other": pair.other_party(person),
                        "role": role,
                        "last_meeting": pair.last_meeting,
                        "never_met": pair.last_meeting == pair.started_at,
                        "rhythm": RHYTHM_WORDS.get(pair.cadence_days or 0, ""),
                        "url": absolute_url(pair.get_absolute_url()),
                        **ctx,
                    },
                    headers=headers,
                    dedupe_key=f"no-meeting:{pair.pk}:{now:%Y%m%d}:{person.pk}",
                )
            )
    queue_many(rows)
    return len(pairs)


@transaction.atomic
def ask_pairs_to_wrap_up(*, now: datetime | None = None) -> int:
    """Two weeks before a round's term ends, ask its active pairs to wrap up: each person gets
    their ending check-in in an email that says when the term ends. Once per round
    (`Round.wrap_up_sent_at`, set in the same transaction; two beats at once: the second skips
    the locked rounds), and each email has its check-in as its dedupe key. Returns how many
    people were asked."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    rounds = list(
        Round.objects.filter(
            wrap_up_sent_at__isnull=True,
            completed_at__isnull=True,
            term_ends_on__gt=today,
            term_ends_on__lte=today + WRAP_UP_BEFORE,
        )
        .select_for_update(skip_locked=True, no_key=True)  # see matching.jobs.complete_rounds
        .values_list("pk", flat=True)
    )
    if not rounds:
        return 0
    pairs = (
        Mentorship.objects.active()
        .filter(round__in=rounds)
        .exclude(check_ins__kind=CheckIn.Kind.ENDING)
        .values_list("pk", "mentor_id", "mentee_id")
    )
    expires_at = now + timedelta(days=settings.SCHEME_CHECK_IN_VALID_DAYS)
    new = _check_ins_for(pairs, kind=CheckIn.Kind.ENDING, now=now, expires_at=expires_at)
    if new:
        _insert_check_ins(new)
    fresh = CheckIn.objects.filter(
        mentorship__round__in=rounds, kind=CheckIn.Kind.ENDING, sent_at__isnull=True
    )
    created = list(
        fresh.select_related(
            "person",
            "mentorship__mentor",
            "mentorship__mentee",
            "mentorship__programme",
            "mentorship__round",
        ).select_for_update(of=("self",))
    )
    queue_many(
        [
            render(
                "round_wrap_up",
                to=c.person,
                ctx={
                    **emails.check_in_ctx(c),
                    "mentorship": c.mentorship,
                    "programme": c.mentorship.programme,
                    "round": c.mentorship.round,
                    "pair_url": absolute_url(c.mentorship.get_absolute_url()),
                },
                dedupe_key=f"round-wrap-up:{c.pk}",
            )
            for c in created
        ]
    )
    fresh.update(sent_at=now)
    Round.objects.filter(pk__in=rounds).update(wrap_up_sent_at=now)
    return len(created)
