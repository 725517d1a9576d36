"""A private note is seen by its author and nobody else: not the other person, not a stranger,
not through the timeline, the calendar files, the feed, the emails or the admin."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from mentoring.models import Outbox
from sessions_log import services
from sessions_log.models import CalendarFeed, MeetingPrivateNote

pytestmark = pytest.mark.django_db

MAYA_SECRET = "Maya-private-7731: nervous about the interview"
DANIEL_SECRET = "Daniel-private-5521: suggest the leadership course"


@pytest.fixture
def notes(mentorship, mentee, mentor, planned, held):
    """Both people wrote private notes on both meetings."""
    for meeting in (planned, held):
        services.save_private_note(meeting, by=mentee, text=MAYA_SECRET)
        services.save_private_note(meeting, by=mentor, text=DANIEL_SECRET)
    return mentorship


def _page(client_for, user, mentorship) -> str:
    response = client_for(user).get(mentorship.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_each_person_sees_only_their_own_notes_on_the_pair_page(client_for, notes, mentee, mentor):
    maya_page = _page(client_for, mentee, notes)
    daniel_page = _page(client_for, mentor, notes)

    # On the planned meeting and on the held meeting in the timeline.
    assert maya_page.count(MAYA_SECRET) == 2
    assert DANIEL_SECRET not in maya_page
    assert daniel_page.count(DANIEL_SECRET) == 2
    assert MAYA_SECRET not in daniel_page


def test_the_note_form_shows_only_your_own_note(client_for, notes, mentor, held):
    url = reverse("sessions_log:meeting-note", args=[held.mentorship_id, held.pk])

    html = client_for(mentor).get(url).content.decode()

    assert DANIEL_SECRET in html
    assert MAYA_SECRET not in html


def test_a_stranger_cannot_reach_the_notes(client_for, notes, stranger, held):
    urls = [
        notes.get_absolute_url(),
        reverse("sessions_log:meeting-note", args=[held.mentorship_id, held.pk]),
        reverse("sessions_log:meeting-ics", args=[held.mentorship_id, held.pk]),
    ]

    for url in urls:
        assert client_for(stranger).get(url).status_code == 404


def test_calendar_files_and_feeds_carry_no_notes(client_for, notes, mentee, mentor, planned):
    ics_url = reverse("sessions_log:meeting-ics", args=[planned.mentorship_id, planned.pk])
    bodies = []
    for user in (mentee, mentor):
        bodies.append(client_for(user).get(ics_url).content.decode())
        feed, _ = CalendarFeed.objects.get_or_create(user=user)
        bodies.append(client_for(None).get(feed.get_absolute_url()).content.decode())

    for body in bodies:
        assert "BEGIN:VEVENT" in body
        # Folded lines could split a note: look for a short piece of each too.
        assert "private-7731" not in body.replace("\r\n ", "")
        assert "private-5521" not in body.replace("\r\n ", "")
        assert "private" not in body.lower()


def test_emails_carry_no_notes(notes, mentee, planned):
    services.cancel_meeting(planned, by=mentee)

    rows = Outbox.objects.all()
    assert rows.exists()
    for row in rows:
        assert "private-" not in row.body_text + row.body_html


def test_private_notes_are_not_in_the_admin(client_for, notes, admin_user, held):
    assert MeetingPrivateNote not in admin.site._registry
    url = reverse("admin:sessions_log_meeting_change", args=[held.pk])

    html = client_for(admin_user).get(url).content.decode()

    assert "private-" not in html


def test_saving_updates_your_note_and_empty_deletes_it(mentee, held):
    services.save_private_note(held, by=mentee, text="First")
    services.save_private_note(held, by=mentee, text="Second")
    assert MeetingPrivateNote.objects.get(meeting=held, author=mentee).text == "Second"

    services.save_private_note(held, by=mentee, text="   ")

    assert not MeetingPrivateNote.objects.filter(meeting=held, author=mentee).exists()


def test_note_view_saves_for_the_signed_in_person(client_for, mentor, held):
    url = reverse("sessions_log:meeting-note", args=[held.mentorship_id, held.pk])

    response = client_for(mentor).post(url, {"text": "Ask about the course"})

    assert response.status_code == 302
    note = MeetingPrivateNote.objects.get(meeting=held)
    assert (note.author, note.text) == (mentor, "Ask about the course")
