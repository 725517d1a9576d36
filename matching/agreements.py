"""A pair's mentoring agreement: how often and how they meet, confidentiality, a review date and
an intended end date.

Either person proposes; only the other agrees. A change is a new proposal: once agreed it
supersedes the agreement before it, so the rows are the pair's history. Proposing while a
proposal is open (one's own, or the other person's: "suggest changes") sets the open one aside
(withdrawn). The agreed rhythm is copied to `Mentorship.cadence_days`, which moves the
quiet-pair nudge (sessions_log.jobs) and the pair page's "next meeting due by".

Long-term and informal pairs have agreements; one-off advice conversations do not. An ended
pair's agreement is read-only. Every function locks the mentorship first, so two clicks or two
people at once are serialised, and repeating a click that already took effect changes nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from matching.models import Agreement, Engagement, Mentorship
from mentoring.emails import absolute_url, queue
from profiles.models import MeetingFormat

# In an agreement "email" means writing to each other: messages here or by email.
FORMAT_LABELS = {**dict(MeetingFormat.choices), MeetingFormat.EMAIL: "Messages"}


class AgreementError(Exception):
    """A refused change. The message is the sentence the person sees; `field` names the form
    field it belongs to, when it belongs to one."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def has_agreement(mentorship: Mentorship) -> bool:
    """Whether the pair writes an agreement: long-term pairs, and informal pairs if they wish."""
    return mentorship.engagement in (Engagement.LONG_TERM, Engagement.INFORMAL)


def format_labels(formats: list[str]) -> list[str]:
    # The labels are lazily translated: in the language of the page or email.
    return [str(FORMAT_LABELS.get(f, f)) for f in formats]


def frequency_label(agreement: Agreement) -> str:
    if agreement.frequency == Agreement.Frequency.OTHER:
        return agreement.frequency_other or "Other"
    return agreement.get_frequency_display()


def _lock_pair(mentorship: Mentorship, by: User) -> Mentorship:
    locked = (
        Mentorship.objects.select_for_update().select_related("programme").get(pk=mentorship.pk)
    )
    if by.pk not in (locked.mentor_id, locked.mentee_id):
        raise AgreementError("Only the mentor and the mentee can change their agreement.")
    if not has_agreement(locked):
        raise AgreementError("A one-off advice conversation has no mentoring agreement.")
    if not locked.is_active:
        raise AgreementError(
            "This mentorship has ended, so its agreement can no longer be changed."
        )
    return locked


def validate(data: dict[str, Any], *, today: date | None = None) -> None:
    """The rules of a proposal (the form checks the same, next to each field)."""
    today = today or timezone.localdate()
    if data.get("frequency") not in Agreement.Frequency.values:
        raise AgreementError("Choose how often you will meet.", "frequency")
    if data["frequency"] == Agreement.Frequency.OTHER and not data.get("frequency_other"):
        raise AgreementError("Say in a few words how often you will meet.", "frequency_other")
    formats = data.get("formats") or []
    if not formats or any(f not in MeetingFormat.values for f in formats):
        raise AgreementError("Choose at least one way of meeting.", "formats")
    if not data.get("confidentiality"):
        raise AgreementError(
            "Tick the confidentiality statement: every agreement includes it.", "confidentiality"
        )
    review_on, ends_on = data.get("review_on"), data.get("ends_on")
    if review_on is not None and review_on <= today:
        raise AgreementError("The review date needs to be after today.", "review_on")
    if ends_on is not None and ends_on <= today:
        raise AgreementError("The intended end date needs to be after today.", "ends_on")
    if review_on is not None and ends_on is not None and ends_on <= review_on:
        raise AgreementError("The intended end date needs to be after the review date.", "ends_on")


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    frequency = data.get("frequency")
    return {
        "frequency": frequency,
        "frequency_other": (data.get("frequency_other") or "").strip()
        if frequency == Agreement.Frequency.OTHER
        else "",
        "formats": [f for f in MeetingFormat.values if f in (data.get("formats") or [])],
        "confidentiality": bool(data.get("confidentiality")),
        "review_on": data.get("review_on"),
        "ends_on": data.get("ends_on"),
        "notes": (data.get("notes") or "").strip(),
    }


def _same_terms(agreement: Agreement, fields: dict[str, Any]) -> bool:
    return all(getattr(agreement, name) == value for name, value in fields.items())


@transaction.atomic
def propose(mentorship: Mentorship, *, by: User, data: dict[str, Any]) -> Agreement:
    """Propose an agreement, or a change to the agreed one. An open proposal is set aside: the
    proposer's own (they changed it) or the other person's (they suggest changes). Proposing
    exactly what is already open from the same person (a double submit) changes nothing."""
    pair = _lock_pair(mentorship, by)
    validate(data)
    fields = _clean(data)
    current = {a.status: a for a in pair.agreements.filter(status__in=["proposed", "agreed"])}
    open_ = current.get(Agreement.Status.PROPOSED)
    if open_ is not None and _same_terms(open_, fields):
        if open_.proposed_by_id == by.pk:
            return open_
        raise AgreementError(
            f"This is what {pair.other_name(by)} proposed: you can agree it on your page."
        )
    agreed = current.get(Agreement.Status.AGREED)
    if agreed is not None and _same_terms(agreed, fields):
        raise AgreementError("This is what you have already agreed: change something first.")
    if open_ is not None:
        open_.status = Agreement.Status.WITHDRAWN
        open_.save(update_fields=["status"])
    proposal = Agreement.objects.create(
        mentorship=pair,
        status=Agreement.Status.PROPOSED,
        proposed_by=by,
        proposed_at=timezone.now(),
        **fields,
    )
    _email("agreement_proposed", proposal, pair, by=by, replaces=agreed)
    return proposal


@transaction.atomic
def agree(agreement: Agreement, *, by: User) -> Agreement:
    """The other person agrees to a proposal: it supersedes the agreed one, and its rhythm
    becomes the pair's. Agreeing twice (a double click) changes nothing."""
    pair = _lock_pair(agreement.mentorship, by)
    proposal = Agreement.objects.select_for_update().get(pk=agreement.pk, mentorship=pair)
    if proposal.status == Agreement.Status.AGREED and proposal.agreed_by_id == by.pk:
        return proposal
    if proposal.status != Agreement.Status.PROPOSED:
        raise AgreementError(
            "This proposal is no longer open: it was withdrawn or replaced by a newer one."
        )
    if proposal.proposed_by_id == by.pk:
        other = pair.other_name(by)
        raise AgreementError(f"You proposed this agreement, so {other} is the one to agree it.")
    now = timezone.now()
    pair.agreements.filter(status=Agreement.Status.AGREED).update(
        status=Agreement.Status.SUPERSEDED
    )
    proposal.status = Agreement.Status.AGREED
    proposal.agreed_by = by
    proposal.agreed_at = now
    proposal.save(update_fields=["status", "agreed_by", "agreed_at"])
    pair.cadence_days = proposal.cadence_days
    pair.save(update_fields=["cadence_days"])
    _email("agreement_agreed", proposal, pair, by=by)
    return proposal


@transaction.atomic
def withdraw(agreement: Agreement, *, by: User) -> Agreement:
    """The proposer takes back their open proposal. Withdrawing twice changes nothing."""
    pair = _lock_pair(agreement.mentorship, by)
    proposal = Agreement.objects.select_for_update().get(pk=agreement.pk, mentorship=pair)
    if proposal.proposed_by_id != by.pk:
        raise AgreementError(
            "Only the person who proposed it can withdraw it. You can suggest changes instead."
        )
    if proposal.status == Agreement.Status.WITHDRAWN:
        return proposal
    if proposal.status != Agreement.Status.PROPOSED:
        raise AgreementError("This proposal has already been agreed, so it cannot be withdrawn.")
    proposal.status = Agreement.Status.WITHDRAWN
    proposal.save(update_fields=["status"])
    return proposal


def history(mentorship: Mentorship) -> list[Agreement]:
    """Every proposal of the pair, newest first, with who proposed and agreed it."""
    return list(mentorship.agreements.select_related("proposed_by", "agreed_by"))


def email_ctx(agreement: Agreement, pair: Mentorship, *, by: User, to: User) -> dict[str, Any]:
    return {
        "agreement": agreement,
        "mentorship": pair,
        "by": by,
        "other": to,
        "frequency": frequency_label(agreement),
        "formats": format_labels(agreement.formats),
        "url": absolute_url(reverse("sessions_log:mentorship-detail", args=[pair.pk]))
        + "#agreement",
    }


def _email(
    kind: str,
    agreement: Agreement,
    pair: Mentorship,
    *,
    by: User,
    replaces: Agreement | None = None,
) -> None:
    """To the other person. Like every email about a change one of the pair made (a planned
    meeting), it is not a reminder: it goes to any active account."""
    to = pair.other_party(by)
    if to is None or not to.is_active:
        return
    ctx = email_ctx(agreement, pair, by=by, to=to)
    ctx["is_change"] = replaces is not None
    queue(kind, to=to, ctx=ctx, dedupe_key=f"{kind.replace('_', '-')}:{agreement.pk}")


def preview_samples() -> dict[str, dict[str, Any]]:
    """Sample contexts for the staff email previews (unsaved rows: nothing is written)."""
    mentor = User(pk=1, full_name="Daniel Okafor", email="daniel.okafor@example.org")
    mentee = User(pk=2, full_name="Maya Patel", email="maya.patel@example.org")
    mentorship = Mentorship(pk=1, mentor=mentor, mentee=mentee, started_at=timezone.now())
    today = timezone.localdate()
    agreement = Agreement(
        pk=1,
        mentorship=mentorship,
        frequency=Agreement.Frequency.BIMONTHLY,
        formats=[MeetingFormat.IN_PERSON, MeetingFormat.VIDEO],
        confidentiality=True,
        review_on=today.replace(day=1).replace(year=today.year + 1),
        ends_on=today.replace(day=1).replace(year=today.year + 2),
        notes="Maya arranges the meetings; we keep an hour free each time.",
        proposed_by=mentee,
        proposed_at=timezone.now(),
    )
    proposed = {"to": mentor, **email_ctx(agreement, mentorship, by=mentee, to=mentor)}
    agreed = {"to": mentee, **email_ctx(agreement, mentorship, by=mentor, to=mentee)}
    return {
        "agreement_proposed": {**proposed, "is_change": False},
        "agreement_agreed": {**agreed, "is_change": False},
    }
