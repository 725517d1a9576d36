"""A request's status as each of its two people should read it: a request the scheme closed
says why ("Closed — you found a mentor"), never a bare "Withdrawn" or "Closed"."""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.utils.text import capfirst
from django.utils.translation import gettext

from accounts.models import User
from matching import engagement_rules
from matching.models import Engagement, MentorshipRequest

register = template.Library()


def _nothing_you_did() -> str:
    """The closing words of a request the mentor's absence or departure closed."""
    return gettext("It is nothing you did: you can approach another mentor now.")


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
                gettext("Expired — not answered in time"),
                status.tone,
                gettext(
                    "This request was not answered in time, so it expired. %(name)s was told "
                    "and may approach another mentor."
                )
                % {"name": capfirst(mentee)},
            )
        return ShownStatus(
            status.value,
            gettext("Expired — no answer in time"),
            status.tone,
            gettext(
                "%(name)s did not answer in time, so this request expired. It is nothing you "
                "did: you can approach another mentor now."
            )
            % {"name": capfirst(mentor)},
        )
    if status == Status.WITHDRAWN:
        label = (
            gettext("Withdrawn by %(name)s") % {"name": mentee}
            if is_mentor
            else gettext("Withdrawn by you")
        )
        return ShownStatus(status.value, label, status.tone)
    return ShownStatus(status.value, status.label, status.tone)


def _informal(req: MentorshipRequest, user: User | None, status: Status) -> ShownStatus:
    """An informal record that was withdrawn or expired: its recorder may be the mentor, and
    its expiry sends nobody anything (matching.jobs), so nobody "was told"."""
    recorded_by_me = user is not None and engagement_rules.recorder_id(req) == user.pk
    recorder = req.mentor_name if req.sent_by_mentor else req.mentee_name
    other = req.mentee_name if req.sent_by_mentor else req.mentor_name
    if status == Status.WITHDRAWN:
        label = (
            gettext("Withdrawn by you")
            if recorded_by_me
            else gettext("Withdrawn by %(name)s") % {"name": recorder}
        )
        return ShownStatus(status.value, label, status.tone)
    if recorded_by_me:
        return ShownStatus(
            status.value,
            gettext("Expired — not confirmed in time"),
            status.tone,
            gettext(
                "%(name)s did not confirm your record of informal mentoring in time, so it "
                "expired. You can record it again if you both wish."
            )
            % {"name": capfirst(other)},
        )
    return ShownStatus(
        status.value,
        gettext("Expired — not confirmed in time"),
        status.tone,
        gettext(
            "You did not confirm %(name)s's record of informal mentoring in time, so it "
            "expired. Nothing else follows from it; either of you can record it again."
        )
        % {"name": recorder},
    )


def _closed(
    req: MentorshipRequest, *, is_mentor: bool, mentor: str, mentee: str
) -> tuple[str, str]:
    reason = req.close_reason
    if reason == Reason.MATCHED_ELSEWHERE:
        if is_mentor:
            return (
                gettext("Closed — %(name)s found a mentor") % {"name": mentee},
                gettext(
                    "%(name)s found a mentor, so this request is closed. There is nothing you "
                    "need to do, and your place stays free for another mentee."
                )
                % {"name": capfirst(mentee)},
            )
        return (
            gettext("Closed — you found a mentor"),
            gettext(
                "You found a mentor, so this request is closed. %(name)s has been told; there "
                "is nothing you need to do."
            )
            % {"name": capfirst(mentor)},
        )
    if reason == Reason.MENTOR_AWAY:
        if is_mentor:
            return (
                gettext("Closed — you were away"),
                gettext("You went away, so this request was closed kindly and %(name)s was told.")
                % {"name": mentee},
            )
        return (
            gettext("Closed — the mentor is away"),
            f"{req.closing_note} {_nothing_you_did()}",
        )
    if reason == Reason.MENTOR_HIDDEN:
        if is_mentor:
            return (
                gettext("Closed — you stopped taking requests"),
                gettext(
                    "You hid your profile, so this request was closed kindly and %(name)s was told."
                )
                % {"name": mentee},
            )
        return (
            gettext("Closed — the mentor stopped taking requests"),
            gettext(
                "%(name)s has stopped taking requests for now, so this request is closed. It "
                "is nothing you did: you can approach another mentor now."
            )
            % {"name": capfirst(mentor)},
        )
    if reason == Reason.MENTOR_LEFT:
        if is_mentor:
            return (
                gettext("Closed — you left the programme"),
                gettext("You left %(programme)s, so this request was closed and %(name)s was told.")
                % {"programme": req.programme.name, "name": mentee},
            )
        return (
            gettext("Closed — the mentor left the programme"),
            f"{req.closing_note} {_nothing_you_did()}",
        )
    return gettext("Closed"), req.closing_note


@register.simple_tag
def request_status(req: MentorshipRequest, user: User | None) -> ShownStatus:
    """`{% request_status req request.user as shown %}`: the badge and the sentence for this
    viewer."""
    return status_for(req, user)
