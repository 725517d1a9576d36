"""No admin form edits a state or a counter: those change only through the services, and the
admin shows who reviewed a mentor profile."""

import pytest
from django.contrib import admin
from django.test import RequestFactory

from profiles.models import MentorProfile
from profiles.services import request_changes
from tests.factories import MentorProfileFactory

pytestmark = pytest.mark.django_db

# Statuses, the fields that move with them, and counters kept by the services.
STATE_FIELDS = {
    "status",
    "review_status",
    "achieved_on",
    "mentee_count",
    "reminders_sent",
    "sequence",
    "reminder_emails",
    "meeting_reminder_emails",
    "nudge_emails",
    "request_reminder_emails",
}


def _editable_state_fields(model_admin, request) -> set[str]:
    editable = set()
    for form_admin in [model_admin, *model_admin.get_inline_instances(request)]:
        form = (
            form_admin.get_form(request)
            if form_admin is model_admin
            else form_admin.get_formset(request).form
        )
        editable |= STATE_FIELDS & set(form.base_fields)
    return editable


def test_no_admin_form_edits_a_state_or_counter(admin_user):
    request = RequestFactory().get("/admin/")
    request.user = admin_user

    editable = {
        f"{model._meta.label}.{name}"
        for model, model_admin in admin.site._registry.items()
        for name in _editable_state_fields(model_admin, request)
    }

    # A programme's status (draft, open, closed, archived) is its publication, which the
    # organisation's administrators set here: no service moves it.
    assert editable == {"profiles.Programme.status"}


@pytest.mark.parametrize("label", ["sessions_log.Objective", "sessions_log.Meeting"])
def test_plan_and_meeting_admins_show_status_read_only(admin_user, label):
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    model_admin = next(a for m, a in admin.site._registry.items() if m._meta.label == label)

    assert "status" in model_admin.get_readonly_fields(request)


def test_the_admin_shows_who_reviewed(client_for, admin_user):
    submitted = MentorProfileFactory(review_status=MentorProfile.ReviewStatus.SUBMITTED)
    request_changes(submitted, by=admin_user, message="Please add your job history.")

    response = client_for(admin_user).get(f"/admin/profiles/mentorprofile/{submitted.pk}/change/")

    assert "Reviewed by" in response.text
    assert admin_user.full_name in response.text.split("Reviewed by", 1)[1]
