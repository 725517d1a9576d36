"""The recap email after a meeting is marked held: both people, once per meeting, with the
summary, the next steps and the objectives discussed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mentoring.models import Outbox
from sessions_log import services
from tests.factories import MeetingFactory
from tests.sessions_log.conftest import hours_ago, local_input

pytestmark = pytest.mark.django_db


@pytest.fixture
def planned(mentorship):
    """A meeting Maya planned that started two hours ago (only a started one can be held)."""
    return MeetingFactory(mentorship=mentorship, starts_at=hours_ago(2))


def _mark_held(meeting, by, objectives=()):
    return services.mark_held(
        meeting,
        by=by,
        starts_at=hours_ago(2),
        duration_minutes=45,
        summary="We went through my CV line by line.",
        next_steps="Maya rewrites the summary by Friday.",
        objectives=objectives,
    )


def _recaps():
    return list(Outbox.objects.filter(kind="meeting_recap").order_by("to_email"))


def test_marking_held_sends_the_recap_to_both_with_summary_steps_and_objectives(
    mentor, mentee, planned, objective
):
    _mark_held(planned, mentee, objectives=[objective])

    recaps = _recaps()
    assert [r.to_email for r in recaps] == [mentor.email, mentee.email]
    for row in recaps:
        assert row.subject.startswith("Recap of your meeting with ")
        assert row.dedupe_key == f"meeting-recap:{planned.pk}:{row.recipient_id}"
        for body in (row.body_text, row.body_html):
            assert "We went through my CV line by line." in body
            assert "Maya rewrites the summary by Friday." in body
            assert "Lead a project from start to finish (not started)" in body
            assert f"/mentorships/{planned.mentorship_id}/#meeting-{planned.pk}" in body
    to_mentor = next(r for r in recaps if r.to_email == mentor.email)
    assert "Recap of your meeting with Maya Mentee" in to_mentor.subject
    assert "Maya Mentee marked your meeting as held." in to_mentor.body_text
    to_mentee = next(r for r in recaps if r.to_email == mentee.email)
    assert "You marked your meeting with Daniel Mentor as held" in to_mentee.body_text


def test_correcting_a_held_meeting_sends_no_second_recap(mentee, mentor, planned):
    _mark_held(planned, mentee)
    planned.refresh_from_db()
    _mark_held(planned, mentor)

    assert len(_recaps()) == 2


def test_the_recap_leaves_out_a_deactivated_person(mentor, mentee, planned):
    mentor.is_active = False
    mentor.save(update_fields=["is_active"])

    _mark_held(planned, mentee)

    assert [r.to_email for r in _recaps()] == [mentee.email]


def test_a_refused_held_mark_sends_no_recap(mentee, planned):
    planned.status = "cancelled"
    planned.cancelled_at = hours_ago(1)
    planned.save()

    with pytest.raises(services.SessionsError):
        _mark_held(planned, mentee)

    assert _recaps() == []


def test_marking_held_through_the_page_queues_the_recaps(client_for, mentee, planned):
    url = reverse("sessions_log:meeting-held", args=[planned.mentorship_id, planned.pk])
    data = {
        "starts_at": local_input(hours_ago(2)),
        "duration_minutes": 60,
        "summary": "Talked through the offer.",
        "next_steps": "",
    }

    response = client_for(mentee).post(url, data)

    assert response.status_code == 302
    assert len(_recaps()) == 2
    assert "None were written." in _recaps()[0].body_text


def test_the_recap_has_a_staff_preview(client_for, admin_user):
    page = client_for(admin_user).get(reverse("admin-email-previews"), {"kind": "meeting_recap"})

    assert page.status_code == 200
    assert "Rewrite the CV around achievements" in page.context["email"].body_text


def test_a_meeting_logged_after_the_fact_sends_the_recap_to_both_once(
    mentor, mentee, mentorship, objective
):
    meeting = services.log_meeting(
        mentorship,
        by=mentor,
        starts_at=hours_ago(26),
        time_zone="Europe/London",
        duration_minutes=30,
        format="video",
        summary="We talked through the interview.",
        next_steps="Send the thank-you note.",
        objectives=[objective],
    )
    # A later correction of the record sends nothing new.
    _mark_held(meeting, mentor, objectives=[objective])

    recaps = _recaps()
    assert [r.to_email for r in recaps] == [mentor.email, mentee.email]
    for row in recaps:
        assert row.dedupe_key == f"meeting-recap:{meeting.pk}:{row.recipient_id}"
        assert "Lead a project from start to finish" in row.body_text
    to_mentee = next(r for r in recaps if r.to_email == mentee.email)
    assert "We talked through the interview." in to_mentee.body_text
    assert "Send the thank-you note." in to_mentee.body_text
