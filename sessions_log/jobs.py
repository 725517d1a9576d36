"""The pair's scheduled jobs: check-in surveys, meeting reminders and no-meeting nudges.

Each is set-based (a constant number of queries for any number of pairs) and idempotent: what
was done is recorded on the rows (check-ins exist, `Mentorship.nudged_at`) and every email has
an occurrence key as its outbox dedupe key, so running a job twice, or from two beat processes
at once, never sends twice.
"""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import DateTimeField, Exists, Max, OuterRef, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from matching.models import Mentorship
from mentoring.emails import absolute_url, queue_many, reminder_extras, render, wants_reminders
from mentoring.models import SchemeSettings
from sessions_log import emails
from sessions_log.models import CheckIn, Meeting

CHECK_IN_WINDOW = timedelta(weeks=4)  # a check-in missed by more than this is not sent late
ENDING_WINDOW = timedelta(days=30)


def months_before(moment: datetime, months: int) -> datetime:
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    # The same day of that month, or its last day when it is shorter: a pair that began on 29
    # January is six months old on 29 July, one that began on 31 August on 1 March.
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


@transaction.atomic
def send_check_ins(*, now: datetime | None = None) -> int:
    """Create and email the 6-week, 6-month and ending check-ins that are due, to both people."""
    now = now or timezone.now()
    cfg = SchemeSettings.load()
    first = now - timedelta(weeks=cfg.check_in_first_weeks)
    second = months_before(now, cfg.check_in_second_months)
    active = Mentorship.objects.active()
    due = {
        CheckIn.Kind.SIX_WEEKS: active.filter(
            started_at__lte=first, started_at__gt=first - CHECK_IN_WINDOW
        ),
        CheckIn.Kind.SIX_MONTHS: active.filter(
            started_at__lte=second, started_at__gt=second - CHECK_IN_WINDOW
        ),
        CheckIn.Kind.ENDING: Mentorship.objects.filter(
            status=Mentorship.Status.ENDED, ended_at__gt=now - ENDING_WINDOW
        ),
    }
    expires_at = now + timedelta(days=settings.SCHEME_CHECK_IN_VALID_DAYS)
    new = []
    for kind, mentorships in due.items():
        pairs = mentorships.exclude(check_ins__kind=kind).values_list(
            "pk", "mentor_id", "mentee_id"
        )
        for pk, mentor_id, mentee_id in pairs:
            for person_id in (mentee_id, mentor_id):
                if person_id is None:
                    continue  # that person deleted their account
                new.append(
                    CheckIn(
                        mentorship_id=pk,
                        person_id=person_id,
                        kind=kind,
                        created_at=now,
                        expires_at=expires_at,
                    )
                )
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
    """Remind both people of a planned meeting the day before (scheme setting). A rescheduled
    meeting gets a new reminder: the occurrence key includes its start time."""
    now = now or timezone.now()
    horizon = now + timedelta(days=SchemeSettings.load().meeting_reminder_days)
    meetings = list(
        Meeting.objects.planned()
        .filter(starts_at__gt=now, starts_at__lte=horizon)
        .filter(mentorship__status=Mentorship.Status.ACTIVE)
        .select_related("mentorship__mentor", "mentorship__mentee")
    )
    rows = []
    for meeting in meetings:
        pair = meeting.mentorship
        for person in (pair.mentee, pair.mentor):
            if not wants_reminders(person):
                continue
            ctx, headers = reminder_extras(person)
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
    """Nudge pairs with no meeting held for N days (scheme setting) and none planned: the mentee
    first, who arranges meetings, and the mentor. Again every N days while they stay quiet."""
    now = now or timezone.now()
    quiet_since = now - timedelta(days=SchemeSettings.load().no_meeting_nudge_days)
    last_meeting = Coalesce(
        Max("meetings__starts_at", filter=Q(meetings__status=Meeting.Status.HELD)),
        "started_at",
        output_field=DateTimeField(),
    )
    planned = Meeting.objects.planned().filter(mentorship=OuterRef("pk"), starts_at__gt=now)
    pairs = list(
        Mentorship.objects.active()
        .annotate(last_meeting=last_meeting, has_planned=Exists(planned))
        .filter(last_meeting__lte=quiet_since, has_planned=False)
        # At most one nudge every N days while the pair stays quiet.
        .filter(Q(nudged_at__isnull=True) | Q(nudged_at__lte=quiet_since))
        .select_related("mentor", "mentee")
    )
    if not pairs:
        return 0
    Mentorship.objects.filter(pk__in=[p.pk for p in pairs]).update(nudged_at=now)
    rows = []
    for pair in pairs:
        for person, role in ((pair.mentee, "mentee"), (pair.mentor, "mentor")):
            if not wants_reminders(person):
                continue
            ctx, headers = reminder_extras(person)
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
                        "url": absolute_url(pair.get_absolute_url()),
                        **ctx,
                    },
                    headers=headers,
                    dedupe_key=f"no-meeting:{pair.pk}:{now:%Y%m%d}:{person.pk}",
                )
            )
    queue_many(rows)
    return len(pairs)
