"""Meetings as iCalendar (RFC 5545) files: one meeting's download and a person's feed.

Each meeting keeps one UID for life and raises SEQUENCE on every change, so a calendar that
imported it updates the same event. A cancelled meeting is published with STATUS:CANCELLED
(a downloaded file or the feed keeps METHOD:PUBLISH: calendar apps importing a plain file ignore
or reject iTIP methods). The meeting emails instead carry `invitation()`: METHOD:REQUEST or
CANCEL with ORGANIZER and ATTENDEEs, which mail apps offer to accept or apply.

Private notes never go into a calendar: only the shared fields below do.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, timedelta
from email.utils import parseaddr
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import signing
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from icalendar import Calendar, Event, vCalAddress, vText

from matching.models import Mentorship
from mentoring.emails import absolute_url
from sessions_log.models import CalendarFeed, Meeting

if TYPE_CHECKING:
    from accounts.models import User

CONTENT_TYPE = "text/calendar; charset=utf-8"
# A calendar lists meetings within this many years of today. The meeting form allows two years
# ahead; rows saved before that rule may lie in year 9999, where the end time and the time zone
# rules around it cannot even be computed.
CALENDAR_YEARS = 10


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def meeting_uid(meeting: Meeting) -> str:
    return f"{meeting.uid}@{_host()}"


def summary(mentorship: Mentorship) -> str:
    """The event's title, in the active language (the person's own, for their emails)."""
    return gettext("Mentoring: %(mentor)s and %(mentee)s") % {
        "mentor": mentorship.mentor_name,
        "mentee": mentorship.mentee_name,
    }


def _shared_space_line(meeting: Meeting, url: str) -> str:
    return gettext("%(format)s. Your shared space: %(url)s") % {
        "format": meeting.get_format_display(),
        "url": url,
    }


def _event(meeting: Meeting) -> Event:
    mentorship = meeting.mentorship
    zone = ZoneInfo(meeting.time_zone)
    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", meeting.updated_at)
    event.add("last-modified", meeting.updated_at)
    event.add("created", meeting.created_at)
    event.add("dtstart", meeting.starts_at.astimezone(zone))
    event.add("dtend", meeting.ends_at.astimezone(zone))
    event.add("summary", summary(mentorship))
    location = meeting.location or meeting.get_format_display()
    event.add("location", location)
    description = [meeting.agenda] if meeting.agenda else []
    url = absolute_url(meeting.get_absolute_url())
    description.append(_shared_space_line(meeting, url))
    event.add("description", "\n\n".join(description))
    event.add("url", url)
    event.add("status", "CANCELLED" if meeting.is_cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if meeting.is_cancelled else "OPAQUE")
    return event


def calendar_for(meetings: Iterable[Meeting], *, name: str) -> bytes:
    """An iCalendar file with one event per meeting and the time zones they use.

    Each meeting needs its mentorship with mentor and mentee loaded (select_related)."""
    cal = Calendar()
    cal.add("prodid", f"-//{settings.SCHEME_NAME}//Mentoring meetings//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    now = timezone.now()
    meetings = [m for m in meetings if _within_calendar_years(m, now)]
    for meeting in meetings:
        cal.add_component(_event(meeting))
    if meetings:
        # Time zone rules for the years around the meetings, not since 1970: a smaller file.
        cal.add_missing_timezones(
            first_date=min(m.starts_at for m in meetings).date() - timedelta(days=366),
            last_date=max(m.ends_at for m in meetings).date() + timedelta(days=366),
        )
    return cal.to_ical()


def _within_calendar_years(meeting: Meeting, now) -> bool:
    return abs(meeting.starts_at - now) <= timedelta(days=366 * CALENDAR_YEARS)


def feed_meetings(user) -> QuerySet[Meeting]:
    """The meetings a person's calendar feed lists: their planned meetings (in active
    mentorships) and those held in the last year, so past events stay in their calendar.
    A cancelled meeting drops out of the feed, and calendar apps remove it."""
    since = timezone.now() - timedelta(days=365)
    return (
        Meeting.objects.for_user(user)
        .filter(
            Q(status=Meeting.Status.PLANNED, mentorship__status=Mentorship.Status.ACTIVE)
            | Q(status=Meeting.Status.HELD, starts_at__gte=since)
        )
        .select_related("mentorship__mentor", "mentorship__mentee")
        .order_by("starts_at")
    )


# Invitations (iTIP, RFC 5546, sent by email as iMIP, RFC 6047): the meeting emails carry one
# of these so a mail app offers to add, move or remove the event in the person's calendar.
# The organiser is the address the emails are sent from (DEFAULT_FROM_EMAIL, a no-reply), named
# "<planner> via <scheme>", so it matches the email's From and no mail app flags the invitation:
# both people are attendees, so an update from either of them replaces the same event.
# RSVP=FALSE: no reply is expected; an accept or decline a mail app sends anyway goes to the
# no-reply address, not to the scheme team's inbox or the other person (README "Meeting
# invitations").
REQUEST = "REQUEST"
CANCEL = "CANCEL"


def _organiser(meeting: Meeting) -> vCalAddress:
    address = vCalAddress(f"mailto:{parseaddr(settings.DEFAULT_FROM_EMAIL)[1]}")
    planner = meeting.created_by
    name = planner.full_name if planner is not None else ""
    address.params["cn"] = vText(
        f"{name} via {settings.SCHEME_NAME}" if name else settings.SCHEME_NAME
    )
    return address


def _attendee(person: User) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    address.params["cn"] = vText(person.full_name)
    address.params["cutype"] = vText("INDIVIDUAL")
    address.params["role"] = vText("REQ-PARTICIPANT")
    address.params["partstat"] = vText("NEEDS-ACTION")
    address.params["rsvp"] = vText("FALSE")
    return address


def _invitation_event(meeting: Meeting, method: str) -> Event:
    mentorship = meeting.mentorship
    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", timezone.now().astimezone(UTC))
    event.add("dtstart", meeting.starts_at.astimezone(UTC))
    event.add("dtend", meeting.ends_at.astimezone(UTC))
    event.add("summary", summary(mentorship))
    event.add("location", meeting.location or meeting.get_format_display())
    url = absolute_url(meeting.get_absolute_url())
    description = [meeting.agenda] if meeting.agenda else []
    description.append(_shared_space_line(meeting, url))
    event.add("description", "\n\n".join(description))
    event.add("url", url)
    event.add("organizer", _organiser(meeting))
    for person in (mentorship.mentor, mentorship.mentee):
        if person is not None and person.email:
            event.add("attendee", _attendee(person))
    cancelled = method == CANCEL
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    return event


def invitation(meeting: Meeting, method: str) -> str:
    """One meeting as an iTIP message: REQUEST (planned or changed: same UID, its SEQUENCE
    one more on every change) or CANCEL. Times are in UTC, so no VTIMEZONE is needed.

    The meeting needs its mentorship with mentor and mentee, and `created_by`, loaded."""
    if method not in (REQUEST, CANCEL):
        raise ValueError(f"Unknown iTIP method {method!r}")
    cal = Calendar()
    cal.add("prodid", f"-//{settings.SCHEME_NAME}//Mentoring meetings//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    cal.add_component(_invitation_event(meeting, method))
    return cal.to_ical().decode()


# A meeting's calendar file by a link that needs no sign-in (a calendar app or a phone opening
# the emailed link has no session): signed for one meeting and one person. Resetting the
# person's calendar feed (its secret changes) stops every such link they were sent.
ICS_TOKEN_SALT = "sessions_log.meeting-ics"
ICS_TOKEN_MAX_AGE = timedelta(days=366 * 3)


def _feed_fingerprint(feed: CalendarFeed) -> str:
    return hashlib.sha256(feed.token.encode()).hexdigest()[:12]


def meeting_ics_token(meeting: Meeting, person: User) -> str:
    feed, _ = CalendarFeed.objects.get_or_create(user=person)
    return signing.dumps([meeting.pk, person.pk, _feed_fingerprint(feed)], salt=ICS_TOKEN_SALT)


def meeting_ics_url(meeting: Meeting, person: User) -> str:
    token = meeting_ics_token(meeting, person)
    return absolute_url(reverse("sessions_log:meeting-ics-token", args=[meeting.pk, token]))


def meeting_for_ics_token(meeting_id: int, token: str) -> Meeting | None:
    """The meeting a link names, if the token is good, for that meeting, not expired, from the
    person's current feed secret, and the person is still one of the pair."""
    try:
        pk, person_id, fingerprint = signing.loads(
            token, salt=ICS_TOKEN_SALT, max_age=ICS_TOKEN_MAX_AGE
        )
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if pk != meeting_id:
        return None
    feed = CalendarFeed.objects.select_related("user").filter(user_id=person_id).first()
    if feed is None or not feed.user.is_active or _feed_fingerprint(feed) != fingerprint:
        return None
    return (
        Meeting.objects.filter(pk=pk)
        .filter(Q(mentorship__mentor_id=person_id) | Q(mentorship__mentee_id=person_id))
        .select_related("mentorship__mentor", "mentorship__mentee")
        .first()
    )
