from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from sessions_log import services
from sessions_log.models import CalendarFeed
from tests.factories import MeetingFactory, MentorshipFactory
from tests.sessions_log.conftest import hours_ago

pytestmark = pytest.mark.django_db


def _events(body: bytes) -> list:
    return Calendar.from_ical(body).walk("VEVENT")


def _download(client, meeting):
    url = reverse("sessions_log:meeting-ics", args=[meeting.mentorship_id, meeting.pk])
    response = client.get(url)
    assert response.status_code == 200
    return response


def _plan_via_form(client, mentorship, local_value: str):
    url = reverse("sessions_log:meeting-add", args=[mentorship.pk])
    data = {
        "starts_at": local_value,
        "duration_minutes": "45",
        "format": "in_person",
        "location": "Room 2.14",
        "agenda": "Objectives for the year",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    return mentorship.meetings.get()


def test_ten_oclock_in_london_in_july_is_nine_utc(client_for, mentorship, mentee):
    year = timezone.now().year + 1
    client = client_for(mentee)
    meeting = _plan_via_form(client, mentorship, f"{year}-07-15T10:00")

    response = _download(client, meeting)

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == (f'attachment; filename="meeting-{year}-07-15.ics"')
    calendar = Calendar.from_ical(response.content)
    [event] = calendar.walk("VEVENT")
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert start.astimezone(UTC) == datetime(year, 7, 15, 9, 0, tzinfo=UTC)
    assert end.astimezone(UTC) == datetime(year, 7, 15, 9, 45, tzinfo=UTC)
    # The zone's rules travel with the file, so any calendar app reads the same instant.
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]


def test_a_planner_in_new_york_in_january(client_for, mentorship, mentee):
    mentee.time_zone = "America/New_York"
    mentee.save(update_fields=["time_zone"])
    year = timezone.now().year + 1
    client = client_for(mentee)
    meeting = _plan_via_form(client, mentorship, f"{year}-01-20T10:00")

    [event] = _events(_download(client, meeting).content)

    assert event["DTSTART"].params["TZID"] == "America/New_York"
    assert event.decoded("DTSTART").astimezone(UTC) == datetime(year, 1, 20, 15, 0, tzinfo=UTC)


def test_the_event_carries_what_the_pair_needs(client_for, mentorship, mentee, planned):
    [event] = _events(_download(client_for(mentee), planned).content)

    assert str(event["SUMMARY"]) == "Mentoring: Daniel Mentor and Maya Mentee"
    assert str(event["LOCATION"]) == planned.location
    assert str(event["DESCRIPTION"]).startswith(planned.agenda)
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["UID"]) == f"{planned.uid}@testserver"
    assert event.decoded("DTSTAMP").tzinfo is not None


def test_changes_and_cancellation_keep_the_uid_and_raise_the_sequence(
    client_for, mentorship, mentee, planned
):
    client = client_for(mentee)
    [first] = _events(_download(client, planned).content)

    services.update_meeting(
        planned,
        by=mentee,
        starts_at=planned.starts_at + timedelta(hours=1),
        time_zone=planned.time_zone,
        duration_minutes=60,
        format="video",
    )
    [moved] = _events(_download(client, planned).content)
    services.cancel_meeting(planned, by=mentee)
    response = _download(client, planned)
    [cancelled] = _events(response.content)

    assert str(first["UID"]) == str(moved["UID"]) == str(cancelled["UID"])
    assert [int(e["SEQUENCE"]) for e in (first, moved, cancelled)] == [0, 1, 2]
    assert moved.decoded("DTSTART") - first.decoded("DTSTART") == timedelta(hours=1)
    assert str(cancelled["STATUS"]) == "CANCELLED"
    # Published, not an iTIP CANCEL message (see sessions_log.calendar).
    assert str(Calendar.from_ical(response.content)["METHOD"]) == "PUBLISH"


# The feed


def test_feed_lists_my_planned_meetings_in_every_pair_and_nothing_else(
    client_for, mentorship, mentee, planned
):
    second_pair = MentorshipFactory(mentee=mentee)
    elsewhere = MeetingFactory(mentorship=second_pair)
    cancelled = MeetingFactory(mentorship=mentorship, cancelled=True)
    not_mine = MeetingFactory()
    feed = services.calendar_feed_for(mentee)

    response = client_for(None).get(feed.get_absolute_url())

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    uids = {str(e["UID"]).split("@")[0] for e in _events(response.content)}
    assert uids == {str(planned.uid), str(elsewhere.uid)}
    assert str(cancelled.uid) not in uids
    assert str(not_mine.uid) not in uids


def test_feed_keeps_recent_held_meetings_so_they_stay_in_the_calendar(client, mentorship, mentee):
    recent = MeetingFactory(mentorship=mentorship, held=True, starts_at=hours_ago(24 * 30))
    MeetingFactory(mentorship=mentorship, held=True, starts_at=hours_ago(24 * 400))
    feed = services.calendar_feed_for(mentee)

    uids = {str(e["UID"]) for e in _events(client.get(feed.get_absolute_url()).content)}

    assert uids == {f"{recent.uid}@testserver"}


def test_feed_leaves_out_planned_meetings_of_an_ended_mentorship(client, ended, mentee):
    MeetingFactory(mentorship=ended)
    feed = services.calendar_feed_for(mentee)

    response = client.get(feed.get_absolute_url())

    assert _events(response.content) == []


def test_feed_page_shows_my_address(client_for, mentee):
    response = client_for(mentee).get(reverse("sessions_log:calendar-feed-detail"))

    feed = CalendarFeed.objects.get(user=mentee)
    assert f"http://testserver/calendar/{feed.token}.ics" in response.content.decode()


def test_resetting_the_feed_invalidates_the_old_address(client_for, client, mentee):
    old = services.calendar_feed_for(mentee)
    old_url = old.get_absolute_url()

    response = client_for(mentee).post(reverse("sessions_log:calendar-feed-reset"))

    assert response.status_code == 302
    new = CalendarFeed.objects.get(user=mentee)
    assert new.token != old.token
    assert client.get(old_url).status_code == 404
    assert client.get(new.get_absolute_url()).status_code == 200


def test_a_closed_account_has_no_feed(client, mentee):
    feed = services.calendar_feed_for(mentee)
    mentee.is_active = False
    mentee.save(update_fields=["is_active"])

    assert client.get(feed.get_absolute_url()).status_code == 404
