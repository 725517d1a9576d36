"""Rounds end to end, and their scheduled jobs run by two beat processes at once.

A round's mentor recruitment window opens (its mentors are invited), mentees find a mentor in
its mentee window (their pair belongs to the round), the pairs are asked to wrap up two weeks
before the term ends, and on the term end they complete: exactly once, however many beats run
the jobs at the same moment.

The threaded tests commit for real (`transaction=True`), so each thread has its own connection
and really waits on (or skips) the other's row locks; they use today's date, not a frozen clock.
"""

from __future__ import annotations

import importlib
import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone

from matching import emails as matching_emails
from matching.jobs import complete_rounds
from matching.models import Mentorship, StatusChange
from matching.services import accept_request, end_mentorship, send_request
from mentoring.models import Outbox
from profiles.jobs import announce_recruitment_windows
from profiles.models import MentorProfile, Programme, RecruitmentWindow, Round
from sessions_log.jobs import ask_pairs_to_wrap_up
from sessions_log.models import CheckIn
from tests.factories import (
    MenteeProfileFactory,
    MentorProfileFactory,
    MentorshipFactory,
    ProgrammeFactory,
)
from tests.support import keys, places_taken, queued, text_of

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


def _round(programme: Programme, *, term_ends_on: date, name: str = "2025–26") -> Round:
    return Round.objects.create(
        programme=programme,
        name=name,
        mentee_opens_on=term_ends_on - timedelta(days=300),
        mentee_closes_on=term_ends_on - timedelta(days=200),
        term_ends_on=term_ends_on,
    )


def _slow_emails(monkeypatch, module, name: str) -> None:
    """Make an email function slow, so the first beat still holds its locks when the second
    arrives."""
    real = getattr(module, name)

    def slow(*args, **kwargs):
        time.sleep(0.05)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, slow)


# Two beats at once


@racing
def test_two_beats_at_the_term_end_complete_each_pair_exactly_once(monkeypatch):
    careers = ProgrammeFactory(name="Alumni career mentoring", rhythm="rounds")
    rnd = _round(careers, term_ends_on=timezone.localdate())
    mentor = MentorProfileFactory(capacity=3, programmes=[careers])
    pairs = [MentorshipFactory(programme=careers, round=rnd, mentor=mentor.user) for _ in range(3)]
    pairs += [MentorshipFactory(programme=careers, round=rnd) for _ in range(3)]
    assert places_taken(mentor) == 3
    _slow_emails(monkeypatch, matching_emails, "mentorship_completed")

    results = _race([complete_rounds, complete_rounds])

    assert sorted(results) == [0, 6]  # one beat did the round; the other found it taken
    assert set(Mentorship.objects.values_list("status", flat=True)) == {"completed"}
    assert StatusChange.objects.filter(to_status="completed").count() == 6
    assert places_taken(mentor) == 0
    assert MentorProfile.objects.filter(mentee_count__lt=0).count() == 0
    assert Outbox.objects.filter(kind="mentorship_completed").count() == 12
    rnd.refresh_from_db()
    assert rnd.completed_at is not None


@racing
def test_two_beats_two_weeks_before_the_term_end_ask_each_person_once(monkeypatch):
    careers = ProgrammeFactory(name="Alumni career mentoring", rhythm="rounds")
    rnd = _round(careers, term_ends_on=timezone.localdate() + timedelta(days=7))
    for _ in range(4):
        MentorshipFactory(programme=careers, round=rnd)

    results = _race([ask_pairs_to_wrap_up, ask_pairs_to_wrap_up])

    assert sorted(results) == [0, 8]
    assert CheckIn.objects.filter(kind="ending").count() == 8
    assert Outbox.objects.filter(kind="round_wrap_up").count() == 8
    rnd.refresh_from_db()
    assert rnd.wrap_up_sent_at is not None


@racing
def test_two_beats_on_a_windows_opening_day_invite_each_mentor_once():
    careers = ProgrammeFactory(name="Alumni career mentoring", rhythm="rounds")
    today = timezone.localdate()
    rnd = _round(careers, term_ends_on=today + timedelta(days=300))
    window = RecruitmentWindow.objects.create(
        round=rnd, opens_on=today, closes_on=today + timedelta(days=20)
    )
    mentors = [MentorProfileFactory(programmes=[careers]) for _ in range(5)]

    results = _race([announce_recruitment_windows, announce_recruitment_windows])

    assert sorted(results) == [0, 5]
    assert keys("recruitment_open") == {
        f"recruitment-open:{window.pk}:{m.user_id}" for m in mentors
    }
    window.refresh_from_db()
    assert window.announced_at is not None


@racing
def test_a_pair_ended_while_its_term_ends_is_ended_or_completed_never_both():
    careers = ProgrammeFactory(name="Alumni career mentoring", rhythm="rounds")
    rnd = _round(careers, term_ends_on=timezone.localdate())
    mentor = MentorProfileFactory(capacity=2, programmes=[careers])
    pair = MentorshipFactory(programme=careers, round=rnd, mentor=mentor.user)

    results = _race(
        [complete_rounds, lambda: end_mentorship(pair, by=pair.mentee, reason="achieved")]
    )

    assert not [r for r in results if isinstance(r, BaseException)]
    pair.refresh_from_db()
    assert pair.status in {"ended", "completed"}
    assert StatusChange.objects.filter(mentorship=pair).exclude(to_status="active").count() == 1
    assert places_taken(mentor) == 0
    sent = set(Outbox.objects.values_list("kind", flat=True))
    assert sent & {"mentorship_ended", "mentorship_completed"} == {f"mentorship_{pair.status}"}


@racing
def test_a_pair_being_added_to_the_round_does_not_make_the_term_end_skip_it():
    """Adding a pair to a round checks its foreign key, which holds the round's row FOR KEY
    SHARE (at commit: Django's foreign keys are deferred). The term-end job's lock on the round
    (FOR NO KEY UPDATE) does not conflict with that, so a beat never skips the round then."""
    careers = ProgrammeFactory(name="Alumni career mentoring", rhythm="rounds")
    rnd = _round(careers, term_ends_on=timezone.localdate())
    MentorshipFactory(programme=careers, round=rnd)
    held, release = threading.Event(), threading.Event()

    def check_the_foreign_key() -> None:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM profiles_round WHERE id = %s FOR KEY SHARE", [rnd.pk])
                held.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    checker = threading.Thread(target=check_the_foreign_key)
    checker.start()
    try:
        assert held.wait(timeout=30)
        completed = _race([complete_rounds])
    finally:
        release.set()
        checker.join(timeout=30)

    assert completed == [1]
    rnd.refresh_from_db()
    assert rnd.completed_at is not None


# A round from recruitment to its term end


@pytest.mark.django_db
def test_a_round_from_recruitment_to_completion(clock, client_for):
    careers = ProgrammeFactory(name="Alumni career mentoring", rhythm="rounds", matching="choice")
    rnd = Round.objects.create(
        programme=careers,
        name="2026–27",
        mentee_opens_on=date(2026, 9, 21),
        mentee_closes_on=date(2026, 12, 11),
        term_ends_on=date(2027, 6, 30),
    )
    RecruitmentWindow.objects.create(
        round=rnd, opens_on=date(2026, 8, 3), closes_on=date(2026, 8, 31)
    )
    mentor = MentorProfileFactory(programmes=[careers], capacity=1)
    mentee = MenteeProfileFactory(programmes=[careers]).user

    # August: mentor recruitment opens.
    clock.move_to(datetime(2026, 8, 3, 9, 0, tzinfo=UTC))
    assert announce_recruitment_windows() == 1
    assert [r.to_email for r in queued("recruitment_open")] == [mentor.user.email]

    # September: the mentee finds their mentor; the pair belongs to the round.
    clock.move_to(datetime(2026, 9, 22, 9, 0, tzinfo=UTC))
    req = send_request(
        mentee=mentee, mentor=mentor.user, message="Could we meet monthly?", programme=careers
    )
    accept_request(req, by=mentor.user)
    pair = Mentorship.objects.get()
    assert (pair.programme, pair.round) == (careers, rnd)
    assert places_taken(mentor) == 1

    # Two weeks before the term ends: the wrap-up and its ending check-in.
    clock.move_to(datetime(2027, 6, 16, 9, 0, tzinfo=UTC))
    assert ask_pairs_to_wrap_up() == 2

    # The term end: the pair completes, the mentor's place is free again.
    clock.move_to(datetime(2027, 6, 30, 9, 0, tzinfo=UTC))
    assert complete_rounds() == 1
    pair.refresh_from_db()
    assert pair.status == Mentorship.Status.COMPLETED
    assert places_taken(mentor) == 0
    assert len(queued("mentorship_completed")) == 2
    text = text_of(client_for(mentee).get(pair.get_absolute_url()))
    assert "Completed at the end of 2026–27 on 30 June 2027" in text
