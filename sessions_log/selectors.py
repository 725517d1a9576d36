"""What the pair's page shows, read in a fixed number of queries whatever the history; and the
"needs attention" rules on pairs and check-ins, each a `Q` shared by the admin filters and the
reports page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, TypedDict

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Exists, OuterRef, Prefetch, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from matching.models import Mentorship
from sessions_log.models import (
    LOW_RATING,
    Meeting,
    MeetingPrivateNote,
    Objective,
    ObjectiveUpdate,
)

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class _MeetingExtras(TypedDict):
    my_note: str | None
    objective_ids: list[int]


@dataclass
class TimelineEntry:
    when: datetime
    kind: str  # "meeting", "cancelled", "objective-added" or "objective-update"
    meeting: Meeting | None = None
    objective: Objective | None = None
    update: ObjectiveUpdate | None = None


@dataclass
class Totals:
    held: int = 0
    minutes: int = 0
    last: Meeting | None = None
    next: Meeting | None = None
    objectives: int = 0
    achieved: int = 0
    dropped: int = 0

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)

    @property
    def time_together(self) -> str:
        """Like "2 h 30 min", "45 min" or "3 h"."""
        hours, minutes = divmod(self.minutes, 60)
        parts = [gettext("%(hours)s h") % {"hours": hours}] if hours else []
        if minutes or not hours:
            parts.append(gettext("%(minutes)s min") % {"minutes": minutes})
        return " ".join(parts)

    @property
    def percent_achieved(self) -> int:
        return round(100 * self.achieved / self.objectives) if self.objectives else 0


@dataclass
class PairSpace:
    objectives: list[Objective]
    upcoming: list[Meeting]
    timeline: list[TimelineEntry]
    totals: Totals
    can_edit: bool
    now: datetime = field(default_factory=timezone.now)


def _objectives(mentorship: Mentorship) -> list[Objective]:
    updates = ObjectiveUpdate.objects.select_related("author").order_by("-created_at", "-pk")
    return list(
        mentorship.objectives.select_related("created_by")
        .prefetch_related(Prefetch("updates", queryset=updates))
        .order_by("position", "pk")
    )


def _meetings(mentorship: Mentorship, user: User) -> list[WithAnnotations[Meeting, _MeetingExtras]]:
    """The pair's meetings, each with the ids of the objectives it discussed and the viewer's
    own private note (never the other person's) in the same query.

    Both are subqueries on unique indexes, so the query neither groups nor joins: joining the
    objectives (to aggregate them) and the planner (`created_by`) made Postgres group every
    meeting's columns and, misjudging how many meetings a pair has, merge-join the whole user
    table. Who planned a meeting is one of the pair, so `_attach_planners` sets it from the
    pair's two people already loaded."""
    my_note = MeetingPrivateNote.objects.filter(meeting=OuterRef("pk"), author=user)
    discussed = Meeting.objectives.through.objects.filter(meeting_id=OuterRef("pk")).values(
        "objective_id"
    )
    meetings = list(
        mentorship.meetings.annotate(
            my_note=Subquery(my_note.values("text")[:1]),
            objective_ids=ArraySubquery(discussed),
        ).order_by("-starts_at", "-pk")
    )
    _attach_planners(mentorship, meetings)
    return meetings


def _attach_planners(mentorship: Mentorship, meetings: Sequence[Meeting]) -> None:
    """Set each meeting's `created_by` without a query per meeting: the pair's mentor or mentee
    when they planned it (always, from the site), else one query for the others (a meeting
    added in the admin)."""
    pair: list[User | None] = []
    if Mentorship.mentor.is_cached(mentorship):
        pair.append(mentorship.mentor)
    if Mentorship.mentee.is_cached(mentorship):
        pair.append(mentorship.mentee)
    people = {u.pk: u for u in pair if u is not None}
    others = {m.created_by_id for m in meetings if m.created_by_id is not None} - set(people)
    if others:
        people.update(User.objects.in_bulk(others))
    for meeting in meetings:
        if meeting.created_by_id is not None:
            meeting.created_by = people.get(meeting.created_by_id)


def pair_space(mentorship: Mentorship, user: User) -> dict:
    """The context of the pair's objectives, meetings and timeline for `user`, one of the pair."""
    now = timezone.now()
    objectives = _objectives(mentorship)
    meetings = _meetings(mentorship, user)

    totals = Totals(objectives=len(objectives))
    timeline: list[TimelineEntry] = []
    upcoming: list[Meeting] = []
    for objective in objectives:
        objective.latest_update = next(iter(objective.updates.all()), None)
        if objective.status == Objective.Status.ACHIEVED:
            totals.achieved += 1
        elif objective.status == Objective.Status.DROPPED:
            totals.dropped += 1
        timeline.append(TimelineEntry(objective.created_at, "objective-added", objective=objective))
        for update in objective.updates.all():
            timeline.append(
                TimelineEntry(
                    update.created_at, "objective-update", objective=objective, update=update
                )
            )
    totals.objectives -= totals.dropped

    for meeting in meetings:
        # In the plan's order (objectives are read by position).
        meeting.discussed = [o for o in objectives if o.pk in meeting.objective_ids]
        if meeting.is_held:
            totals.held += 1
            totals.minutes += meeting.duration_minutes
            if totals.last is None:  # newest first
                totals.last = meeting
            timeline.append(TimelineEntry(meeting.starts_at, "meeting", meeting=meeting))
        elif meeting.cancelled_at is not None:  # cancelled: a constraint sets both together
            timeline.append(TimelineEntry(meeting.cancelled_at, "cancelled", meeting=meeting))
        else:
            meeting.is_overdue = meeting.ends_at < now
            upcoming.append(meeting)
    upcoming.reverse()  # soonest first
    totals.next = next((m for m in upcoming if m.starts_at >= now), None)
    timeline.sort(key=lambda entry: entry.when, reverse=True)

    return {
        "space": PairSpace(
            objectives=objectives,
            upcoming=upcoming,
            timeline=timeline,
            totals=totals,
            can_edit=mentorship.is_active,
            now=now,
        )
    }


NO_MEETING = timedelta(days=60)
RECENT_CHECK_INS = timedelta(days=30)


def quiet_pair(now: datetime) -> Q:
    """An active Mentorship with no meeting held in 60 days: none since the later of its start
    and its last held meeting."""
    cutoff = now - NO_MEETING
    met_since = Meeting.objects.held().filter(mentorship=OuterRef("pk"), starts_at__gte=cutoff)
    # django-stubs type `Q & expression` as a bare Combinable; Django returns a Q.
    return Q(status="active", started_at__lt=cutoff) & ~Exists(met_since)  # type: ignore[return-value]


def worrying_check_in(since: datetime | None = None) -> Q:
    """An answered CheckIn rated low or asking the scheme team to get in touch."""
    rule = Q(answered_at__isnull=False) & (Q(rating__lte=LOW_RATING) | Q(wants_contact=True))
    if since is not None:
        rule &= Q(answered_at__gte=since)
    return rule
