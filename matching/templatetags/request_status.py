"""A request's status as each of its two people should read it: a request the scheme closed
says why ("Closed — you found a mentor"), never a bare "Withdrawn" or "Closed"."""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.utils.text import capfirst

from accounts.models import User
from matching import engagement_rules
from matching.models import Engagement, MentorshipRequest

register = template.Library()

Status = MentorshipRequest.Status
Reason = MentorshipRequest.CloseReason


@dataclass(frozen=True)
class ShownStatus:
    """What includes/status_badge.html needs (value, label, tone), and a sentence for the
    request's page."""

    value: str
    label: str
    tone: str
    explanation: str = ""


def status_for(req: MentorshipRequest, user: User | None) -> ShownStatus:
    is_mentor = user is not None and req.mentor_id == user.pk
    mentor, mentee = req.mentor_name, req.mentee_name
    status = Status(req.status)
    if status == Status.CLOSED:
        label, explanation = _closed(req, is_mentor=is_mentor, mentor=mentor, mentee=mentee)
        return ShownStatus(status.value, label, status.tone, explanation)
    if req.engagement == Engagement.INFORMAL and status in (Status.EXPIRED, Status.WITHDRAWN):
        return _informal(req, user, status)
    if status == Status.EXPIRED:
        if is_mentor:
            return ShownStatus(
                status.value,
                "Expired — not answered in time",
                status.tone,
                "This request was not answered in time, so it expired. "
                f"{capfirst(mentee)} was told and may approach another mentor.",
            )
        return ShownStatus(
            status.value,
            "Expired — no answer in time",
            status.tone,
            f"{capfirst(mentor)} did not answer in time, so this request expired. It is "
            "nothing you did: you can approach another mentor now.",
        )
    if status == Status.WITHDRAWN:
        label = f"Withdrawn by {mentee}" if is_mentor else "Withdrawn by you"
        return ShownStatus(status.value, label, status.tone)
    return ShownStatus(status.value, status.label, status.tone)


def _informal(req: MentorshipRequest, user: User | None, status: Status) -> ShownStatus:
    """An informal record that was withdrawn or expired: its recorder may be the mentor, and
    its expiry sends nobody anything (matching.jobs), so nobody "was told"."""
    recorded_by_me = user is not None and engagement_rules.recorder_id(req) == user.pk
    recorder = req.mentor_name if req.sent_by_mentor else req.mentee_name
    other = req.mentee_name if req.sent_by_mentor else req.mentor_name
    if status == Status.WITHDRAWN:
        label = "Withdrawn by you" if recorded_by_me else f"Withdrawn by {recorder}"
        return ShownStatus(status.value, label, status.tone)
    if recorded_by_me:
        return ShownStatus(
            status.value,
            "Expired — not confirmed in time",
            status.tone,
            f"{capfirst(other)} did not confirm your record of informal mentoring in time, so it "
            "expired. You can record it again if you both wish.",
        )
    return ShownStatus(
        status.value,
        "Expired — not confirmed in time",
        status.tone,
        f"You did not confirm {recorder}'s record of informal mentoring in time, so it expired. "
        "Nothing else follows from it; either of you can record it again.",
    )


def _closed(
    req: MentorshipRequest, *, is_mentor: bool, mentor: str, mentee: str
) -> tuple[str, str]:
    reason = req.close_reason
    if reason == Reason.MATCHED_ELSEWHERE:
        if is_mentor:
            return (
                f"Closed — {mentee} found a mentor",
                f"{capfirst(mentee)} found a mentor, so this request is closed. There is "
                "nothing you need to do, and your place stays free for another mentee.",
            )
        return (
            "Closed — you found a mentor",
            f"You found a mentor, so this request is closed. {capfirst(mentor)} has been "
            "told; there is nothing you need to do.",
        )
    if reason == Reason.MENTOR_AWAY:
        if is_mentor:
            return (
                "Closed — you were away",
                f"You went away, so this request was closed kindly and {mentee} was told.",
            )
        return (
            "Closed — the mentor is away",
            f"{req.closing_note} It is nothing you did: you can approach another mentor now.",
        )
    if reason == Reason.MENTOR_HIDDEN:
        if is_mentor:
            return (
                "Closed — you stopped taking requests",
                f"You hid your profile, so this request was closed kindly and {mentee} was told.",
            )
        return (
            "Closed — the mentor stopped taking requests",
            f"{capfirst(mentor)} has stopped taking requests for now, so this request is "
            "closed. It is nothing you did: you can approach another mentor now.",
        )
    if reason == Reason.MENTOR_LEFT:
        if is_mentor:
            return (
                "Closed — you left the programme",
                f"You left {req.programme.name}, so this request was closed and {mentee} was told.",
            )
        return (
            "Closed — the mentor left the programme",
            f"{req.closing_note} It is nothing you did: you can approach another mentor now.",
        )
    return "Closed", req.closing_note


@register.simple_tag
def request_status(req: MentorshipRequest, user: User | None) -> ShownStatus:
    """`{% request_status req request.user as shown %}`: the badge and the sentence for this
    viewer."""
    return status_for(req, user)
