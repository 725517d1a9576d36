from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from mentoring.models import Outbox
from sessions_log import services
from sessions_log.models import Meeting
from sessions_log.services import SessionsError
from tests.factories import MeetingFactory, ObjectiveFactory
from tests.sessions_log.conftest import hours_ago, local_input, next_week

pytestmark = pytest.mark.django_db


def _plan_data(when: datetime, zone: str = "Europe/London", **extra) -> dict:
    return {
        "starts_at": local_input(when, zone),
        "duration_minutes": "60",
        "format": "video",
        "location": "https://meet.example.org/maya",
        "agenda": "My CV",
        **extra,
    }


def _held_data(when: datetime, **extra) -> dict:
    return {
        "starts_at": local_input(when),
        "duration_minutes": "90",
        "summary": "We went through my CV.",
        "next_steps": "Maya rewrites the summary.",
        **extra,
    }


# Planning


def test_plan_creates_a_planned_meeting_in_the_planners_zone(client_for, mentee, mentorship):
    mentee.time_zone = "America/New_York"
    mentee.save(update_fields=["time_zone"])
    when = next_week()
    url = reverse("sessions_log:meeting-add", args=[mentorship.pk])

    response = client_for(mentee).post(
        url, _plan_data(when, zone="America/New_York", duration_minutes="45")
    )

    meeting = mentorship.meetings.get()
    assert response.status_code == 302
    assert response["Location"] == f"{mentorship.get_absolute_url()}#meeting-{meeting.pk}"
    assert meeting.status == Meeting.Status.PLANNED
    assert meeting.time_zone == "America/New_York"
    # Typed in New York time, stored as the same instant.
    assert meeting.starts_at == when
    assert (meeting.duration_minutes, meeting.format, meeting.agenda) == (45, "video", "My CV")
    assert meeting.created_by == mentee


def test_planning_emails_the_other_person_with_the_calendar_link(mentorship, mentee, mentor):
    meeting = services.plan_meeting(
        mentorship,
        by=mentee,
        starts_at=next_week(),
        time_zone="Europe/London",
        duration_minutes=60,
        format="video",
    )

    row = Outbox.objects.get(kind="meeting_planned", to_email=mentor.email)
    assert row.subject.startswith("Maya Mentee planned a meeting for")
    # The calendar file link opens without signing in: signed for Daniel and this meeting.
    ics = reverse("sessions_log:meeting-ics-token", args=[meeting.pk, "TOKEN"])
    prefix = "http://testserver" + ics.removesuffix("TOKEN.ics")
    assert prefix in row.body_text
    assert prefix in row.body_html
    # Maya gets her own copy of the invitation, worded for the one who planned it.
    own = Outbox.objects.get(kind="meeting_planned", to_email=mentee.email)
    assert own.subject.startswith("Your meeting with Daniel Mentor on")
    assert "You planned your next meeting with Daniel Mentor" in own.body_text
    assert own.dedupe_key == row.dedupe_key + ":own"


def test_planning_a_time_that_has_passed_points_to_logging(client_for, mentee, mentorship):
    url = reverse("sessions_log:meeting-add", args=[mentorship.pk])

    response = client_for(mentee).post(url, _plan_data(hours_ago(2)))

    assert response.context["form"].errors["starts_at"] == [
        "This time has passed. To record a meeting that has happened, log a past meeting instead."
    ]
    assert not mentorship.meetings.exists()


@pytest.mark.parametrize(
    ("duration", "error"),
    [
        ("10", "A meeting lasts at least 15 minutes."),
        ("481", "A meeting lasts at most 480 minutes (8 hours)."),
        ("an hour", "Enter a whole number of minutes, e.g. 60."),
        ("", "Enter how long the meeting lasts, in minutes."),
    ],
)
def test_duration_bounds_are_errors_beside_the_field_with_input_kept(
    client_for, mentee, mentorship, duration, error
):
    url = reverse("sessions_log:meeting-add", args=[mentorship.pk])
    when = next_week()

    response = client_for(mentee).post(url, _plan_data(when, duration_minutes=duration))

    assert response.status_code == 200
    assert response.context["form"].errors["duration_minutes"] == [error]
    html = response.content.decode()
    assert 'id="error_1_id_duration_minutes"' in html
    assert 'id="error-summary"' in html
    # Everything typed is still there.
    assert f'value="{local_input(when)}"' in html
    assert "https://meet.example.org/maya" in html
    assert "My CV" in html
    if duration:
        assert f'value="{duration}"' in html
    assert not mentorship.meetings.exists()


def test_service_refuses_durations_out_of_bounds(mentorship, mentee):
    for minutes in (14, 481):
        with pytest.raises(SessionsError, match="between 15 minutes and 8 hours"):
            services.plan_meeting(
                mentorship,
                by=mentee,
                starts_at=next_week(),
                time_zone="Europe/London",
                duration_minutes=minutes,
                format="video",
            )


def test_database_refuses_durations_out_of_bounds(mentorship):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        MeetingFactory(mentorship=mentorship, duration_minutes=500)


def test_meeting_before_the_mentorship_began_is_refused(client_for, mentee, mentorship):
    before = mentorship.started_at - timedelta(days=1)
    url = reverse("sessions_log:meeting-log", args=[mentorship.pk])

    response = client_for(mentee).post(url, _held_data(before))

    assert response.status_code == 200
    [error] = response.context["form"].errors["starts_at"]
    assert error.startswith("A meeting cannot be before your mentorship began on")
    assert f'value="{local_input(before)}"' in response.content.decode()


def test_unreadable_date_is_an_error_beside_the_field(client_for, mentee, mentorship):
    url = reverse("sessions_log:meeting-add", args=[mentorship.pk])

    response = client_for(mentee).post(url, _plan_data(next_week(), starts_at="next tuesday"))

    assert response.context["form"].errors["starts_at"] == [
        "Enter a date and time, e.g. 14/03/2026 10:30."
    ]
    assert 'value="next tuesday"' in response.content.decode()


# Changing a planned meeting


def test_moving_a_meeting_bumps_the_sequence_and_emails_the_other(
    client_for, mentee, mentor, planned
):
    later = planned.starts_at + timedelta(days=1)
    url = reverse("sessions_log:meeting-edit", args=[planned.mentorship_id, planned.pk])

    response = client_for(mentor).post(url, _plan_data(later))

    assert response.status_code == 302
    planned.refresh_from_db()
    assert (planned.starts_at, planned.sequence) == (later, 1)
    row = Outbox.objects.get(kind="meeting_changed", to_email=mentee.email)
    assert "has changed your mentoring meeting" in row.body_text
    own = Outbox.objects.get(kind="meeting_changed", to_email=mentor.email)
    assert "You changed your meeting with Maya Mentee" in own.body_text


def test_changing_only_the_agenda_sends_no_email(mentee, planned):
    services.update_meeting(
        planned,
        by=mentee,
        starts_at=planned.starts_at,
        time_zone=planned.time_zone,
        duration_minutes=planned.duration_minutes,
        format=planned.format,
        location=planned.location,
        agenda="A new agenda",
    )

    planned.refresh_from_db()
    assert (planned.agenda, planned.sequence) == ("A new agenda", 1)
    assert not Outbox.objects.filter(kind="meeting_changed").exists()


def test_held_meetings_cannot_be_changed_as_plans(client_for, mentee, held):
    url = reverse("sessions_log:meeting-edit", args=[held.mentorship_id, held.pk])

    response = client_for(mentee).get(url, follow=True)

    assert [str(m) for m in response.context["messages"]] == [
        "Only planned meetings can be changed."
    ]


# Held


def test_mark_held_links_the_objectives_discussed(client_for, mentee, started, objective):
    url = reverse("sessions_log:meeting-held", args=[started.mentorship_id, started.pk])
    when = hours_ago(2)  # they met earlier than planned

    response = client_for(mentee).post(url, _held_data(when, objectives=[objective.pk]))

    assert response.status_code == 302
    started.refresh_from_db()
    assert started.status == Meeting.Status.HELD
    assert (started.starts_at, started.duration_minutes) == (when, 90)
    assert started.summary == "We went through my CV."
    assert started.next_steps == "Maya rewrites the summary."
    assert list(started.objectives.all()) == [objective]
    assert started.sequence == 1


def test_a_held_meeting_cannot_be_in_the_future(client_for, mentee, started):
    url = reverse("sessions_log:meeting-held", args=[started.mentorship_id, started.pk])

    # A time typed by mistake: next week has not happened yet.
    response = client_for(mentee).post(url, _held_data(next_week()))

    assert response.status_code == 200
    assert response.context["form"].errors["starts_at"] == [
        "A meeting that has been held cannot be in the future. Check the date and time."
    ]
    html = response.content.decode()
    assert "We went through my CV." in html
    assert 'id="error_1_id_starts_at"' in html
    started.refresh_from_db()
    assert started.status == Meeting.Status.PLANNED


def test_service_refuses_a_held_meeting_in_the_future(mentee, started):
    with pytest.raises(SessionsError, match="cannot be in the future"):
        services.mark_held(started, by=mentee, starts_at=next_week(), duration_minutes=60)


def test_another_pairs_objective_cannot_be_linked(client_for, mentee, started, other_pair):
    ObjectiveFactory(mentorship=started.mentorship)  # the pair's own, so the list is offered
    url = reverse("sessions_log:meeting-held", args=[started.mentorship_id, started.pk])

    response = client_for(mentee).post(
        url, _held_data(hours_ago(1), objectives=[other_pair["objective"].pk])
    )

    assert response.status_code == 200
    assert "objectives" in response.context["form"].errors
    assert not started.objectives.exists()


def test_another_pairs_objective_is_ignored_when_the_pair_has_none(
    client_for, mentee, started, other_pair
):
    url = reverse("sessions_log:meeting-held", args=[started.mentorship_id, started.pk])

    client_for(mentee).post(url, _held_data(hours_ago(1), objectives=[other_pair["objective"].pk]))

    assert not started.objectives.exists()


def test_a_meeting_not_yet_started_offers_no_mark_held(client_for, mentee, planned, started):
    html = client_for(mentee).get(planned.mentorship.get_absolute_url()).content.decode()

    held = "sessions_log:meeting-held"
    assert reverse(held, args=[planned.mentorship_id, planned.pk]) not in html
    assert reverse(held, args=[started.mentorship_id, started.pk]) in html
    assert "You can mark it held once it has started." in html


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_meeting_not_yet_started_cannot_be_marked_held(client_for, mentee, planned, method):
    """Said before a summary is written: the form is not even shown."""
    url = reverse("sessions_log:meeting-held", args=[planned.mentorship_id, planned.pk])

    response = getattr(client_for(mentee), method)(url, _held_data(hours_ago(1)), follow=True)

    [message] = [str(m) for m in response.context["messages"]]
    assert message.startswith("This meeting has not started yet (it is planned for ")
    assert "You can mark it held once it has started" in message
    planned.refresh_from_db()
    assert planned.status == Meeting.Status.PLANNED


def test_service_refuses_to_mark_a_meeting_not_yet_started_held(mentee, planned):
    with pytest.raises(SessionsError, match="This meeting has not started yet"):
        services.mark_held(planned, by=mentee, starts_at=hours_ago(1), duration_minutes=60)
    planned.refresh_from_db()
    assert planned.status == Meeting.Status.PLANNED


def test_service_refuses_another_pairs_objective(mentee, started, other_pair):
    with pytest.raises(SessionsError, match="only link the objectives of this mentorship"):
        services.mark_held(
            started,
            by=mentee,
            starts_at=hours_ago(1),
            duration_minutes=60,
            objectives=[other_pair["objective"]],
        )


def test_a_cancelled_meeting_cannot_be_marked_held(mentee, mentorship):
    meeting = MeetingFactory(mentorship=mentorship, cancelled=True)

    with pytest.raises(SessionsError, match="was cancelled"):
        services.mark_held(meeting, by=mentee, starts_at=hours_ago(1), duration_minutes=60)


def test_log_a_past_meeting_directly(client_for, mentor, mentorship, objective):
    url = reverse("sessions_log:meeting-log", args=[mentorship.pk])
    when = hours_ago(26)

    response = client_for(mentor).post(
        url,
        _held_data(when, format="in_person", location="Café", objectives=[objective.pk]),
    )

    assert response.status_code == 302
    meeting = mentorship.meetings.get()
    assert (meeting.status, meeting.starts_at, meeting.format) == ("held", when, "in_person")
    assert list(meeting.objectives.all()) == [objective]
    # A record of the past: no invitation, but both get the recap, as for one marked held.
    assert sorted(
        Outbox.objects.filter(kind__startswith="meeting_").values_list("kind", "to_email")
    ) == [("meeting_recap", mentor.email), ("meeting_recap", mentorship.mentee.email)]


def test_the_log_page_lists_objectives_only_when_the_pair_has_some(client_for, mentor, mentorship):
    url = reverse("sessions_log:meeting-log", args=[mentorship.pk])

    assert "Objectives discussed" not in client_for(mentor).get(url).content.decode()

    ObjectiveFactory(mentorship=mentorship, title="Lead a project from start to finish")
    html = client_for(mentor).get(url).content.decode()
    assert "Objectives discussed" in html and "Lead a project from start to finish" in html


def test_the_old_log_address_leads_to_the_log_page(client_for, mentee, mentorship):
    old = reverse("sessions_log:meeting-add", args=[mentorship.pk]) + "?log=1"

    response = client_for(mentee).get(old, follow=True)

    log_url = reverse("sessions_log:meeting-log", args=[mentorship.pk])
    assert response.redirect_chain == [(log_url, 302)]
    assert response.context["heading"] == "Log a past meeting"


def test_the_plan_page_offers_logging_at_its_own_address(client_for, mentee, mentorship):
    response = client_for(mentee).get(reverse("sessions_log:meeting-add", args=[mentorship.pk]))

    log_url = reverse("sessions_log:meeting-log", args=[mentorship.pk])
    assert f'href="{log_url}"' in response.content.decode()
    assert "?log=1" not in response.content.decode()


def test_logging_a_meeting_in_the_future_is_refused(client_for, mentee, mentorship):
    url = reverse("sessions_log:meeting-log", args=[mentorship.pk])

    response = client_for(mentee).post(url, _held_data(next_week(), format="video"))

    assert "cannot be in the future" in response.context["form"].errors["starts_at"][0]


# Cancelling


def test_cancel_emails_the_other_person_and_keeps_the_uid(client_for, mentee, mentor, planned):
    uid = planned.uid
    url = reverse("sessions_log:meeting-cancel", args=[planned.mentorship_id, planned.pk])

    response = client_for(mentor).post(url)

    assert response.status_code == 302
    planned.refresh_from_db()
    assert (planned.status, planned.uid, planned.sequence) == ("cancelled", uid, 1)
    assert planned.cancelled_at is not None
    assert (
        "has cancelled"
        in Outbox.objects.get(kind="meeting_cancelled", to_email=mentee.email).body_text
    )
    own = Outbox.objects.get(kind="meeting_cancelled", to_email=mentor.email)
    assert "You cancelled your meeting with Maya Mentee" in own.body_text


def test_cancelling_twice_changes_nothing_more(mentee, planned):
    services.cancel_meeting(planned, by=mentee)
    services.cancel_meeting(planned, by=mentee)

    planned.refresh_from_db()
    assert planned.sequence == 1
    assert Outbox.objects.filter(kind="meeting_cancelled").count() == 2  # the other, and a copy


def test_a_held_meeting_cannot_be_cancelled(client_for, mentee, held):
    url = reverse("sessions_log:meeting-cancel", args=[held.mentorship_id, held.pk])

    response = client_for(mentee).post(url, follow=True)

    assert [str(m) for m in response.context["messages"]] == [
        "This meeting has been held, so it cannot be cancelled."
    ]
    held.refresh_from_db()
    assert held.status == "held"


def test_meeting_emails_show_the_time_in_the_recipients_zone(mentorship, mentee, mentor):
    mentor.time_zone = "Asia/Tokyo"
    mentor.save(update_fields=["time_zone"])
    year = timezone.now().year + 1
    starts_at = datetime(year, 1, 15, 9, 0, tzinfo=UTC)  # 18:00 in Tokyo

    services.plan_meeting(
        mentorship,
        by=mentee,
        starts_at=starts_at,
        time_zone="Europe/London",
        duration_minutes=60,
        format="phone",
    )

    row = Outbox.objects.get(kind="meeting_planned", to_email=mentor.email)
    assert "15 January, 18:00" in row.subject
    assert "18:00 to 19:00 (Asia/Tokyo)" in row.body_text


def test_a_time_skipped_by_the_clocks_going_forward_is_an_error(client_for, mentee, mentorship):
    # 01:30 on the last Sunday of March does not exist in London.
    year = timezone.now().year + 1
    last_sunday = max(
        datetime(year, 3, day) for day in range(25, 32) if datetime(year, 3, day).weekday() == 6
    )
    url = reverse("sessions_log:meeting-add", args=[mentorship.pk])

    response = client_for(mentee).post(
        url, _plan_data(next_week(), starts_at=f"{last_sunday:%Y-%m-%d}T01:30")
    )

    assert response.status_code == 200
    [error] = response.context["form"].errors["starts_at"]
    assert "Europe/London" in error
    assert not mentorship.meetings.exists()
