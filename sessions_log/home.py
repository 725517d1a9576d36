"""What a signed-in person's home shows across the apps: the next meeting, a to-do list, each
active pair with its last and next meeting and its progress, and the latest conversations.

Read in a constant number of queries whatever the number of pairs, requests or objectives
(tests/mentoring/test_home_dashboard.py counts them).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import F, Max, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext

from accounts.models import User
from matching import conversations
from matching.models import Agreement, Conversation, Mentorship, MentorshipRequest, Message
from matching.selectors import request_expires_at
from mentoring.prepared import PreparedQuery
from profiles.models import MentorProfile
from sessions_log.models import MAX_DURATION, CheckIn, Meeting, Objective

# An objective is "due soon" this many days before its target date.
DUE_SOON = timedelta(days=7)
CONVERSATIONS_SHOWN = 5


@dataclass
class ToDo:
    """One line of the to-do list: what to do, where, and when it is due."""

    kind: str  # "request", "objective", "check-in", "profile" or "agreement"
    text: str
    url: str
    when: str = ""
    urgent: bool = False


@dataclass
class PairSummary:
    mentorship: Mentorship
    role: str  # "mentor" or "mentee": the viewer's place in the pair
    other_name: str
    last_met: datetime | None = None
    next_meeting: Meeting | None = None
    objectives: int = 0
    achieved: int = 0

    @property
    def needs_first_meeting(self) -> bool:
        return self.last_met is None and self.next_meeting is None

    @property
    def url(self) -> str:
        return self.mentorship.get_absolute_url()

    @property
    def plan_url(self) -> str:
        return reverse("sessions_log:meeting-add", args=[self.mentorship.pk])


@dataclass
class NextMeeting:
    meeting: Meeting
    pair: PairSummary

    @property
    def ics_url(self) -> str:
        return reverse("sessions_log:meeting-ics", args=[self.pair.mentorship.pk, self.meeting.pk])


@dataclass
class Home:
    pairs: list[PairSummary] = field(default_factory=list)
    todo: list[ToDo] = field(default_factory=list)
    next_meeting: NextMeeting | None = None
    conversations: list[ConversationLine] = field(default_factory=list)
    unread: int = 0


@dataclass
class ConversationLine:
    """One of the latest conversations on home: who, where, when, the last message's text."""

    url: str
    other_name: str
    is_unread: bool
    last_message_at: datetime
    last_body: str | None


def _latest_conversations_query(*, user_id: int) -> QuerySet:
    last_body = (
        Message.objects.filter(conversation=OuterRef("pk"))
        .order_by("-created_at", "-pk")
        .values("body")[:1]
    )
    return (
        Conversation.objects.for_user(user_id)
        .filter(last_message_at__isnull=False)
        .annotate(last_body=Subquery(last_body))
        .order_by("-last_message_at", "-pk")
        .values(
            "mentorship_id",
            "request_id",
            "mentor_id",
            "mentee_id",
            "last_message_at",
            "last_author_id",
            "mentor_read_at",
            "mentee_read_at",
            "last_body",
            mentor_name=F("mentor__full_name"),
            mentee_name=F("mentee__full_name"),
        )[:CONVERSATIONS_SHOWN]
    )


def _latest_conversations(user: User) -> list[ConversationLine]:
    """The latest conversations as plain rows (one query, the two names the only join): home
    shows a line for each, no Conversation, people, programme, pair or request objects."""
    rows = _LATEST_CONVERSATIONS.rows(user_id=user.pk)
    lines = []
    for row in rows:
        as_mentor = user.pk == row["mentor_id"]
        # As conversations.is_unread and conversations.other_name, on the row.
        read_at = row["mentor_read_at"] if as_mentor else row["mentee_read_at"]
        unread = row["last_author_id"] != user.pk and (
            read_at is None or read_at < row["last_message_at"]
        )
        other = row["mentor_name"] if user.pk == row["mentee_id"] else row["mentee_name"]
        if row["mentorship_id"] is not None:
            url = reverse("sessions_log:mentorship-detail", args=[row["mentorship_id"]])
        else:
            url = reverse("matching:request-detail", args=[row["request_id"]])
        lines.append(
            ConversationLine(
                url=url,
                other_name=other if other is not None else gettext("a former participant"),
                is_unread=unread,
                last_message_at=row["last_message_at"],
                last_body=row["last_body"],
            )
        )
    return lines


def _closes(n: int) -> str:
    """When a request or check-in closes, in `n` days (whole phrases, so each translates)."""
    if n <= 0:
        return gettext("closes today")
    if n == 1:
        return gettext("closes tomorrow")
    return ngettext("closes in %(count)s day", "closes in %(count)s days", n) % {"count": n}


def _due(n: int) -> str:
    """When an objective is due, in `n` days."""
    if n <= 0:
        return gettext("due today")
    if n == 1:
        return gettext("due tomorrow")
    return ngettext("due in %(count)s day", "due in %(count)s days", n) % {"count": n}


def _pending(user: User) -> list[MentorshipRequest]:
    """The person's waiting requests, with only what home shows of them: the names, when each
    was sent and when it closes (a third of the columns, and of the time, of whole rows)."""
    last_message = Conversation.objects.filter(request=OuterRef("pk")).values("last_message_at")
    return list(
        MentorshipRequest.objects.pending()
        .filter(Q(mentor=user) | Q(mentee=user))
        .select_related("mentor", "mentee", "programme")
        .only(
            "mentor_id",
            "mentee_id",
            "programme_id",
            "engagement",
            "created_at",
            "expires_after",
            "mentor__full_name",
            "mentee__full_name",
            "programme__request_expiry_days",
        )
        .annotate(conversation_last_message_at=Subquery(last_message[:1]))
        .order_by("created_at")
    )


def _request_todo(req: MentorshipRequest, today: date) -> ToDo:
    closes = request_expires_at(req, req.conversation_last_message_at)  # type: ignore[attr-defined]
    days = (timezone.localdate(closes) - today).days
    if req.engagement == "advice":
        text = gettext("Answer %(name)s's advice request") % {"name": req.mentee_name}
    else:
        text = gettext("Answer %(name)s's request") % {"name": req.mentee_name}
    return ToDo(
        kind="request",
        text=text,
        url=req.get_absolute_url(),
        when=_closes(days),
        urgent=days <= 2,
    )


def _objective_todos(
    objectives: Iterable[Mapping[str, Any]], pairs: dict[int, PairSummary], today: date
) -> Iterator[ToDo]:
    for o in objectives:
        target = o["target_date"]
        if target is None or o["status"] in (Objective.Status.ACHIEVED, Objective.Status.DROPPED):
            continue
        if target > today + DUE_SOON:
            continue
        pair = pairs[o["mentorship_id"]]
        overdue = target < today
        yield ToDo(
            kind="objective",
            text=gettext("“%(title)s” with %(name)s")
            % {"title": o["title"], "name": pair.other_name},
            url=f"{pair.url}#objective-{o['pk']}",
            when=(
                gettext("overdue since %(date)s") % {"date": date_format(target, "j F")}
                if overdue
                else _due((target - today).days)
            ),
            urgent=overdue,
        )


def _pairs_of(user_id: int) -> QuerySet:
    """The person's pairs, ended ones too: a pair home shows that ends while the page is being
    read keeps its figures (rows of pairs home does not show are left out in Python)."""
    return Mentorship.objects.for_user(user_id).values("pk")


def _last_met_query(*, user_id: int) -> QuerySet:
    return (
        Meeting.objects.held()
        .filter(mentorship__in=_pairs_of(user_id))
        .values("mentorship_id")
        .annotate(last=Max("starts_at"))
        .order_by()
    )


def _objectives_query(*, user_id: int) -> QuerySet:
    return (
        Objective.objects.filter(mentorship__in=_pairs_of(user_id))
        .exclude(status=Objective.Status.DROPPED)
        .values("pk", "mentorship_id", "title", "status", "target_date")
        .order_by("target_date", "position", "pk")
    )


def _proposals_query(*, user_id: int) -> QuerySet:
    """Agreements the other person proposed, waiting for this person's agreement."""
    return (
        Agreement.objects.filter(
            mentorship__in=_pairs_of(user_id), status=Agreement.Status.PROPOSED
        )
        .exclude(proposed_by=user_id)
        .values("mentorship_id")
    )


# Home's lists whose SQL is built once per process (mentoring.prepared); placeholders no real
# person has.
_LATEST_CONVERSATIONS = PreparedQuery(_latest_conversations_query, user_id=-900_000_301)
_LAST_MET = PreparedQuery(_last_met_query, user_id=-900_000_302)
_OBJECTIVES = PreparedQuery(_objectives_query, user_id=-900_000_303)
_PROPOSALS = PreparedQuery(_proposals_query, user_id=-900_000_304)


def home_for(user: User, mentor_profile: MentorProfile | None = None) -> dict:
    """The home page's context for `user`: the `home` summary and the request lists the role
    cards show (waiting_for_me, waiting_on_others, mentoring, mentored_by)."""
    now = timezone.now()
    today = timezone.localdate(now)
    pairs_qs = (
        Mentorship.objects.active()
        .filter(Q(mentor=user) | Q(mentee=user))
        .select_related("mentor", "mentee")
        .order_by("started_at", "pk")
    )
    pairs = {
        m.pk: PairSummary(mentorship=m, role=m.role_of(user), other_name=m.other_name(user))
        for m in pairs_qs
    }
    pending = _pending(user)
    home = Home()

    if pairs:
        ids = list(pairs)
        planned = Meeting.objects.planned().filter(
            mentorship_id__in=ids, starts_at__gte=now - timedelta(minutes=MAX_DURATION)
        )
        for meeting in planned.order_by("starts_at", "pk"):
            if meeting.ends_at < now:  # a planned meeting is "next" until it has ended
                continue
            pair = pairs[meeting.mentorship_id]
            meeting.mentorship = pair.mentorship  # no query for the link
            if pair.next_meeting is None:
                pair.next_meeting = meeting
            if home.next_meeting is None:
                home.next_meeting = NextMeeting(meeting=meeting, pair=pair)
        # By the person's pairs, not by the ids above, so that the SQL is the same for everyone
        # (mentoring.prepared); only the pairs read above are shown.
        for row in _LAST_MET.rows(user_id=user.pk):
            if row["mentorship_id"] in pairs:
                pairs[row["mentorship_id"]].last_met = row["last"]
        objectives = [o for o in _OBJECTIVES.rows(user_id=user.pk) if o["mentorship_id"] in pairs]
        for o in objectives:
            pair = pairs[o["mentorship_id"]]
            pair.objectives += 1
            pair.achieved += o["status"] == Objective.Status.ACHIEVED
        home.todo.extend(_objective_todos(objectives, pairs, today))
        proposals = [row["mentorship_id"] for row in _PROPOSALS.rows(user_id=user.pk)]
        for pk in proposals:
            if pk not in pairs:
                continue
            pair = pairs[pk]
            home.todo.append(
                ToDo(
                    kind="agreement",
                    text=gettext("Read and agree the agreement %(name)s proposed")
                    % {"name": pair.other_name},
                    url=f"{pair.url}#agreement",
                )
            )

    home.todo[:0] = [_request_todo(r, today) for r in pending if r.mentor_id == user.pk]
    check_ins = (
        CheckIn.objects.filter(
            person=user, answered_at__isnull=True, sent_at__isnull=False, expires_at__gt=now
        )
        .select_related("mentorship__mentor", "mentorship__mentee")
        .only(
            "token",
            "expires_at",
            "mentorship__mentor_id",
            "mentorship__mentee_id",
            "mentorship__mentor__full_name",
            "mentorship__mentee__full_name",
        )
        .order_by("expires_at")
    )
    for check_in in check_ins:
        days = (timezone.localdate(check_in.expires_at) - today).days
        home.todo.append(
            ToDo(
                kind="check-in",
                text=gettext("Tell us how it is going with %(name)s")
                % {"name": check_in.mentorship.other_name(user)},
                url=check_in.get_absolute_url(),
                when=_closes(days),
            )
        )
    if mentor_profile is not None and mentor_profile.confirmation_asked_at is not None:
        confirmed = mentor_profile.confirmed_at
        if confirmed is None or confirmed < mentor_profile.confirmation_asked_at:
            home.todo.append(
                ToDo(
                    kind="profile",
                    text=gettext("Confirm your mentor profile is up to date"),
                    url=reverse("profiles:mentor-edit"),
                )
            )

    home.conversations = _latest_conversations(user)
    home.unread = conversations.unread_count(user)
    home.pairs = list(pairs.values())

    summaries = home.pairs
    return {
        "home": home,
        "mentoring": [p for p in summaries if p.role == "mentor"],
        "mentored_by": [p for p in summaries if p.role == "mentee"],
        "waiting_for_me": [r for r in pending if r.mentor_id == user.pk],
        "waiting_on_others": [r for r in pending if r.mentee_id == user.pk],
    }
