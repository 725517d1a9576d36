"""Bulk matching runs under races: two publishes of one run make each pair once, and two
coordinators giving the last place of a mentor to two applicants of a run leave one of them
refused. The threads commit for real (see tests/matching/test_races.py)."""

from __future__ import annotations

from django.utils import timezone

from matching import match_runs
from matching.admin import applicants
from matching.models import MatchRun, MatchRunPair, Mentorship
from mentoring.models import Outbox
from profiles.models import Membership
from tests.factories import (
    MenteeProfileFactory,
    MentorProfileFactory,
    UserFactory,
    default_programme,
)
from tests.matching.test_races import _race, _reseed_expertise_areas, racing

__all__ = ["_reseed_expertise_areas"]  # the module's fixture puts the seeded areas back


def _run(mentors: int = 2, mentees: int = 2):
    programme = default_programme()
    coordinator = UserFactory(is_staff=True)
    programme.coordinators.add(coordinator)
    for _ in range(mentors):
        MentorProfileFactory(capacity=1)
    for _ in range(mentees):
        profile = MenteeProfileFactory()
        Membership.objects.filter(user=profile.user, programme=programme).update(
            applied_at=timezone.now()
        )
    run, _ = match_runs.propose(programme, queue=applicants(programme), round=None, by=coordinator)
    return run, coordinator


@racing
def test_two_publishes_at_once_make_each_pair_once():
    run, coordinator = _run()
    assert run.pairs.count() == 2

    results = _race([lambda: match_runs.publish(run, by=coordinator)] * 2)

    assert sorted(r is None for r in results) == [False, True]
    assert Mentorship.objects.count() == 2
    assert Outbox.objects.filter(kind="mentorship_introduction").count() == 4
    assert set(MatchRunPair.objects.values_list("outcome", flat=True)) == {"matched"}
    assert MatchRun.objects.get(pk=run.pk).status == MatchRun.Status.PUBLISHED


@racing
def test_two_changes_at_once_never_give_a_mentor_more_than_their_place():
    run, _ = _run(mentors=2, mentees=3)
    MatchRunPair.objects.filter(run=run).delete()  # both mentors' places free in the run
    target = MentorProfileFactory(capacity=1)
    applicant_ids = run.summary["applicants"][:2]

    results = _race(
        [
            lambda mentee_id=mentee_id: match_runs.change_mentor(
                run, mentee_id=mentee_id, mentor_id=target.user_id
            )
            for mentee_id in applicant_ids
        ]
    )

    refused = [r for r in results if isinstance(r, match_runs.RunError)]
    assert len(refused) == 1
    assert "already given to another pair in this set" in str(refused[0])
    assert MatchRunPair.objects.filter(run=run, mentor=target.user).count() == 1
