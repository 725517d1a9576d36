"""Every change to a pair's objectives, meetings, notes and check-ins happens here.

Each function takes `by=` the person acting, runs in one transaction and first locks the
mentorship: only the mentor and the mentee may change their space, and only while the
mentorship is active (an ended one is read-only). Emails go through the outbox in the same
transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max
from django.utils import dateformat, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from matching.models import Mentorship
from sessions_log import emails, recap
from sessions_log.models import (
    MAX_DURATION,
    MIN_DURATION,
    CalendarFeed,
    CheckIn,
    Meeting,
    MeetingPrivateNote,
    Objective,
    ObjectiveUpdate,
    new_token,
)

# Two identical progress notes from one person this close together are one double-click.
DOUBLE_SUBMIT_WINDOW = timedelta(seconds=60)


class SessionsError(Exception):
    """A refused change. The message is the sentence the user sees."""


def _lock_pair(mentorship: Mentorship, by: User) -> Mentorship:
    locked = Mentorship.objects.select_for_update().get(pk=mentorship.pk)
    if by.pk not in (locked.mentor_id, locked.mentee_id):
        raise SessionsError(
            gettext("Only the mentor and the mentee can change their mentoring space.")
        )
    if not locked.is_active:
        raise SessionsError(
            gettext(
                "This mentorship has ended, so its objectives and meetings can no longer be "
                "changed."
            )
        )
    return locked


# What cannot come before the start, as whole sentences to translate (%(date)s: the start).
_BEFORE_START = {
    "The target date": _("The target date cannot be before the mentorship began (%(date)s)."),
    "The date it was achieved": _(
        "The date it was achieved cannot be before the mentorship began (%(date)s)."
    ),
    "A meeting": _("A meeting cannot be before the mentorship began (%(date)s)."),
}


def _check_not_before_start(mentorship: Mentorship, when: datetime | date, what: str) -> None:
    start = mentorship.started_at
    if isinstance(when, datetime):
        too_early = when < start
    else:
        too_early = when < timezone.localdate(start)
    if too_early:
        began = dateformat.format(timezone.localdate(start), "j F Y")
        raise SessionsError(str(_BEFORE_START[what]) % {"date": began})


def _check_duration(minutes: int) -> None:
    if not MIN_DURATION <= minutes <= MAX_DURATION:
        raise SessionsError(
            gettext("A meeting lasts between %(minimum)s minutes and %(hours)s hours.")
            % {"minimum": MIN_DURATION, "hours": MAX_DURATION // 60}
        )


# Objectives


@transaction.atomic
def add_objective(
    mentorship: Mentorship,
    *,
    by: User,
    title: str,
    success: str = "",
    target_date: date | None = None,
) -> Objective:
    mentorship = _lock_pair(mentorship, by)
    if target_date is not None:
        _check_not_before_start(mentorship, target_date, "The target date")
    last = mentorship.objectives.aggregate(last=Max("position"))["last"]
    return Objective.objects.create(
        mentorship=mentorship,
        title=title.strip(),
        success=success.strip(),
        target_date=target_date,
        position=0 if last is None else last + 1,
        created_by=by,
    )


@transaction.atomic
def edit_objective(
    objective: Objective,
    *,
    by: User,
    title: str,
    success: str = "",
    target_date: date | None = None,
) -> Objective:
    mentorship = _lock_pair(objective.mentorship, by)
    objective = Objective.objects.select_for_update().get(pk=objective.pk)
    if target_date is not None and target_date != objective.target_date:
        _check_not_before_start(mentorship, target_date, "The target date")
    objective.title = title.strip()
    objective.success = success.strip()
    objective.target_date = target_date
    objective.save(update_fields=["title", "success", "target_date", "updated_at"])
    return objective


@transaction.atomic
def update_objective(
    objective: Objective,
    *,
    by: User,
    status: str,
    note: str = "",
    achieved_on: date | None = None,
) -> Objective:
    """Record progress: a new status, a dated note, or both. Each is an ObjectiveUpdate."""
    mentorship = _lock_pair(objective.mentorship, by)
    objective = Objective.objects.select_for_update().get(pk=objective.pk)
    note = note.strip()
    changed = status != objective.status
    if status == Objective.Status.ACHIEVED:
        achieved_on = achieved_on or objective.achieved_on or timezone.localdate()
        if achieved_on > timezone.localdate():
            raise SessionsError(gettext("The date it was achieved cannot be in the future."))
        _check_not_before_start(mentorship, achieved_on, "The date it was achieved")
        changed = changed or achieved_on != objective.achieved_on
    else:
        achieved_on = None
    if not changed:
        last = objective.updates.first()
        if (
            last is not None
            and last.author_id == by.pk
            and last.note == note
            and last.status in ("", status)
            and timezone.now() - last.created_at < DOUBLE_SUBMIT_WINDOW
        ):
            return objective  # a double click
        if not note:
            raise SessionsError(
                gettext("Nothing to record: change the status or write a progress note.")
            )
    if changed:
        objective.status = status
        objective.achieved_on = achieved_on
        objective.save(update_fields=["status", "achieved_on", "updated_at"])
    ObjectiveUpdate.objects.create(
        objective=objective, author=by, status=status if changed else "", note=note
    )
    return objective


@transaction.atomic
def move_objective(objective: Objective, *, by: User, direction: str) -> Objective:
    """Move an objective one place up or down the plan (reordering without JavaScript)."""
    if direction not in ("up", "down"):
        raise SessionsError(gettext("Choose to move the objective up or down."))
    mentorship = _lock_pair(objective.mentorship, by)
    plan = list(mentorship.objectives.select_for_update().order_by("position", "pk"))
    index = next(i for i, o in enumerate(plan) if o.pk == objective.pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(plan):
        plan[index], plan[other] = plan[other], plan[index]
    # Renumber the whole plan, so that equal or missing positions sort themselves out.
    moved = []
    for position, item in enumerate(plan):
        if item.position != position:
            item.position = position
            moved.append(item)
    Objective.objects.bulk_update(moved, ["position"])
    return next(o for o in plan if o.pk == objective.pk)


# Meetings


def _check_objectives(mentorship: Mentorship, objectives: Iterable[Objective]) -> list[Objective]:
    objectives = list(objectives)
    if any(o.mentorship_id != mentorship.pk for o in objectives):
        raise SessionsError(gettext("You can only link the objectives of this mentorship."))
    return objectives


def _check_held_time(mentorship: Mentorship, starts_at: datetime) -> None:
    if starts_at > timezone.now():
        raise SessionsError(
            gettext(
                "A meeting that has been held cannot be in the future. Plan it instead, and mark "
                "it held afterwards."
            )
        )
    _check_not_before_start(mentorship, starts_at, "A meeting")


@transaction.atomic
def plan_meeting(
    mentorship: Mentorship,
    *,
    by: User,
    starts_at: datetime,
    time_zone: str,
    duration_minutes: int,
    format: str,
    location: str = "",
    agenda: str = "",
) -> Meeting:
    """Plan a meeting; the other person is emailed with a link to its calendar file."""
    mentorship = _lock_pair(mentorship, by)
    _check_not_before_start(mentorship, starts_at, "A meeting")
    _check_duration(duration_minutes)
    meeting = Meeting.objects.create(
        mentorship=mentorship,
        status=Meeting.Status.PLANNED,
        starts_at=starts_at,
        time_zone=time_zone,
        duration_minutes=duration_minutes,
        format=format,
        location=location.strip(),
        agenda=agenda.strip(),
        created_by=by,
    )
    emails.meeting_planned(meeting, by=by)
    return meeting


@transaction.atomic
def update_meeting(
    meeting: Meeting,
    *,
    by: User,
    starts_at: datetime,
    time_zone: str,
    duration_minutes: int,
    format: str,
    location: str = "",
    agenda: str = "",
) -> Meeting:
    """Change a planned meeting. A new time or place is emailed to the other person."""
    mentorship = _lock_pair(meeting.mentorship, by)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if not meeting.is_planned:
        raise SessionsError(
            gettext("This meeting is %(status)s: only planned meetings can be changed.")
            % {"status": meeting.get_status_display().lower()}
        )
    _check_not_before_start(mentorship, starts_at, "A meeting")
    _check_duration(duration_minutes)
    moved = (
        starts_at != meeting.starts_at
        or duration_minutes != meeting.duration_minutes
        or location.strip() != meeting.location
        or format != meeting.format
    )
    new = {
        "starts_at": starts_at,
        "time_zone": time_zone,
        "duration_minutes": duration_minutes,
        "format": format,
        "location": location.strip(),
        "agenda": agenda.strip(),
    }
    if all(getattr(meeting, name) == value for name, value in new.items()):
        return meeting
    for name, value in new.items():
        setattr(meeting, name, value)
    meeting.sequence += 1
    meeting.save(update_fields=[*new, "sequence", "updated_at"])
    if moved:
        emails.meeting_changed(meeting, by=by)
    return meeting


def not_started_error(meeting: Meeting, person: User) -> str:
    when = dateformat.format(
        meeting.starts_at.astimezone(ZoneInfo(person.time_zone)), "l j F Y, H:i"
    )
    return gettext(
        "This meeting has not started yet (it is planned for %(when)s). You can mark it held "
        "once it has started; to move it, change the meeting instead."
    ) % {"when": when}


@transaction.atomic
def mark_held(
    meeting: Meeting,
    *,
    by: User,
    starts_at: datetime,
    duration_minutes: int,
    summary: str = "",
    next_steps: str = "",
    objectives: Iterable[Objective] = (),
) -> Meeting:
    """Record that a planned meeting took place (or correct the record of a held one)."""
    mentorship = _lock_pair(meeting.mentorship, by)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.is_cancelled:
        raise SessionsError(
            gettext("This meeting was cancelled. Log the meeting you held instead.")
        )
    if meeting.is_planned and not meeting.has_started:
        raise SessionsError(not_started_error(meeting, by))
    _check_held_time(mentorship, starts_at)
    _check_duration(duration_minutes)
    objectives = _check_objectives(mentorship, objectives)
    meeting.status = Meeting.Status.HELD
    meeting.starts_at = starts_at
    meeting.duration_minutes = duration_minutes
    meeting.summary = summary.strip()
    meeting.next_steps = next_steps.strip()
    meeting.sequence += 1
    meeting.save(
        update_fields=[
            "status",
            "starts_at",
            "duration_minutes",
            "summary",
            "next_steps",
            "sequence",
            "updated_at",
        ]
    )
    meeting.objectives.set(objectives)
    # Both get the recap once (a later correction sends nothing new).
    recap.meeting_recap(meeting, by=by)
    return meeting


@transaction.atomic
def cancel_meeting(meeting: Meeting, *, by: User) -> Meeting:
    """Cancel a planned meeting; the other person is emailed. Cancelling twice does nothing."""
    _lock_pair(meeting.mentorship, by)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.is_cancelled:
        return meeting
    if meeting.is_held:
        raise SessionsError(gettext("This meeting has been held, so it cannot be cancelled."))
    meeting.status = Meeting.Status.CANCELLED
    meeting.cancelled_at = timezone.now()
    meeting.sequence += 1
    meeting.save(update_fields=["status", "cancelled_at", "sequence", "updated_at"])
    emails.meeting_cancelled(meeting, by=by)
    return meeting


def cancel_planned_meetings(mentorship: Mentorship) -> list[Meeting]:
    """When a pair ends (matching's `mentorship_ended`, inside its transaction), meetings still
    planned after the end are cancelled, so calendars that subscribed to the feed drop them. No
    email of their own: the ending's email lists them and carries their calendar
    cancellations (sessions_log.signals). Returns the cancelled meetings, earliest first."""
    pks = list(
        Meeting.objects.planned()
        .filter(mentorship=mentorship, starts_at__gt=mentorship.ended_at)
        .values_list("pk", flat=True)
    )
    if not pks:
        return []
    Meeting.objects.planned().filter(pk__in=pks).update(
        status=Meeting.Status.CANCELLED,
        cancelled_at=mentorship.ended_at,
        sequence=F("sequence") + 1,
    )
    return list(
        Meeting.objects.filter(pk__in=pks)
        .select_related("mentorship__mentor", "mentorship__mentee", "created_by")
        .order_by("starts_at", "pk")
    )


@transaction.atomic
def log_meeting(
    mentorship: Mentorship,
    *,
    by: User,
    starts_at: datetime,
    time_zone: str,
    duration_minutes: int,
    format: str,
    location: str = "",
    summary: str = "",
    next_steps: str = "",
    objectives: Iterable[Objective] = (),
) -> Meeting:
    """Record a meeting that has already happened, without planning it first."""
    mentorship = _lock_pair(mentorship, by)
    _check_held_time(mentorship, starts_at)
    _check_duration(duration_minutes)
    objectives = _check_objectives(mentorship, objectives)
    meeting = Meeting.objects.create(
        mentorship=mentorship,
        status=Meeting.Status.HELD,
        starts_at=starts_at,
        time_zone=time_zone,
        duration_minutes=duration_minutes,
        format=format,
        location=location.strip(),
        summary=summary.strip(),
        next_steps=next_steps.strip(),
        created_by=by,
    )
    meeting.objectives.set(objectives)
    # Logged after the fact, it is held: both get the recap, as when a planned one is marked held.
    recap.meeting_recap(meeting, by=by)
    return meeting


@transaction.atomic
def save_private_note(meeting: Meeting, *, by: User, text: str) -> MeetingPrivateNote | None:
    """Write `by`'s own note on a meeting; an empty text deletes it."""
    _lock_pair(meeting.mentorship, by)
    text = text.strip()
    if not text:
        MeetingPrivateNote.objects.filter(meeting=meeting, author=by).delete()
        return None
    note, _ = MeetingPrivateNote.objects.update_or_create(
        meeting=meeting, author=by, defaults={"text": text}
    )
    return note


# Calendar feed


def calendar_feed_for(user: User) -> CalendarFeed:
    feed, _ = CalendarFeed.objects.get_or_create(user=user)
    return feed


@transaction.atomic
def reset_calendar_feed(user: User) -> CalendarFeed:
    """Give the feed a new secret address; the old one stops working at once."""
    feed, created = CalendarFeed.objects.select_for_update().get_or_create(user=user)
    if not created:
        feed.token = new_token()
        feed.created_at = timezone.now()
        feed.save(update_fields=["token", "created_at"])
    return feed


# Check-ins


@transaction.atomic
def answer_check_in(
    check_in: CheckIn,
    *,
    by: User,
    rating: int,
    comment: str = "",
    wants_contact: bool = False,
    now: datetime | None = None,
) -> CheckIn:
    """Answer a check-in, once. A low rating or a request for contact goes to the scheme team."""
    check_in = CheckIn.objects.select_for_update().select_related("mentorship").get(pk=check_in.pk)
    if check_in.person_id != by.pk:
        raise SessionsError(gettext("This check-in was sent to someone else."))
    if check_in.is_answered:
        raise SessionsError(gettext("You have already answered this check-in. Thank you."))
    now = now or timezone.now()
    if check_in.is_expired(now):
        raise SessionsError(
            gettext(
                "This check-in has closed. If you would like to talk to the scheme team, please "
                "email %(email)s."
            )
            % {"email": settings.SCHEME_CONTACT_EMAIL}
        )
    check_in.rating = rating
    check_in.comment = comment.strip()
    check_in.wants_contact = wants_contact
    check_in.answered_at = now
    check_in.save(update_fields=["rating", "comment", "wants_contact", "answered_at"])
    if check_in.needs_attention:
        emails.check_in_alert(check_in)
    return check_in
