"""The main admin lists cost the same few queries with 1 row or 30 (and so with 100,000: the
count is bounded, see mentoring.admin_utils; bench/admin_queries.py measures the real thing)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    CheckInFactory,
    MeetingFactory,
    MenteeProfileFactory,
    MentorProfileFactory,
    MentorshipFactory,
    MentorshipRequestFactory,
)

pytestmark = pytest.mark.django_db

MAX_QUERIES = 10


def _old(days: int):
    return timezone.now() - timedelta(days=days)


def _request():
    MentorshipRequestFactory(created_at=_old(9))


def _mentorship():
    pair = MentorshipFactory(started_at=_old(90), created_by=None)
    MeetingFactory(mentorship=pair, held=True, starts_at=_old(70))


def _mentor():
    MentorProfileFactory(review_status="submitted", submitted_at=_old(2))


def _mentee():
    profile = MenteeProfileFactory()
    profile.created_at = _old(60)
    profile.save(update_fields=["created_at"])


def _check_in():
    CheckInFactory(answered_at=_old(1), rating=1)


LISTS = [
    ("matching_mentorshiprequest", _request, {"attention": "waiting"}),
    ("matching_mentorship", _mentorship, {"attention": "no_meeting"}),
    ("profiles_mentorprofile", _mentor, {"review": "queue"}),
    ("profiles_menteeprofile", _mentee, {"attention": "unmatched"}),
    ("sessions_log_checkin", _check_in, {"attention": "recent"}),
]


def _queries(client, url: str, params: dict) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries), len(response.context["cl"].result_list)


@pytest.mark.parametrize("filtered", [False, True], ids=["all", "needs-attention"])
@pytest.mark.parametrize(("changelist", "make", "params"), LISTS, ids=[c for c, _, _ in LISTS])
def test_a_list_costs_the_same_queries_for_1_or_30_rows(
    client_for, admin_user, changelist, make, params, filtered
):
    client = client_for(admin_user)
    url = reverse(f"admin:{changelist}_changelist")
    params = params if filtered else {}
    client.get(url, params)  # the scheme settings are cached from here on, as in production
    make()
    one, one_rows = _queries(client, url, params)
    for _ in range(29):
        make()
    thirty, thirty_rows = _queries(client, url, params)

    assert one_rows == 1
    assert thirty_rows == 30
    assert one == thirty <= MAX_QUERIES
