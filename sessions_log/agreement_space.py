"""The pair page's "Our agreement" section, its "next meeting due by", and the programme's
suggested objectives (matching.agreements makes the agreement changes).

Read in a fixed number of queries: the pair's agreements with who proposed and agreed them,
and its programme; the objectives and meetings come from the pair space already read
(sessions_log.selectors.pair_space).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from matching import agreements
from matching.models import Agreement, Mentorship
from sessions_log import services
from sessions_log.models import Objective
from sessions_log.selectors import PairSpace

# How many past proposals the pair page lists under the agreement.
HISTORY_SHOWN = 8


def _key(title: str) -> str:
    return " ".join(title.split()).casefold()


def starter_objectives(text: str) -> list[str]:
    """The programme's suggested objectives: one per line, blank lines and repeats skipped."""
    seen: set[str] = set()
    titles = []
    for line in text.splitlines():
        title = " ".join(line.split())[: Objective._meta.get_field("title").max_length]
        if title and _key(title) not in seen:
            seen.add(_key(title))
            titles.append(title)
    return titles


def suggestions_for(text: str, objectives: list[Objective]) -> list[str]:
    """The suggestions the pair has not added yet (whatever has become of the objective)."""
    added = {_key(o.title) for o in objectives}
    return [t for t in starter_objectives(text) if _key(t) not in added]


@dataclass
class AgreementSpace:
    enabled: bool
    paragraphs: list[str] = field(default_factory=list)
    current: Agreement | None = None
    proposal: Agreement | None = None
    history: list[Agreement] = field(default_factory=list)
    next_due: date | None = None
    overdue: bool = False


def _describe(agreement: Agreement) -> Agreement:
    # What the templates show (sessions_log/_agreement_terms.html); not model attributes.
    setattr(agreement, "frequency_label", agreements.frequency_label(agreement))  # noqa: B010
    setattr(agreement, "format_labels", agreements.format_labels(agreement.formats))  # noqa: B010
    return agreement


def next_meeting_due(mentorship: Mentorship, space: PairSpace) -> date | None:
    """The last held meeting (or the start) plus the agreed rhythm; None with no agreed
    rhythm, or while a meeting is planned."""
    if not mentorship.cadence_days or space.totals.next is not None:
        return None
    last = space.totals.last.starts_at if space.totals.last else mentorship.started_at
    return timezone.localdate(last) + timedelta(days=mentorship.cadence_days)


def pair_context(mentorship: Mentorship, user: User, space: PairSpace) -> dict:
    """`agreement` and `suggested_objectives` for the pair page."""
    programme = mentorship.programme
    suggestions = (
        suggestions_for(programme.starter_objectives, space.objectives)
        if space.can_edit and not mentorship.is_advice
        else []
    )
    if not agreements.has_agreement(mentorship):
        return {"agreement": AgreementSpace(enabled=False), "suggested_objectives": suggestions}
    rows = [_describe(a) for a in agreements.history(mentorship)]
    by_status = {a.status: a for a in rows if a.status in ("agreed", "proposed")}
    due = next_meeting_due(mentorship, space)
    return {
        "agreement": AgreementSpace(
            enabled=True,
            paragraphs=[p.strip() for p in programme.agreement_text.split("\n\n") if p.strip()],
            current=by_status.get(Agreement.Status.AGREED),
            proposal=by_status.get(Agreement.Status.PROPOSED),
            history=rows[:HISTORY_SHOWN],
            next_due=due,
            overdue=due is not None and due < timezone.localdate(space.now),
        ),
        "suggested_objectives": suggestions,
    }


@transaction.atomic
def add_suggested_objective(mentorship: Mentorship, *, by: User, title: str) -> Objective | None:
    """Add one of the programme's suggestions as the pair's objective. None when the pair
    already has it (a double click, or both of them at once)."""
    pair = Mentorship.objects.select_for_update().select_related("programme").get(pk=mentorship.pk)
    if by.pk not in (pair.mentor_id, pair.mentee_id):
        raise services.SessionsError(
            gettext("Only the mentor and the mentee can change their mentoring space.")
        )
    wanted = next(
        (
            t
            for t in starter_objectives(pair.programme.starter_objectives)
            if _key(t) == _key(title)
        ),
        None,
    )
    if wanted is None:
        raise services.SessionsError(
            gettext("That is not one of the programme's suggested objectives.")
        )
    if any(_key(t) == _key(wanted) for t in pair.objectives.values_list("title", flat=True)):
        return None
    return services.add_objective(pair, by=by, title=wanted)
