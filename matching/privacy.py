"""Matching's part of a person's data export and of deleting their account (accounts.privacy)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.dispatch import receiver
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

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
from mentoring.emails import email_language
from profiles.models import MeetingFormat, MenteeProfile, MentorProfile


def _request_row(req: MentorshipRequest, *, other: str) -> dict[str, Any]:
    return {
        other: req.mentor_name if other == "To" else req.mentee_name,  # "To" / "From"
        gettext_noop("Sent"): req.created_at,
        gettext_noop("Asking for"): req.get_engagement_display(),
        gettext_noop("Topic of the advice conversation"): req.topic,
        gettext_noop("Message"): req.message,
        gettext_noop("Status"): req.get_status_display(),
        gettext_noop("Decline reason"): req.get_decline_reason_display(),
        # A decline's message, or the welcome note sent with an acceptance.
        gettext_noop("Message with the answer"): req.response_message,
        gettext_noop("Closed"): req.ended_at,
        gettext_noop("Closed by the scheme because"): req.get_close_reason_display(),
        gettext_noop("Why the scheme closed it"): req.closing_note,
    }


def _end_reason(m: Mentorship) -> str:
    """Why it ended: the reason given, or that its programme's term ended (completed, not
    ended early)."""
    if m.is_completed:
        if m.round:
            return gettext("Completed at the end of %(round)s") % {"round": m.round.name}
        return gettext("Completed at the end of the programme's term")
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
        other_name = other.full_name if other else gettext("a former participant")
        rows.append(
            {
                gettext_noop("Conversation"): c.pk,
                gettext_noop("Programme"): c.programme.name,
                gettext_noop("With"): other_name,
                gettext_noop("From"): gettext("You")
                if m.author_id == user.pk
                else (other_name if m.author_id else gettext("a former participant")),
                gettext_noop("Sent"): m.created_at,
                gettext_noop("Message"): m.body,
                gettext_noop("By email"): m.by_email,
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
        return gettext("You") if person.pk == user.pk else person.full_name

    formats = dict(MeetingFormat.choices)
    rows = []
    for a in agreements:
        m = a.mentorship
        rows.append(
            {
                gettext_noop("Mentorship"): m.pk,
                gettext_noop("With"): m.mentee_name
                if m.role_of(user) == "mentor"
                else m.mentor_name,
                gettext_noop("Status"): a.get_status_display(),
                gettext_noop("How often we meet"): a.get_frequency_display(),
                gettext_noop("How often, in our words"): a.frequency_other,
                gettext_noop("How we meet"): [formats.get(f, f) for f in a.formats],
                gettext_noop("We keep what we discuss confidential"): a.confidentiality,
                gettext_noop("We review how it is going on"): a.review_on,
                gettext_noop("We intend to finish by"): a.ends_on,
                gettext_noop("Anything else we agree"): a.notes,
                gettext_noop("Proposed by"): who(a.proposed_by),
                gettext_noop("Proposed"): a.proposed_at,
                gettext_noop("Agreed by"): who(a.agreed_by),
                gettext_noop("Agreed"): a.agreed_at,
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
        gettext_noop("Requests you sent"): [
            _request_row(r, other=gettext_noop("To")) for r in sent
        ],
        gettext_noop("Requests you received"): [
            _request_row(r, other=gettext_noop("From")) for r in received
        ],
        gettext_noop("Mentorships"): [
            {
                gettext_noop("Reference"): m.pk,
                gettext_noop("Your role"): gettext("Mentor")
                if m.role_of(user) == "mentor"
                else gettext("Mentee"),
                gettext_noop("With"): m.mentee_name
                if m.role_of(user) == "mentor"
                else m.mentor_name,
                gettext_noop("Kind"): m.get_engagement_display(),
                gettext_noop("Status"): m.get_status_display(),
                gettext_noop("Started"): m.started_at,
                gettext_noop("Ended"): m.ended_at,
                gettext_noop("End reason"): _end_reason(m),
                gettext_noop("Message at the end"): m.end_message,
                # What the person who ended it told the scheme team is theirs alone.
                gettext_noop("Your feedback for the scheme team"): (
                    m.feedback_comment if m.ended_by_id == user.pk else ""
                ),
                gettext_noop("Your rating"): m.feedback_rating
                if m.ended_by_id == user.pk
                else None,
            }
            for m in mentorships
        ],
        gettext_noop("Agreements"): _agreement_rows(user),
        gettext_noop("Messages"): _message_rows(user),
        gettext_noop("Messages you reported"): [
            {
                gettext_noop("Message sent"): r.message.created_at,
                gettext_noop("Reported"): r.created_at,
                gettext_noop("Why"): r.reason,
            }
            for r in MessageReport.objects.filter(reported_by=user).select_related("message")
        ],
        gettext_noop("Requests you reported"): [
            {
                gettext_noop("Request from"): r.request.mentee_name,
                gettext_noop("Request sent"): r.request.created_at,
                gettext_noop("Reported"): r.created_at,
                gettext_noop("What was inappropriate"): r.reason,
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
                # Kept in the mentee's records after the deletion, in the mentee's language: the
                # message names nobody.
                message=_in_language_of(
                    req.mentee, gettext_noop("This mentor has left the scheme.")
                ),
            )
        else:  # an informal pair their mentor recorded, which they would have confirmed
            services.decline_request(req, by=user, reason=MentorshipRequest.DeclineReason.OTHER)
    for mentorship in Mentorship.objects.active().for_user(user):
        if mentorship.role_of(user) == "mentor":
            other = mentorship.mentee
            message = gettext_noop("Your mentor has left the scheme and deleted their account.")
        else:
            other = mentorship.mentor
            message = gettext_noop("Your mentee has left the scheme and deleted their account.")
        services.end_mentorship(
            mentorship,
            by=user,
            reason=Mentorship.EndReason.ACCOUNT_DELETED,
            message=_in_language_of(other, message),
        )


def _in_language_of(person: User | None, message: str) -> str:
    """A stored sentence the other person reads later: written in their language."""
    with translation.override(email_language(person)):
        return gettext(message)


@receiver(erasing_account, dispatch_uid="matching-erase-messages")
def erase_messages(sender, *, user: User, **kwargs) -> None:
    """The person's messages lose their text (their author becomes "a former participant" with
    the user row); the other person's messages stay theirs to read."""
    Message.objects.filter(author=user).update(body="")
