"""Changes staff make in the admin go through the same services as everywhere else: hiding a
mentor closes their waiting requests kindly, the older rule's training date lists a mentor where
no approval is needed, and a corrected training record keeps its expiry and the profile's date
right."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from matching.models import MentorshipRequest
from mentoring.models import Outbox
from profiles.models import Membership, MentorProfile, Training, TrainingRecord
from profiles.training import record_completion
from tests.admin.test_programme_admin import _form_data
from tests.factories import (
    MenteeProfileFactory,
    MentorProfileFactory,
    MentorshipRequestFactory,
    ProgrammeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _change(client, profile: MentorProfile, **changes):
    url = reverse("admin:profiles_mentorprofile_change", args=[profile.pk])
    data = {**_form_data(client.get(url)), **changes}
    return client.post(url, data)


def test_hiding_a_mentor_in_the_admin_closes_their_waiting_requests(client_for, admin_user):
    profile = MentorProfileFactory(user__full_name="Dan Mentor")
    waiting = MentorshipRequestFactory(mentor=profile.user, mentee=MenteeProfileFactory().user)
    client = client_for(admin_user)
    url = reverse("admin:profiles_mentorprofile_change", args=[profile.pk])
    data = _form_data(client.get(url))
    data.pop("is_active")  # an unticked checkbox is not sent

    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    profile.refresh_from_db()
    waiting.refresh_from_db()
    assert not profile.is_active and not profile.is_listed
    assert (waiting.status, waiting.close_reason) == (
        MentorshipRequest.Status.CLOSED,
        "mentor_hidden",
    )
    assert Outbox.objects.filter(kind="request_closed_mentor_hidden").count() == 1


def test_saving_the_admin_form_unchanged_closes_nothing(client_for, admin_user):
    profile = MentorProfileFactory()
    waiting = MentorshipRequestFactory(mentor=profile.user, mentee=MenteeProfileFactory().user)

    response = _change(client_for(admin_user), profile, job_title="Head of Finance")

    assert response.status_code == 302
    waiting.refresh_from_db()
    profile.refresh_from_db()
    assert waiting.is_pending and profile.is_active and profile.job_title == "Head of Finance"


def test_the_training_date_on_the_profile_lists_a_mentor_where_no_approval_is_needed(
    client_for, admin_user
):
    advice = ProgrammeFactory(
        name="Advice point",
        mentor_approval_required=False,
        mentor_training_required=True,
    )
    profile = MentorProfileFactory(programmes=[], training_completed_on=None)
    membership = Membership.objects.create(
        user=profile.user,
        programme=advice,
        role=Membership.Role.MENTOR,
        status=Membership.Status.PENDING,
    )

    response = _change(
        client_for(admin_user), profile, training_completed_on=timezone.localdate().isoformat()
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    membership.refresh_from_db()
    assert membership.status == Membership.Status.APPROVED


def test_correcting_a_training_record_to_an_earlier_date_goes_through_the_service(
    client_for, admin_user, time_machine
):
    time_machine.move_to(date(2026, 1, 12))
    programme = ProgrammeFactory(name="Staff mentoring")
    briefing = Training.objects.create(
        programme=programme, name="Mentor briefing", audience="mentors", valid_months=12
    )
    profile = MentorProfileFactory(programmes=[programme], user=UserFactory(full_name="Ann Jones"))
    record = record_completion(profile.user, briefing, date(2026, 1, 10))
    TrainingRecord.objects.filter(pk=record.pk).update(expiry_reminded_at=timezone.now())
    client = client_for(admin_user)
    url = reverse("admin:profiles_trainingrecord_change", args=[record.pk])

    response = client.post(url, {"completed_on": "2025-12-01"})

    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.completed_on, record.expires_on) == (date(2025, 12, 1), date(2026, 12, 1))
    assert record.recorded_by == admin_user and record.expiry_reminded_at is None
    profile.refresh_from_db()
    assert profile.training_completed_on == date(2025, 12, 1)
    # Saving it again unchanged is harmless.
    client.post(url, {"completed_on": "2025-12-01"})
    record.refresh_from_db()
    assert record.completed_on == date(2025, 12, 1)
