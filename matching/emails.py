"""One function per email the matching events send; each queues through the outbox."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import reverse
from django.utils.http import urlencode

from accounts.models import ReminderKind
from matching.models import Conversation, Mentorship, MentorshipRequest, Message, RequestReport
from matching.reply_address import reply_address
from mentoring.emails import (
    absolute_url,
    cancel_queued,
    queue,
    queue_many,
    reminder_extras,
    render,
    wants_reminders,
)
from profiles import handbook

if TYPE_CHECKING:
    from accounts.models import User
    from mentoring.models import Outbox
    from profiles.models import Programme


def _present(person: User | None) -> User:
    """The person an email about a request or a mentorship goes to. Deleting an account closes
    its pending requests and ends its mentorships first (matching.privacy), so they have one."""
    assert person is not None, "an email to a deleted account"
    return person


def _request_url(req: MentorshipRequest) -> str:
    return absolute_url(reverse("matching:request-detail", args=[req.pk]))


def _directory_url(programme: Programme) -> str:
    """The directory of the programme the email is about: the mentee looks again there."""
    return absolute_url(
        f"{reverse('profiles:directory')}?{urlencode({'programme': programme.slug})}"
    )


def request_received(req: MentorshipRequest) -> None:
    """Held a few minutes (settings), so a request withdrawn at once never reaches the mentor."""
    mentee_profile = getattr(req.mentee, "mentee_profile", None)
    queue(
        "request_received",
        to=_present(req.mentor),
        ctx={
            "req": req,
            "programme": req.programme,
            "mentee_profile": mentee_profile,
            "url": _request_url(req),
        },
        dedupe_key=received_key(req),
        hold=timedelta(minutes=settings.REQUEST_EMAIL_HOLD_MINUTES),
    )


def mentor_proposed(req: MentorshipRequest) -> None:
    """To the mentee: the scheme team proposed a mentor for them, who is now asked (the
    mentor's answer follows as for any request)."""
    queue(
        "mentor_proposed",
        to=_present(req.mentee),
        ctx={"req": req, "programme": req.programme, "url": _request_url(req)},
        dedupe_key=f"mentor-proposed:{req.pk}",
    )


def cancel_request_received(req: MentorshipRequest) -> bool:
    """Stop the mentor's "new request" email while it is still held. True when it was stopped,
    so the mentor was never told of the request."""
    return cancel_queued(received_key(req))


def received_key(req: MentorshipRequest) -> str:
    return f"request-received:{req.pk}"


@handbook.remembered()  # the text and HTML of each email link the same pages: one query
def request_accepted(req: MentorshipRequest) -> None:
    mentorship = req.mentorship
    queue(
        "request_accepted",
        to=_present(req.mentee),
        ctx={
            "req": req,
            "programme": req.programme,
            "url": absolute_url(reverse("sessions_log:mentorship-detail", args=[mentorship.pk])),
        },
        dedupe_key=f"request-accepted:{req.pk}",
    )


def informal_recorded(req: MentorshipRequest, *, to: User, by: User) -> None:
    """To the other person of an informal pair someone recorded: confirm or decline it."""
    queue(
        "informal_recorded",
        to=to,
        ctx={"req": req, "by": by, "programme": req.programme, "url": _request_url(req)},
        dedupe_key=f"informal-recorded:{req.pk}",
    )


def request_declined(req: MentorshipRequest) -> None:
    queue(
        "request_declined",
        to=_present(req.mentee),
        ctx={
            "req": req,
            "programme": req.programme,
            "url": _request_url(req),
            "directory_url": _directory_url(req.programme),
        },
        dedupe_key=f"request-declined:{req.pk}",
    )


def request_withdrawn(req: MentorshipRequest) -> None:
    queue(
        "request_withdrawn",
        to=_present(req.mentor),
        ctx={"req": req, "programme": req.programme, "url": _request_url(req)},
        dedupe_key=f"request-withdrawn:{req.pk}",
    )


def request_reported(report: RequestReport) -> None:
    """To the scheme team: a mentor reported a request as inappropriate."""
    req = report.request
    queue(
        "request_reported",
        to=settings.SCHEME_CONTACT_EMAIL,
        ctx={
            "report": report,
            "req": req,
            "admin_url": absolute_url(
                reverse("admin:matching_requestreport_change", args=[report.pk])
            ),
        },
        dedupe_key=f"request-reported:{report.pk}",
    )


def request_closed_mentee_matched(req: MentorshipRequest) -> None:
    queue(
        "request_closed_mentee_matched",
        to=_present(req.mentor),
        ctx={"req": req, "programme": req.programme, "url": _request_url(req)},
        dedupe_key=f"request-closed-matched:{req.pk}",
    )


def request_closed_mentor_left(req: MentorshipRequest) -> None:
    """To the mentee: the mentor left the programme, so the request is closed."""
    queue(
        "request_closed_mentor_left",
        to=_present(req.mentee),
        ctx={
            "req": req,
            "url": _request_url(req),
            "directory_url": _directory_url(req.programme),
        },
        dedupe_key=f"request-closed-mentor-left:{req.pk}",
    )


def request_closed_by_mentor(req: MentorshipRequest, *, away_note: str = "") -> None:
    """To the mentee: the mentor went away (with their note and return date) or hid their
    profile, so the request is closed; approach someone else."""
    away = req.close_reason == MentorshipRequest.CloseReason.MENTOR_AWAY
    kind = "request_closed_mentor_away" if away else "request_closed_mentor_hidden"
    profile = getattr(req.mentor, "mentor_profile", None)
    queue(
        kind,
        to=_present(req.mentee),
        ctx={
            "req": req,
            "away_until": getattr(profile, "away_until", None),
            "away_note": away_note,
            "url": _request_url(req),
            "directory_url": _directory_url(req.programme),
        },
        dedupe_key=f"{kind.replace('_', '-')}:{req.pk}",
    )


def requests_kept_waiting(reqs: list[MentorshipRequest], *, until: date, away_note: str) -> int:
    """To each mentee: the mentor is away until `until` (with their note) and chose to keep the
    request waiting; it now expires the programme's days after their return
    (matching.availability.go_away moved its clock: `expires_after`). One email per request and
    return date: moving the date again tells them again."""
    return queue_many(
        [
            render(
                "request_kept_waiting",
                to=_present(req.mentee),
                ctx={
                    "req": req,
                    "away_until": until,
                    "away_note": away_note,
                    "expires_on": req.expires_after
                    + timedelta(days=req.programme.request_expiry_days),
                    "url": _request_url(req),
                    "directory_url": _directory_url(req.programme),
                },
                dedupe_key=f"request-kept-waiting:{req.pk}:{until.isoformat()}",
            )
            for req in reqs
            if req.expires_after is not None
        ]
    )


def requests_expired(reqs: list[MentorshipRequest]) -> int:
    """To each mentee: the request expired; look again in its programme's directory (the
    requests come with their programme)."""
    return queue_many(
        [
            render(
                "request_expired",
                to=_present(req.mentee),
                ctx={
                    "req": req,
                    "url": _request_url(req),
                    "directory_url": _directory_url(req.programme),
                },
                dedupe_key=f"request-expired:{req.pk}",
            )
            for req in reqs
        ]
    )


def request_reminders(
    reqs: list[MentorshipRequest], *, second_ids: set[int], expires_in: int
) -> int:
    """The reminders to mentors about unanswered requests (they can opt out of reminders)."""
    rows = []
    for req in reqs:
        mentor = _present(req.mentor)
        if not wants_reminders(mentor, ReminderKind.REQUESTS):
            continue
        number = 2 if req.pk in second_ids else 1
        ctx, headers = reminder_extras(mentor, ReminderKind.REQUESTS)
        rows.append(
            render(
                "request_reminder",
                to=mentor,
                ctx={
                    "req": req,
                    "mentee_profile": getattr(req.mentee, "mentee_profile", None),
                    "url": _request_url(req),
                    "number": number,
                    "expires_on": req.created_at + timedelta(days=expires_in),
                    **ctx,
                },
                headers=headers,
                dedupe_key=f"request-reminder:{req.pk}:{number}",
            )
        )
    return queue_many(rows)


@handbook.remembered()  # the text and HTML of each email link the same pages: one query
def mentorship_ended(mentorship: Mentorship, *, extras: dict[int, dict] | None = None) -> None:
    """To the other person. `extras` (by person): what the apps above add, e.g. the meetings
    the ending cancelled and their calendar cancellations (matching.signals)."""
    other = _present(mentorship.other_party(mentorship.ended_by))
    queue(
        "mentorship_ended",
        to=other,
        ctx={
            "mentorship": mentorship,
            "programme": mentorship.programme,
            "ended_by": mentorship.ended_by,
            "other": other,
            "url": absolute_url(reverse("sessions_log:mentorship-detail", args=[mentorship.pk])),
            "directory_url": _directory_url(mentorship.programme),
            **(extras or {}).get(other.pk, {}),
        },
        dedupe_key=f"mentorship-ended:{mentorship.pk}",
    )


@handbook.remembered()  # the text and HTML of each email link the same pages: one query
def mentorship_introduction(mentorship: Mentorship) -> None:
    url = absolute_url(reverse("sessions_log:mentorship-detail", args=[mentorship.pk]))
    mentee, mentor = _present(mentorship.mentee), _present(mentorship.mentor)
    for person, other in ((mentee, mentor), (mentor, mentee)):
        queue(
            "mentorship_introduction",
            to=person,
            ctx={
                "mentorship": mentorship,
                "programme": mentorship.programme,
                "other": other,
                "person": person,
                "url": url,
                "is_mentee": person.pk == mentorship.mentee_id,
            },
            dedupe_key=f"mentorship-introduction:{mentorship.pk}:{person.pk}",
        )


@handbook.remembered()  # the text and HTML of each email link the same pages: one query
def mentorship_completed(mentorship: Mentorship, *, extras: dict[int, dict] | None = None) -> None:
    """To both: the programme's term has ended, so their mentorship is complete (not ended
    early); thanks, and they may keep in touch informally. `extras` as `mentorship_ended`."""
    url = absolute_url(reverse("sessions_log:mentorship-detail", args=[mentorship.pk]))
    mentee, mentor = _present(mentorship.mentee), _present(mentorship.mentor)
    for person, other in ((mentee, mentor), (mentor, mentee)):
        queue(
            "mentorship_completed",
            to=person,
            ctx={
                "mentorship": mentorship,
                "programme": mentorship.programme,
                "round": mentorship.round,
                "person": person,
                "other": other,
                "is_mentee": person.pk == mentorship.mentee_id,
                "url": url,
                **(extras or {}).get(person.pk, {}),
            },
            dedupe_key=f"mentorship-completed:{mentorship.pk}:{person.pk}",
        )


# Conversations: new-message notifications and daily digests (matching.jobs decides who gets
# which and when; these only render).


def conversation_url(conversation: Conversation) -> str:
    """The page a conversation is read on: the pair's page once there is a pair, else the
    request's."""
    if conversation.mentorship_id:
        return absolute_url(
            reverse("sessions_log:mentorship-detail", args=[conversation.mentorship_id])
        )
    return absolute_url(reverse("matching:request-detail", args=[conversation.request_id]))


def _preferences_url() -> str:
    return absolute_url(reverse("accounts:email-preferences"))


def message_notification(
    conversation: Conversation, recipient: User, messages: list[Message]
) -> Outbox:
    """One email for a burst of messages the recipient has not read on the site, quoting each
    (oldest first, newest last). Its Reply-To lets them answer from their mail app."""
    headers = {}
    reply_to = reply_address(conversation.pk, recipient.pk)
    if reply_to:
        headers["Reply-To"] = reply_to
    return render(
        "message_notification",
        to=recipient,
        ctx={
            "conversation": conversation,
            "programme": conversation.programme,
            "messages": messages,
            "count": len(messages),
            "author": messages[-1].author,
            "url": conversation_url(conversation),
            "preferences_url": _preferences_url(),
            "reply_by_email": bool(reply_to),
        },
        headers=headers,
        dedupe_key=f"message-notification:{conversation.pk}:{recipient.pk}:{messages[-1].pk}",
    )


def message_notifications(batches: list[tuple[Conversation, User, list[Message]]]) -> int:
    """Queue every notification in one INSERT. Returns how many were queued."""
    return queue_many([message_notification(c, r, msgs) for c, r, msgs in batches])


def message_digest(
    recipient: User, conversations: list[tuple[Conversation, list[Message]]], *, day: date
) -> Outbox:
    """A person's daily digest: each conversation with unread messages, quoting them."""
    return render(
        "message_digest",
        to=recipient,
        ctx={
            "threads": [
                {
                    "conversation": conversation,
                    "programme": conversation.programme,
                    "other": messages[-1].author,
                    "messages": messages,
                    "url": conversation_url(conversation),
                }
                for conversation, messages in conversations
            ],
            "count": sum(len(messages) for _, messages in conversations),
            "day": day,
            "preferences_url": _preferences_url(),
        },
        dedupe_key=f"message-digest:{recipient.pk}:{day.isoformat()}",
    )


def message_digests(
    batches: list[tuple[User, list[tuple[Conversation, list[Message]]]]], *, day: date
) -> int:
    return queue_many([message_digest(r, convs, day=day) for r, convs in batches])
