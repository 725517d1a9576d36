"""What makes the demo pair look alive on home: a meeting still to come, an objective due this
week, a check-in to answer, an agreement and a short conversation with the mentor's latest
message unread by the mentee. Each step checks first, so running the seed again adds nothing,
and an older demo database gets what it lacks."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from accounts.models import User
from matching import conversations
from matching.models import Agreement, Conversation, Mentorship, Message
from mentoring.demo.rows import copy_rows, next_ids
from sessions_log.models import CheckIn, Meeting, Objective, new_token

# The demo conversation: (who writes, how long ago, what).
CONVERSATION = [
    (
        "mentee",
        timedelta(days=3, hours=2),
        "Thank you for the mock assessment exercise last time. Could we use the next call for "
        "competency questions?",
    ),
    (
        "mentor",
        timedelta(days=2, hours=20),
        "Of course. Pick two examples from your placement and we will practise the STAR answers.",
    ),
    (
        "mentor",
        timedelta(hours=5),
        "I have sent you a short list of questions from our graduate interviews. Have a look "
        "before Thursday if you can.",
    ),
]


def bring_demo_pair_to_life(mentor: User, mentee: User, *, now: datetime) -> None:
    pair = (
        Mentorship.objects.active()
        .filter(mentor=mentor, mentee=mentee)
        .select_related("programme", "request")
        .first()
    )
    if pair is None:
        return
    _planned_meeting(pair, mentee, now=now)
    _objective_due_this_week(pair, now=now)
    _check_in(pair, mentee, now=now)
    _agreement(pair, mentor, mentee)
    _conversation(pair, mentor, mentee, now=now)


def _planned_meeting(pair: Mentorship, mentee: User, *, now: datetime) -> None:
    """A meeting still to come (an older demo database's planned one may have passed)."""
    if Meeting.objects.planned().filter(mentorship=pair, starts_at__gt=now).exists():
        return
    Meeting.objects.create(
        mentorship=pair,
        status=Meeting.Status.PLANNED,
        created_by=mentee,
        starts_at=(now + timedelta(days=5)).replace(hour=17, minute=30, second=0, microsecond=0),
        time_zone=mentee.time_zone,
        duration_minutes=60,
        format="video",
        location="Video call",
        agenda="Mock interview: competency questions.",
    )


def _objective_due_this_week(pair: Mentorship, *, now: datetime) -> None:
    """The open objective with no date gets one this week, so the to-do list shows it."""
    today = timezone.localdate(now)
    if (
        pair.objectives.filter(target_date__gte=today, target_date__lte=today + timedelta(days=6))
        .exclude(status__in=[Objective.Status.ACHIEVED, Objective.Status.DROPPED])
        .exists()
    ):
        return
    open_ = pair.objectives.filter(status=Objective.Status.NOT_STARTED).order_by("position")
    objective = open_.filter(target_date__isnull=True).first() or open_.first()
    if objective is not None:
        objective.target_date = today + timedelta(days=4)
        objective.save(update_fields=["target_date", "updated_at"])


def _check_in(pair: Mentorship, mentee: User, *, now: datetime) -> None:
    """The mentee's six-week check-in, sent two days ago and not answered yet: written as
    history with COPY (the scheduled job is the one place that makes check-ins). One left
    unanswered until it expired (a demo database some days old) is sent again."""
    sent = now - timedelta(days=2)
    mine = CheckIn.objects.filter(mentorship=pair, person=mentee, kind=CheckIn.Kind.SIX_WEEKS)
    if mine.exists():
        mine.filter(answered_at__isnull=True, expires_at__lte=now).update(
            sent_at=sent, expires_at=sent + timedelta(days=settings.SCHEME_CHECK_IN_VALID_DAYS)
        )
        return
    copy_rows(
        CheckIn,
        [
            {
                "id": next_ids(CheckIn, 1)[0],
                "mentorship_id": pair.pk,
                "person_id": mentee.pk,
                "kind": CheckIn.Kind.SIX_WEEKS,
                "token": new_token(),
                "created_at": sent,
                "sent_at": sent,
                "expires_at": sent + timedelta(days=settings.SCHEME_CHECK_IN_VALID_DAYS),
                "comment": "",
                "wants_contact": False,
            }
        ],
    )


def _agreement(pair: Mentorship, mentor: User, mentee: User) -> None:
    """The agreement they made after their first meeting: monthly, by video or in person."""
    if pair.agreements.exists():
        return
    agreed = Agreement.objects.create(
        mentorship=pair,
        status=Agreement.Status.AGREED,
        frequency=Agreement.Frequency.MONTHLY,
        formats=["video", "in_person"],
        confidentiality=True,
        review_on=timezone.localdate(pair.started_at) + timedelta(days=90),
        notes="Maya arranges the meetings and sends an agenda the day before.",
        proposed_by=mentee,
        proposed_at=pair.started_at + timedelta(days=6, hours=2),
        agreed_by=mentor,
        agreed_at=pair.started_at + timedelta(days=7),
    )
    Mentorship.objects.filter(pk=pair.pk).update(
        cadence_days=Agreement.CADENCE_DAYS[agreed.frequency]
    )


def _conversation(pair: Mentorship, mentor: User, mentee: User, *, now: datetime) -> None:
    """A few messages through the conversations service (which keeps the unread counts), then
    dated as history: the mentor's latest is still unread by the mentee."""
    conversation = conversations.conversation_for_mentorship(pair)
    if Message.objects.filter(conversation=conversation).exists():
        return
    people = {"mentor": mentor, "mentee": mentee}
    written = []
    for who, ago, body in CONVERSATION:
        message = conversations.post_message(conversation, author=people[who], body=body)
        written.append((message, now - ago))
    for message, at in written:
        # Already told: the demo people get no email about messages from the past.
        Message.objects.filter(pk=message.pk).update(created_at=at, notified_at=at)
    last_by_mentee = max(at for m, at in written if m.author_id == mentee.pk)
    last = written[-1][1]
    Conversation.objects.filter(pk=conversation.pk).update(
        last_message_at=last, mentor_read_at=last, mentee_read_at=last_by_mentee
    )
