"""Meetings as iCalendar (RFC 5545) files: one meeting's download and a person's feed.

Each meeting keeps one UID for life and raises SEQUENCE on every change, so a calendar that
imported it updates the same event. A cancelled meeting is published with STATUS:CANCELLED
(METHOD stays PUBLISH: METHOD:CANCEL is an iTIP scheduling message that needs an ORGANIZER and
attendees, and calendar apps that import a plain file ignore or reject it).

Private notes never go into a calendar: only the shared fields below do.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from icalendar import Calendar, Event

from matching.models import Mentorship
from mentoring.emails import absolute_url
from sessions_log.models import Meeting

CONTENT_TYPE = "text/calendar; charset=utf-8"
# A calendar lists meetings within this many years of today. The meeting form allows two years
# ahead; rows saved before that rule may lie in year 9999, where the end time and the time zone
# rules around it cannot even be computed.
CALENDAR_YEARS = 10


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def meeting_uid(meeting: Meeting) -> str:
    return f"{meeting.uid}@{_host()}"


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
    event.add("summary", f"Mentoring: {mentorship.mentor_name} and {mentorship.mentee_name}")
    location = meeting.location or meeting.get_format_display()
    event.add("location", location)
    description = [meeting.agenda] if meeting.agenda else []
    url = absolute_url(meeting.get_absolute_url())
    description.append(f"{meeting.get_format_display()}. Your shared space: {url}")
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
