"""Read-side queries for matching pages, and the "needs attention" rules on requests and on
mentees without a mentor.

Each rule is a `Q` so that the admin filters (the rows) and the reports page (the counts, inside
its aggregate queries) use the very same definition.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import (
    Case,
    Count,
    DurationField,
    Exists,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.functions import Coalesce
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
    waiting_cap_sentence,
)
from mentoring.models import Outbox
from profiles import rules
from profiles.models import Membership, MenteeProfile, MentorProfile, Programme, Round
from profiles.selectors import line_management_profile, programme_from_json, programme_json

if TYPE_CHECKING:
    from profiles.selectors import MentorForViewer


def viewer_state(viewer: User, mentor_id: int) -> dict:
    """One query: the viewer's pending request and active mentorship with this mentor, whether
    they ever asked them, what the checks against flooding a mentor need
    (`services.flood_checks`), the visible programmes (`programme_rows`, each with the
    viewer's membership, their waiting requests and mentors in it, the mentor's pairs in it and
    whether its mentees may look for a mentor today), and the viewer's mentee profile's
    department and line manager."""
    pending = MentorshipRequest.objects.pending().filter(mentee=OuterRef("pk"))
    # A long-term pair first: it is what "X is your mentor" means.
    active = (
        Mentorship.objects.active()
        .filter(mentee=OuterRef("pk"))
        .order_by(Case(When(engagement=Engagement.LONG_TERM, then=0), default=1), "pk")
    )
    viewer_ref = OuterRef(OuterRef("pk"))
    today = timezone.localdate()

    def count(qs: QuerySet[Any], by: str) -> Coalesce:
        return Coalesce(Subquery(qs.order_by().values(by).annotate(n=Count("pk")).values("n")), 0)

    in_programme = {"programme": OuterRef("pk")}
    programmes = Programme.objects.visible().values(
        j=programme_json(
            is_member=_member(viewer_ref),
            is_mentee=_member(viewer_ref, Membership.Role.MENTEE),
            # Long-term and advice requests are limited apart (services.send_request).
            pending=count(
                MentorshipRequest.objects.pending().filter(
                    mentee=viewer_ref, engagement=Engagement.LONG_TERM, **in_programme
                ),
                "mentee",
            ),
            advice_pending=count(
                MentorshipRequest.objects.pending().filter(
                    mentee=viewer_ref, engagement=Engagement.ADVICE, **in_programme
                ),
                "mentee",
            ),
            # Long-term pairs only: advice and informal pairs take no place and count in no
            # limit (matching.engagement_rules).
            active=count(
                Mentorship.objects.active().filter(
                    mentee=viewer_ref, engagement=Engagement.LONG_TERM, **in_programme
                ),
                "mentee",
            ),
            mentor_active=count(
                Mentorship.objects.active().filter(
                    mentor=mentor_id, engagement=Engagement.LONG_TERM, **in_programme
                ),
                "mentor",
            ),
            window_open=Exists(
                Round.objects.filter(
                    mentee_opens_on__lte=today, mentee_closes_on__gte=today, **in_programme
                )
            ),
        )
    )
    mentee_profile = MenteeProfile.objects.filter(user=OuterRef("pk"))
    checks = flood_checks(mentor_id=mentor_id, now=timezone.now())
    return (
        User.objects.filter(pk=viewer.pk)
        .annotate(
            **checks,
            pending_id=Subquery(pending.filter(mentor=mentor_id).values("pk")[:1]),
            # Requests waiting for this mentor's answer, from anyone (services.waiting_cap).
            mentor_waiting=count(
                MentorshipRequest.objects.pending().filter(
                    mentor=mentor_id, engagement=Engagement.LONG_TERM
                ),
                "mentor",
            ),
            # The mentor's advice conversations this month and advice requests waiting for
            # them (engagement_rules.advice_cap_refusal), from anyone.
            mentor_advice_taken=count(
                Mentorship.objects.filter(
                    mentor=mentor_id,
                    engagement=Engagement.ADVICE,
                    started_at__gte=engagement_rules.month_start(timezone.now()),
                ),
                "mentor",
            ),
            mentor_advice_waiting=count(
                MentorshipRequest.objects.pending().filter(
                    mentor=mentor_id, engagement=Engagement.ADVICE
                ),
                "mentor",
            ),
            mentorship_id=Subquery(active.filter(mentor=mentor_id).values("pk")[:1]),
            mentorship_engagement=Subquery(
                active.filter(mentor=mentor_id).values("engagement")[:1]
            ),
            asked_before=Exists(
                MentorshipRequest.objects.filter(mentee=OuterRef("pk"), mentor=mentor_id)
            ),
            programme_rows=ArraySubquery(programmes),
            mentee_department=Subquery(mentee_profile.values("department")[:1]),
            mentee_manager=Subquery(mentee_profile.values("line_manager_email")[:1]),
        )
        .values(
            "pending_id",
            "mentor_waiting",
            "mentor_advice_taken",
            "mentor_advice_waiting",
            "mentorship_id",
            "mentorship_engagement",
            "asked_before",
            "programme_rows",
            "mentee_department",
            "mentee_manager",
            *checks,
        )
        .get()
    )


def _member(user: OuterRef, role: str | None = None) -> Exists:
    memberships = Membership.objects.approved().filter(user=user, programme=OuterRef("pk"))
    return Exists(memberships.filter(role=role) if role else memberships)


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
