"""Staff see mentor profiles that are not listed (awaiting review, hidden) only with two-factor
authentication when the scheme requires it: a staff password alone opens no more than a
participant's."""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from tests.factories import MentorProfileFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True)


@pytest.fixture
def awaiting_review(db):
    return MentorProfileFactory(review_status="submitted")


def test_staff_without_two_factor_get_404_when_it_is_required(
    settings, client_for, staff, awaiting_review
):
    settings.MFA_REQUIRED_FOR_STAFF = True

    response = client_for(staff).get(awaiting_review.get_absolute_url())

    assert response.status_code == 404


def test_staff_without_two_factor_still_see_listed_profiles(settings, client_for, staff):
    settings.MFA_REQUIRED_FOR_STAFF = True
    listed = MentorProfileFactory()

    assert client_for(staff).get(listed.get_absolute_url()).status_code == 200


def test_staff_with_two_factor_see_unlisted_profiles(settings, client_for, staff, awaiting_review):
    settings.MFA_REQUIRED_FOR_STAFF = True
    TOTP.activate(staff, generate_totp_secret())

    assert client_for(staff).get(awaiting_review.get_absolute_url()).status_code == 200


def test_staff_see_unlisted_profiles_when_two_factor_is_switched_off(
    settings, client_for, staff, awaiting_review
):
    settings.MFA_REQUIRED_FOR_STAFF = False

    assert client_for(staff).get(awaiting_review.get_absolute_url()).status_code == 200
