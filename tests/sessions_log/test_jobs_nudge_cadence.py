"""The agreed rhythm moves the quiet-pair nudge: a pair is nudged `CADENCE_GRACE_DAYS` after a
meeting was due by their agreement, or after their programme's days when they agreed none.
One-off advice conversations are never nudged, nor informal pairs without scheme emails."""

from __future__ import annotations

from datetime import timedelta

import pytest

from matching.agreements import agree, propose
from matching.models import Mentorship
from sessions_log.jobs import CADENCE_GRACE_DAYS, nudge_quiet_pairs
from tests.factories import MeetingFactory, MentorshipFactory, ProgrammeFactory
from tests.support import START, queued, run_counting_queries

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)
MINUTE = timedelta(minutes=1)


def _agree(pair: Mentorship, frequency: str, **extra) -> Mentorship:
    data = {"frequency": frequency, "formats": ["video"], "confidentiality": True, **extra}
    agree(propose(pair, by=pair.mentee, data=data), by=pair.mentor)
    pair.refresh_from_db()
    return pair


@pytest.fixture
def pair(clock, mentor, mentee) -> Mentorship:
    """Daniel mentoring Maya since START, in a programme that nudges after 30 quiet days."""
    return MentorshipFactory(mentor=mentor, mentee=mentee)


def test_a_two_monthly_pair_is_not_nudged_at_day_30_but_at_61_plus_grace(clock, pair):
    _agree(pair, "bimonthly")
    assert CADENCE_GRACE_DAYS == 7

    clock.shift(30 * DAY)
    assert nudge_quiet_pairs() == 0
    clock.move_to(START + (61 + 7) * DAY - MINUTE)
    assert nudge_quiet_pairs() == 0

    clock.move_to(START + (61 + 7) * DAY)
    assert nudge_quiet_pairs() == 1
    mentee_email, mentor_email = queued("no_meeting_nudge")
    assert "You agreed to meet every two months." in mentee_email.body_text
    assert "you agreed to meet every two months." in mentor_email.body_html
    assert "Most pairs meet about once a month" not in mentee_email.body_html


def test_a_monthly_pair_is_nudged_38_days_after_its_last_meeting(clock, pair):
    _agree(pair, "monthly")
    MeetingFactory(mentorship=pair, held=True, starts_at=START + 10 * DAY)

    clock.move_to(START + (10 + 31 + 7) * DAY - MINUTE)
    assert nudge_quiet_pairs() == 0
    clock.move_to(START + (10 + 31 + 7) * DAY)
    assert nudge_quiet_pairs() == 1


def test_a_fortnightly_pair_is_nudged_sooner_than_the_programme_would(clock, pair):
    _agree(pair, "fortnightly")

    clock.move_to(START + 21 * DAY)
    assert nudge_quiet_pairs() == 1
    # And again every 21 days while they stay quiet.
    clock.move_to(START + 41 * DAY)
    assert nudge_quiet_pairs() == 0
    clock.move_to(START + 42 * DAY)
    assert nudge_quiet_pairs() == 1


def test_without_an_agreed_rhythm_the_programmes_days_apply(clock, pair):
    clock.move_to(START + 30 * DAY - MINUTE)
    assert nudge_quiet_pairs() == 0
    clock.move_to(START + 30 * DAY)
    assert nudge_quiet_pairs() == 1
    [mentee_email, _] = queued("no_meeting_nudge")
    assert "Most pairs meet about once a month." in mentee_email.body_text


def test_an_agreement_in_other_words_keeps_the_programmes_days(clock, pair):
    _agree(pair, "other", frequency_other="Weekly for a month, then when needed")

    clock.move_to(START + 30 * DAY)
    assert nudge_quiet_pairs() == 1


def test_a_proposal_not_yet_agreed_changes_nothing(clock, pair):
    propose(
        pair,
        by=pair.mentee,
        data={"frequency": "bimonthly", "formats": ["video"], "confidentiality": True},
    )

    clock.move_to(START + 30 * DAY)
    assert nudge_quiet_pairs() == 1


def test_advice_conversations_are_never_nudged(clock):
    MentorshipFactory(engagement="advice")

    clock.move_to(START + 90 * DAY)
    assert nudge_quiet_pairs() == 0


def test_informal_pairs_are_nudged_only_if_they_asked_for_scheme_emails(clock):
    quiet = MentorshipFactory(engagement="informal", scheme_emails=False)
    opted_in = MentorshipFactory(engagement="informal", scheme_emails=True)

    clock.move_to(START + 30 * DAY)
    assert nudge_quiet_pairs() == 1

    quiet.refresh_from_db()
    opted_in.refresh_from_db()
    assert (quiet.nudged_at, opted_in.nudged_at is not None) == (None, True)


def test_each_pair_by_its_own_rhythm_in_constant_queries(clock):
    slow = ProgrammeFactory(name="Slow", no_meeting_nudge_days=45)
    plain = MentorshipFactory()
    in_slow = MentorshipFactory(programme=slow)
    two_monthly = _agree(MentorshipFactory(), "bimonthly")
    clock.move_to(START + 30 * DAY)
    one = run_counting_queries(nudge_quiet_pairs)
    assert one[0] == 1

    for _ in range(10):
        _agree(MentorshipFactory(), "fortnightly")
    clock.move_to(START + 68 * DAY)
    many = run_counting_queries(nudge_quiet_pairs)

    # plain again (30 days after its nudge), in_slow (45), two_monthly (68) and the ten.
    assert many[0] == 13
    assert many[1] == one[1]
    for p in (plain, in_slow, two_monthly):
        p.refresh_from_db()
        assert p.nudged_at == START + 68 * DAY
