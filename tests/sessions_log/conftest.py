from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import MentorshipFactory


@pytest.fixture
def mentorship(mentor, mentee):
    """Daniel mentoring Maya since thirty days ago."""
    return MentorshipFactory(
        mentor=mentor, mentee=mentee, started_at=timezone.now() - timedelta(days=30)
    )


@pytest.fixture
def ended(mentorship):
    mentorship.status = "ended"
    mentorship.ended_at = timezone.now()
    mentorship.ended_by = mentorship.mentee
    mentorship.end_reason = "achieved"
    mentorship.save()
    return mentorship
