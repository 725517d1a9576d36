from __future__ import annotations

import pytest

from tests.factories import (
    MenteeProfileFactory,
    MentorProfileFactory,
    MentorshipFactory,
    MentorshipRequestFactory,
)

MESSAGE = (
    "I hope to move from audit into corporate finance this year. Your move from Deloitte to "
    "Harbour Bank is exactly the step I am planning. Could we meet once a month by video?"
)


@pytest.fixture
def mentor_profile(mentor):
    return MentorProfileFactory(user=mentor, capacity=2)


@pytest.fixture
def mentee_profile(mentee):
    return MenteeProfileFactory(
        user=mentee, role="BSc Economics", stage="Final year", goals="A graduate job in finance."
    )


@pytest.fixture
def pending(mentee_profile, mentor_profile):
    """Maya's request to Daniel, waiting for his answer."""
    return MentorshipRequestFactory(mentee=mentee_profile.user, mentor=mentor_profile.user)


@pytest.fixture
def mentorship(mentee_profile, mentor_profile):
    """Daniel mentoring Maya."""
    return MentorshipFactory(mentee=mentee_profile.user, mentor=mentor_profile.user)
