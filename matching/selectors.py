"""Read-side queries for matching pages, and the "needs attention" rules on requests and on
mentees without a mentor.

Each rule is a `Q` so that the admin filters (the rows) and the reports page (the counts, inside
its aggregate queries) use the very same definition.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import (
    Count,
    DurationField,
    Exists,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import JSONObject
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from accounts.models import User
from matching import emails, engagement_rules
from matching.models import Engagement, Mentorship, MentorshipRequest
from matching.services import (
    active_limit_sentence,
    away_sentence,
    flood_checks,
    pair_wait_sentence,
    pending_limit_sentence,
    rate_limit_sentence,
    rate_window_start,
    waiting_cap_sentence,
)
from mentoring.models import Outbox
from mentoring.prepared import PreparedQuery
from profiles import rules
from profiles.models import Membership, MentorProfile, Programme, Round
from profiles.selectors import line_management_profile, programme_from_json, programme_json

if TYPE_CHECKING:
    from profiles.selectors import MentorForViewer


def viewer_state(viewer: User, mentor_id: int) -> dict:
    """One query: the viewer's pending request and active mentorship with this mentor, whether
    they ever asked them, what the checks against flooding a mentor need
    (`services.flood_checks`), the visible programmes (`programme_rows`, each with the
    viewer's membership, their waiting requests and mentors in it, the mentor's pairs in it and
    whether its mentees may look for a mentor today), and the viewer's mentee profile's
    department and line manager.

    Every mentor's page runs it, so it reads a few short lists (the viewer's waiting requests
    and requests to this mentor, their active pairs, their memberships, the mentor's pairs that
    count in a limit) and one row of counts, and works out the answers here: building one
    subquery per answer cost the ORM more than the page's template. Even so, the ORM took
    twenty times longer to build and compile its SQL than Postgres took to answer it, so the
    SQL is built once per process (`mentoring.prepared`)."""
    now = timezone.now()
    (row,) = _VIEWER_STATE.rows(
        viewer_id=viewer.pk,
        mentor_id=mentor_id,
        sent_since=rate_window_start(now),
        month_start=engagement_rules.month_start(now),
        today=timezone.localdate(now),
    )
    return {**{name: row[name] for name in _FLOOD_CHECKS}, **_viewer_facts(row, mentor_id)}


def _viewer_state_query(
    *, viewer_id: int, mentor_id: int, sent_since: datetime, month_start: datetime, today: date
) -> QuerySet:
    """viewer_state's query (its inputs reach the SQL as they are: mentoring.prepared)."""
    me = OuterRef("pk")
    checks = flood_checks(mentor_id=mentor_id, sent_since=sent_since)
    pending = MentorshipRequest.Status.PENDING
    return (
        User.objects.filter(pk=viewer_id)
        .annotate(
            **checks,
            # Waiting requests (for the limits in each programme) and every request to this
            # mentor (asked before), the latest first (the pending one to link to).
            requests=ArraySubquery(
                MentorshipRequest.objects.filter(Q(status=pending) | Q(mentor=mentor_id), mentee=me)
                .order_by("-created_at", "-pk")
                .values(
                    j=JSONObject(
                        id="id",
                        mentor="mentor_id",
                        programme="programme_id",
                        engagement="engagement",
                        status="status",
                    )
                )
            ),
            pairs=ArraySubquery(
                Mentorship.objects.filter(status=Mentorship.Status.ACTIVE, mentee=me)
                .order_by("pk")
                .values(
                    j=JSONObject(
                        id="id",
                        mentor="mentor_id",
                        programme="programme_id",
                        engagement="engagement",
                    )
                )
            ),
            member_rows=ArraySubquery(
                Membership.objects.filter(user=me, status=Membership.Status.APPROVED)
                .order_by()
                .values(j=JSONObject(programme="programme_id", role="role"))
            ),
            # Requests waiting for this mentor's answer, from anyone: long-term ones count in
            # their waiting cap (services.waiting_cap), advice ones in their advice cap
            # (engagement_rules.advice_cap_refusal).
            mentor_waiting=Subquery(
                MentorshipRequest.objects.filter(status=pending, mentor=mentor_id)
                .order_by()
                .values("mentor")
                .annotate(
                    j=JSONObject(
                        long_term=Count("pk", filter=Q(engagement=Engagement.LONG_TERM)),
                        advice=Count("pk", filter=Q(engagement=Engagement.ADVICE)),
                    )
                )
                .values("j")
            ),
            # The mentor's long-term pairs (their places in each programme) and advice
            # conversations this month (advice cap). Advice and informal pairs take no place.
            mentor_pairs=ArraySubquery(
                Mentorship.objects.filter(
                    Q(status=Mentorship.Status.ACTIVE, engagement=Engagement.LONG_TERM)
                    | Q(engagement=Engagement.ADVICE, started_at__gte=month_start),
                    mentor=mentor_id,
                )
                .order_by()
                .values(j=JSONObject(programme="programme_id", engagement="engagement"))
            ),
            programme_rows=ArraySubquery(
                Programme.objects.visible().values(
                    j=programme_json(window_open=Exists(_open_rounds(today)))
                )
            ),
        )
        .values(
            "requests",
            "pairs",
            "member_rows",
            "mentor_waiting",
            "mentor_pairs",
            "programme_rows",
            "mentee_profile__department",
            "mentee_profile__line_manager_email",
            *checks,
        )
    )


# Placeholders no real input has (mentoring.prepared): ids below zero, times in 1901.
_VIEWER_STATE = PreparedQuery(
    _viewer_state_query,
    viewer_id=-900_000_001,
    mentor_id=-900_000_002,
    sent_since=datetime(1901, 1, 1, 0, 0, 1, tzinfo=UTC),
    month_start=datetime(1901, 1, 1, 0, 0, 2, tzinfo=UTC),
    today=date(1901, 1, 3),
)
_FLOOD_CHECKS = ("reported", "declined_at", "withdrawn_at", "sent_recently")


def _open_rounds(today: date) -> QuerySet[Round]:
    """For a programme row: its rounds in which mentees may look for a mentor today."""
    return Round.objects.filter(
        programme=OuterRef("pk"), mentee_opens_on__lte=today, mentee_closes_on__gte=today
    )


def _viewer_facts(row: dict, mentor_id: int) -> dict:
    """viewer_state's answers from the lists its query read."""
    requests, pairs = row["requests"], row["pairs"]
    waiting = [r for r in requests if r["status"] == MentorshipRequest.Status.PENDING]
    with_mentor = [p for p in pairs if p["mentor"] == mentor_id]
    # A long-term pair first: it is what "X is your mentor" means.
    with_mentor.sort(key=lambda p: (p["engagement"] != Engagement.LONG_TERM, p["id"]))
    mentor_waiting = row["mentor_waiting"] or {}
    long_term_places = Counter(
        p["programme"] for p in row["mentor_pairs"] if p["engagement"] == Engagement.LONG_TERM
    )
    roles: dict[int, set[str]] = {}
    for membership in row["member_rows"]:
        roles.setdefault(membership["programme"], set()).add(membership["role"])

    def count(rows: list[dict], programme: int, engagement: str) -> int:
        return sum(1 for r in rows if r["programme"] == programme and r["engagement"] == engagement)

    programme_rows = [
        {
            **p,
            "is_member": p["id"] in roles,
            "is_mentee": Membership.Role.MENTEE in roles.get(p["id"], ()),
            # Long-term and advice requests are limited apart (services.send_request).
            "pending": count(waiting, p["id"], Engagement.LONG_TERM),
            "advice_pending": count(waiting, p["id"], Engagement.ADVICE),
            # Long-term pairs only: advice and informal pairs take no place and count in no
            # limit (matching.engagement_rules).
            "active": count(pairs, p["id"], Engagement.LONG_TERM),
            "mentor_active": long_term_places[p["id"]],
        }
        for p in row["programme_rows"]
    ]
    return {
        "pending_id": next((r["id"] for r in waiting if r["mentor"] == mentor_id), None),
        "mentor_waiting": mentor_waiting.get("long_term", 0),
        "mentor_advice_taken": sum(
            1 for p in row["mentor_pairs"] if p["engagement"] == Engagement.ADVICE
        ),
        "mentor_advice_waiting": mentor_waiting.get("advice", 0),
        "mentorship_id": with_mentor[0]["id"] if with_mentor else None,
        "mentorship_engagement": with_mentor[0]["engagement"] if with_mentor else None,
        "asked_before": any(r["mentor"] == mentor_id for r in requests),
        "programme_rows": programme_rows,
        "mentee_department": row["mentee_profile__department"],
        "mentee_manager": row["mentee_profile__line_manager_email"],
    }


@dataclass
class MentorAccess:
    """What a viewer may do with a mentor's page: see it at all (`visible`); the programmes
    they share in which the viewer is a mentee and may be paired with the mentor
    (`programmes`, each with the viewer's counts in it); and the programmes they share only as
    a member of another kind (`joinable`: join as a mentee to ask)."""

    visible: bool
    programmes: list[Programme] = field(default_factory=list)
    joinable: list[Programme] = field(default_factory=list)
    facts: dict[int, dict] = field(default_factory=dict)  # viewer_state's row, by programme id


def mentor_access(
    profile: MentorProfile, viewer: User, state: dict, *, is_staff: bool
) -> MentorAccess:
    """A mentor is seen by mentees of a programme that lists them, by the members of such a
    programme (and by everyone in an installation with one programme), by anyone who has asked
    them before, by staff and by themself. Where a programme keeps mentors outside the mentee's
    line management, it never shows the mentee their manager or a colleague."""
    facts = {row["id"]: row for row in state["programme_rows"]}
    rows = [programme_from_json(row) for row in state["programme_rows"]]
    mentee = line_management_profile(
        viewer, department=state["mentee_department"] or "", manager=state["mentee_manager"] or ""
    )
    single = len(rows) == 1
    shared = [
        p
        for p in rows
        if p.pk in profile.programme_ids
        and (facts[p.pk]["is_member"] or single)
        and rules.line_management_refusal(p, mentee, profile) is None
    ]
    own = profile.user_id == viewer.pk
    visible = bool(shared) or own or is_staff or bool(state["asked_before"])
    return MentorAccess(
        visible=visible,
        programmes=[p for p in shared if facts[p.pk]["is_mentee"]],
        joinable=[p for p in shared if not facts[p.pk]["is_mentee"]],
        facts=facts,
    )


def engagement_offers(
    profile: MentorForViewer, state: dict, access: MentorAccess, interest: str
) -> list[str]:
    """What the viewer may ask this mentor for now (engagement_rules.offers), with the counts
    `services.send_request` applies: the viewer's advice requests waiting in each programme and
    the mentor's advice conversations this month plus advice requests waiting for them."""
    return engagement_rules.offers(
        profile,
        access.programmes,
        interest,
        facts=access.facts,
        mentor_advice_used=state["mentor_advice_taken"] + state["mentor_advice_waiting"],
    )


# interest_state's states in which the mentee could ask were it not for a rule (the button is
# shown disabled with the reason).
REFUSAL_STATES = ("wait", "hidden", "away", "full", "cap", "closed", "has_mentor", "limit")


def interest_state(
    profile: MentorForViewer, viewer: User, state: dict, access: MentorAccess
) -> dict[str, str]:
    """Whether the Interested button is offered on a mentor's page, and why not: the reasons
    that hold whatever the programme, then each shared programme's rules; the button is offered
    when one of the programmes allows a request."""
    name = profile.user.get_short_name()
    if profile.user_id == viewer.pk:
        return {"state": "own", "message": gettext("This is your own profile, as mentees see it.")}
    if state["mentorship_id"]:
        engagement = state.get("mentorship_engagement")
        if engagement == Engagement.ADVICE:
            message = gettext("You have an advice conversation with %(name)s.") % {"name": name}
            label = gettext("Open it")
        elif engagement == Engagement.INFORMAL:
            message = gettext("You and %(name)s have an informal mentoring relationship.") % {
                "name": name
            }
            label = gettext("Open your shared space")
        else:
            message = gettext("%(name)s is your mentor.") % {"name": name}
            label = gettext("Open your mentorship")
        return {
            "state": "paired",
            "message": message,
            "link": _url("sessions_log:mentorship-detail", state["mentorship_id"]),
            "link_label": label,
        }
    if state["pending_id"]:
        return {
            "state": "asked",
            "message": gettext(
                "You have already asked %(name)s; your request is waiting for an answer."
            )
            % {"name": name},
            "link": _url("matching:request-detail", state["pending_id"]),
            "link_label": gettext("See your request"),
        }
    now = timezone.now()
    if wait := pair_wait_sentence(state, mentor_name=name, now=now):
        return {"state": "wait", "message": wait}
    if not profile.is_visible_to_mentees:
        return {
            "state": "hidden",
            "message": gettext("This profile is not visible to mentees at the moment."),
        }
    if away := away_sentence(profile, today=timezone.localdate(now)):
        return {"state": "away", "message": away}
    if profile.is_full:
        return {
            "state": "full",
            "message": gettext(
                "%(name)s has no free place at the moment. Try another mentor, or come back later."
            )
            % {"name": name},
        }
    if cap := waiting_cap_sentence(profile, state["mentor_waiting"]):
        return {"state": "cap", "message": cap}
    if not profile.viewer_is_mentee:
        return {
            "state": "needs_profile",
            "message": gettext(
                "Tell mentors a little about yourself first: create your mentee profile."
            ),
        }
    if not access.programmes:
        if access.joinable:
            programme = access.joinable[0]
            return {
                "state": "join",
                "message": gettext("Join %(programme)s as a mentee to ask %(name)s to mentor you.")
                % {"programme": programme.name, "name": name},
                "link": _url("profiles:programme-detail", programme.slug),
                "link_label": gettext("About %(name)s") % {"name": programme.name},
            }
        return {
            "state": "elsewhere",
            "message": gettext(
                "%(name)s is not a mentor in any programme you belong to as a mentee."
            )
            % {"name": name},
        }
    refusals = [
        _programme_refusal(p, access.facts[p.pk], name, today=timezone.localdate(now))
        for p in access.programmes
    ]
    if None in refusals:
        if wait := rate_limit_sentence(state, now=now):
            return {"state": "wait", "message": wait}
        programme = access.programmes[refusals.index(None)]
        return {
            "state": "available",
            "message": "",
            "allowance": pending_allowance_sentence(
                programme.max_pending_requests, access.facts[programme.pk]["pending"]
            ),
        }
    return refusals[0]  # type: ignore[return-value]


def pending_allowance_sentence(limit: int, pending: int) -> str:
    """What the mentee may still ask, said before they write anything."""
    left = max(limit - pending, 0)
    return ngettext(
        "You can have %(limit)d request waiting for an answer at a time; %(left)d left.",
        "You can have %(limit)d requests waiting for an answer at a time; %(left)d left.",
        limit,
    ) % {"limit": limit, "left": left}


def _programme_refusal(
    programme: Programme, extras: dict[str, Any], name: str, *, today: date
) -> dict[str, str] | None:
    """Why the viewer may not ask this mentor in `programme` (its rules, and the viewer's
    counts in it from `viewer_state`), or None."""
    if not programme.mentees_choose:
        return {
            "state": "central",
            "message": gettext(
                "In %(programme)s the coordinators match mentees with mentors: apply to be "
                "matched, and you may name the mentors you would like."
            )
            % {"programme": programme.name},
            "link": _url("profiles:programme-apply", programme.slug),
            "link_label": gettext("Apply to be matched"),
        }
    if programme.has_rounds and not extras["window_open"]:
        message = rules.mentee_window_refusal(programme, today=today)
        return {"state": "closed", "message": message or ""}
    cap = programme.mentor_places_cap
    if cap is not None and extras["mentor_active"] >= cap:
        return {
            "state": "full",
            "message": gettext(
                "%(name)s has no free place in %(programme)s at the moment. Try another mentor, "
                "or come back later."
            )
            % {"name": name, "programme": programme.name},
        }
    if extras["active"] >= programme.max_active_mentorships:
        return {
            "state": "has_mentor",
            "message": active_limit_sentence(programme.max_active_mentorships),
            "link": _url("matching:mentorship-list"),
            "link_label": gettext("Your mentorships"),
        }
    if extras["pending"] >= programme.max_pending_requests:
        return {
            "state": "limit",
            "message": pending_limit_sentence(extras["pending"]),
            "link": _url("matching:request-list"),
            "link_label": gettext("Your requests"),
        }
    return None


def _url(name: str, *args: object) -> str:
    return reverse(name, args=args)


def request_expires_at(req: MentorshipRequest, last_message_at: datetime | None) -> datetime:
    """When a waiting request expires if not answered: its programme's days after its clock,
    as the expiry job counts it (matching.jobs._CLOCK: the latest of when it was sent, its
    latest message and the return of a mentor who kept it waiting while away)."""
    clock = max(at for at in (req.created_at, last_message_at, req.expires_after) if at)
    return clock + timedelta(days=req.programme.request_expiry_days)


def request_email_held(req: MentorshipRequest) -> bool:
    """Whether the mentor's new-request email is still held (settings.REQUEST_EMAIL_HOLD_MINUTES):
    withdrawing now cancels it and the mentor hears nothing at all (services.withdraw_request).
    One query."""
    return Outbox.objects.filter(
        dedupe_key=emails.received_key(req),
        status=Outbox.Status.QUEUED,
        next_attempt_at__gt=timezone.now(),
    ).exists()


def in_several_programmes(user: User) -> bool:
    """Whether pages should say which programme a request or a mentorship is in: only for
    people who belong to more than one (one query)."""
    return Membership.objects.current().filter(user=user).values("programme").distinct().count() > 1


def requests_for(user: User) -> tuple[list[MentorshipRequest], list[MentorshipRequest]]:
    """Sent and received requests, newest first, with the other person and the programme."""
    base = MentorshipRequest.objects.select_related("mentee", "mentor", "programme")
    return (
        list(base.filter(mentee=user)[:100]),
        list(base.filter(mentor=user)[:100]),
    )


REQUEST_WAIT = timedelta(days=7)


def waiting_request(now: datetime) -> Q:
    """A MentorshipRequest still unanswered a week after it was sent."""
    return Q(status="pending", created_at__lt=now - REQUEST_WAIT)


def _active_pairs(programme_ids: Iterable[int] | None) -> QuerySet[Mentorship]:
    # A one-off advice conversation is not having a mentor.
    pairs = Mentorship.objects.active().exclude(engagement=Engagement.ADVICE)
    return pairs if programme_ids is None else pairs.filter(programme__in=list(programme_ids))


def has_active_mentorship(programme_ids: Iterable[int] | None = None) -> Exists:
    """For one MenteeProfile (a column of a page of rows): its person has a mentor now in one
    of the programmes `programme_ids` (in any when None). A coordinator's "mentor now" is a
    pair in one of their programmes, never one in a programme they do not run."""
    return Exists(_active_pairs(programme_ids).filter(mentee=OuterRef("user_id")))


def with_mentor(programme_ids: Iterable[int] | None = None) -> Q:
    """MenteeProfiles whose person has a mentor now in one of the programmes `programme_ids`
    (in any when None). An IN, not a correlated EXISTS: Postgres hashes the active mentees
    once, where a count over every profile would probe per row."""
    return Q(user_id__in=_active_pairs(programme_ids).values("mentee_id"))


def unmatched_mentee(now: datetime, programme_ids: Iterable[int] | None = None) -> Q:
    """A MenteeProfile whose person joined a programme (one of `programme_ids`, any when None)
    as a mentee longer ago than that programme's `unmatched_alert_weeks` and has no mentor
    now in it. Each programme's own weeks, read in the same query (one EXISTS per row)."""
    weeks = Func(
        F("programme__unmatched_alert_weeks"),
        template="make_interval(weeks => %(expressions)s)",
        output_field=DurationField(),
    )
    paired = (
        Mentorship.objects.active()
        .exclude(engagement=Engagement.ADVICE)
        .filter(mentee=OuterRef("user_id"), programme=OuterRef("programme_id"))
    )
    waiting = (
        Membership.objects.approved()
        .mentees()
        .filter(user=OuterRef("user_id"))
        .filter(joined_at__lt=now - weeks)
        .exclude(Exists(paired))
    )
    if programme_ids is not None:
        waiting = waiting.filter(programme__in=list(programme_ids))
    return Q(Exists(waiting))


def alert_weeks_label(low: int | None, high: int | None) -> str:
    """The weeks of `unmatched_mentee` for a label, from the least and most of the programmes'
    `unmatched_alert_weeks`: "4 weeks", or "2 to 6 weeks (each programme's own)"."""
    if low is None or high is None or low == high:
        weeks = low or high or 0
        return f"{weeks} week{pluralize(weeks)}"
    return f"{low} to {high} weeks (each programme's own)"
