"""Read-side queries for matching pages, and the "needs attention" rules on requests and on
mentees without a mentor.

Each rule is a `Q` so that the admin filters (the rows) and the reports page (the counts, inside
its aggregate queries) use the very same definition.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from matching import emails
from matching.models import Mentorship, MentorshipRequest
from matching.services import (
    active_limit_sentence,
    flood_checks,
    pair_wait_sentence,
    pending_limit_sentence,
    rate_limit_sentence,
)
from mentoring.models import Outbox, SchemeSettings

if TYPE_CHECKING:
    from profiles.selectors import MentorForViewer


def viewer_state(viewer: User, mentor_id: int) -> dict:
    """One query: the viewer's pending request and active mentorship with this mentor, how many
    pending requests and active mentorships they have in all, the scheme's pending limit, and
    what the checks against flooding a mentor need (`services.flood_checks`)."""
    pending = MentorshipRequest.objects.pending().filter(mentee=OuterRef("pk"))
    active = Mentorship.objects.active().filter(mentee=OuterRef("pk"))

    def count(qs: QuerySet[Any]) -> Coalesce:
        return Coalesce(
            Subquery(qs.order_by().values("mentee").annotate(n=Count("pk")).values("n")), 0
        )

    checks = flood_checks(mentor_id=mentor_id, now=timezone.now())
    return (
        User.objects.filter(pk=viewer.pk)
        .annotate(
            **checks,
            pending_id=Subquery(pending.filter(mentor=mentor_id).values("pk")[:1]),
            mentorship_id=Subquery(active.filter(mentor=mentor_id).values("pk")[:1]),
            pending_count=count(pending),
            active_count=count(active),
            # The scheme's limit rides along, so the profile page needs no extra query.
            pending_limit=Coalesce(
                Subquery(SchemeSettings.objects.values("max_pending_requests")[:1]),
                settings.SCHEME_MAX_PENDING_REQUESTS,
            ),
        )
        .values(
            "pending_id",
            "mentorship_id",
            "pending_count",
            "active_count",
            "pending_limit",
            *checks,
        )
        .get()
    )


def interest_state(profile: MentorForViewer, viewer: User, state: dict) -> dict[str, str]:
    """Whether the Interested button is offered on a mentor's page, and why not."""
    name = profile.user.get_short_name()
    if profile.user_id == viewer.pk:
        return {"state": "own", "message": "This is your own profile, as mentees see it."}
    if state["mentorship_id"]:
        return {
            "state": "paired",
            "message": f"{name} is your mentor.",
            "link": _url("sessions_log:mentorship-detail", state["mentorship_id"]),
            "link_label": "Open your mentorship",
        }
    if state["pending_id"]:
        return {
            "state": "asked",
            "message": f"You have already asked {name}; your request is waiting for an answer.",
            "link": _url("matching:request-detail", state["pending_id"]),
            "link_label": "See your request",
        }
    now = timezone.now()
    if wait := pair_wait_sentence(state, mentor_name=name, now=now):
        return {"state": "wait", "message": wait}
    if not profile.is_visible_to_mentees:
        return {
            "state": "hidden",
            "message": "This profile is not visible to mentees at the moment.",
        }
    if profile.is_full:
        return {
            "state": "full",
            "message": f"{name} has no free place at the moment. Try another mentor, or come back later.",
        }
    if not profile.viewer_is_mentee:
        return {
            "state": "needs_profile",
            "message": "Tell mentors a little about yourself first: create your mentee profile.",
        }
    if state["active_count"] >= settings.SCHEME_MAX_ACTIVE_MENTORSHIPS:
        return {
            "state": "has_mentor",
            "message": active_limit_sentence(settings.SCHEME_MAX_ACTIVE_MENTORSHIPS),
            "link": _url("matching:mentorship-list"),
            "link_label": "Your mentorships",
        }
    if state["pending_count"] >= state["pending_limit"]:
        return {
            "state": "limit",
            "message": pending_limit_sentence(state["pending_count"]),
            "link": _url("matching:request-list"),
            "link_label": "Your requests",
        }
    if wait := rate_limit_sentence(state, now=now):
        return {"state": "wait", "message": wait}
    return {"state": "available", "message": ""}


def _url(name: str, *args: object) -> str:
    return reverse(name, args=args)


def request_email_held(req: MentorshipRequest) -> bool:
    """Whether the mentor's new-request email is still held (settings.REQUEST_EMAIL_HOLD_MINUTES):
    withdrawing now cancels it and the mentor hears nothing at all (services.withdraw_request).
    One query."""
    return Outbox.objects.filter(
        dedupe_key=emails.received_key(req),
        status=Outbox.Status.QUEUED,
        next_attempt_at__gt=timezone.now(),
    ).exists()


def requests_for(user: User) -> tuple[list[MentorshipRequest], list[MentorshipRequest]]:
    """Sent and received requests, newest first, with the other person loaded."""
    base = MentorshipRequest.objects.select_related("mentee", "mentor")
    return (
        list(base.filter(mentee=user)[:100]),
        list(base.filter(mentor=user)[:100]),
    )


def dashboard(user: User) -> dict:
    """What the home page shows: waiting requests, mentorships and places used."""
    mentorships = list(
        Mentorship.objects.active()
        .filter(Q(mentor=user) | Q(mentee=user))
        .select_related("mentor", "mentee")
    )
    pending = list(
        MentorshipRequest.objects.pending()
        .filter(Q(mentor=user) | Q(mentee=user))
        .select_related("mentor", "mentee")
        .order_by("created_at")
    )
    return {
        "mentoring": [m for m in mentorships if m.mentor_id == user.pk],
        "mentored_by": [m for m in mentorships if m.mentee_id == user.pk],
        "waiting_for_me": [r for r in pending if r.mentor_id == user.pk],
        "waiting_on_others": [r for r in pending if r.mentee_id == user.pk],
    }


REQUEST_WAIT = timedelta(days=7)


def waiting_request(now: datetime) -> Q:
    """A MentorshipRequest still unanswered a week after it was sent."""
    return Q(status="pending", created_at__lt=now - REQUEST_WAIT)


def has_active_mentorship() -> Exists:
    """For one MenteeProfile (a column of a page of rows): its person has a mentor now."""
    return Exists(Mentorship.objects.active().filter(mentee=OuterRef("user_id")))


def with_mentor() -> Q:
    """MenteeProfiles whose person has a mentor now. An IN, not a correlated EXISTS: Postgres
    hashes the active mentees once, where a count over every profile would probe per row."""
    return Q(user_id__in=Mentorship.objects.active().values("mentee_id"))


def unmatched_mentee(now: datetime, weeks: int) -> Q:
    """A MenteeProfile created more than `weeks` weeks ago whose person has no mentor now."""
    return Q(created_at__lt=now - timedelta(weeks=weeks)) & ~with_mentor()
