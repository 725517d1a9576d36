"""A programme's rules: where a new one starts from, and what its form refuses."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from profiles.models import Programme

pytestmark = pytest.mark.django_db


def test_a_new_programme_starts_from_the_scheme_settings_and_environment(set_scheme, settings):
    set_scheme(default_capacity=3, request_expiry_days=21, training_required=True)
    settings.SCHEME_MAX_ACTIVE_MENTORSHIPS = 2
    settings.SCHEME_MENTOR_APPROVAL_REQUIRED = False

    programme = Programme.from_defaults(name="Staff", slug="staff", max_pending_requests=5)

    assert programme.default_capacity == 3
    assert programme.request_expiry_days == 21
    assert programme.mentor_training_required is True
    assert programme.max_active_mentorships == 2
    assert programme.mentor_approval_required is False
    assert programme.max_pending_requests == 5  # what the caller gave wins


def test_domains_are_kept_in_one_form():
    programme = Programme.from_defaults(
        name="Staff",
        slug="staff",
        summary="For staff.",
        mentor_email_domains=[" @Uni.Example ", "uni.example", ""],
    )

    programme.full_clean()

    assert programme.mentor_email_domains == ["uni.example"]
    assert programme.accepts_email("ann@staff.uni.example", "mentor")
    assert not programme.accepts_email("ann@notuni.example", "mentor")
    assert programme.accepts_email("anyone@gmail.example", "mentee")  # no domains: open


def test_reminders_must_come_before_expiry():
    programme = Programme.from_defaults(
        name="Staff", slug="staff", summary="For staff.", request_second_reminder_days=20
    )

    with pytest.raises(ValidationError) as exc:
        programme.full_clean()

    assert "first reminder < second reminder < expiry" in str(exc.value)
