from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from matching.jobs import expire_requests
from matching.models import MentorshipRequest
from mentoring import wording
from mentoring.models import Outbox
from tests.factories import MenteeProfileFactory, MentorProfileFactory, MentorshipRequestFactory

pytestmark = pytest.mark.django_db
Status = MentorshipRequest.Status


def _stale(n: int = 1, *, days: int = 15, **kwargs) -> list[MentorshipRequest]:
    created = timezone.now() - timedelta(days=days)
    return [MentorshipRequestFactory(created_at=created, **kwargs) for _ in range(n)]


def _cutoff():
    return timezone.now() - timedelta(days=14)


def test_expire_closes_requests_pending_since_before_the_cutoff():
    (old,) = _stale()
    now = timezone.now()

    expired = expire_requests(older_than=_cutoff(), now=now)

    old.refresh_from_db()
    assert expired == 1
    assert old.status == Status.EXPIRED
    assert old.expired_at == now
    assert old.closing_note == "The mentor did not answer in time."


def test_expire_leaves_recent_requests_pending():
    (recent,) = _stale(days=13)

    expired = expire_requests(older_than=_cutoff())

    recent.refresh_from_db()
    assert expired == 0
    assert recent.is_pending


@pytest.mark.parametrize("closed", ["accepted", "declined", "withdrawn", "expired"])
def test_expire_leaves_closed_requests_alone(closed):
    (old,) = _stale(**{closed: True})
    before = (old.status, old.ended_at)

    expired = expire_requests(older_than=_cutoff())

    old.refresh_from_db()
    assert expired == 0
    assert (old.status, old.ended_at) == before


def test_expire_returns_how_many_it_closed():
    _stale(3)
    _stale(2, days=1)

    assert expire_requests(older_than=_cutoff()) == 3
    assert MentorshipRequest.objects.pending().count() == 2


def test_expire_run_twice_closes_nothing_the_second_time():
    _stale(2)
    expire_requests(older_than=_cutoff())

    assert expire_requests(older_than=_cutoff()) == 0


def test_expire_lets_the_mentee_approach_the_same_mentor_again():
    (old,) = _stale()
    expire_requests(older_than=_cutoff())

    again = MentorshipRequestFactory(mentee=old.mentee, mentor=old.mentor)

    assert again.is_pending


def _stale_for_one_mentor(n: int) -> None:
    mentor = MentorProfileFactory(capacity=10).user
    for _ in range(n):
        _stale(mentee=MenteeProfileFactory().user, mentor=mentor)


def test_expire_takes_as_many_queries_for_thirty_requests_as_for_one(django_assert_num_queries):
    # Set-based: the UPDATE and the outbox rows are written for the batch, not per request.
    # (The emails are sent after commit, one task each; that is not part of the job's count.)
    _stale_for_one_mentor(1)
    wording.warm()  # the email wording, read once per task (mentoring.wording)
    with CaptureQueriesContext(connection) as one:
        assert expire_requests(older_than=_cutoff()) == 1
    _stale_for_one_mentor(30)
    wording.warm()

    with django_assert_num_queries(len(one.captured_queries)):
        expired = expire_requests(older_than=_cutoff())

    assert expired == 30
    assert Outbox.objects.filter(kind="request_expired").count() == 31
