"""An ended mentorship's space is read-only, and stays visible to both."""

from __future__ import annotations

import pytest
from django.urls import reverse

from matching import services as matching_services
from matching.models import Mentorship
from matching.signals import mentorship_ended
from sessions_log import services
from sessions_log.models import Meeting
from sessions_log.services import SessionsError
from sessions_log.signals import cancel_planned_meetings
from tests.factories import (
    MeetingFactory,
    MentorProfileFactory,
    MentorshipFactory,
    ObjectiveFactory,
)
from tests.sessions_log.conftest import hours_ago, local_input, next_week
from tests.support import text_of

pytestmark = pytest.mark.django_db

READ_ONLY = "This mentorship has ended, so its objectives and meetings can no longer be changed."


@pytest.fixture
def history(ended):
    objective = ObjectiveFactory(mentorship=ended, title="Become a team leader")
    held = MeetingFactory(mentorship=ended, held=True, summary="Our last meeting.")
    held.objectives.add(objective)
    planned = MeetingFactory(mentorship=ended, starts_at=next_week())
    return {"objective": objective, "held": held, "planned": planned}


@pytest.mark.parametrize("person", ["mentee", "mentor"])
def test_both_still_see_the_space(client_for, ended, history, person, request):
    response = client_for(request.getfixturevalue(person)).get(ended.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert "This mentorship has ended. Its plan and meetings stay here" in html
    assert "Become a team leader" in html
    assert "Our last meeting." in html
    # No way to change anything is offered.
    assert reverse("sessions_log:objective-add", args=[ended.pk]) not in html
    assert reverse("sessions_log:meeting-add", args=[ended.pk]) not in html
    assert reverse("sessions_log:meeting-log", args=[ended.pk]) not in html
    assert "/move/" not in html
    assert "/cancel/" not in html


def _changes(ended, history) -> list[tuple[str, dict]]:
    pair, objective = ended.pk, history["objective"].pk
    planned, held = history["planned"].pk, history["held"].pk
    return [
        (reverse("sessions_log:objective-add", args=[pair]), {"title": "New"}),
        (reverse("sessions_log:objective-edit", args=[pair, objective]), {"title": "Changed"}),
        (
            reverse("sessions_log:objective-update", args=[pair, objective]),
            {"status": "achieved"},
        ),
        (reverse("sessions_log:objective-move", args=[pair, objective]), {"direction": "down"}),
        (
            reverse("sessions_log:meeting-add", args=[pair]),
            {"starts_at": local_input(next_week()), "duration_minutes": "60", "format": "video"},
        ),
        (
            reverse("sessions_log:meeting-log", args=[pair]),
            {"starts_at": local_input(hours_ago(2)), "duration_minutes": "60", "format": "video"},
        ),
        (
            reverse("sessions_log:meeting-edit", args=[pair, planned]),
            {"starts_at": local_input(next_week()), "duration_minutes": "30", "format": "video"},
        ),
        (
            reverse("sessions_log:meeting-held", args=[pair, planned]),
            {"starts_at": local_input(hours_ago(1)), "duration_minutes": "60"},
        ),
        (reverse("sessions_log:meeting-cancel", args=[pair, planned]), {}),
        (reverse("sessions_log:meeting-note", args=[pair, held]), {"text": "Too late"}),
    ]


def test_every_change_is_refused_with_a_message(client_for, mentee, ended, history):
    client = client_for(mentee)

    for url, data in _changes(ended, history):
        response = client.post(url, data, follow=True)

        assert response.redirect_chain[-1][0].startswith(ended.get_absolute_url()), url
        messages = [str(m) for m in response.context["messages"]]
        assert any("ended" in m for m in messages), (url, messages)

    objective, planned = history["objective"], history["planned"]
    objective.refresh_from_db()
    planned.refresh_from_db()
    assert (objective.title, objective.status) == ("Become a team leader", "not_started")
    assert (planned.status, planned.duration_minutes, planned.sequence) == ("planned", 60, 0)
    assert ended.objectives.count() == 1
    assert ended.meetings.count() == 2
    assert not history["held"].private_notes.exists()


def test_form_pages_send_you_back_with_the_reason(client_for, mentor, ended, history):
    url = reverse("sessions_log:objective-add", args=[ended.pk])

    response = client_for(mentor).get(url, follow=True)

    assert [str(m) for m in response.context["messages"]] == [READ_ONLY]


def test_services_refuse_changes_to_an_ended_mentorship(mentee, ended, history):
    with pytest.raises(SessionsError, match="has ended"):
        services.add_objective(ended, by=mentee, title="Late")
    with pytest.raises(SessionsError, match="has ended"):
        services.cancel_meeting(history["planned"], by=mentee)
    with pytest.raises(SessionsError, match="has ended"):
        services.save_private_note(history["held"], by=mentee, text="Late")


def test_calendar_file_of_an_ended_mentorships_meeting_still_downloads(
    client_for, mentee, ended, history
):
    url = reverse("sessions_log:meeting-ics", args=[ended.pk, history["held"].pk])

    assert client_for(mentee).get(url).status_code == 200


@pytest.fixture
def pair(mentor, mentee):
    """Daniel, a listed mentor, mentoring Maya since thirty days ago."""
    MentorProfileFactory(user=mentor, capacity=2)
    return MentorshipFactory(mentor=mentor, mentee=mentee, started_at=hours_ago(24 * 30))


def _end(mentorship, by):
    return matching_services.end_mentorship(mentorship, by=by, reason="achieved")


def test_ending_the_pair_cancels_its_planned_meetings_and_no_other(pair, mentee):
    planned = MeetingFactory(mentorship=pair, starts_at=next_week())
    held = MeetingFactory(mentorship=pair, starts_at=hours_ago(48), held=True)
    elsewhere = MeetingFactory(starts_at=next_week())

    _end(pair, mentee)

    for meeting in (planned, held, elsewhere):
        meeting.refresh_from_db()
    assert (planned.status, planned.sequence) == (Meeting.Status.CANCELLED, 1)
    assert planned.cancelled_at == Mentorship.objects.get(pk=pair.pk).ended_at
    assert held.status == Meeting.Status.HELD
    assert elsewhere.status == Meeting.Status.PLANNED


def test_the_cancelling_rolls_back_with_an_ending_that_fails(pair, mentee, monkeypatch):
    """The receiver runs inside end_mentorship's transaction: if the ending fails after it (here
    its email cannot be queued), the meetings are planned as before."""
    planned = MeetingFactory(mentorship=pair, starts_at=next_week())

    def fail(mentorship, **kwargs):
        raise RuntimeError("the outbox is unavailable")

    monkeypatch.setattr(matching_services.emails, "mentorship_ended", fail)
    with pytest.raises(RuntimeError):
        _end(pair, mentee)

    planned.refresh_from_db()
    assert planned.status == Meeting.Status.PLANNED
    assert Mentorship.objects.get(pk=pair.pk).status == Mentorship.Status.ACTIVE


def test_matching_leaves_the_meetings_to_the_sessions_log(pair, mentee):
    """Without the sessions log's receiver, ending a pair writes no meeting: matching only
    sends `mentorship_ended`."""
    planned = MeetingFactory(mentorship=pair, starts_at=next_week())
    uid = "sessions_log-cancel-planned-meetings"
    assert mentorship_ended.disconnect(dispatch_uid=uid)
    try:
        _end(pair, mentee)
    finally:
        mentorship_ended.connect(cancel_planned_meetings, dispatch_uid=uid)

    planned.refresh_from_db()
    assert planned.status == Meeting.Status.PLANNED


def test_an_ended_mentorship_offers_no_end_form(
    client_for, mentee_profile, mentor_profile, mentorship, mentee
):
    client_for(mentee).post(
        reverse("sessions_log:mentorship-end", args=[mentorship.pk]), {"reason": "achieved"}
    )

    response = client_for(mentee).get(mentorship.get_absolute_url())

    html = text_of(response)
    assert "ended" in html
    assert reverse("sessions_log:mentorship-end", args=[mentorship.pk]) not in html
