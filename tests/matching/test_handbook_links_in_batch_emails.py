"""Emails that link the handbook (completed, introduction, accepted, ended) look its pages up
once per programme and moment for a whole job run, not once per email: completing a round of
many pairs asks for the handbook once, and every email still carries the links."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from matching import emails
from matching.jobs import complete_rounds
from mentoring.models import Outbox
from profiles import handbook
from profiles.models import HandbookPage
from tests.factories import MentorshipFactory, ProgrammeFactory
from tests.matching.test_jobs_complete_rounds import TERM_END_DAY, make_round

pytestmark = pytest.mark.django_db


def _handbook_queries(queries: CaptureQueriesContext) -> int:
    return sum('"profiles_handbookpage"' in q["sql"] for q in queries.captured_queries)


@pytest.fixture
def careers(db):
    programme = ProgrammeFactory(name="Alumni career mentoring", slug="careers", rhythm="rounds")
    HandbookPage.objects.create(
        programme=programme, title="Ending well", slug="ending-well", moment="ending", body="Hi"
    )
    return programme


def _complete_a_round_of(careers, clock, n: int) -> int:
    """Complete a new round of `n` pairs; how many queries read the handbook."""
    rnd = make_round(careers, f"Round of {n}")
    clock.move_to(datetime(2026, 1, 10, 9, 0, tzinfo=UTC))
    for _ in range(n):
        MentorshipFactory(programme=careers, round=rnd)
    clock.move_to(TERM_END_DAY)
    with CaptureQueriesContext(connection) as queries:
        assert complete_rounds() == n
    return _handbook_queries(queries)


def test_completing_a_round_asks_for_the_handbook_once_whatever_its_size(clock, careers):
    few = _complete_a_round_of(careers, clock, 2)
    many = _complete_a_round_of(careers, clock, 6)

    # The first run reads the pages once; the second finds them in the cache (its version
    # bumps on every handbook change: tests/profiles/test_handbook_links_cache.py).
    assert few <= 1 and many <= 1
    completed = Outbox.objects.filter(kind="mentorship_completed")
    assert completed.count() == 16  # both people of each pair
    url = "/programmes/careers/handbook/ending-well/"
    assert all(url in e.body_text and url in e.body_html for e in completed)


def test_one_email_function_asks_once_for_both_people_and_both_parts(careers):
    pair = MentorshipFactory(programme=careers)
    pair.ended_by = pair.mentee
    with CaptureQueriesContext(connection) as queries:
        emails.mentorship_ended(pair)

    assert _handbook_queries(queries) == 1


def test_outside_a_run_each_look_up_asks_afresh(careers):
    """No memo outside `remembered()`: a page added since shows on the next page view."""
    assert len(handbook.pages_at([careers], ["start"])) == 0
    HandbookPage.objects.create(
        programme=careers, title="First meeting", slug="first", moment="start", body="Hi"
    )
    assert len(handbook.pages_at([careers], ["start"])) == 1

    with handbook.remembered():
        assert len(handbook.pages_at([careers], ["start"])) == 1
        HandbookPage.objects.filter(slug="first").delete()
        assert len(handbook.pages_at([careers], ["start"])) == 1  # remembered for the run
    assert handbook.pages_at([careers], ["start"]) == []
