"""Migration 0014: the scheme's closes recorded as withdrawals become "closed" with their
reason; going back turns only those two reasons into withdrawals again, never a close made
later for another reason (the mentor went away or hid)."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.utils import timezone

from matching.models import MentorshipRequest, StatusChange
from tests.factories import MentorshipRequestFactory

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("matching.migrations.0014_scheme_closes_are_closed")
Status = MentorshipRequest.Status


def _withdrawn_by_scheme(note: str) -> MentorshipRequest:
    req = MentorshipRequestFactory(
        status=Status.WITHDRAWN, withdrawn_at=timezone.now(), closing_note=note
    )
    StatusChange.objects.create(request=req, to_status="withdrawn", actor=None, note=note)
    return req


def _closed(reason: str) -> MentorshipRequest:
    req = MentorshipRequestFactory(
        status=Status.CLOSED, closed_at=timezone.now(), close_reason=reason, closing_note="Away"
    )
    StatusChange.objects.create(request=req, to_status="closed", actor=None, note="Away")
    return req


def _state(req: MentorshipRequest) -> tuple[str, str, list[str]]:
    req.refresh_from_db()
    changes = list(StatusChange.objects.filter(request=req).values_list("to_status", flat=True))
    return req.status, req.close_reason, changes


def test_forwards_then_backwards_touches_only_the_two_reasons_it_made():
    matched = _withdrawn_by_scheme(MIGRATION.MATCHED_NOTE)
    left = _withdrawn_by_scheme("Dan has stepped back from mentoring in Careers.")
    by_mentee = MentorshipRequestFactory(status=Status.WITHDRAWN, withdrawn_at=timezone.now())
    away, hidden = _closed("mentor_away"), _closed("mentor_hidden")

    MIGRATION.forwards(apps, None)

    assert _state(matched) == ("closed", "matched_elsewhere", ["closed"])
    assert _state(left) == ("closed", "mentor_left", ["closed"])
    assert _state(by_mentee)[:2] == ("withdrawn", "")

    MIGRATION.backwards(apps, None)

    assert _state(matched) == ("withdrawn", "", ["withdrawn"])
    assert _state(left) == ("withdrawn", "", ["withdrawn"])
    assert _state(away) == ("closed", "mentor_away", ["closed"])
    assert _state(hidden) == ("closed", "mentor_hidden", ["closed"])
    away.refresh_from_db()
    assert away.closed_at is not None and away.withdrawn_at is None
