from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sessions_log import services
from sessions_log.models import Objective, ObjectiveUpdate
from sessions_log.services import SessionsError
from tests.factories import ObjectiveFactory

pytestmark = pytest.mark.django_db


def _titles(mentorship) -> list[str]:
    return list(mentorship.objectives.order_by("position", "pk").values_list("title", flat=True))


# Adding and editing


def test_either_person_adds_objectives_to_the_end_of_the_plan(mentorship, mentor, mentee):
    services.add_objective(mentorship, by=mentee, title="  Lead a project  ")
    services.add_objective(mentorship, by=mentor, title="Present to the board", success="Done")

    assert _titles(mentorship) == ["Lead a project", "Present to the board"]
    second = mentorship.objectives.get(title="Present to the board")
    assert second.created_by == mentor
    assert second.status == Objective.Status.NOT_STARTED


def test_add_view_creates_the_objective_and_returns_to_the_plan(client_for, mentee, mentorship):
    target = timezone.localdate() + timedelta(days=90)
    url = reverse("sessions_log:objective-add", args=[mentorship.pk])

    response = client_for(mentee).post(
        url,
        {"title": "Become a team leader", "success": "Appointed", "target_date": target},
    )

    assert response.status_code == 302
    assert response["Location"] == f"{mentorship.get_absolute_url()}#objectives"
    objective = mentorship.objectives.get()
    assert (objective.title, objective.success, objective.target_date) == (
        "Become a team leader",
        "Appointed",
        target,
    )


def test_empty_title_is_an_error_beside_the_field(client_for, mentee, mentorship):
    url = reverse("sessions_log:objective-add", args=[mentorship.pk])

    response = client_for(mentee).post(url, {"title": "   ", "success": "Kept text"})

    assert response.status_code == 200
    assert "title" in response.context["form"].errors
    html = response.content.decode()
    assert 'id="error-summary"' in html
    assert 'id="error_1_id_title"' in html
    assert "Kept text" in html
    assert not mentorship.objectives.exists()


def test_target_date_before_the_start_is_refused_with_input_kept(client_for, mentee, mentorship):
    before = timezone.localdate(mentorship.started_at) - timedelta(days=1)
    url = reverse("sessions_log:objective-add", args=[mentorship.pk])

    response = client_for(mentee).post(url, {"title": "Lead", "target_date": before.isoformat()})

    assert response.status_code == 200
    errors = response.context["form"].errors["target_date"]
    assert errors == [
        f"The target date cannot be before your mentorship began on "
        f"{timezone.localdate(mentorship.started_at):%-d %B %Y}."
    ]
    html = response.content.decode()
    assert f'value="{before.isoformat()}"' in html
    assert 'id="error_1_id_target_date"' in html


def test_service_refuses_a_target_date_before_the_start(mentorship, mentee):
    before = timezone.localdate(mentorship.started_at) - timedelta(days=1)

    with pytest.raises(SessionsError, match="before the mentorship began"):
        services.add_objective(mentorship, by=mentee, title="Lead", target_date=before)


def test_edit_changes_the_wording_not_the_status(client_for, mentor, objective):
    url = reverse("sessions_log:objective-edit", args=[objective.mentorship_id, objective.pk])

    response = client_for(mentor).post(url, {"title": "Lead two projects", "success": "Both"})

    assert response.status_code == 302
    objective.refresh_from_db()
    assert (objective.title, objective.success, objective.status) == (
        "Lead two projects",
        "Both",
        "not_started",
    )
    assert not objective.updates.exists()


def test_edit_form_shows_the_current_values(client_for, mentee, objective):
    url = reverse("sessions_log:objective-edit", args=[objective.mentorship_id, objective.pk])

    html = client_for(mentee).get(url).content.decode()

    assert 'value="Lead a project from start to finish"' in html


# Progress: status and notes


def test_update_records_status_and_a_dated_note(mentorship, mentee, objective):
    services.update_objective(objective, by=mentee, status="in_progress", note="Kick-off done")

    objective.refresh_from_db()
    assert objective.status == "in_progress"
    update = objective.updates.get()
    assert (update.author, update.status, update.note) == (mentee, "in_progress", "Kick-off done")
    assert update.created_at is not None


def test_a_note_alone_keeps_the_status(mentee, objective):
    services.update_objective(objective, by=mentee, status="not_started", note="Thinking")

    update = objective.updates.get()
    assert (update.status, update.note) == ("", "Thinking")


def test_achieved_sets_today_as_the_achieved_date_by_default(mentee, objective):
    services.update_objective(objective, by=mentee, status="achieved")

    objective.refresh_from_db()
    assert objective.achieved_on == timezone.localdate()


def test_leaving_achieved_clears_the_achieved_date(mentee, objective):
    services.update_objective(objective, by=mentee, status="achieved")
    services.update_objective(objective, by=mentee, status="in_progress", note="Not quite")

    objective.refresh_from_db()
    assert (objective.status, objective.achieved_on) == ("in_progress", None)


def test_nothing_to_record_is_refused(mentee, objective):
    with pytest.raises(SessionsError, match="Nothing to record"):
        services.update_objective(objective, by=mentee, status="not_started", note="  ")


def test_a_double_click_records_one_update(mentee, objective):
    services.update_objective(objective, by=mentee, status="in_progress", note="Started")
    services.update_objective(objective, by=mentee, status="in_progress", note="Started")

    assert objective.updates.count() == 1


def test_update_form_asks_for_a_note_when_nothing_changed(client_for, mentee, objective):
    url = reverse("sessions_log:objective-update", args=[objective.mentorship_id, objective.pk])

    response = client_for(mentee).post(url, {"status": "not_started", "note": ""})

    assert response.status_code == 200
    assert response.context["form"].errors["note"] == [
        "Write a progress note, or choose a new status."
    ]


def test_achieved_date_in_the_future_is_an_error_beside_the_field(client_for, mentee, objective):
    tomorrow = timezone.localdate() + timedelta(days=1)
    url = reverse("sessions_log:objective-update", args=[objective.mentorship_id, objective.pk])

    response = client_for(mentee).post(
        url, {"status": "achieved", "achieved_on": tomorrow.isoformat(), "note": "Kept note"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["achieved_on"] == [
        "The date it was achieved cannot be in the future."
    ]
    html = response.content.decode()
    assert "Kept note" in html
    assert f'value="{tomorrow.isoformat()}"' in html
    objective.refresh_from_db()
    assert objective.status == "not_started"


def test_achieved_date_before_the_start_is_refused(client_for, mentee, objective):
    before = timezone.localdate(objective.mentorship.started_at) - timedelta(days=2)
    url = reverse("sessions_log:objective-update", args=[objective.mentorship_id, objective.pk])

    response = client_for(mentee).post(
        url, {"status": "achieved", "achieved_on": before.isoformat()}
    )

    assert "before your mentorship began" in response.context["form"].errors["achieved_on"][0]


def test_update_view_marks_achieved_with_a_date(client_for, mentor, objective):
    day = timezone.localdate() - timedelta(days=2)
    url = reverse("sessions_log:objective-update", args=[objective.mentorship_id, objective.pk])

    response = client_for(mentor).post(
        url, {"status": "achieved", "achieved_on": day.isoformat(), "note": "Promoted!"}
    )

    assert response.status_code == 302
    objective.refresh_from_db()
    assert (objective.status, objective.achieved_on) == ("achieved", day)
    assert ObjectiveUpdate.objects.get(objective=objective).note == "Promoted!"


# Reordering


def test_move_up_and_down_reorders_the_plan(mentorship, mentee):
    first, second, third = (
        ObjectiveFactory(mentorship=mentorship, title=t) for t in ("One", "Two", "Three")
    )

    services.move_objective(third, by=mentee, direction="up")
    assert _titles(mentorship) == ["One", "Three", "Two"]

    services.move_objective(first, by=mentee, direction="down")
    assert _titles(mentorship) == ["Three", "One", "Two"]


def test_moving_the_first_up_changes_nothing(mentorship, mentee):
    first = ObjectiveFactory(mentorship=mentorship, title="One")
    ObjectiveFactory(mentorship=mentorship, title="Two")

    services.move_objective(first, by=mentee, direction="up")

    assert _titles(mentorship) == ["One", "Two"]


def test_move_view_reorders_without_javascript(client_for, mentor, mentorship):
    ObjectiveFactory(mentorship=mentorship, title="One")
    two = ObjectiveFactory(mentorship=mentorship, title="Two")
    url = reverse("sessions_log:objective-move", args=[mentorship.pk, two.pk])

    response = client_for(mentor).post(url, {"direction": "up"})

    assert response.status_code == 302
    assert _titles(mentorship) == ["Two", "One"]


def test_move_with_a_bad_direction_is_refused_with_a_message(client_for, mentor, objective):
    url = reverse("sessions_log:objective-move", args=[objective.mentorship_id, objective.pk])

    response = client_for(mentor).post(url, {"direction": "sideways"}, follow=True)

    assert [str(m) for m in response.context["messages"]] == [
        "Choose to move the objective up or down."
    ]


def test_only_the_pair_may_change_objectives(mentorship, stranger, objective):
    with pytest.raises(SessionsError, match="Only the mentor and the mentee"):
        services.update_objective(objective, by=stranger, status="achieved")
