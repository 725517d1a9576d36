"""The end of a round's term (matching.jobs.complete_rounds): on its `term_ends_on`, in the
scheme's time zone, the round's active pairs complete, once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from matching import emails
from matching.jobs import complete_rounds
from matching.models import Mentorship
from profiles.models import Programme, Round
from tests.factories import MentorshipFactory, ProgrammeFactory
from tests.support import keys, places_taken, queued

pytestmark = pytest.mark.django_db

TERM_ENDS = date(2026, 6, 30)
# Midnight on 30 June in London (summer time) is 23:00 UTC on 29 June.
EVE = datetime(2026, 6, 29, 22, 30, tzinfo=UTC)
TERM_END_DAY = datetime(2026, 6, 29, 23, 30, tzinfo=UTC)


def make_round(programme: Programme, name: str, *, term_ends_on: date = TERM_ENDS) -> Round:
    return Round.objects.create(
        programme=programme,
        name=name,
        mentee_opens_on=term_ends_on - timedelta(days=300),
        mentee_closes_on=term_ends_on - timedelta(days=200),
        term_ends_on=term_ends_on,
    )


@pytest.fixture
def careers(db) -> Programme:
    return ProgrammeFactory(name="Alumni career mentoring", rhythm="rounds")


@pytest.fixture
def round_(careers) -> Round:
    return make_round(careers, "2025–26")


@pytest.fixture
def pairs(clock, careers, round_) -> list[Mentorship]:
    """Two active pairs of the round."""
    clock.move_to(datetime(2026, 1, 10, 9, 0, tzinfo=UTC))
    return [MentorshipFactory(programme=careers, round=round_) for _ in range(2)]


def _statuses() -> dict[int, str]:
    return dict(Mentorship.objects.values_list("pk", "status"))


def test_nothing_completes_the_day_before_the_term_ends(clock, pairs, round_):
    clock.move_to(EVE)

    assert complete_rounds() == 0
    assert set(_statuses().values()) == {"active"}
    round_.refresh_from_db()
    assert round_.completed_at is None


def test_on_the_term_end_day_the_rounds_pairs_complete(clock, pairs, round_):
    clock.move_to(TERM_END_DAY)

    assert complete_rounds() == 2

    assert _statuses() == {p.pk: "completed" for p in pairs}
    assert set(Mentorship.objects.values_list("ended_at", flat=True)) == {TERM_END_DAY}
    round_.refresh_from_db()
    assert round_.completed_at == TERM_END_DAY
    for pair in pairs:
        assert places_taken(pair.mentor.mentor_profile) == 0
    assert keys("mentorship_completed") == {
        f"mentorship-completed:{p.pk}:{person}"
        for p in pairs
        for person in (p.mentor_id, p.mentee_id)
    }


def test_running_again_completes_nothing_more(clock, pairs, round_):
    clock.move_to(TERM_END_DAY)
    complete_rounds()
    clock.shift(timedelta(hours=1))

    assert complete_rounds() == 0
    round_.refresh_from_db()
    assert round_.completed_at == TERM_END_DAY
    assert len(queued("mentorship_completed")) == 4


def test_a_round_whose_term_end_was_missed_completes_at_the_next_run(clock, pairs, round_):
    clock.move_to(TERM_END_DAY + timedelta(days=3))

    assert complete_rounds() == 2
    round_.refresh_from_db()
    assert round_.completed_at == TERM_END_DAY + timedelta(days=3)


def test_only_the_rounds_active_pairs_complete(clock, careers, pairs, round_):
    next_round = make_round(careers, "2026–27", term_ends_on=date(2027, 6, 30))
    in_next_round = MentorshipFactory(programme=careers, round=next_round)
    always_open = MentorshipFactory()  # the default programme has no rounds
    ended = MentorshipFactory(programme=careers, round=round_, ended=True)
    clock.move_to(TERM_END_DAY)

    assert complete_rounds() == 2

    statuses = _statuses()
    assert [statuses[p.pk] for p in pairs] == ["completed", "completed"]
    assert statuses[in_next_round.pk] == "active"
    assert statuses[always_open.pk] == "active"
    assert statuses[ended.pk] == "ended"
    next_round.refresh_from_db()
    assert next_round.completed_at is None


def test_a_round_with_no_pairs_left_is_marked_completed(clock, round_):
    clock.move_to(TERM_END_DAY)

    assert complete_rounds() == 0
    round_.refresh_from_db()
    assert round_.completed_at == TERM_END_DAY


def test_a_failure_leaves_the_whole_round_to_the_next_run(clock, pairs, round_, monkeypatch):
    real = emails.mentorship_completed
    calls = []

    def fail_on_the_second(mentorship, **kwargs):
        calls.append(mentorship.pk)
        if len(calls) == 2:
            raise RuntimeError("template missing")
        real(mentorship, **kwargs)

    monkeypatch.setattr(emails, "mentorship_completed", fail_on_the_second)
    clock.move_to(TERM_END_DAY)

    with pytest.raises(RuntimeError):
        complete_rounds()

    assert set(_statuses().values()) == {"active"}
    round_.refresh_from_db()
    assert round_.completed_at is None
    assert queued("mentorship_completed") == []

    monkeypatch.setattr(emails, "mentorship_completed", real)
    assert complete_rounds() == 2
