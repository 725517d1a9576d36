"""Matching's part of a person's data export and of deleting their account (accounts.privacy)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.dispatch import receiver

from accounts.models import User
from accounts.privacy import closing_account, collect_personal_data, erasing_account
from matching import engagement_rules, services
from matching.models import (
    Agreement,
    Conversation,
    Mentorship,
    MentorshipRequest,
    Message,
    MessageReport,
    RequestReport,
)
from profiles.models import MeetingFormat, MenteeProfile, MentorProfile


def _request_row(req: MentorshipRequest, *, other: str) -> dict[str, Any]:
    return {
        other: req.mentor_name if other == "To" else req.mentee_name,
        "Sent": req.created_at,
        "Asking for": req.get_engagement_display(),
        "Topic of the advice conversation": req.topic,
        "Message": req.message,
        "Status": req.get_status_display(),
        "Decline reason": req.get_decline_reason_display(),
        # A decline's message, or the welcome note sent with an acceptance.
        "Message with the answer": req.response_message,
        "Closed": req.ended_at,
        "Closed by the scheme because": req.get_close_reason_display(),
        "Why the scheme closed it": req.closing_note,
    }


def _end_reason(m: Mentorship) -> str:
    """Why it ended: the reason given, or that its programme's term ended (completed, not
    ended early)."""
    if m.is_completed:
        term = m.round.name if m.round else "the programme's term"
        return f"Completed at the end of {term}"
    return m.get_end_reason_display()


def _message_rows(user: User) -> list[dict[str, Any]]:
    """Every message of the person's conversations, theirs and the other person's, as they read
    them (one query)."""
    rows = []
    messages = (
        Message.objects.filter(conversation__in=Conversation.objects.for_user(user))
        .select_related("conversation__mentor", "conversation__mentee", "conversation__programme")
        .order_by("conversation_id", "created_at", "pk")
    )
    for m in messages:
        c = m.conversation
        other = c.mentor if c.mentee_id == user.pk else c.mentee
        other_name = other.full_name if other else "a former participant"
        rows.append(
            {
                "Conversation": c.pk,
                "Programme": c.programme.name,
                "With": other_name,
                "From": "You"
                if m.author_id == user.pk
                else (other_name if m.author_id else "a former participant"),
                "Sent": m.created_at,
                "Message": m.body,
                "By email": m.by_email,
            }
        )
    return rows


def _agreement_rows(user: User) -> list[dict[str, Any]]:
    """Every agreement of the person's pairs, proposed or agreed, by either of them: what was
    agreed, by whom and when (one query)."""
    agreements = (
        Agreement.objects.filter(mentorship__in=Mentorship.objects.for_user(user))
        .select_related("mentorship__mentor", "mentorship__mentee", "proposed_by", "agreed_by")
        .order_by("mentorship_id", "proposed_at", "pk")
    )

    def who(person: User | None) -> str:
        if person is None:
            return ""
        return "You" if person.pk == user.pk else person.full_name

    formats = dict(MeetingFormat.choices)
    rows = []
    for a in agreements:
        m = a.mentorship
        rows.append(
            {
                "Mentorship": m.pk,
                "With": m.mentee_name if m.role_of(user) == "mentor" else m.mentor_name,
                "Status": a.get_status_display(),
                "How often we meet": a.get_frequency_display(),
                "How often, in our words": a.frequency_other,
                "How we meet": [formats.get(f, f) for f in a.formats],
                "We keep what we discuss confidential": a.confidentiality,
                "We review how it is going on": a.review_on,
                "We intend to finish by": a.ends_on,
                "Anything else we agree": a.notes,
                "Proposed by": who(a.proposed_by),
                "Proposed": a.proposed_at,
                "Agreed by": who(a.agreed_by),
                "Agreed": a.agreed_at,
            }
        )
    return rows


@receiver(collect_personal_data, dispatch_uid="matching-personal-data")
def personal_data(sender, *, user: User, **kwargs) -> dict[str, list[dict[str, Any]]]:
    sent = MentorshipRequest.objects.filter(mentee=user).select_related("mentor")
    received = MentorshipRequest.objects.filter(mentor=user).select_related("mentee")
    mentorships = Mentorship.objects.for_user(user).select_related("mentor", "mentee", "round")
    # Only reports the person filed: a mentee is never told they were reported.
    reports = RequestReport.objects.filter(reported_by=user).select_related("request__mentee")
    return {
        "Requests you sent": [_request_row(r, other="To") for r in sent],
        "Requests you received": [_request_row(r, other="From") for r in received],
        "Mentorships": [
            {
                "Reference": m.pk,
                "Your role": m.role_of(user),
                "With": m.mentee_name if m.role_of(user) == "mentor" else m.mentor_name,
                "Kind": m.get_engagement_display(),
                "Status": m.get_status_display(),
                "Started": m.started_at,
                "Ended": m.ended_at,
                "End reason": _end_reason(m),
                "Message at the end": m.end_message,
                # What the person who ended it told the scheme team is theirs alone.
                "Your feedback for the scheme team": (
                    m.feedback_comment if m.ended_by_id == user.pk else ""
                ),
                "Your rating": m.feedback_rating if m.ended_by_id == user.pk else None,
            }
            for m in mentorships
        ],
        "Agreements": _agreement_rows(user),
        "Messages": _message_rows(user),
        "Messages you reported": [
            {"Message sent": r.message.created_at, "Reported": r.created_at, "Why": r.reason}
            for r in MessageReport.objects.filter(reported_by=user).select_related("message")
        ],
        "Requests you reported": [
            {
                "Request from": r.request.mentee_name,
                "Request sent": r.request.created_at,
                "Reported": r.created_at,
                "What was inappropriate": r.reason,
            }
            for r in reports
        ],
    }


@receiver(closing_account, dispatch_uid="matching-close-account")
def close_requests_and_mentorships(sender, *, user: User, **kwargs) -> None:
    """Withdraw and answer open requests and end active mentorships, through the usual
    services: the other person gets the usual email and the mentor's place is freed.

    The person's profiles are locked first, so a request sent to or by them at this moment
    waits and then finds no profile, instead of leaving a pending request to someone who no
    longer exists. In the services' order: mentor profiles (with those of the person's mentors,
    which ending their mentorships locks), then the mentee profile."""
    their_mentors = Mentorship.objects.active().filter(mentee=user).values("mentor")
    list(
        MentorProfile.objects.select_for_update()
        .filter(Q(user=user) | Q(user__in=their_mentors))
        .order_by("pk")
    )
    list(MenteeProfile.objects.select_for_update().filter(user=user))
    # Each request is withdrawn by the person who made it and declined by the other (for an
    # informal pair, either may have recorded it: matching.engagement_rules).
    for req in MentorshipRequest.objects.pending().filter(Q(mentee=user) | Q(mentor=user)):
        if engagement_rules.recorder_id(req) == user.pk:
            services.withdraw_request(req, by=user)
        elif req.mentor_id == user.pk:
            services.decline_request(
                req,
                by=user,
                reason=MentorshipRequest.DeclineReason.NOT_AVAILABLE,
                # Kept in the mentee's records after the deletion: the message names nobody.
                message="This mentor has left the scheme.",
            )
        else:  # an informal pair their mentor recorded, which they would have confirmed
            services.decline_request(req, by=user, reason=MentorshipRequest.DeclineReason.OTHER)
    for mentorship in Mentorship.objects.active().for_user(user):
        services.end_mentorship(
            mentorship,
            by=user,
            reason=Mentorship.EndReason.ACCOUNT_DELETED,
            message=(
                f"Your {mentorship.role_of(user)} has left the scheme and deleted their account."
            ),
        )


@receiver(erasing_account, dispatch_uid="matching-erase-messages")
def erase_messages(sender, *, user: User, **kwargs) -> None:
    """The person's messages lose their text (their author becomes "a former participant" with
    the user row); the other person's messages stay theirs to read."""
    Message.objects.filter(author=user).update(body="")
