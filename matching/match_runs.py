"""Bulk matching runs: propose a set of pairs for a programme's applicants, adjust it, publish it.

A run is proposed from the applicants waiting in a programme that matches centrally (optionally
those who applied in one round's window) and the programme's mentors with a free place, scored by
matching.match_scoring and solved as an assignment by matching.bulk_matching, so no mentor is
given more applicants than their free places. It stays a draft (one per programme) while a
coordinator removes pairs or changes an applicant's mentor; each change is checked again against
the live rules and places. Publishing makes each pair through matching.services under the usual
rules: a pair that fails them then is recorded as failed with the service's sentence, the others
go on. The run row is locked while it changes, so a second click or a second coordinator finds
it published and does nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import ngettext

from accounts.models import User
from matching import bulk_matching, match_scoring, services
from matching.models import MatchRun, MatchRunPair, MentorshipRequest
from profiles import rules
from profiles.models import Membership, MenteeProfile, MentorProfile, Programme, Round

OPTIONS_KEPT = 30  # eligible mentors offered per applicant when adjusting, best first


class RunError(Exception):
    """A change to a run that the rules refuse; the message is shown to the coordinator."""


@dataclass(frozen=True)
class Unmatched:
    mentee: User
    why: str


def in_round(queue: QuerySet[Membership], round: Round | None) -> QuerySet[Membership]:
    """The applicants of a round: those who applied while its mentees' window was open."""
    if round is None:
        return queue
    return queue.filter(
        applied_at__date__gte=round.mentee_opens_on, applied_at__date__lte=round.mentee_closes_on
    )


def awaiting_proposal(programme: Programme) -> QuerySet[MentorshipRequest]:
    """The pending proposals of the scheme team (services.propose_match) in `programme` for the
    applicant of an outer membership: such an applicant waits for that mentor's answer, so a
    run leaves them out (another mentor would be approached at the same time)."""
    return MentorshipRequest.objects.pending().filter(
        mentee=OuterRef("user"), programme=programme, proposed_by__isnull=False
    )


def _reasons(suggestion: match_scoring.Suggestion) -> list[str]:
    return [*suggestion.reasons, *(f"Against: {w}" for w in suggestion.warnings)]


def _candidates(programme: Programme) -> list[MentorProfile]:
    return list(
        match_scoring.candidates(programme).order_by(F("confirmed_at").desc(nulls_last=True), "pk")[
            : match_scoring.CANDIDATES_READ
        ]
    )


def propose(
    programme: Programme, *, queue: QuerySet[Membership], round: Round | None, by: User
) -> tuple[MatchRun, bool]:
    """The programme's draft run, proposed now from `queue` (the applicants, longest waiting
    first) unless a draft exists: (run, created). A draft is never replaced silently; the
    coordinator discards it first."""
    existing = MatchRun.objects.filter(programme=programme, status=MatchRun.Status.DRAFT).first()
    if existing is not None:
        return existing, False
    memberships = list(
        in_round(queue, round).exclude(Exists(awaiting_proposal(programme))).select_related("user")
    )
    mentee_ids = [m.user_id for m in memberships]
    profiles = list(MenteeProfile.objects.filter(user__in=mentee_ids).select_related("user"))
    mentors = _candidates(programme)
    suggestions = match_scoring.score_candidates(programme, profiles, mentors)
    places = {m.user_id: services.free_places(programme, m) for m in mentors}
    scores = {
        (mentee_id, s.mentor.user_id): s.score
        for mentee_id, ranked in suggestions.items()
        for s in ranked
    }
    best = bulk_matching.solve(mentee_ids, places, scores)
    one_by_one = bulk_matching.greedy(mentee_ids, places, scores)
    by_pair = {
        (mentee_id, s.mentor.user_id): s
        for mentee_id, ranked in suggestions.items()
        for s in ranked
    }
    summary = {
        "total": best.total,
        "matched": best.matched,
        "greedy_total": one_by_one.total,
        "greedy_matched": one_by_one.matched,
        "applicants": mentee_ids,
        "places": {str(k): v for k, v in places.items()},
        "options": {
            str(mentee_id): [
                [s.mentor.user_id, s.score] for s in suggestions.get(mentee_id, [])[:OPTIONS_KEPT]
            ]
            for mentee_id in mentee_ids
        },
        "removed": [],
    }
    try:
        with transaction.atomic():
            run = MatchRun.objects.create(
                programme=programme, round=round, created_by=by, summary=summary
            )
            MatchRunPair.objects.bulk_create(
                MatchRunPair(
                    run=run,
                    mentee_id=mentee_id,
                    mentor_id=mentor_id,
                    score=scores[(mentee_id, mentor_id)],
                    reasons=_reasons(by_pair[(mentee_id, mentor_id)]),
                )
                for mentee_id, mentor_id in best.pairs
            )
    except IntegrityError:  # another coordinator's draft was created a moment ago
        return MatchRun.objects.get(programme=programme, status=MatchRun.Status.DRAFT), False
    return run, True


def _lock(run: MatchRun) -> MatchRun:
    return MatchRun.objects.select_for_update().select_related("programme").get(pk=run.pk)


def _refuse_unless_draft(run: MatchRun) -> None:
    if run.status != MatchRun.Status.DRAFT:
        raise RunError(f"This run was {run.get_status_display().lower()}; it cannot change now.")


def remove_pair(run: MatchRun, *, mentee_id: int) -> None:
    """Take an applicant's pair out of the draft (they stay unmatched in it)."""
    with transaction.atomic():
        run = _lock(run)
        _refuse_unless_draft(run)
        run.pairs.filter(mentee_id=mentee_id).delete()
        removed = run.summary.setdefault("removed", [])
        if mentee_id not in removed:
            removed.append(mentee_id)
        run.save(update_fields=["summary"])


def change_mentor(run: MatchRun, *, mentee_id: int, mentor_id: int) -> MatchRunPair:
    """Give an applicant of the draft another mentor, checked against the live rules: eligible
    (scored) for them, with a free place not already given to another pair of this run."""
    with transaction.atomic():
        run = _lock(run)
        _refuse_unless_draft(run)
        programme = run.programme
        if mentee_id not in run.summary.get("applicants", []):
            raise RunError("This person is not an applicant of this run.")
        mentee_profile = (
            MenteeProfile.objects.select_related("user").filter(user_id=mentee_id).first()
        )
        if mentee_profile is None:
            raise RunError("This applicant has no mentee profile any more.")
        mentor = (
            match_scoring.candidates(programme)
            .select_for_update(of=("self",))
            .filter(user_id=mentor_id)
            .first()
        )
        if mentor is None:
            other = MentorProfile.objects.select_related("user").filter(user_id=mentor_id).first()
            name = other.user.full_name if other else "This mentor"
            raise RunError(f"{name} has no free place in {programme.name} now.")
        if refusal := rules.line_management_refusal(programme, mentee_profile, mentor):
            raise RunError(refusal)
        ranked = match_scoring.score_candidates(programme, [mentee_profile], [mentor])
        suggestion = next(iter(ranked.get(mentee_id, [])), None)
        if suggestion is None:
            raise RunError(
                f"{mentor.user.full_name} cannot be {mentee_profile.user.full_name}'s mentor "
                f"in {programme.name} (already their mentor, or not eligible)."
            )
        taken = run.pairs.filter(mentor_id=mentor_id).exclude(mentee_id=mentee_id).count()
        free = services.free_places(programme, mentor)
        if taken >= free:
            raise RunError(
                ngettext(
                    "%(name)s's %(n)d free place is already given to another pair in this set.",
                    "%(name)s's %(n)d free places are already given to other pairs in this set.",
                    free,
                )
                % {"name": mentor.user.full_name, "n": free}
            )
        pair, _ = MatchRunPair.objects.update_or_create(
            run=run,
            mentee_id=mentee_id,
            defaults={
                "mentor_id": mentor_id,
                "score": suggestion.score,
                "reasons": _reasons(suggestion),
                "adjusted": True,
            },
        )
        if mentee_id in run.summary.get("removed", []):
            run.summary["removed"].remove(mentee_id)
            run.save(update_fields=["summary"])
        return pair


def discard(run: MatchRun) -> bool:
    """Discard a draft (False: it was no longer a draft)."""
    with transaction.atomic():
        run = _lock(run)
        if run.status != MatchRun.Status.DRAFT:
            return False
        run.status = MatchRun.Status.DISCARDED
        run.save(update_fields=["status"])
        return True


MATCH_NOW, PROPOSE = "match", "propose"


def publish(run: MatchRun, *, by: User, how: str = MATCH_NOW) -> MatchRun | None:
    """Make each pair of the draft through matching.services, recording each pair's outcome:
    MATCH_NOW starts the mentorship (both people are emailed an introduction); PROPOSE sends the
    mentor a request on the mentee's behalf to accept or decline (the mentee is told). A pair the
    rules refuse now is marked failed with the service's sentence and the others go on. None:
    the run was no longer a draft (a second click), and nothing was done."""
    with transaction.atomic():
        run = _lock(run)
        if run.status != MatchRun.Status.DRAFT:
            return None
        pairs = list(run.pairs.select_related("mentee", "mentor").order_by("pk"))
        make = services.propose_match if how == PROPOSE else services.create_mentorship
        done = MatchRunPair.Outcome.REQUESTED if how == PROPOSE else MatchRunPair.Outcome.MATCHED
        for pair in pairs:
            try:
                with transaction.atomic():  # a refused pair rolls back alone
                    make(mentor=pair.mentor, mentee=pair.mentee, by=by, programme=run.programme)
            except services.MatchingError as exc:
                pair.outcome, pair.outcome_note = MatchRunPair.Outcome.FAILED, str(exc)[:255]
            else:
                pair.outcome, pair.outcome_note = done, ""
            pair.save(update_fields=["outcome", "outcome_note"])
        run.status = MatchRun.Status.PUBLISHED
        run.published_at, run.published_by = timezone.now(), by
        run.summary["published_as"] = how
        run.save(update_fields=["status", "published_at", "published_by", "summary"])
        return run


def unmatched(run: MatchRun, pairs: list[MatchRunPair]) -> list[Unmatched]:
    """The run's applicants without a pair, each with why: no eligible mentor, removed by a
    coordinator, or the eligible mentors' places went to other pairs (which scored more)."""
    paired = {p.mentee_id for p in pairs}
    ids = [i for i in run.summary.get("applicants", []) if i not in paired]
    if not ids:
        return []
    users = User.objects.in_bulk(ids)
    taken: dict[int, int] = {}
    for p in pairs:
        taken[p.mentor_id] = taken.get(p.mentor_id, 0) + 1
    places = {int(k): v for k, v in run.summary.get("places", {}).items()}
    removed = set(run.summary.get("removed", []))
    result = []
    for mentee_id in ids:
        if mentee_id not in users:
            continue
        options = run.summary.get("options", {}).get(str(mentee_id), [])
        if mentee_id in removed:
            why = "Removed from this set by a coordinator."
        elif not options:
            why = "No eligible mentor with a free place."
        elif all(taken.get(m, 0) >= places.get(m, 0) for m, _ in options):
            why = "Capacity taken: every eligible mentor's places went to other pairs in this set."
        else:
            why = "Left out: a pair with the eligible mentors who have room would lower the total."
        result.append(Unmatched(mentee=users[mentee_id], why=why))
    return result


def in_other_drafts(run: MatchRun, mentor_ids: list[int]) -> dict[int, list[str]]:
    """For each of these mentors also paired in another programme's draft run: those
    programmes' names (one query). Each draft counts the mentor's free places on its own;
    publishing checks them again, so the second to publish may find them gone."""
    rows = (
        MatchRunPair.objects.filter(run__status=MatchRun.Status.DRAFT, mentor__in=mentor_ids)
        .exclude(run=run)
        .values_list("mentor_id", "run__programme__name")
        .distinct()
        .order_by("mentor_id", "run__programme__name")
    )
    found: dict[int, list[str]] = {}
    for mentor_id, name in rows:
        found.setdefault(mentor_id, []).append(name)
    return found


def choices(run: MatchRun, pairs: list[MatchRunPair]) -> dict[int, list[tuple[int, str]]]:
    """For each applicant of the run: the eligible mentors (from the proposal) who still have
    room in this set, plus their current mentor, as (mentor user id, label) for a dropdown."""
    options = run.summary.get("options", {})
    mentor_ids = {m for ranked in options.values() for m, _ in ranked}
    names = dict(User.objects.filter(pk__in=mentor_ids).values_list("pk", "full_name"))
    taken: dict[int, int] = {}
    current = {p.mentee_id: p.mentor_id for p in pairs}
    for p in pairs:
        taken[p.mentor_id] = taken.get(p.mentor_id, 0) + 1
    places = {int(k): v for k, v in run.summary.get("places", {}).items()}
    result = {}
    for mentee_id in run.summary.get("applicants", []):
        listed = []
        for mentor_id, score in options.get(str(mentee_id), []):
            room = places.get(mentor_id, 0) - taken.get(mentor_id, 0)
            if (room > 0 or current.get(mentee_id) == mentor_id) and mentor_id in names:
                listed.append((mentor_id, f"{names[mentor_id]} (score {score:g})"))
        result[mentee_id] = listed
    return result
