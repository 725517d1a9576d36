"""Profiles migration 0014: mentors who chose "A single conversation (advice point)" and offered
no advice conversations now offer two a month; every other mentor, and every programme's
engagements, stay as they were. Going back changes nothing."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from matching.models import Engagement
from profiles.models import MeetingFrequency
from tests.factories import MentorProfileFactory, default_programme

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("profiles.migrations.0014_one_off_mentors_offer_advice")


def _advice(profile) -> int:
    profile.refresh_from_db(fields=["advice_per_month"])
    return profile.advice_per_month


def test_one_off_mentors_offer_two_advice_conversations_a_month():
    programme = default_programme()
    one_off = MentorProfileFactory(frequency=MeetingFrequency.ONE_OFF, advice_per_month=0)
    chose_one = MentorProfileFactory(frequency=MeetingFrequency.ONE_OFF, advice_per_month=1)
    monthly = MentorProfileFactory(frequency=MeetingFrequency.MONTHLY, advice_per_month=0)

    MIGRATION.forwards(apps, None)
    MIGRATION.forwards(apps, None)  # run twice: the same

    assert (_advice(one_off), _advice(chose_one), _advice(monthly)) == (2, 1, 0)
    programme.refresh_from_db()
    assert programme.engagement_types == [Engagement.LONG_TERM]
