"""The migration to programmes: an installation's existing people, requests and pairs move into
one programme made from the scheme's settings; an empty installation gets no programme."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group

from matching.models import Mentorship, MentorshipRequest
from profiles.models import Membership, MentorProfile, Programme
from tests.factories import (
    MenteeProfileFactory,
    MentorProfileFactory,
    MentorshipFactory,
    MentorshipRequestFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("matching.migrations.0010_existing_data_into_one_programme")


def _as_before_programmes():
    """The rows as they were before programmes: no memberships, no listing per programme (the
    requests and pairs keep the factories' programme: the migration moves every one)."""
    Membership.objects.all().delete()
    MentorProfile.objects.update(programme_ids=[])


def test_an_empty_installation_gets_no_programme():
    MIGRATION.forwards(apps, None)

    assert not Programme.objects.exists()


def test_existing_people_and_their_history_move_into_one_programme(set_scheme, settings):
    set_scheme(max_pending_requests=5, request_expiry_days=21, training_required=True)
    settings.SCHEME_MAX_ACTIVE_MENTORSHIPS = 2
    approved = MentorProfileFactory()
    waiting = MentorProfileFactory(review_status="submitted")
    mentee = MenteeProfileFactory()
    req = MentorshipRequestFactory(mentee=mentee.user, mentor=approved.user)
    pair = MentorshipFactory(mentee=mentee.user, mentor=approved.user)
    coordinator = UserFactory(is_staff=True)
    Group.objects.get(name="Scheme coordinator").user_set.add(coordinator)
    _as_before_programmes()

    MIGRATION.forwards(apps, None)

    programme = Programme.objects.get(slug="mentoring-scheme")
    assert (programme.name, programme.slug) == ("Mentoring Scheme", "mentoring-scheme")
    assert programme.max_pending_requests == 5
    assert programme.request_expiry_days == 21
    assert programme.mentor_training_required is True
    assert programme.max_active_mentorships == 2
    assert list(programme.coordinators.all()) == [coordinator]
    memberships = {
        (m.user_id, m.role): m.status for m in Membership.objects.filter(programme=programme)
    }
    assert memberships == {
        (approved.user_id, "mentor"): "approved",
        (waiting.user_id, "mentor"): "pending",
        (mentee.user_id, "mentee"): "approved",
    }
    assert set(MentorshipRequest.objects.values_list("programme", flat=True)) == {programme.pk}
    assert set(Mentorship.objects.values_list("programme", flat=True)) == {programme.pk}
    assert (req.pk, pair.pk) == (MentorshipRequest.objects.get().pk, Mentorship.objects.get().pk)
    approved.refresh_from_db()
    assert approved.programme_ids == [programme.pk]
