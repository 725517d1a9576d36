"""Bulk matching: the best set of pairs for a programme's applicants within every mentor's places.

The problem. Each applicant gets at most one mentor; each mentor takes at most their free places
(their own free places, and under the programme's `mentor_places_cap`); only eligible pairs may be
chosen (an ineligible pair, e.g. the mentee's line manager, is forbidden, not merely unlikely);
among the sets that respect all that, we want the one with the largest total score and, among
those, the most people matched.

The method. That is an assignment problem. Every free place of a mentor becomes a column of a cost
matrix (a mentor with two free places is two columns with the same costs), every applicant a row,
and each applicant also has one "stays unmatched" column of their own, so a feasible assignment
always exists. A forbidden pair costs infinity (scipy never chooses it). An eligible pair costs
minus its score in integer units scaled so that a better total always wins, and one unit less for
being matched, so that among sets with the same total the one matching more people wins (the
weights are integers, so the two goals never trade off through rounding). scipy's
`linear_sum_assignment` (a shortest augmenting path method, O(n³)) then finds the exact optimum; a
few hundred applicants and places take milliseconds.

Why not greedy one-by-one. Taking the best free mentor for each applicant in turn (longest waiting
first) can use up a mentor that a later applicant needed. With Ann scoring 10 with Xavier and 9
with Yasmin, and Ben eligible only for Xavier (8), greedy gives Ann Xavier and leaves Ben with
nobody: total 10, one person matched. The assignment gives Ann Yasmin and Ben Xavier: total 17,
two matched. `greedy` stays here for that comparison (the tests, and a run's summary).

The functions here work on plain keys (an applicant's and a mentor's ids) and numbers, so they
are tested without a database; `matching.match_runs` builds runs from them.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

# Scores are compared to this many decimal places (a score is a weighted sum shown to one decimal).
SCORE_UNITS = 1000


@dataclass(frozen=True)
class Outcome[A: Hashable, M: Hashable]:
    """A set of pairs (applicant key, mentor key), its total score and who stays unmatched."""

    pairs: list[tuple[A, M]]
    total: float
    unmatched: list[A]

    @property
    def matched(self) -> int:
        return len(self.pairs)


def _outcome[A: Hashable, M: Hashable](
    applicants: Sequence[A],
    pairs: list[tuple[A, M]],
    scores: Mapping[tuple[A, M], float],
) -> Outcome[A, M]:
    chosen = {a for a, _ in pairs}
    return Outcome(
        pairs=pairs,
        total=round(sum(scores[pair] for pair in pairs), 6),
        unmatched=[a for a in applicants if a not in chosen],
    )


def solve[A: Hashable, M: Hashable](
    applicants: Sequence[A],
    places: Mapping[M, int],
    scores: Mapping[tuple[A, M], float],
) -> Outcome[A, M]:
    """The set of pairs with the largest total score (then the most matched) that gives each
    applicant at most one mentor and each mentor at most `places[mentor]` applicants, chosen
    only among the pairs in `scores` (applicant, mentor) -> score. Pairs with a negative score
    lower the total and are never chosen. The pairs come in the order of `applicants`."""
    # Imported here: scipy (and numpy) are heavy, and only a matching run needs them, not every
    # process that imports the admin.
    import numpy as np
    from scipy.optimize import linear_sum_assignment  # type: ignore[import-untyped]

    columns = [mentor for mentor, n in places.items() for _ in range(max(n, 0))]
    rows = list(applicants)
    if not rows or not columns:
        return _outcome(rows, [], scores)
    n_rows = len(rows)
    # A matched pair's weight: its score in units, times more than the largest number of people
    # who could be matched, plus one for the person matched.
    scale = n_rows + 1
    cost = np.full((n_rows, len(columns) + n_rows), np.inf)
    for i, applicant in enumerate(rows):
        cost[i, len(columns) + i] = 0  # stays unmatched
        for j, mentor in enumerate(columns):
            score = scores.get((applicant, mentor))
            if score is not None and score >= 0:
                cost[i, j] = -(round(score * SCORE_UNITS) * scale + 1)
    row_ind, col_ind = linear_sum_assignment(cost)
    pairs = [
        (rows[i], columns[j])
        for i, j in zip(row_ind, col_ind, strict=True)
        if j < len(columns) and (rows[i], columns[j]) in scores
    ]
    position = {applicant: i for i, applicant in enumerate(rows)}
    pairs.sort(key=lambda pair: position[pair[0]])
    return _outcome(rows, pairs, scores)


def greedy[A: Hashable, M: Hashable](
    applicants: Sequence[A],
    places: Mapping[M, int],
    scores: Mapping[tuple[A, M], float],
) -> Outcome[A, M]:
    """The one-by-one way, for comparison: each applicant in turn (the order given, longest
    waiting first) takes their best-scoring eligible mentor who still has room."""
    left = {mentor: max(n, 0) for mentor, n in places.items()}
    by_applicant: dict[A, list[tuple[float, M]]] = {}
    for (applicant, mentor), score in scores.items():
        by_applicant.setdefault(applicant, []).append((score, mentor))
    pairs = []
    for applicant in applicants:
        options = sorted(
            (item for item in by_applicant.get(applicant, []) if item[0] >= 0),
            key=lambda item: -item[0],
        )
        for _, mentor in options:
            if left.get(mentor, 0) > 0:
                left[mentor] -= 1
                pairs.append((applicant, mentor))
                break
    return _outcome(list(applicants), pairs, scores)


def within_places[A: Hashable, M: Hashable](
    pairs: Iterable[tuple[A, M]], places: Mapping[M, int]
) -> bool:
    """Whether a set of pairs gives nobody two mentors and no mentor more than their places."""
    taken: dict[M, int] = {}
    seen: set[A] = set()
    for applicant, mentor in pairs:
        if applicant in seen:
            return False
        seen.add(applicant)
        taken[mentor] = taken.get(mentor, 0) + 1
        if taken[mentor] > places.get(mentor, 0):
            return False
    return True
