"""Meeting dates stay within a sensible range: the form refuses far-off dates with a clear
message, and calendar files still answer when a row from before the rule holds one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from sessions_log import services
from tests.factories import MeetingFactory
from tests.sessions_log.conftest import local_input, next_week

pytestmark = pytest.mark.django_db


def _plan(client, mentorship, starts_at: str):
    url = reverse("sessions_log:meeting-add", args=[mentorship.pk])
    data = {"starts_at": starts_at, "duration_minutes": "60", "format": "video", "agenda": "CV"}
    return client.post(url, data)


def test_a_meeting_more_than_two_years_ahead_is_refused_beside_the_field(
    client_for, mentorship, mentee
):
    response = _plan(client_for(mentee), mentorship, "9999-12-31T23:00")

    assert response.status_code == 200
    [error] = response.context["form"].errors["starts_at"]
    assert error.startswith("A meeting can be planned at most two years ahead")
    assert "CV</textarea>" in response.content.decode()  # what was typed is kept
    assert not mentorship.meetings.exists()


def test_a_meeting_just_under_two_years_ahead_is_planned(client_for, mentorship, mentee):
    when = timezone.now() + timedelta(days=729)

    response = _plan(client_for(mentee), mentorship, local_input(when))

    assert response.status_code == 302
    assert mentorship.meetings.count() == 1


def test_a_past_meeting_before_2000_is_refused(client_for, mentorship, mentee):
    mentorship.started_at = datetime(1990, 1, 1, tzinfo=UTC)
    mentorship.save(update_fields=["started_at"])
    url = reverse("sessions_log:meeting-log", args=[mentorship.pk])

    response = client_for(mentee).post(
        url,
        {"starts_at": "1999-12-31T10:00", "duration_minutes": "60", "format": "video"},
    )

    errors = response.context["form"].errors["starts_at"]
    assert any("2000" in error for error in errors)


@pytest.fixture
def far_future(mentorship):
    """A meeting saved before dates were bounded, in the last hour of year 9999."""
    return MeetingFactory(
        mentorship=mentorship, starts_at=datetime(9999, 12, 31, 22, 0, tzinfo=UTC)
    )


def test_a_meeting_download_answers_for_a_far_off_row(client_for, mentorship, mentee, far_future):
    url = reverse("sessions_log:meeting-ics", args=[mentorship.pk, far_future.pk])

    response = client_for(mentee).get(url)

    assert response.status_code == 200
    Calendar.from_ical(response.content)


def test_both_calendar_feeds_answer_with_a_far_off_row(
    client, mentorship, mentor, mentee, far_future
):
    usable = MeetingFactory(mentorship=mentorship, starts_at=next_week())
    for person in (mentor, mentee):
        feed = services.calendar_feed_for(person)

        response = client.get(feed.get_absolute_url())

        assert response.status_code == 200
        uids = [str(e["UID"]) for e in Calendar.from_ical(response.content).walk("VEVENT")]
        assert any(str(usable.uid) in uid for uid in uids)
