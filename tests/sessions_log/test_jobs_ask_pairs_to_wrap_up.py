"""Two weeks before a round's term ends, its active pairs are asked to wrap up: each person gets
their ending check-in, in an email that says when the term ends (sessions_log.jobs)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils.html import escape

from matching.jobs import complete_rounds
from matching.models import Mentorship
from profiles.models import Programme, Round
from sessions_log.jobs import ask_pairs_to_wrap_up, send_check_ins
from sessions_log.models import CheckIn
from tests.factories import MentorshipFactory, ProgrammeFactory
from tests.support import html_part, keys, queued, run_counting_queries

pytestmark = pytest.mark.django_db

TERM_ENDS = date(2026, 6, 30)
# 16 June, two weeks before the term ends (London: summer time, an hour ahead of UTC).
TWO_WEEKS_BEFORE = datetime(2026, 6, 16, 9, 0, tzinfo=UTC)
STARTED = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)


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
def pair(clock, careers, round_) -> Mentorship:
    clock.move_to(STARTED)
    return MentorshipFactory(programme=careers, round=round_)


def _asked(pair: Mentorship) -> set[int]:
    return set(
        CheckIn.objects.filter(mentorship=pair, kind=CheckIn.Kind.ENDING).values_list(
            "person_id", flat=True
        )
    )


def test_nobody_is_asked_fifteen_days_before(clock, pair):
    clock.move_to(TWO_WEEKS_BEFORE - timedelta(days=1))

    assert ask_pairs_to_wrap_up() == 0
    assert _asked(pair) == set()


def test_two_weeks_before_both_get_their_ending_check_in(clock, pair, round_):
    clock.move_to(TWO_WEEKS_BEFORE)

    assert ask_pairs_to_wrap_up() == 2

    assert _asked(pair) == {pair.mentor_id, pair.mentee_id}
    check_ins = CheckIn.objects.filter(mentorship=pair)
    assert set(check_ins.values_list("sent_at", flat=True)) == {TWO_WEEKS_BEFORE}
    assert keys("round_wrap_up") == {f"round-wrap-up:{c.pk}" for c in check_ins}
    round_.refresh_from_db()
    assert round_.wrap_up_sent_at == TWO_WEEKS_BEFORE


def test_the_email_says_when_the_term_ends_and_links_the_check_in(clock, pair):
    clock.move_to(TWO_WEEKS_BEFORE)

    ask_pairs_to_wrap_up()

    check_in = CheckIn.objects.get(mentorship=pair, person=pair.mentee)
    row = next(r for r in queued("round_wrap_up") if r.recipient_id == pair.mentee_id)
    assert row.subject == "Alumni career mentoring 2025–26 ends on 30 June: time to wrap up"
    for text, name in [
        (row.body_text, pair.mentor.full_name),
        (html_part(row.as_message()), escape(pair.mentor.full_name)),
    ]:
        assert "The 2025–26 term of Alumni career mentoring ends on 30 June 2026" in text
        assert name in text
        assert f"http://testserver/check-ins/{check_in.token}/" in text
        assert f"http://testserver/mentorships/{pair.pk}/" in text
        assert "keep in touch informally" in text


def test_the_check_in_page_opens_from_the_email(client_for, clock, pair):
    clock.move_to(TWO_WEEKS_BEFORE)
    ask_pairs_to_wrap_up()
    check_in = CheckIn.objects.get(mentorship=pair, person=pair.mentee)

    response = client_for(pair.mentee).get(check_in.get_absolute_url())

    assert response.status_code == 200
    assert "Ending check-in" in response.text


def test_each_round_is_wrapped_up_once(clock, pair, round_):
    clock.move_to(TWO_WEEKS_BEFORE)
    ask_pairs_to_wrap_up()

    for day in range(1, 14):
        clock.move_to(TWO_WEEKS_BEFORE + timedelta(days=day))
        assert ask_pairs_to_wrap_up() == 0
    assert len(queued("round_wrap_up")) == 2


def test_a_late_run_still_asks_before_the_term_ends_but_not_after(clock, careers, pair):
    clock.move_to(datetime(2026, 6, 28, 9, 0, tzinfo=UTC))
    assert ask_pairs_to_wrap_up() == 2

    late = make_round(careers, "Short", term_ends_on=date(2026, 6, 27))
    MentorshipFactory(programme=careers, round=late)
    assert ask_pairs_to_wrap_up() == 0


def test_only_the_rounds_active_pairs_are_asked(clock, careers, pair, round_):
    ended = MentorshipFactory(programme=careers, round=round_, ended=True)
    later = make_round(careers, "2026–27", term_ends_on=date(2027, 6, 30))
    in_later = MentorshipFactory(programme=careers, round=later)
    always_open = MentorshipFactory()
    clock.move_to(TWO_WEEKS_BEFORE)

    assert ask_pairs_to_wrap_up() == 2
    assert _asked(ended) == _asked(in_later) == _asked(always_open) == set()


def test_a_pair_asked_to_wrap_up_gets_no_second_ending_check_in_when_it_completes(clock, pair):
    clock.move_to(TWO_WEEKS_BEFORE)
    ask_pairs_to_wrap_up()
    clock.move_to(datetime(2026, 6, 30, 9, 0, tzinfo=UTC))
    assert complete_rounds() == 1

    assert send_check_ins() == 0
    assert CheckIn.objects.filter(mentorship=pair).count() == 2
    assert queued("check_in") == []


def test_a_pair_that_began_after_the_wrap_up_gets_its_ending_check_in_when_it_completes(
    clock, careers, pair, round_
):
    clock.move_to(TWO_WEEKS_BEFORE)
    ask_pairs_to_wrap_up()
    clock.shift(timedelta(days=2))
    late = MentorshipFactory(programme=careers, round=round_)
    clock.move_to(datetime(2026, 6, 30, 9, 0, tzinfo=UTC))
    complete_rounds()

    assert send_check_ins() == 2
    assert _asked(late) == {late.mentor_id, late.mentee_id}


def test_constant_queries_for_one_or_thirty_pairs(clock, careers, round_):
    clock.move_to(STARTED)
    MentorshipFactory(programme=careers, round=round_)
    clock.move_to(TWO_WEEKS_BEFORE)
    one = run_counting_queries(ask_pairs_to_wrap_up)

    other = make_round(ProgrammeFactory(name="Other", rhythm="rounds"), "Other round")
    clock.move_to(STARTED)
    for _ in range(30):
        MentorshipFactory(programme=other.programme, round=other)
    clock.move_to(TWO_WEEKS_BEFORE)
    thirty = run_counting_queries(ask_pairs_to_wrap_up)

    assert (one[0], thirty[0]) == (2, 60)
    assert thirty[1] == one[1]
