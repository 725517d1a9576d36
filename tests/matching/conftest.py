from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from mentoring.tasks import sweep
from tests.factories import (
    MentorshipFactory,
    MentorshipRequestFactory,
)

MESSAGE = (
    "I hope to move from audit into corporate finance this year. Your move from Deloitte to "
    "Harbour Bank is exactly the step I am planning. Could we meet once a month by video?"
)


@pytest.fixture
def after_the_hold(time_machine, settings):
    """Let the hold on mentors' "new request" emails pass, then run the outbox sweep that sends
    what is due. Returns how many emails the sweep sent on."""

    def run() -> int:
        hold = timedelta(minutes=settings.REQUEST_EMAIL_HOLD_MINUTES)
        time_machine.move_to(timezone.now() + hold, tick=False)
        return sweep()

    return run


@pytest.fixture
def pending(mentee_profile, mentor_profile):
    """Maya's request to Daniel, waiting for his answer."""
    return MentorshipRequestFactory(mentee=mentee_profile.user, mentor=mentor_profile.user)


@pytest.fixture
def mentorship(mentee_profile, mentor_profile):
    """Daniel mentoring Maya."""
    return MentorshipFactory(mentee=mentee_profile.user, mentor=mentor_profile.user)
