"""Races and the database constraints that back the services up.

The threaded tests commit for real (`transaction=True`), so each thread has its own
connection and really waits on the row locks. Their data comes from factories: the flush after
a transactional test empties every table, rows seeded by data migrations included.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction
from django.db.models import F

from accounts import privacy
from matching.models import Mentorship, MentorshipRequest
from matching.services import MatchingError, accept_request, send_request
from profiles.models import MentorProfile
from tests.factories import (
    MenteeProfileFactory,
    MentorProfileFactory,
    MentorshipRequestFactory,
    UserFactory,
    default_programme,
)
from tests.matching.conftest import MESSAGE

racing = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module", autouse=True)
def _reseed_expertise_areas(django_db_blocker):
    """Put back the areas profiles' data migration seeds, which the flush after a threaded test
    deletes, so later tests and --reuse-db runs find the database as migrations left it."""
    yield
    seed = importlib.import_module("profiles.migrations.0002_expertise_areas")
    with django_db_blocker.unblock():
        seed.add_areas(apps, None)


def _race(calls: list[Callable[[], object]]) -> list[object]:
    """Run each call in its own thread, all released at once; return what each returned or
    raised, in order."""
    barrier = threading.Barrier(len(calls), timeout=30)
    results: list[object] = [None] * len(calls)

    def run(i: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[i] = call()
        except BaseException as exc:  # noqa: BLE001 - the test inspects every outcome
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread is stuck"
    return results


@racing
def test_fifty_concurrent_accepts_fill_exactly_the_mentors_places():
    profile = MentorProfileFactory(capacity=3)
    mentor = profile.user
    requests = [
        MentorshipRequestFactory(mentor=mentor, mentee=MenteeProfileFactory().user)
        for _ in range(50)
    ]

    results = _race([lambda req=req: accept_request(req, by=mentor) for req in requests])

    accepted = [r for r in results if isinstance(r, MentorshipRequest)]
    refused = [r for r in results if isinstance(r, MatchingError)]
    others = [r for r in results if not isinstance(r, MentorshipRequest | MatchingError)]
    assert others == []
    assert (len(accepted), len(refused)) == (3, 47)
    assert all(str(e).startswith("You have no free place: you mentor 3 of 3.") for e in refused)
    assert Mentorship.objects.active().filter(mentor=mentor).count() == 3
    assert MentorshipRequest.objects.filter(status="accepted").count() == 3
    assert MentorshipRequest.objects.pending().count() == 47
    profile.refresh_from_db()
    assert profile.mentee_count == 3


@racing
def test_twenty_concurrent_sends_for_one_pair_make_one_pending_request():
    mentee = MenteeProfileFactory().user
    mentor = MentorProfileFactory().user

    results = _race(
        [lambda: send_request(mentee=mentee, mentor=mentor, message=MESSAGE) for _ in range(20)]
    )

    made = [r for r in results if isinstance(r, MentorshipRequest)]
    others = [r for r in results if not isinstance(r, MentorshipRequest | MatchingError)]
    assert others == []
    assert MentorshipRequest.objects.count() == 1
    only = MentorshipRequest.objects.get()
    assert only.is_pending
    assert {r.pk for r in made} == {only.pk}


@racing
def test_concurrent_sends_with_different_messages_still_make_one_request():
    mentee = MenteeProfileFactory().user
    mentor = MentorProfileFactory().user

    results = _race(
        [
            lambda i=i: send_request(mentee=mentee, mentor=mentor, message=f"{MESSAGE} ({i})")
            for i in range(10)
        ]
    )

    made = [r for r in results if isinstance(r, MentorshipRequest)]
    refused = [r for r in results if isinstance(r, MatchingError)]
    assert (len(made), len(refused)) == (1, 9)
    assert MentorshipRequest.objects.count() == 1


@racing
def test_concurrent_sends_to_many_mentors_respect_the_pending_limit(set_scheme, settings):
    set_scheme(max_pending_requests=3)
    mentee = MenteeProfileFactory().user
    mentors = [MentorProfileFactory().user for _ in range(10)]

    results = _race(
        [lambda m=m: send_request(mentee=mentee, mentor=m, message=MESSAGE) for m in mentors]
    )

    others = [r for r in results if not isinstance(r, MentorshipRequest | MatchingError)]
    assert others == []
    assert MentorshipRequest.objects.pending().filter(mentee=mentee).count() == 3


# The constraints themselves: a write that bypasses the services fails at the database.


@pytest.mark.django_db
def test_a_second_pending_request_for_a_pair_is_refused_by_the_database(pending):
    with pytest.raises(IntegrityError, match="one_pending_request_per_pair"):
        with transaction.atomic():
            MentorshipRequest.objects.create(
                mentee=pending.mentee,
                mentor=pending.mentor,
                programme=pending.programme,
                message=MESSAGE,
            )


@pytest.mark.django_db
def test_a_second_active_mentorship_for_a_pair_is_refused_by_the_database(mentorship):
    with pytest.raises(IntegrityError, match="one_active_mentorship_per_pair"):
        with transaction.atomic():
            Mentorship.objects.create(
                mentor=mentorship.mentor,
                mentee=mentorship.mentee,
                programme=mentorship.programme,
            )


@racing
@pytest.mark.parametrize("deleted", ["mentor", "mentee"])
def test_a_request_sent_while_the_account_is_being_deleted_is_refused(deleted):
    """The deletion has closed the person's requests and is still running when the request
    comes: it waits for the deletion and finds the profile gone, instead of leaving a pending
    request to nobody that makes the deletion fail."""
    mentor = MentorProfileFactory().user
    mentee = MenteeProfileFactory().user
    gone = mentor if deleted == "mentor" else mentee
    closed, go_on = threading.Event(), threading.Event()

    def pause(sender, **kwargs):
        closed.set()
        go_on.wait(timeout=2)  # long enough for the request to reach the lock and wait there

    def delete():
        # Connected after matching's receiver, so it runs once the requests are closed.
        privacy.closing_account.connect(pause, dispatch_uid="test-pause")
        try:
            privacy.delete_account(gone)
        finally:
            privacy.closing_account.disconnect(dispatch_uid="test-pause")

    def send():
        assert closed.wait(timeout=10)
        try:
            return send_request(mentee=mentee, mentor=mentor, message=MESSAGE)
        finally:
            go_on.set()

    deletion, request = _race([delete, send])

    assert deletion is None
    assert isinstance(request, MatchingError), request
    assert not MentorshipRequest.objects.exists()


@pytest.mark.django_db
def test_more_mentees_than_places_is_refused_by_the_database(mentor_profile):
    with pytest.raises(IntegrityError, match="mentor_not_over_capacity"):
        with transaction.atomic():
            MentorProfile.objects.filter(pk=mentor_profile.pk).update(
                mentee_count=F("capacity") + 1
            )


@pytest.mark.django_db
def test_a_request_to_yourself_is_refused_by_the_database():
    me = UserFactory()

    with pytest.raises(IntegrityError, match="request_not_to_self"):
        with transaction.atomic():
            MentorshipRequest.objects.create(
                mentee=me, mentor=me, programme=default_programme(), message=MESSAGE
            )


@pytest.mark.django_db
def test_a_mentorship_with_yourself_is_refused_by_the_database():
    me = UserFactory()

    with pytest.raises(IntegrityError, match="mentorship_not_with_self"):
        with transaction.atomic():
            Mentorship.objects.create(mentor=me, mentee=me, programme=default_programme())


@pytest.mark.django_db
def test_a_closed_request_without_a_date_is_refused_by_the_database(pending):
    with pytest.raises(IntegrityError, match="closed_request_has_a_date"):
        with transaction.atomic():
            MentorshipRequest.objects.filter(pk=pending.pk).update(status="declined")


@pytest.mark.django_db
def test_an_ended_mentorship_without_an_end_date_is_refused_by_the_database(mentorship):
    with pytest.raises(IntegrityError, match="ended_mentorship_has_end_date"):
        with transaction.atomic():
            Mentorship.objects.filter(pk=mentorship.pk).update(status="ended")


@pytest.mark.django_db
def test_a_pending_request_and_an_old_closed_one_for_a_pair_may_coexist(pending):
    # The uniqueness is partial: history stays.
    closed = MentorshipRequestFactory(mentee=pending.mentee, mentor=pending.mentor, declined=True)

    assert MentorshipRequest.objects.filter(mentee=pending.mentee).count() == 2
    assert not closed.is_pending
