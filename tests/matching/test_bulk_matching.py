"""The bulk matching method (matching.bulk_matching): the best set of pairs within every mentor's
places, checked against a brute-force optimum on small random instances, and against greedy."""

from __future__ import annotations

import itertools
import random

import pytest

from matching import bulk_matching


def _brute_force(applicants, places, scores):
    """Every way of giving each applicant nobody or one eligible mentor, within the places: the
    best (total, matched) found by trying them all."""
    options = [[None] + [m for (a, m) in scores if a == applicant] for applicant in applicants]
    best = (0, 0)
    for choice in itertools.product(*options):
        pairs = [(a, m) for a, m in zip(applicants, choice, strict=True) if m is not None]
        if not bulk_matching.within_places(pairs, places):
            continue
        units = sum(round(scores[p] * bulk_matching.SCORE_UNITS) for p in pairs)
        best = max(best, (units, len(pairs)))
    return best


def _units(outcome, scores):
    return sum(round(scores[p] * bulk_matching.SCORE_UNITS) for p in outcome.pairs)


def test_the_assignment_beats_greedy_on_the_documented_case():
    # Ann scores 10 with Xavier and 9 with Yasmin; Ben is eligible only for Xavier (8).
    applicants = ["ann", "ben"]
    places = {"xavier": 1, "yasmin": 1}
    scores = {("ann", "xavier"): 10.0, ("ann", "yasmin"): 9.0, ("ben", "xavier"): 8.0}

    best = bulk_matching.solve(applicants, places, scores)
    one_by_one = bulk_matching.greedy(applicants, places, scores)

    assert best.pairs == [("ann", "yasmin"), ("ben", "xavier")]
    assert best.total == 17.0
    assert best.unmatched == []
    assert one_by_one.pairs == [("ann", "xavier")]
    assert one_by_one.total == 10.0
    assert one_by_one.unmatched == ["ben"]


def test_a_mentor_with_two_places_takes_two_and_no_more():
    applicants = ["a", "b", "c"]
    places = {"x": 2}
    scores = {("a", "x"): 3.0, ("b", "x"): 5.0, ("c", "x"): 4.0}

    outcome = bulk_matching.solve(applicants, places, scores)

    assert outcome.pairs == [("b", "x"), ("c", "x")]
    assert outcome.unmatched == ["a"]
    assert outcome.total == 9.0


def test_ineligible_pairs_are_never_chosen_even_when_a_place_would_be_left_empty():
    # Only Xavier has room; Cat is not eligible for him (say, he is her line manager).
    applicants = ["cat"]
    places = {"xavier": 3}
    scores: dict = {}

    assert bulk_matching.solve(applicants, places, scores).pairs == []
    assert bulk_matching.greedy(applicants, places, scores).pairs == []


def test_among_equal_totals_more_people_are_matched():
    # Ann alone with Xavier scores 0 + Ben 5 = 5 either way; a zero-scored pair still matches.
    applicants = ["ann", "ben"]
    places = {"xavier": 1, "yasmin": 1}
    scores = {("ann", "xavier"): 0.0, ("ben", "yasmin"): 5.0}

    outcome = bulk_matching.solve(applicants, places, scores)

    assert outcome.matched == 2
    assert outcome.total == 5.0


def test_a_mentor_without_places_is_never_given_anyone():
    outcome = bulk_matching.solve(["a"], {"x": 0}, {("a", "x"): 9.0})

    assert outcome.pairs == []
    assert outcome.unmatched == ["a"]


@pytest.mark.parametrize("seed", range(60))
def test_random_small_instances_reach_the_brute_force_optimum_within_the_places(seed):
    rng = random.Random(seed)
    applicants = [f"a{i}" for i in range(rng.randint(1, 6))]
    mentors = [f"m{i}" for i in range(rng.randint(1, 4))]
    places = {m: rng.randint(0, 2) for m in mentors}
    scores = {
        (a, m): round(rng.uniform(0, 20), 1)
        for a in applicants
        for m in mentors
        if rng.random() < 0.6  # the rest are ineligible
    }

    best = bulk_matching.solve(applicants, places, scores)
    one_by_one = bulk_matching.greedy(applicants, places, scores)

    assert bulk_matching.within_places(best.pairs, places)
    assert bulk_matching.within_places(one_by_one.pairs, places)
    assert all(pair in scores for pair in best.pairs)
    assert (_units(best, scores), best.matched) == _brute_force(applicants, places, scores)
    assert _units(best, scores) >= _units(one_by_one, scores)
    assert sorted(best.unmatched + [a for a, _ in best.pairs]) == sorted(applicants)


def test_within_places_refuses_a_second_mentor_and_a_place_too_many():
    assert not bulk_matching.within_places([("a", "x"), ("a", "y")], {"x": 1, "y": 1})
    assert not bulk_matching.within_places([("a", "x"), ("b", "x")], {"x": 1})
    assert bulk_matching.within_places([("a", "x"), ("b", "x")], {"x": 2})
