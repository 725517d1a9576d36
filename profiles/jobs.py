"""The mentor profiles' scheduled jobs: the yearly confirmation, in each programme's month,
the invitations when a round's mentor recruitment window opens, and mentors' return from time
away. Their beat tasks (profiles.tasks) and commands are thin doors to them."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import (
    Case,
    DateTimeField,
    Exists,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from accounts.models import User
from mentoring.models import Outbox, SchemeSettings
from profiles import emails, training
from profiles.models import Membership, MentorProfile, Programme, RecruitmentWindow
from profiles.search import update_search_documents


def _month_start(year: int, month: int) -> datetime:
    return timezone.make_aware(datetime(year, month, 1))


def _period_starts(today: date) -> dict[int, datetime]:
    """For each month of the year, when it last began (this month included), at midnight in the
    scheme's time zone."""
    return {
        month: _month_start(today.year if month <= today.month else today.year - 1, month)
        for month in range(1, 13)
    }


@transaction.atomic
def ask_mentors_to_confirm(*, now: datetime | None = None) -> int:
    """Once a year, in the confirmation month of each programme a mentor is approved in, ask
    them to confirm their profile is up to date; in the organisation's recruitment months
    (SchemeSettings), remind the other mentors who have not confirmed for a year.

    A mentor's profile is one, shared by their programmes, so a mentor in two programmes with
    different months is asked in the second month only if they have not confirmed since the
    first: the confirmation counts from the earliest of their programmes' months in the last
    year. Set-based (a constant number of queries for any number of mentors and programmes)
    and idempotent: a mentor is asked once a month at most."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    month_start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    approved = Membership.objects.approved().mentors().filter(user=OuterRef("user"))
    # When this mentor's year began: the start of the earliest of their programmes' months
    # that came round in the last twelve months.
    period_start = Subquery(
        approved.order_by()
        .values("user")
        .annotate(
            start=Min(
                Case(
                    *(
                        When(programme__profile_confirmation_month=month, then=Value(start))
                        for month, start in _period_starts(local.date()).items()
                    ),
                    output_field=DateTimeField(),
                )
            )
        )
        .values("start")[:1],
        output_field=DateTimeField(),
    )
    in_month = Exists(approved.filter(programme__profile_confirmation_month=local.month))
    mentors = (
        MentorProfile.objects.filter(
            review_status=MentorProfile.ReviewStatus.APPROVED, user__is_active=True
        )
        .filter(Q(confirmation_asked_at__isnull=True) | Q(confirmation_asked_at__lt=month_start))
        .annotate(in_month=in_month, period_start=period_start)
    )
    annual = mentors.filter(in_month=True).filter(
        Q(confirmed_at__isnull=True) | Q(confirmed_at__lt=F("period_start"))
    )
    asked = _ask(annual, kind="profile_confirm", now=now, period=local.strftime("%Y-%m"))
    if local.month in SchemeSettings.load().recruitment_months:
        lapsed = mentors.filter(in_month=False, period_start__isnull=False).filter(
            Q(confirmed_at__isnull=True) | Q(confirmed_at__lt=now - timedelta(days=365))
        )
        asked += _ask(lapsed, kind="profile_lapsed", now=now, period=local.strftime("%Y-%m"))
    return asked


def _ask(due: QuerySet[MentorProfile], *, kind: str, now: datetime, period: str) -> int:
    profiles = list(due.select_for_update(skip_locked=True, of=("self",)).select_related("user"))
    if not profiles:
        return 0
    MentorProfile.objects.filter(pk__in=[p.pk for p in profiles]).update(confirmation_asked_at=now)
    return emails.profile_confirmation_requests(profiles, kind=kind, period=period)


@transaction.atomic
def announce_recruitment_windows(*, now: datetime | None = None) -> int:
    """When a round's mentor recruitment window opens, invite the programme's mentors (approved,
    or waiting for approval; not those who left) to say they will mentor this round by
    confirming their profile, or to update or pause it. One email per mentor per window.

    Exactly once, even from two beat processes at once: the windows are claimed with
    `select_for_update(skip_locked=True)` and marked announced in the same transaction, and
    each email has (window, mentor) as its dedupe key. A window is announced while it is open;
    one that closed before the job ran is left alone. Returns how many mentors were invited."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    windows = list(
        RecruitmentWindow.objects.filter(
            announced_at__isnull=True,
            opens_on__lte=today,
            closes_on__gte=today,
            round__programme__status__in=[Programme.Status.OPEN, Programme.Status.CLOSED],
        )
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("round__programme")
    )
    if not windows:
        return 0
    by_programme: dict[int, list[RecruitmentWindow]] = defaultdict(list)
    for window in windows:
        by_programme[window.round.programme_id].append(window)
    members = (
        Membership.objects.mentors()
        .filter(
            programme__in=by_programme,
            status__in=[Membership.Status.APPROVED, Membership.Status.PENDING],
            user__is_active=True,
        )
        .select_related("user__mentor_profile")
        .order_by("pk")
    )
    invitations = [
        (window, member.user) for member in members for window in by_programme[member.programme_id]
    ]
    RecruitmentWindow.objects.filter(pk__in=[w.pk for w in windows]).update(announced_at=now)
    return emails.recruitment_invitations(invitations)


@transaction.atomic
def return_away_mentors(*, now: datetime | None = None) -> int:
    """Mentors away until a date are back on that day (in the scheme's time zone): listed in
    the directory again and emailed "You are back in the directory".

    Exactly once, even from two beat processes at once: the profiles are taken with
    `select_for_update(skip_locked=True)` and their date cleared in the same transaction (a
    later run finds none), and each email's dedupe key names the return date. Returns how many
    mentors came back."""
    now = now or timezone.now()
    back = list(
        MentorProfile.objects.filter(away_until__lte=timezone.localdate(now))
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("user")
        .order_by("pk")
    )
    if not back:
        return 0
    ids = [p.pk for p in back]
    MentorProfile.objects.filter(pk__in=ids).update(away_until=None, away_note="", updated_at=now)
    update_search_documents(ids)
    # "You are back in the directory" only to those it lists again: not a hidden, unapproved or
    # deactivated mentor, whose date is cleared all the same.
    listed = set(
        MentorProfile.objects.filter(pk__in=ids, is_listed=True).values_list("pk", flat=True)
    )
    emails.mentors_back([p for p in back if p.pk in listed and p.user.is_active])
    return len(back)


@transaction.atomic
def remind_expiring_training(*, now: datetime | None = None) -> int:
    """Training that expires within 30 days gets one reminder to its person (still in its
    programme): the records are taken with `select_for_update(skip_locked=True)` and marked
    reminded in the same transaction, so a second run, or a second beat, sends nothing; renewing
    clears the mark for the new expiry (profiles.training). Returns how many were reminded."""
    return training.remind_expiring(now=now or timezone.now())


@transaction.atomic
def digest_submitted_profiles(*, now: datetime | None = None) -> int:
    """Once a day, after PROFILE_DIGEST_HOUR (default 8, the scheme's time zone), email each
    coordinator the mentor profiles of their programmes submitted for review since their last
    digest's hour (at most DIGEST_CATCH_UP_DAYS back) and still waiting: each digest's window
    starts where that coordinator's previous one ended, so a profile is in exactly one digest
    however often the job runs, and a day the job did not run at all (workers down) is caught
    up by the next digest rather than lost. Each email's dedupe key names the coordinator and
    the day: run twice (or from two beats) = once. Coordinators are a programme's
    `coordinators` who are active staff; a mentor waiting in two of a coordinator's programmes
    is listed under each, and counted once. Set-based: three queries and one INSERT. Returns
    how many digests were queued."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    hour = getattr(settings, "PROFILE_DIGEST_HOUR", 8)
    until = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if local < until:
        return 0
    earliest = until - timedelta(days=DIGEST_CATCH_UP_DAYS)
    waiting = (
        Membership.objects.current()
        .mentors()
        .filter(
            user__is_active=True,
            user__mentor_profile__review_status=MentorProfile.ReviewStatus.SUBMITTED,
            user__mentor_profile__submitted_at__gt=earliest,
            user__mentor_profile__submitted_at__lte=until,
        )
        .select_related("programme", "user__mentor_profile")
        .order_by("programme__name", "user__mentor_profile__submitted_at", "pk")
    )
    by_programme: dict[int, tuple[Programme, list[MentorProfile]]] = {}
    for membership in waiting:
        group = by_programme.setdefault(membership.programme_id, (membership.programme, []))
        group[1].append(membership.user.mentor_profile)
    if not by_programme:
        return 0
    links = list(
        Programme.coordinators.through.objects.filter(
            programme_id__in=by_programme, user__is_active=True, user__is_staff=True
        )
        .select_related("user")
        .order_by("user_id", "programme__name")
    )
    since = _last_digest_hours({link.user_id for link in links}, earliest=earliest, hour=hour)
    digests: dict[int, tuple[User, list[tuple[Programme, list[MentorProfile]]]]] = {}
    for link in links:
        start = since.get(link.user_id, earliest)
        programme, profiles = by_programme[link.programme_id]
        new = [p for p in profiles if p.submitted_at and p.submitted_at > start]
        if new:
            digests.setdefault(link.user_id, (link.user, []))[1].append((programme, new))
    return emails.profiles_submitted_digests(
        list(digests.values()), day=f"{until:%Y-%m-%d}", until=until.isoformat()
    )


# How far back a digest looks for profiles its coordinator has not been told of (a coordinator's
# first digest, or after days the job did not run).
DIGEST_CATCH_UP_DAYS = 7


def _last_digest_hours(coordinator_ids: set[int], *, earliest: datetime, hour: int) -> dict:
    """Each coordinator's last digest: where the window it covered ended (kept in its context;
    an older digest's is the digest hour of the day its dedupe key names), for digests queued
    since `earliest`. One query."""
    keys = Outbox.objects.filter(
        kind="profiles_submitted",
        recipient_id__in=coordinator_ids,
        created_at__gte=earliest - timedelta(days=1),
    ).values_list("recipient_id", "dedupe_key", "context")
    last: dict[int, datetime] = {}
    for recipient_id, key, context in keys:
        if (context or {}).get("window_end"):
            ended = datetime.fromisoformat(context["window_end"])
        else:
            day = date.fromisoformat(key.rsplit(":", 1)[1])
            ended = timezone.make_aware(datetime.combine(day, time(hour)))
        if recipient_id not in last or ended > last[recipient_id]:
            last[recipient_id] = ended
    return last
