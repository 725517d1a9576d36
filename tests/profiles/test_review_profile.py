"""A review records who did it."""

from __future__ import annotations

import pytest

from profiles.models import MentorProfile
from profiles.services import approve_profile, request_changes
from tests.factories import MentorProfileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted():
    return MentorProfileFactory(review_status=MentorProfile.ReviewStatus.SUBMITTED)


def test_approval_records_the_reviewer(submitted, admin_user):
    approve_profile(submitted, by=admin_user)

    submitted.refresh_from_db()
    assert submitted.reviewed_by == admin_user


def test_asking_for_changes_records_the_reviewer(submitted, admin_user):
    request_changes(submitted, by=admin_user, message="Please add your job history.")

    submitted.refresh_from_db()
    assert submitted.reviewed_by == admin_user
