"""Meeting emails are calendar invitations: the final MIME bytes carry a text/calendar part
(METHOD:REQUEST when a meeting is planned or changed, METHOD:CANCEL when it is cancelled or
the pair ends), with one UID for life, SEQUENCE one more on every change, the sending address
as ORGANIZER named after the planner, and both people as ATTENDEEs."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, timedelta
from email.utils import parseaddr

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from matching import services as matching_services
from mentoring import invitations, mime
from mentoring.models import Outbox
from sessions_log import calendar, services
from sessions_log.models import Meeting
from tests.factories import MeetingFactory
from tests.mentoring.test_outbox_mime import BACKEND
from tests.sessions_log.conftest import next_week

pytestmark = pytest.mark.django_db


@pytest.fixture
def taken(mentor_profile):
    """The mentor's place the pair takes (ending the pair frees it)."""
    mentor_profile.mentee_count = 1
    mentor_profile.save(update_fields=["mentee_count"])
    return mentor_profile


def _bytes(row: Outbox) -> bytes:
    """What the worker sends for the row: `mime` hands a row with an invitation to Django."""
    if row.context.get("calendar_ics"):
        assert mime.smtp_message(row, BACKEND.prep_address) is None
    return row.as_message().message(policy=email.policy.SMTP).as_bytes()


def _calendar_parts(row: Outbox) -> list[email.message.EmailMessage]:
    message = email.message_from_bytes(_bytes(row), policy=email.policy.default)
    return [part for part in message.walk() if part.get_content_type() == "text/calendar"]


def _invitation(row: Outbox):
    [part] = _calendar_parts(row)
    cal = Calendar.from_ical(part.get_content())
    assert part.get_param("method") == str(cal["METHOD"])
    [event] = cal.walk("VEVENT")
    return cal, event


def _plan(mentorship, mentee) -> Meeting:
    return services.plan_meeting(
        mentorship,
        by=mentee,
        starts_at=next_week(),
        time_zone="Europe/London",
        duration_minutes=45,
        format="video",
        location="https://meet.example.org/pair",
        agenda="My CV",
    )


def test_a_planned_meeting_is_emailed_as_a_request(mentorship, mentee, mentor, settings):
    meeting = _plan(mentorship, mentee)

    row = Outbox.objects.get(kind="meeting_planned", to_email=mentor.email)
    cal, event = _invitation(row)

    assert str(cal["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == calendar.meeting_uid(meeting)
    assert event["SEQUENCE"] == 0
    organiser = event["ORGANIZER"]
    # The sending address (a no-reply), so the organiser matches the email's From and a reply
    # never lands in the scheme team's inbox.
    assert str(organiser) == f"mailto:{parseaddr(settings.DEFAULT_FROM_EMAIL)[1]}"
    assert str(organiser) != f"mailto:{settings.SCHEME_CONTACT_EMAIL}"
    assert parseaddr(row.as_message().from_email)[1] == str(organiser).removeprefix("mailto:")
    assert organiser.params["CN"] == f"{mentee.full_name} via {settings.SCHEME_NAME}"
    attendees = {str(a): a.params for a in event["ATTENDEE"]}
    assert set(attendees) == {f"mailto:{mentor.email}", f"mailto:{mentee.email}"}
    for params in attendees.values():
        assert params["PARTSTAT"] == "NEEDS-ACTION"
        assert params["RSVP"] == "FALSE"
    assert attendees[f"mailto:{mentor.email}"]["CN"] == mentor.full_name
    assert event.decoded("DTSTART") == meeting.starts_at.astimezone(UTC)
    assert event.decoded("DTEND") == meeting.starts_at.astimezone(UTC) + timedelta(minutes=45)
    assert event["DTSTART"].to_ical().endswith(b"Z")
    assert "DTSTAMP" in event
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["LOCATION"]) == "https://meet.example.org/pair"
    assert "My CV" in str(event["DESCRIPTION"])
    assert meeting.get_absolute_url() in str(event["DESCRIPTION"])
    # The text says what the invitation is, and the email still has its text and HTML parts.
    assert "This email is a calendar invitation" in row.body_text
    message = email.message_from_bytes(_bytes(row), policy=email.policy.default)
    assert message.get_body(("plain",)).get_content().startswith("Hello")
    assert "<p>Hello" in message.get_body(("html",)).get_content()


def test_a_change_is_a_request_for_the_same_event_with_a_higher_sequence(
    mentorship, mentee, mentor
):
    meeting = _plan(mentorship, mentee)
    services.update_meeting(
        meeting,
        by=mentor,
        starts_at=meeting.starts_at + timedelta(days=1),
        time_zone="Europe/London",
        duration_minutes=45,
        format="video",
        location="https://meet.example.org/pair",
        agenda="My CV",
    )

    row = Outbox.objects.get(kind="meeting_changed", to_email=mentee.email)
    cal, event = _invitation(row)

    assert str(cal["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == calendar.meeting_uid(meeting)
    assert event["SEQUENCE"] == 1
    # Still the planner's event, whoever changed it.
    assert event["ORGANIZER"].params["CN"].startswith(mentee.full_name)
    assert event.decoded("DTSTART") == (meeting.starts_at + timedelta(days=1)).astimezone(UTC)


def test_both_people_get_the_same_invitation_so_both_calendars_hold_the_event(
    mentorship, mentee, mentor
):
    meeting = _plan(mentorship, mentee)

    rows = Outbox.objects.filter(kind="meeting_planned").order_by("to_email")
    assert sorted(r.to_email for r in rows) == sorted([mentee.email, mentor.email])
    events = [_invitation(row) for row in rows]
    for cal, event in events:
        assert str(cal["METHOD"]) == "REQUEST"
        assert str(event["UID"]) == calendar.meeting_uid(meeting)
        attendees = {str(a).lower() for a in event.get("ATTENDEE")}
        assert attendees == {f"mailto:{mentee.email}", f"mailto:{mentor.email}"}


def test_a_cancelled_meeting_is_emailed_as_a_cancel(mentorship, mentee, mentor):
    meeting = _plan(mentorship, mentee)
    services.cancel_meeting(meeting, by=mentor)

    row = Outbox.objects.get(kind="meeting_cancelled", to_email=mentee.email)
    cal, event = _invitation(row)

    assert str(cal["METHOD"]) == "CANCEL"
    assert str(event["UID"]) == calendar.meeting_uid(meeting)
    assert event["SEQUENCE"] == 1
    assert str(event["STATUS"]) == "CANCELLED"
    assert {str(a) for a in event["ATTENDEE"]} == {
        f"mailto:{mentor.email}",
        f"mailto:{mentee.email}",
    }
    assert "This email cancels the invitation" in row.body_text


def test_ending_the_pair_lists_the_cancelled_meetings_and_cancels_each_in_calendars(
    mentorship, taken, mentee_profile, mentee, mentor
):
    first = MeetingFactory(mentorship=mentorship, starts_at=next_week(), location="Room 4")
    second = MeetingFactory(mentorship=mentorship, starts_at=next_week() + timedelta(days=14))
    MeetingFactory(mentorship=mentorship, held=True)

    matching_services.end_mentorship(mentorship, by=mentee, reason="achieved")

    row = Outbox.objects.get(kind="mentorship_ended")
    assert row.to_email == mentor.email
    assert "Your 2 planned meetings have been cancelled" in row.body_text
    assert "Room 4" in row.body_text
    assert "Your 2 planned meetings have been cancelled" in row.body_html
    parts = _calendar_parts(row)
    # One meeting per iTIP object: the first is the email's calendar alternative, and each is
    # also attached as its own file.
    assert len(parts) == 3
    uids = []
    for part in parts:
        assert part.get_param("method") == "CANCEL"
        cal = Calendar.from_ical(part.get_content())
        assert str(cal["METHOD"]) == "CANCEL"
        [event] = cal.walk("VEVENT")
        assert str(event["STATUS"]) == "CANCELLED"
        assert event["SEQUENCE"] == 1
        uids.append(str(event["UID"]))
    expected = [calendar.meeting_uid(first), calendar.meeting_uid(second)]
    assert uids == [expected[0], *expected]
    assert [p.get_filename() for p in parts[1:]] == ["cancellation-1.ics", "cancellation-2.ics"]


def _cancelled_uids(row: Outbox) -> set[str]:
    uids = set()
    for part in _calendar_parts(row):
        cal = Calendar.from_ical(part.get_content())
        assert part.get_param("method") == "CANCEL" == str(cal["METHOD"])
        for event in cal.walk("VEVENT"):
            assert str(event["STATUS"]) == "CANCELLED"
            uids.add(str(event["UID"]))
    return uids


def test_ending_the_pair_removes_the_meetings_from_both_calendars(
    client_for, mentorship, taken, mentee_profile, mentee, mentor
):
    first = _plan(mentorship, mentee)
    second = MeetingFactory(mentorship=mentorship, starts_at=next_week() + timedelta(days=14))
    expected = {calendar.meeting_uid(first), calendar.meeting_uid(second)}
    url = reverse("sessions_log:mentorship-end", args=[mentorship.pk])
    data = {"reason": "achieved"}
    client = client_for(mentee)
    page = client.post(url, {**data, "step": "review"})
    assert "from both your calendars" in page.content.decode()

    # Ended through the page, twice (a double submit).
    client.post(url, data)
    client.post(url, data)

    # The other person: the ending's email carries the cancellations.
    assert _cancelled_uids(Outbox.objects.get(kind="mentorship_ended")) == expected
    # The one who ended it: each meeting's cancellation, once (both had the invitation).
    own = Outbox.objects.filter(kind="meeting_cancelled", to_email=mentee.email)
    assert own.count() == 2
    assert set().union(*(_cancelled_uids(row) for row in own)) == expected
    for row in own:
        assert "You ended your mentorship with" in row.body_text
        assert "You ended your mentorship with" in row.body_html
        assert "Your meeting with" in row.subject
    assert not Outbox.objects.filter(kind="meeting_cancelled", to_email=mentor.email).exists()


def test_deleting_ones_account_sends_the_leaver_no_cancellations(
    mentorship, taken, mentee_profile, mentee
):
    MeetingFactory(mentorship=mentorship, starts_at=next_week())

    matching_services.end_mentorship(mentorship, by=mentee, reason="account_deleted")

    assert not Outbox.objects.filter(kind="meeting_cancelled").exists()


def test_an_ending_with_no_planned_meeting_has_no_calendar_part(
    mentorship, taken, mentee_profile, mentee
):
    MeetingFactory(mentorship=mentorship, held=True)

    matching_services.end_mentorship(mentorship, by=mentee, reason="achieved")

    row = Outbox.objects.get(kind="mentorship_ended")
    assert "cancelled" not in row.body_text
    assert _calendar_parts(row) == []
    # An email with no invitation keeps the fast path.
    assert mime.smtp_message(row, BACKEND.prep_address) is not None


def test_a_completed_pair_tells_both_of_the_cancelled_meeting(mentorship, taken, mentee, mentor):
    meeting = MeetingFactory(mentorship=mentorship, starts_at=next_week())

    matching_services.complete_mentorship(mentorship)

    for person in (mentor, mentee):
        row = Outbox.objects.get(kind="mentorship_completed", to_email=person.email)
        assert "Your planned meeting has been cancelled" in row.body_text
        _, event = _invitation(row)
        assert str(event["UID"]) == calendar.meeting_uid(meeting)
        assert str(event["STATUS"]) == "CANCELLED"
    # Nobody ended it: no separate cancellation.
    assert not Outbox.objects.filter(kind="meeting_cancelled").exists()


def test_a_hostile_agenda_keeps_the_invitation_whole(mentorship, mentee, mentor):
    agenda = (
        "see END:VCALENDAR now\nEND:VCALENDAR\r\nBEGIN:VEVENT\nMETHOD:CANCEL; a, b\\c " + "é" * 60
    )
    meeting = _plan(mentorship, mentee)
    services.update_meeting(
        meeting,
        by=mentee,
        starts_at=meeting.starts_at,
        time_zone="Europe/London",
        duration_minutes=45,
        format="video",
        location="Room 4; floor 2, \\north",
        agenda=agenda,
    )

    row = Outbox.objects.get(kind="meeting_changed", to_email=mentor.email)
    cal, event = _invitation(row)

    assert str(cal["METHOD"]) == "REQUEST"
    assert len(cal.walk("VEVENT")) == 1
    assert str(event["DESCRIPTION"]).startswith(agenda.replace("\r\n", "\n"))
    assert str(event["LOCATION"]) == "Room 4; floor 2, \\north"
    raw = row.context["calendar_ics"]
    # Escaped: the typed line breaks, commas, semicolons and backslashes stay inside the value.
    assert [line for line in raw.split("\r\n") if line.startswith("END:VCALENDAR")] == [
        "END:VCALENDAR"
    ]
    assert [method for _, method in invitations.calendars(row.context)] == ["REQUEST"]
    assert "LOCATION:Room 4\\; floor 2\\, \\\\north" in raw
    # Folded at 75 octets.
    assert all(len(line.encode()) <= 75 for line in raw.split("\r\n"))


def test_the_emailed_calendar_link_opens_without_signing_in(client, mentorship, mentee, mentor):
    meeting = _plan(mentorship, mentee)
    row = Outbox.objects.get(kind="meeting_planned", to_email=mentor.email)
    url = next(line for line in row.body_text.splitlines() if ".ics" in line)

    response = client.get(url.removeprefix("http://testserver"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    [event] = Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["UID"]) == calendar.meeting_uid(meeting)
    assert timezone.now() < meeting.starts_at


# The calendar file link in the emails: signed for one meeting and one person.


def _token_url(meeting, token: str) -> str:
    return reverse("sessions_log:meeting-ics-token", args=[meeting.pk, token])


def test_a_token_link_needs_no_session_and_is_per_person(client, planned, mentee, mentor):
    for person in (mentee, mentor):
        response = client.get(_token_url(planned, calendar.meeting_ics_token(planned, person)))
        assert response.status_code == 200
        assert response["X-Robots-Tag"] == "noindex"
    assert calendar.meeting_ics_token(planned, mentee) != calendar.meeting_ics_token(
        planned, mentor
    )


def test_a_bad_token_is_a_404(client, planned, mentee):
    token = calendar.meeting_ics_token(planned, mentee)

    assert client.get(_token_url(planned, token[:-2] + "xx")).status_code == 404
    assert client.get(_token_url(planned, "nonsense")).status_code == 404


def test_another_meetings_token_is_a_404(client, planned, mentee, other_pair):
    token = calendar.meeting_ics_token(planned, mentee)
    mine = MeetingFactory(mentorship=planned.mentorship, starts_at=next_week())

    assert client.get(_token_url(mine, token)).status_code == 404
    assert client.get(_token_url(other_pair["meeting"], token)).status_code == 404


def test_a_strangers_token_for_the_meeting_is_a_404(client, planned, stranger):
    token = calendar.meeting_ics_token(planned, stranger)

    assert client.get(_token_url(planned, token)).status_code == 404


def test_an_expired_token_is_a_404(client, planned, mentee, time_machine):
    token = calendar.meeting_ics_token(planned, mentee)

    time_machine.move_to(timezone.now() + calendar.ICS_TOKEN_MAX_AGE + timedelta(days=1))

    assert client.get(_token_url(planned, token)).status_code == 404


def test_resetting_the_calendar_feed_revokes_the_links(client_for, client, planned, mentee):
    token = calendar.meeting_ics_token(planned, mentee)
    assert client.get(_token_url(planned, token)).status_code == 200

    client_for(mentee).post(reverse("sessions_log:calendar-feed-reset"))

    assert client.get(_token_url(planned, token)).status_code == 404
    fresh = calendar.meeting_ics_token(planned, mentee)
    assert client.get(_token_url(planned, fresh)).status_code == 200


def test_a_deactivated_persons_link_stops_working(client, planned, mentee):
    token = calendar.meeting_ics_token(planned, mentee)
    mentee.is_active = False
    mentee.save(update_fields=["is_active"])

    assert client.get(_token_url(planned, token)).status_code == 404
