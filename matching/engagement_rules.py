"""Rules for one-off advice conversations and informal pairs that the matching services apply
(issue 14). No state changes here: each function answers a question or returns the sentence a
person sees when something is refused, or None."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from matching.models import Engagement, Mentorship, MentorshipRequest
from profiles.models import MentorProfile, Programme


def answerer_id(req: MentorshipRequest) -> int | None:
    """Who answers (accepts or declines) a request: the mentor, but for an informal pair the
    mentor recorded, which the mentee confirms."""
    if req.engagement == Engagement.INFORMAL and req.sent_by_mentor:
        return req.mentee_id
    return req.mentor_id


def recorder_id(req: MentorshipRequest) -> int | None:
    """Who made the request (and may withdraw it)."""
    if req.engagement == Engagement.INFORMAL and req.sent_by_mentor:
        return req.mentor_id
    return req.mentee_id


def allows(programme: Programme, engagement: str) -> bool:
    return engagement in (programme.engagement_types or [])


def not_allowed_sentence(programme: Programme, engagement: str) -> str | None:
    """Why nobody may ask for (or be matched in) `engagement` in `programme`: the programme's
    "engagements it allows" leave it out. None when it allows it."""
    if allows(programme, engagement):
        return None
    if engagement == Engagement.ADVICE:
        return gettext("%(programme)s does not offer one-off advice conversations.") % {
            "programme": programme.name
        }
    if engagement == Engagement.INFORMAL:
        return gettext("%(programme)s does not record informal pairs.") % {
            "programme": programme.name
        }
    return gettext("%(programme)s does not offer long-term mentoring.") % {
        "programme": programme.name
    }


def pair_refusal(
    mentor_id: int, mentee_id: int, programme: Programme, mentor_name: str
) -> str | None:
    """Why the mentee may not ask this mentor for long-term mentoring in `programme` because of
    a pair they already have: a long-term pair in any programme, or any pair in this one (one
    active pair per mentor, mentee and programme)."""
    pairs = Mentorship.objects.active().filter(mentor=mentor_id, mentee=mentee_id)
    if pairs.filter(engagement=Engagement.LONG_TERM).exists():
        return gettext("%(name)s is already your mentor.") % {"name": mentor_name}
    here = pairs.filter(programme=programme).values_list("engagement", flat=True).first()
    if here == Engagement.INFORMAL:
        return gettext(
            "You already have an informal pair with %(name)s in %(programme)s. End it on its "
            "page first if you would like them to mentor you formally."
        ) % {"name": mentor_name, "programme": programme.name}
    if here == Engagement.ADVICE:
        return gettext(
            "Your advice conversation with %(name)s is still under way. Once it is complete "
            "you can ask them to mentor you."
        ) % {"name": mentor_name}
    return None


def advice_waiting(mentor_id: int) -> int:
    """Advice requests waiting for the mentor's answer, in every programme."""
    return (
        MentorshipRequest.objects.pending()
        .filter(mentor=mentor_id, engagement=Engagement.ADVICE)
        .count()
    )


def month_start(now: datetime) -> datetime:
    """The start of this calendar month in the scheme's time zone."""
    local = timezone.localtime(now)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def advice_taken_this_month(mentor_id: int, *, now: datetime) -> int:
    """Advice conversations the mentor accepted that started this calendar month."""
    return Mentorship.objects.filter(
        mentor=mentor_id, engagement=Engagement.ADVICE, started_at__gte=month_start(now)
    ).count()


def advice_cap_refusal(
    profile: MentorProfile, *, now: datetime, answering: bool = False, waiting: int = 0
) -> str | None:
    """The mentor's monthly number of advice conversations: none offered, or all taken, or (for
    a new request) all taken or asked for by the `waiting` advice requests. Counted under the
    mentor's lock by the callers."""
    name = profile.user.full_name
    if profile.advice_per_month <= 0:
        if answering:
            return gettext("You do not offer one-off advice conversations at the moment.")
        return gettext("%(name)s does not offer one-off advice conversations at the moment.") % {
            "name": name
        }
    taken = advice_taken_this_month(profile.user_id, now=now)
    if taken >= profile.advice_per_month:
        if answering:
            return ngettext(
                "You have already had %(count)d advice conversation this month, the most you "
                "offer. Raise your number on your profile, or decline kindly.",
                "You have already had %(count)d advice conversations this month, the most you "
                "offer. Raise your number on your profile, or decline kindly.",
                taken,
            ) % {"count": taken}
        return gettext(
            "%(name)s has had all the advice conversations they offer this month. Please try "
            "again next month, or ask another mentor."
        ) % {"name": name}
    if not answering and taken + waiting >= profile.advice_per_month:
        return gettext(
            "%(name)s already has as many advice requests waiting as the conversations they "
            "offer this month. Please try again later, or ask another mentor."
        ) % {"name": name}
    return None


def long_term_pair_refusal(mentor_id: int, mentee_id: int, mentor_name: str) -> str | None:
    """An advice conversation with your own long-term mentor is not needed: ask them."""
    if (
        Mentorship.objects.active()
        .filter(mentor=mentor_id, mentee=mentee_id)
        .filter(~Q(engagement=Engagement.ADVICE))
        .exists()
    ):
        return gettext(
            "%(name)s already mentors you, so you can ask them about this in your "
            "mentorship: no separate advice conversation is needed."
        ) % {"name": mentor_name}
    if (
        Mentorship.objects.active()
        .filter(mentor=mentor_id, mentee=mentee_id, engagement=Engagement.ADVICE)
        .exists()
    ):
        return gettext("You already have an advice conversation with %(name)s under way.") % {
            "name": mentor_name
        }
    return None


# interest_state's states (matching.selectors) in which a mentee may still ask for one advice
# conversation: the refusal is about long-term places or limits, which advice does not use.
ADVICE_DESPITE = frozenset({"available", "full", "cap", "has_mentor", "limit"})


def advice_programmes(
    profile: MentorProfile,
    programmes: list[Programme],
    *,
    facts: dict[int, dict] | None = None,
    mentor_advice_used: int = 0,
) -> list[Programme]:
    """Of the programmes in which the viewer may ask this mentor, those in which they may ask
    for one advice conversation: the programme allows them, the mentor offers them and has not
    had or been asked for all of this month's (`mentor_advice_used`: advice conversations
    started this month plus advice requests waiting), and the viewer has fewer advice requests
    waiting in it than the programme allows (`facts`: matching.selectors.viewer_state's
    programme rows, by id), as `services.send_request` counts them."""
    if profile.advice_per_month <= mentor_advice_used:
        return []
    facts = facts or {}
    return [
        p
        for p in programmes
        if allows(p, Engagement.ADVICE)
        and facts.get(p.pk, {}).get("advice_pending", 0) < p.max_pending_requests
    ]


def long_term_programmes(programmes: list[Programme]) -> list[Programme]:
    return [p for p in programmes if allows(p, Engagement.LONG_TERM)]


def offers(
    profile: MentorProfile,
    programmes: list[Programme],
    interest: str,
    *,
    facts: dict[int, dict] | None = None,
    mentor_advice_used: int = 0,
) -> list[str]:
    """What the viewer may ask this mentor for now, given `interest`, the state of the
    Interested box (matching.selectors.interest_state): long-term mentoring where it is
    available and a programme allows it, one advice conversation where the refusal does not
    concern it, the mentor offers it and the advice limits leave room (`advice_programmes`)."""
    found = []
    if interest == "available" and long_term_programmes(programmes):
        found.append(Engagement.LONG_TERM.value)
    if interest in ADVICE_DESPITE and advice_programmes(
        profile, programmes, facts=facts, mentor_advice_used=mentor_advice_used
    ):
        found.append(Engagement.ADVICE.value)
    return found
