"""A mentor's availability: away until a date (out of the directory, back by itself on the
date: profiles.jobs.return_away_mentors), hidden without a date, and how many requests may wait
for their answer at once (services.waiting_cap).

Going away or hiding answers the mentor's waiting requests kindly at once: closed by the scheme
with its own wording (no decline, so no wait before the mentee may ask again), or, when the
mentor chooses, kept waiting with their expiry moved past the return date (`expires_after`,
which the reminder and expiry jobs count from: matching.jobs._CLOCK) and each mentee told so.
Only requests the mentor answers: an informal pair the mentor recorded waits for the mentee's
confirmation, and is left alone."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.translation import gettext

from accounts.models import User
from matching import emails
from matching.engagement_rules import answerer_id
from matching.models import MentorshipRequest
from matching.services import MatchingError, _lock_mentor, _record
from profiles.models import MentorProfile

Status = MentorshipRequest.Status
Reason = MentorshipRequest.CloseReason

# How far ahead a mentor may say they are away: a longer break is a hidden profile.
LONGEST_AWAY_DAYS = 366


def return_moment(until: date) -> datetime:
    """The start of the return day, in the scheme's time zone (as the job that lists the mentor
    again reads it), whoever's time zone the request is being served in."""
    return timezone.make_aware(datetime.combine(until, time.min), timezone.get_default_timezone())


def away_refusal(until: date | None, *, today: date) -> str | None:
    """Why `until` cannot be the return date, or None."""
    if until is None:
        return gettext("Please give the date you will be back, for example 1 March.")
    if until <= today:
        return gettext("Please choose a date after today: the day you will be back.")
    if until > today + timedelta(days=LONGEST_AWAY_DAYS):
        return gettext(
            "Please choose a date within a year. For a longer break, hide your profile "
            "instead and switch it on again when you are back."
        )
    return None


@transaction.atomic
def go_away(
    mentor: User,
    *,
    until: date,
    note: str = "",
    keep_waiting: bool = False,
    now: datetime | None = None,
) -> tuple[MentorProfile, int]:
    """The mentor is away until `until` (they are back on that day): out of the directory at
    once; their waiting requests are closed kindly with `note`, or kept waiting with their
    expiry moved past the return date. Setting a new date while away moves it. Returns the
    profile and how many requests were closed."""
    now = now or timezone.now()
    profile = _lock_mentor(mentor)
    if refusal := away_refusal(until, today=timezone.localdate(now)):
        raise MatchingError(refusal)
    profile.away_until, profile.away_note = until, " ".join(note.split())[:255]
    # The post_save signal refreshes the listing (profiles.search: away mentors are unlisted).
    profile.save(update_fields=["away_until", "away_note", "updated_at"])
    if keep_waiting:
        kept = _answered_by(mentor, MentorshipRequest.objects.pending().filter(mentor=mentor))
        MentorshipRequest.objects.filter(pk__in=[r.pk for r in kept]).update(
            expires_after=return_moment(until)
        )
        for req in kept:
            req.expires_after = return_moment(until)
        emails.requests_kept_waiting(kept, until=until, away_note=profile.away_note)
        return profile, 0
    closing_note = f"{mentor.full_name} is away until {format_date(until, 'j F Y')}."
    if profile.away_note:
        closing_note += f" Their note: “{profile.away_note}”"
    closed = close_waiting(
        mentor, reason=Reason.MENTOR_AWAY, note=closing_note[:255], now=now, profile=profile
    )
    return profile, closed


@transaction.atomic
def come_back(mentor: User, *, now: datetime | None = None) -> MentorProfile:
    """The mentor cancels their time away early: listed again at once. Requests they kept
    waiting count their expiry from now (not from when they were sent)."""
    now = now or timezone.now()
    profile = _lock_mentor(mentor)
    if profile.away_until is None:
        return profile  # a double click
    profile.away_until, profile.away_note = None, ""
    profile.save(update_fields=["away_until", "away_note", "updated_at"])
    MentorshipRequest.objects.pending().filter(mentor=mentor, expires_after__gt=now).update(
        expires_after=now
    )
    return profile


@transaction.atomic
def set_waiting_cap(mentor: User, cap: int | None) -> MentorProfile:
    """How many requests may wait for the mentor's answer at once (None: free places + 1)."""
    profile = _lock_mentor(mentor)
    if cap is not None and not 1 <= cap <= 20:
        raise MatchingError(gettext("Please choose a number from 1 to 20, or leave it empty."))
    profile.waiting_cap = cap
    profile.save(update_fields=["waiting_cap", "updated_at"])
    return profile


def _answered_by(mentor: User, pending: QuerySet[MentorshipRequest]) -> list[MentorshipRequest]:
    """Of `pending` (requests to `mentor`), those waiting for the mentor's own answer, locked:
    not the informal pairs the mentor recorded, which the mentee confirms
    (engagement_rules.answerer_id); going away or hiding leaves those alone."""
    return [
        req
        for req in pending.select_for_update(of=("self",)).select_related(
            "mentee", "mentor", "programme"
        )
        if answerer_id(req) == mentor.pk
    ]


def close_waiting(
    mentor: User,
    *,
    reason: str,
    note: str,
    now: datetime | None = None,
    profile: MentorProfile | None = None,
) -> int:
    """Close every request waiting for `mentor`'s own answer, kindly: the scheme closes them (not a
    decline: the mentee may ask again whenever the mentor is back), each mentee is emailed
    with the reason, and a mentor who never heard of a request (its email still held) is not
    told. The caller holds the mentor's profile lock. Returns how many closed."""
    now = now or timezone.now()
    closing = _answered_by(
        mentor, MentorshipRequest.objects.pending().filter(mentor=mentor).order_by("pk")
    )
    for req in closing:
        req.status, req.closed_at, req.close_reason = Status.CLOSED, now, reason
        req.closing_note = note
        req.save(update_fields=["status", "closed_at", "close_reason", "closing_note"])
        _record(req, Status.CLOSED, by=None, at=now, previous=Status.PENDING, note=note)
        emails.cancel_request_received(req)
        emails.request_closed_by_mentor(req, away_note=profile.away_note if profile else "")
    return len(closing)


@transaction.atomic
def close_waiting_of_hidden(profile: MentorProfile) -> int:
    """The mentor hid their profile (profiles.services.set_active, through the
    `mentor_hidden` signal): their waiting requests close kindly."""
    mentor = profile.user
    _lock_mentor(mentor)
    return close_waiting(
        mentor,
        reason=Reason.MENTOR_HIDDEN,
        note=f"{mentor.full_name} has stopped taking requests for now.",
    )
