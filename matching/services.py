"""Every change of a request's or a mentorship's state happens here, but for the scheduled
expiry of unanswered requests (matching.jobs).

Each function runs in one transaction, locks the rows it decides on (always the mentor's
profile, then the mentee's, then requests, so two transactions never wait on each other in a
circle) and
queues its emails in the same transaction. The database constraints back each rule up.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.contrib.postgres.aggregates import ArrayAgg
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.translation import gettext, ngettext

from accounts.models import User
from matching import conversations, emails, engagement_rules, signals
from matching.models import Engagement, Mentorship, MentorshipRequest, RequestReport, StatusChange
from profiles import rules, training
from profiles.models import (
    Membership,
    MenteeProfile,
    MentorProfile,
    MentorProfileQuerySet,
    Programme,
)
from profiles.services import free_place, take_place

Status = MentorshipRequest.Status


class MatchingError(Exception):
    """A refused change. The message is the sentence the user sees."""


def pending_limit_sentence(count: int) -> str:
    return ngettext(
        "You already have %(count)d request waiting for an answer. Withdraw one, or wait for a "
        "reply, before you approach another mentor.",
        "You already have %(count)d requests waiting for an answer. Withdraw one, or wait for a "
        "reply, before you approach another mentor.",
        count,
    ) % {"count": count}


def active_limit_sentence(limit: int) -> str:
    if limit == 1:
        return gettext(
            "You already have a mentor. End that mentorship before you approach another."
        )
    return gettext(
        "You already have %(limit)d mentors. End one of those mentorships before you approach "
        "another."
    ) % {"limit": limit}


def away_sentence(profile: MentorProfile, *, today: date) -> str | None:
    """Why a mentor away until a date cannot be asked now (matching.availability), or None."""
    if profile.away_until is None or profile.away_until <= today:
        return None
    return gettext(
        "%(name)s is away until %(date)s and is not taking requests until then. Please "
        "approach another mentor, or come back later."
    ) % {"name": profile.user.full_name, "date": format_date(profile.away_until, "j F")}


def waiting_cap(profile: MentorProfile) -> int:
    """How many requests may wait for the mentor's answer at once: their own number, or their
    free places plus one."""
    return profile.waiting_cap or profile.places_left + 1


def waiting_cap_sentence(profile: MentorProfile, waiting: int) -> str | None:
    """Why nobody can ask the mentor now because enough requests already wait for them, or
    None. `waiting`: their pending requests, in every programme."""
    if waiting < waiting_cap(profile):
        return None
    return ngettext(
        "Not taking requests right now: %(name)s already has %(count)d request waiting for an "
        "answer. Please approach another mentor, or come back later.",
        "Not taking requests right now: %(name)s already has %(count)d requests waiting for an "
        "answer. Please approach another mentor, or come back later.",
        waiting,
    ) % {"name": profile.user.full_name, "count": waiting}


def _lock_mentor(mentor: User | None) -> MentorProfile:
    # Also how a request to someone deleting their account at this moment is refused: their
    # deletion holds this lock (matching.privacy), and the profile is gone once it is released.
    profile = MentorProfile.objects.select_for_update().filter(user=mentor).first()
    if profile is None:
        name = mentor.full_name if mentor is not None else gettext("This person")
        raise MatchingError(gettext("%(name)s is not a mentor in the scheme.") % {"name": name})
    return profile


def _lock_mentee(mentee: User | None) -> MenteeProfile | None:
    return MenteeProfile.objects.select_for_update().filter(user=mentee).first()


def _active_count(mentee: User, programme: Programme) -> int:
    """The mentee's long-term mentors in the programme (advice and informal pairs take no
    part in the "mentors at once" limit)."""
    return (
        Mentorship.objects.active()
        .filter(mentee=mentee, programme=programme, engagement=Engagement.LONG_TERM)
        .count()
    )


def _programme_for(mentee: User, mentor_profile: MentorProfile) -> Programme:
    """The programme a request goes in when the caller named none: the one the two share."""
    shared = list(
        Programme.objects.filter(
            pk__in=mentor_profile.programme_ids,
            memberships__user=mentee,
            memberships__role=Membership.Role.MENTEE,
            memberships__status=Membership.Status.APPROVED,
        )
    )
    if len(shared) == 1:
        return shared[0]
    name = mentor_profile.user.full_name
    if not shared:
        raise MatchingError(
            gettext("%(name)s is not a mentor in any programme you belong to.") % {"name": name}
        )
    raise MatchingError(
        gettext("Choose the programme in which you would like %(name)s to mentor you.")
        % {"name": name}
    )


def _refuse_outside_programme(
    programme: Programme,
    *,
    mentee: User,
    mentor_profile: MentorProfile,
    mentee_profile: MenteeProfile,
) -> None:
    """The programme's own rules for a pair: both in it, and, where the programme keeps
    mentors outside line management, not the mentee's manager or a colleague."""
    name = mentor_profile.user.full_name
    if (
        not Membership.objects.approved()
        .mentees()
        .filter(user=mentee, programme=programme)
        .exists()
    ):
        raise MatchingError(
            gettext("Join %(programme)s as a mentee first.") % {"programme": programme.name}
        )
    if programme.pk not in mentor_profile.programme_ids:
        raise MatchingError(
            gettext("%(name)s is not a mentor in %(programme)s.")
            % {"name": name, "programme": programme.name}
        )
    if refusal := rules.line_management_refusal(programme, mentee_profile, mentor_profile):
        raise MatchingError(refusal)
    if refusal := training.refusal_for_mentee(mentee, programme):  # its required training
        raise MatchingError(refusal)


def _long_term_pairs_in(programme: Programme) -> QuerySet[Mentorship]:
    return Mentorship.objects.active().filter(programme=programme, engagement=Engagement.LONG_TERM)


def pairs_here(programme: Programme, mentor_user_ids: list[int]) -> dict[int, int]:
    """Each mentor's active long-term pairs in `programme` (what its cap on places counts), in
    one query; mentors without any are left out. Nothing is read when the programme has no
    cap."""
    if programme.mentor_places_cap is None or not mentor_user_ids:
        return {}
    rows = (
        _long_term_pairs_in(programme)
        .filter(mentor__in=mentor_user_ids)
        .order_by()
        .values("mentor")
        .annotate(n=Count("pk"))
        .values_list("mentor", "n")
    )
    return dict(rows)


def with_free_places_in(
    programme: Programme, mentors: MentorProfileQuerySet
) -> MentorProfileQuerySet:
    """`mentors` with a free place for `programme`: their capacity across programmes and,
    where the programme caps places, fewer pairs in it than the cap (annotated `here`, which
    free_places reads)."""
    mentors = mentors.with_free_place()
    if programme.mentor_places_cap is None:
        return mentors
    here = (
        _long_term_pairs_in(programme)
        .filter(mentor=OuterRef("user"))
        .order_by()
        .values("mentor")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return mentors.annotate(here=Coalesce(Subquery(here), 0)).filter(
        here__lt=programme.mentor_places_cap
    )


def free_places(
    programme: Programme, mentor_profile: MentorProfile, here: int | None = None
) -> int:
    """The mentor's free places for `programme`: their own free places, no more than the
    programme's cap leaves. `here`: their pairs in it (pairs_here), else the `here` that
    with_free_places_in annotated, else one query."""
    free = mentor_profile.places_left
    cap = programme.mentor_places_cap
    if cap is not None:
        if here is None:
            here = getattr(mentor_profile, "here", None)
        if here is None:
            here = pairs_here(programme, [mentor_profile.user_id]).get(mentor_profile.user_id, 0)
        free = min(free, cap - here)
    return max(free, 0)


def central_rules_refusal(
    programme: Programme,
    *,
    mentor_profile: MentorProfile,
    mentee_profile: MenteeProfile | None,
    today: date,
    here: int | None = None,
) -> str | None:
    """Why this mentor cannot be given this mentee in `programme` by the scheme team, for the
    rules that read only the two profiles (approved and taking mentees, not away, in the
    programme, the line-management rule, a free place there), or None. Takes no lock: central
    matching (_refuse_central) calls it under its locks, and the applicants queue to show the
    same sentence before anyone presses a button. `here`: as for free_places."""
    name = mentor_profile.user.full_name
    if mentor_profile.review_status != MentorProfile.ReviewStatus.APPROVED:
        return f"{name}'s mentor profile is not approved."
    if programme.pk not in mentor_profile.programme_ids:
        return f"{name} is not an approved mentor in {programme.name}."
    if not mentor_profile.is_visible_to_mentees:
        return gettext("%(name)s is not taking new mentees at the moment.") % {"name": name}
    if refusal := away_sentence(mentor_profile, today=today):
        return refusal
    if mentee_profile is not None and (
        refusal := rules.line_management_refusal(programme, mentee_profile, mentor_profile)
    ):
        return refusal
    if mentor_profile.is_full:
        return f"{name} has no free place."
    if free_places(programme, mentor_profile, here) <= 0:
        return gettext("%(name)s has no free place in %(programme)s at the moment.") % {
            "name": name,
            "programme": programme.name,
        }
    return None


def _refuse_programme_places(programme: Programme, mentor_profile: MentorProfile) -> None:
    if free_places(programme, mentor_profile) <= 0 and not mentor_profile.is_full:
        raise MatchingError(
            gettext("%(name)s has no free place in %(programme)s at the moment.")
            % {"name": mentor_profile.user.full_name, "programme": programme.name}
        )


def _moment(at: datetime, *, now: datetime) -> str:
    """When someone may act again, to end a sentence "… from <moment>.": "14:32 today",
    "09:05 tomorrow", "3 March at 14:32"."""
    local, today = timezone.localtime(at), timezone.localdate(now)
    time = format_date(local, "H:i")
    if local.date() == today:
        return gettext("%(time)s today") % {"time": time}
    if local.date() == today + timedelta(days=1):
        return gettext("%(time)s tomorrow") % {"time": time}
    day = format_date(local, "j F" if local.year == today.year else "j F Y")
    return gettext("%(date)s at %(time)s") % {"date": day, "time": time}


def flood_checks(*, mentor_id: int, sent_since: datetime) -> dict:
    """Annotations on a query of users (the mentee) with what the checks against flooding a
    mentor need: whether this mentor reported one of their requests, when this mentor last
    declined them, when they last withdrew a request to this mentor themself (not the scheme
    when they were matched), and when they sent their requests since `sent_since`
    (`rate_window_start`). `send_request` and the mentor's page use the same ones, so both say
    the same."""
    mine = MentorshipRequest.objects.filter(mentee=OuterRef("pk"))
    # An informal record is no approach to a mentor: declining or withdrawing one (either
    # person may record it) is no reason to wait before asking that mentor.
    pair = mine.filter(mentor=mentor_id).exclude(engagement=Engagement.INFORMAL)
    return {
        "reported": Exists(
            RequestReport.objects.filter(request__mentee=OuterRef("pk"), request__mentor=mentor_id)
        ),
        "declined_at": Subquery(
            pair.filter(status=Status.DECLINED).order_by("-responded_at").values("responded_at")[:1]
        ),
        "withdrawn_at": Subquery(
            pair.filter(
                status=Status.WITHDRAWN,
                history__to_status=Status.WITHDRAWN,
                history__actor=OuterRef("pk"),
            )
            .order_by("-withdrawn_at")
            .values("withdrawn_at")[:1]
        ),
        "sent_recently": Subquery(
            # What the mentee sent: not the informal pairs a mentor recorded with them.
            mine.filter(created_at__gt=sent_since, sent_by_mentor=False)
            .order_by()
            .values("mentee")
            .annotate(times=ArrayAgg("created_at"))
            .values("times")
        ),
    }


def _flood_state(mentee: User, mentor: User, *, now: datetime) -> dict:
    checks = flood_checks(mentor_id=mentor.pk, sent_since=rate_window_start(now))
    return User.objects.filter(pk=mentee.pk).annotate(**checks).values(*checks).get()


def pair_wait_sentence(state: dict, *, mentor_name: str, now: datetime) -> str | None:
    """Why the mentee may not ask this mentor yet, and from when they may, or None.

    A mentee waits after a decline or after withdrawing (settings). An expired request leaves no
    wait: the mentor never answered, the mentee did nothing wrong, and expiry takes weeks, so it
    cannot be used to flood anyone. A reported request ends the mentee's approaches to that
    mentor."""
    if state["reported"]:
        return gettext("You cannot ask %(name)s again. Please approach another mentor.") % {
            "name": mentor_name
        }
    waits = [
        (
            state["declined_at"],
            settings.REQUEST_COOLDOWN_AFTER_DECLINE_DAYS,
            gettext("%(name)s declined your last request.") % {"name": mentor_name},
        ),
        (
            state["withdrawn_at"],
            settings.REQUEST_COOLDOWN_AFTER_WITHDRAWAL_DAYS,
            gettext("You withdrew your last request to %(name)s.") % {"name": mentor_name},
        ),
    ]
    for closed_at, days, why in waits:
        if closed_at is not None and closed_at + timedelta(days=days) > now:
            until = closed_at + timedelta(days=days)
            again = gettext("You can ask %(name)s again from %(moment)s.") % {
                "name": mentor_name,
                "moment": _moment(until, now=now),
            }
            return f"{why} {again}"
    return None


def rate_window_start(now: datetime) -> datetime:
    """Since when the requests a mentee sent count in the rate limits (the longest window)."""
    return now - max((window for _, window, _ in _rate_limits()), default=timedelta(0))


def _rate_limits() -> list[tuple[int, timedelta, str]]:
    limits = [
        (settings.REQUEST_RATE_LIMIT_PER_HOUR, timedelta(hours=1), gettext("in the last hour")),
        (settings.REQUEST_RATE_LIMIT_PER_DAY, timedelta(days=1), gettext("in the last 24 hours")),
    ]
    return [limit for limit in limits if limit[0] > 0]  # 0 switches a limit off


def rate_limit_sentence(state: dict, *, now: datetime) -> str | None:
    """Why the mentee may send no request now, and from when they may, or None.

    At most so many requests an hour and a day (settings), counted from the requests the mentee
    created, withdrawn ones included, so send-and-withdraw cycles count too. Counted in the
    database (under the mentee's lock in `send_request`): the same answer in every process, and
    no cache to fail open."""
    sent = sorted(state["sent_recently"] or [])
    refusals = []
    for limit, window, label in _rate_limits():
        recent = [at for at in sent if at > now - window]
        if len(recent) >= limit:
            # Another may go once enough of these have left the window.
            until = recent[len(recent) - limit] + window
            refusals.append((until, len(recent), label))
    if not refusals:
        return None
    until, count, label = max(refusals)
    return ngettext(
        "You have sent %(count)s request %(window)s, the most the scheme allows. You can send "
        "another from %(moment)s.",
        "You have sent %(count)s requests %(window)s, the most the scheme allows. You can send "
        "another from %(moment)s.",
        count,
    ) % {"count": intcomma(count), "window": label, "moment": _moment(until, now=now)}


@transaction.atomic
def send_request(
    *,
    mentee: User,
    mentor: User,
    message: str,
    programme: Programme | None = None,
    engagement: str = Engagement.LONG_TERM,
    topic: str = "",
) -> MentorshipRequest:
    """A mentee presses Interested, in `programme` (by default the one the two share), for
    long-term mentoring or for one advice conversation on `topic` (which takes none of the
    mentor's places and does not count as one of the mentee's mentors). A repeated submit of
    the same message returns the request it already made."""
    message, topic = message.strip(), topic.strip()[:200]
    advice = engagement == Engagement.ADVICE
    if engagement not in (Engagement.LONG_TERM, Engagement.ADVICE):
        raise MatchingError(gettext("Choose long-term mentoring or one conversation on a topic."))
    if advice and not topic:
        raise MatchingError(gettext("Please say what you would like advice on."))
    if mentee.pk == mentor.pk:
        raise MatchingError(gettext("You cannot send a request to yourself."))
    profile = _lock_mentor(mentor)
    mentee_profile = _lock_mentee(mentee)
    if mentee_profile is None:
        raise MatchingError(
            gettext("Please create your mentee profile before you approach a mentor.")
        )
    if programme is None:
        programme = _programme_for(mentee, profile)
    pending = MentorshipRequest.objects.pending().filter(mentee=mentee, programme=programme)
    existing = pending.filter(mentor=mentor).first()
    if existing is not None:
        if (
            existing.message == message
            and existing.engagement == engagement
            and existing.topic == (topic if advice else "")
        ):
            return existing  # a double click
        raise MatchingError(
            gettext("You already have a request waiting for %(name)s's answer.")
            % {"name": mentor.full_name}
        )
    now = timezone.now()
    flood = _flood_state(mentee, mentor, now=now)
    if refusal := pair_wait_sentence(flood, mentor_name=mentor.get_short_name(), now=now):
        raise MatchingError(refusal)
    _refuse_outside_programme(
        programme, mentee=mentee, mentor_profile=profile, mentee_profile=mentee_profile
    )
    if not programme.mentees_choose:
        raise MatchingError(
            gettext(
                "In %(programme)s the coordinators match mentees with mentors: apply to be "
                "matched on the programme's page."
            )
            % {"programme": programme.name}
        )
    if refusal := rules.mentee_window_refusal(programme, today=timezone.localdate(now)):
        raise MatchingError(refusal)
    if not profile.is_visible_to_mentees:
        raise MatchingError(
            gettext("%(name)s is not taking new mentees at the moment.")
            % {"name": mentor.full_name}
        )
    if refusal := away_sentence(profile, today=timezone.localdate(now)):
        raise MatchingError(refusal)
    if refusal := engagement_rules.not_allowed_sentence(programme, engagement):
        raise MatchingError(refusal)
    if advice:
        if refusal := engagement_rules.long_term_pair_refusal(
            mentor.pk, mentee.pk, mentor.full_name
        ):
            raise MatchingError(refusal)
        # Counted under the mentor's lock: the advice requests waiting for them count against
        # the conversations they offer this month, so they are never asked for more.
        if refusal := engagement_rules.advice_cap_refusal(
            profile, now=now, waiting=engagement_rules.advice_waiting(mentor.pk)
        ):
            raise MatchingError(refusal)
    elif refusal := engagement_rules.pair_refusal(
        mentor.pk, mentee.pk, programme, mentor.full_name
    ):
        raise MatchingError(refusal)
    if not advice and profile.is_full:
        raise MatchingError(
            gettext("%(name)s has no free place at the moment. Please approach another mentor.")
            % {"name": mentor.full_name}
        )
    if not advice:
        _refuse_programme_places(programme, profile)
    # Counted under the mentor's lock: concurrent requests to one mentor queue on it.
    # Long-term requests only: advice has its own monthly number (engagement_rules).
    waiting = (
        MentorshipRequest.objects.pending()
        .filter(mentor=mentor, engagement=Engagement.LONG_TERM)
        .count()
    )
    if not advice and (refusal := waiting_cap_sentence(profile, waiting)):
        raise MatchingError(refusal)
    limit = programme.max_pending_requests
    # Advice requests and long-term ones are limited apart: asking for advice while you wait
    # for a mentor is fine.
    if pending.filter(engagement=engagement).count() >= limit:
        raise MatchingError(pending_limit_sentence(limit))
    if not advice and _active_count(mentee, programme) >= programme.max_active_mentorships:
        raise MatchingError(active_limit_sentence(programme.max_active_mentorships))
    if refusal := rate_limit_sentence(flood, now=now):
        raise MatchingError(refusal)
    req = MentorshipRequest.objects.create(
        mentee=mentee,
        mentor=mentor,
        programme=programme,
        message=message,
        created_at=now,
        engagement=engagement,
        topic=topic if advice else "",
    )
    _record(req, Status.PENDING, by=mentee, at=req.created_at)
    conversations.start_for_request(req)  # the Interested message is its first message
    emails.request_received(req)
    return req


def _lock_request(req: MentorshipRequest) -> MentorshipRequest:
    return (
        MentorshipRequest.objects.select_for_update(of=("self",))
        .select_related("mentee", "mentor")
        .get(pk=req.pk)
    )


def _refuse_closed(req: MentorshipRequest) -> None:
    if req.status != Status.PENDING:
        raise MatchingError(
            gettext("This request is no longer waiting for an answer: it was %(status)s.")
            % {"status": str(req.get_status_display()).lower()}
        )


@transaction.atomic
def accept_request(req: MentorshipRequest, *, by: User, welcome: str = "") -> MentorshipRequest:
    """The mentor accepts, optionally with a welcome note to the mentee (kept in
    `response_message`, shown on the request's page and in the acceptance email)."""
    mentor_profile = _lock_mentor(req.mentor)  # lock order: mentor, mentee, then requests
    _lock_mentee(req.mentee)
    req = _lock_request(req)
    if engagement_rules.answerer_id(req) != by.pk:
        raise MatchingError(
            gettext("Only the other person can confirm this.")
            if req.engagement == Engagement.INFORMAL
            else gettext("Only the mentor can accept this request.")
        )
    if req.status == Status.ACCEPTED:
        return req  # a double click
    _refuse_closed(req)
    # Deleting an account closes its pending requests (matching.privacy): both people are here.
    assert req.mentor is not None and req.mentee is not None
    programme = req.programme
    if req.engagement == Engagement.ADVICE:
        # Advice takes no place: only the mentor's monthly number of conversations.
        if refusal := engagement_rules.advice_cap_refusal(
            mentor_profile, now=timezone.now(), answering=True
        ):
            raise MatchingError(refusal)
    elif req.engagement == Engagement.INFORMAL:
        pass  # an informal pair takes no place and counts in no limit
    elif mentor_profile.is_full:
        raise MatchingError(
            gettext(
                "You have no free place: you mentor %(count)s of %(capacity)s. End a mentorship "
                "or raise your number of places first."
            )
            % {"count": mentor_profile.mentee_count, "capacity": mentor_profile.capacity}
        )
    elif (
        programme.mentor_places_cap is not None
        and Mentorship.objects.active()
        .filter(mentor=by, programme=programme, engagement=Engagement.LONG_TERM)
        .count()
        >= programme.mentor_places_cap
    ):
        cap = programme.mentor_places_cap
        raise MatchingError(
            ngettext(
                "You already mentor %(count)s mentee in %(programme)s, the most the programme "
                "asks of a mentor.",
                "You already mentor %(count)s mentees in %(programme)s, the most the programme "
                "asks of a mentor.",
                cap,
            )
            % {"count": intcomma(cap), "programme": programme.name}
        )
    if (
        req.engagement == Engagement.LONG_TERM
        and _active_count(req.mentee, programme) >= programme.max_active_mentorships
    ):
        raise MatchingError(
            gettext("%(name)s has found a mentor in the meantime.") % {"name": req.mentee.full_name}
        )
    if welcome := welcome.strip()[:1000]:
        req.response_message = welcome
        req.save(update_fields=["response_message"])
    _start_mentorship(
        mentor_profile,
        mentor=req.mentor,
        mentee=req.mentee,
        programme=programme,
        request=req,
        by=by,
    )
    return req


def _start_mentorship(
    mentor_profile: MentorProfile,
    *,
    mentor: User,
    mentee: User,
    programme: Programme,
    request: MentorshipRequest | None,
    by: User,
    centrally: bool = False,
    introduction_note: str = "",
) -> Mentorship:
    """The one way a mentorship starts, from a mentor's acceptance or from central matching:
    accept the pair's waiting request (if any), create the mentorship, take one of the mentor's
    places, tell the two people, and close the mentee's other requests once they have as many
    mentors as the scheme allows. The caller holds the locks and has checked the rules."""
    now = timezone.now()
    note = "Matched centrally by the scheme team." if centrally else ""
    # Advice and informal pairs take no place, have no round and close no other request.
    engagement = request.engagement if request is not None else Engagement.LONG_TERM
    long_term = engagement == Engagement.LONG_TERM
    if request is not None:
        request.status, request.responded_at = Status.ACCEPTED, now
        request.save(update_fields=["status", "responded_at"])
        _record(request, Status.ACCEPTED, by=by, at=now, previous=Status.PENDING, note=note)
        emails.cancel_request_received(request)  # answered on the site before the email went
    try:
        mentorship = Mentorship.objects.create(
            mentor=mentor,
            mentee=mentee,
            programme=programme,
            round=rules.current_round(programme, today=timezone.localdate(now))
            if long_term
            else None,
            request=request,
            created_by=by if centrally else None,
            introduction_note=introduction_note.strip()[:2000],
            started_at=now,
            engagement=engagement,
            # Informal pairs opt in to the scheme's reminders and check-ins on their page.
            scheme_emails=engagement != Engagement.INFORMAL,
        )
    except IntegrityError as exc:  # the caller's transaction rolls back as this leaves it
        raise MatchingError(f"{mentor.full_name} already mentors {mentee.full_name}.") from exc
    _record(mentorship, Mentorship.Status.ACTIVE, by=by, at=now, note=note)
    conversations.continue_for_mentorship(mentorship)  # the request's, or a new one
    if not long_term:
        if engagement == Engagement.ADVICE:
            emails.request_accepted(request)  # type: ignore[arg-type]
        return mentorship  # an informal pair was confirmed by the other person: no email
    take_place(mentor_profile)
    if centrally:
        emails.mentorship_introduction(mentorship)
    else:
        assert request is not None  # only central matching starts a pair without a request
        emails.request_accepted(request)
    # Matched: the mentee's application to be matched in this programme is answered.
    Membership.objects.mentees().filter(user=mentee, programme=programme).update(
        application="", applied_at=None
    )
    _close_other_requests_if_matched(mentee, programme, now=now)
    return mentorship


def _record(
    obj: MentorshipRequest | Mentorship,
    status: str,
    *,
    by: User | None,
    at: datetime,
    previous: str = "",
    note: str = "",
) -> None:
    """Write the history line of a state change (shown to the scheme team in the admin)."""
    target = {"request": obj} if isinstance(obj, MentorshipRequest) else {"mentorship": obj}
    StatusChange.objects.create(
        **target, from_status=previous, to_status=status, actor=by, at=at, note=note[:255]
    )


def _close_other_requests_if_matched(mentee: User, programme: Programme, *, now: datetime) -> None:
    """A mentee with as many mentors as the programme allows: the scheme closes their other
    requests in it (not a withdrawal), with a kind note to each mentor, so nobody keeps a place
    for them."""
    if _active_count(mentee, programme) < programme.max_active_mentorships:
        return
    others = list(
        MentorshipRequest.objects.pending()
        .filter(mentee=mentee, programme=programme, engagement=Engagement.LONG_TERM)
        .select_for_update(of=("self",))
        .select_related("mentee", "mentor")
    )
    for other in others:
        other.status, other.closed_at = Status.CLOSED, now
        other.close_reason = MentorshipRequest.CloseReason.MATCHED_ELSEWHERE
        other.closing_note = "The mentee has been matched with a mentor."
        other.save(update_fields=["status", "closed_at", "close_reason", "closing_note"])
        _record(
            other,
            Status.CLOSED,
            by=None,
            at=now,
            previous=Status.PENDING,
            note=other.closing_note,
        )
        if not emails.cancel_request_received(other):
            emails.request_closed_mentee_matched(other)


@transaction.atomic
def decline_request(
    req: MentorshipRequest, *, by: User, reason: str, message: str = ""
) -> MentorshipRequest:
    req = _lock_request(req)
    if engagement_rules.answerer_id(req) != by.pk:
        raise MatchingError(gettext("Only the mentor can decline this request."))
    if req.status == Status.DECLINED:
        return req
    _refuse_closed(req)
    if reason not in MentorshipRequest.DeclineReason.values:
        raise MatchingError(gettext("Please choose a reason."))
    _decline(req, by=by, reason=reason, message=message.strip(), at=timezone.now())
    return req


def _decline(
    req: MentorshipRequest, *, by: User, reason: str, message: str, at: datetime, note: str = ""
) -> None:
    req.status, req.responded_at = Status.DECLINED, at
    req.decline_reason, req.response_message = reason, message
    req.save(update_fields=["status", "responded_at", "decline_reason", "response_message"])
    _record(req, Status.DECLINED, by=by, at=at, previous=Status.PENDING, note=note)
    emails.cancel_request_received(req)  # answered on the site before the email went
    if req.engagement != Engagement.INFORMAL:  # the person who recorded it sees it on the site
        emails.request_declined(req)


@transaction.atomic
def withdraw_request(req: MentorshipRequest, *, by: User) -> MentorshipRequest:
    req = _lock_request(req)
    if engagement_rules.recorder_id(req) != by.pk:
        raise MatchingError(gettext("Only the mentee can withdraw this request."))
    if req.status == Status.WITHDRAWN:
        return req
    _refuse_closed(req)
    req.status, req.withdrawn_at = Status.WITHDRAWN, timezone.now()
    req.save(update_fields=["status", "withdrawn_at"])
    _record(req, Status.WITHDRAWN, by=by, at=req.withdrawn_at, previous=Status.PENDING)
    # Withdrawn while its email was still held: the mentor never heard of it, so no news of
    # the withdrawal either.
    if not emails.cancel_request_received(req) and req.engagement != Engagement.INFORMAL:
        emails.request_withdrawn(req)
    return req


@transaction.atomic
def report_request(req: MentorshipRequest, *, by: User, reason: str) -> RequestReport:
    """The mentor reports a request as inappropriate. The scheme team is emailed and sees the
    report in the admin; a request still waiting is declined, and the mentee can never ask this
    mentor again.

    The mentee gets the ordinary decline email and is not told of the report: they are not left
    waiting or tempted to chase the mentor elsewhere, and the mentor need not fear their reaction
    to being reported. The scheme team decides what to say to the mentee."""
    req = _lock_request(req)
    if req.mentor_id != by.pk:
        raise MatchingError(gettext("Only the mentor can report this request."))
    existing = RequestReport.objects.filter(request=req).first()
    if existing is not None:
        return existing  # a double click
    if req.status == Status.ACCEPTED:
        raise MatchingError(
            gettext(
                "You accepted this request, so it cannot be reported. To raise a concern about "
                "your mentorship, contact the scheme team at %(email)s."
            )
            % {"email": settings.SCHEME_CONTACT_EMAIL}
        )
    reason = reason.strip()
    if not reason:
        raise MatchingError(gettext("Please tell the scheme team what was inappropriate."))
    now = timezone.now()
    report = RequestReport.objects.create(
        request=req, reported_by=by, reason=reason, created_at=now
    )
    if req.status == Status.PENDING:
        _decline(
            req,
            by=by,
            reason=MentorshipRequest.DeclineReason.OTHER,
            message="",
            at=now,
            note="Reported as inappropriate by the mentor.",
        )
    emails.request_reported(report)
    return report


@transaction.atomic
def end_mentorship(
    mentorship: Mentorship,
    *,
    by: User,
    reason: str,
    message: str = "",
    rating: int | None = None,
    feedback: str = "",
) -> Mentorship:
    pairs = Mentorship.objects.select_related("mentor", "mentee")
    # Read before locking the mentor's profile: a pair already ended (a double click, or ended
    # by the other person's deletion) may have no mentor any more.
    mentorship = pairs.get(pk=mentorship.pk)
    if by.pk not in (mentorship.mentor_id, mentorship.mentee_id):
        raise MatchingError(gettext("Only the mentor or the mentee can end this mentorship."))
    if mentorship.status != Mentorship.Status.ACTIVE:
        return mentorship
    mentor_profile = _lock_mentor(mentorship.mentor)
    mentorship = pairs.select_for_update(of=("self",)).get(pk=mentorship.pk)
    if mentorship.status != Mentorship.Status.ACTIVE:
        return mentorship  # ended (or completed) while we waited for the lock
    if reason not in Mentorship.EndReason.values:
        raise MatchingError(gettext("Please choose a reason."))
    mentorship.status, mentorship.ended_at, mentorship.ended_by = (
        Mentorship.Status.ENDED,
        timezone.now(),
        by,
    )
    mentorship.end_reason, mentorship.end_message = reason, message.strip()
    mentorship.feedback_rating, mentorship.feedback_comment = rating, feedback.strip()
    mentorship.save(
        update_fields=[
            "status",
            "ended_at",
            "ended_by",
            "end_reason",
            "end_message",
            "feedback_rating",
            "feedback_comment",
        ]
    )
    if mentorship.is_long_term:  # advice and informal pairs took no place
        free_place(mentor_profile)
    extras = signals.email_context(
        signals.mentorship_ended.send(sender=Mentorship, mentorship=mentorship)
    )
    _record(
        mentorship,
        Mentorship.Status.ENDED,
        by=by,
        at=mentorship.ended_at,
        previous=Mentorship.Status.ACTIVE,
        note=mentorship.get_end_reason_display(),
    )
    emails.mentorship_ended(mentorship, extras=extras)
    return mentorship


def _refuse_central(
    *, mentor: User, mentee: User, by: User, programme: Programme | None
) -> tuple[MentorProfile, MenteeProfile, Programme]:
    """The rules of central matching (a coordinator's "Match now" and "Propose to the mentor"),
    the same as a mentee's own request; takes the locks (mentor, then mentee) and returns the
    locked profiles and the programme."""
    if mentor.pk == mentee.pk:
        raise MatchingError("A person cannot mentor themselves.")
    mentor_profile = _lock_mentor(mentor)
    mentee_profile = _lock_mentee(mentee)
    if mentee_profile is None:
        raise MatchingError(f"{mentee.full_name} has no mentee profile yet.")
    if mentor_profile.review_status != MentorProfile.ReviewStatus.APPROVED:
        raise MatchingError(f"{mentor.full_name}'s mentor profile is not approved.")
    if programme is None:
        programme = _programme_for(mentee, mentor_profile)
    if not Programme.objects.coordinated_by(by).filter(pk=programme.pk).exists():
        raise MatchingError(f"You do not coordinate {programme.name}.")
    if refusal := engagement_rules.not_allowed_sentence(programme, Engagement.LONG_TERM):
        raise MatchingError(refusal)
    if (
        not Membership.objects.approved()
        .mentees()
        .filter(user=mentee, programme=programme)
        .exists()
    ):
        raise MatchingError(f"{mentee.full_name} is not a mentee in {programme.name}.")
    if untrained := training.outstanding_required(mentee, programme, Membership.Role.MENTEE):
        raise MatchingError(
            training.coordinator_sentence(mentee, programme, untrained, action="matching")
        )
    if (
        Mentorship.objects.active()
        .filter(mentor=mentor, mentee=mentee)
        .filter(Q(engagement=Engagement.LONG_TERM) | Q(programme=programme))
        .exists()
    ):
        # A long-term pair anywhere, or any pair in this programme (one active pair per
        # mentor, mentee and programme).
        raise MatchingError(f"{mentor.full_name} already mentors {mentee.full_name}.")
    # The rules a mentee's own request checks on the mentor (switched off, away, places) and
    # the line-management rule, in the same words as the applicants queue shows them.
    if refusal := central_rules_refusal(
        programme,
        mentor_profile=mentor_profile,
        mentee_profile=mentee_profile,
        today=timezone.localdate(),
    ):
        raise MatchingError(refusal)
    if _active_count(mentee, programme) >= programme.max_active_mentorships:
        raise MatchingError(f"{mentee.full_name} already has a mentor in {programme.name}.")
    return mentor_profile, mentee_profile, programme


@transaction.atomic
def create_mentorship(
    *,
    mentor: User,
    mentee: User,
    by: User,
    programme: Programme | None = None,
    introduction_note: str = "",
) -> Mentorship:
    """Central matching by a coordinator of `programme` (by default the one the two share),
    under the same rules as a mentee's request. `introduction_note`, the coordinator's words
    to the two, goes in the introduction email and on the pair's page."""
    mentor_profile, _, programme = _refuse_central(
        mentor=mentor, mentee=mentee, by=by, programme=programme
    )
    request = (
        MentorshipRequest.objects.pending()
        .select_for_update()
        # Their long-term request, which this answers (an advice request waits on).
        .filter(mentor=mentor, mentee=mentee, programme=programme, engagement=Engagement.LONG_TERM)
        .first()
    )
    return _start_mentorship(
        mentor_profile,
        mentor=mentor,
        mentee=mentee,
        programme=programme,
        request=request,
        by=by,
        centrally=True,
        introduction_note=introduction_note,
    )


@transaction.atomic
def propose_match(
    *, mentor: User, mentee: User, by: User, programme: Programme | None = None, note: str = ""
) -> MentorshipRequest:
    """A coordinator proposes `mentor` for `mentee`: a request on the mentee's behalf that the
    mentor accepts or declines as any other (the mentee is told a mentor was proposed; the
    mentor's "new request" email says the coordinator proposed it, with `note`). The same rules
    as central matching; a second click returns the proposal already waiting."""
    note = note.strip()[:2000]
    mentor_profile, _, programme = _refuse_central(
        mentor=mentor, mentee=mentee, by=by, programme=programme
    )
    existing = (
        MentorshipRequest.objects.pending()
        .select_for_update()
        .filter(mentor=mentor, mentee=mentee, programme=programme)
        .first()
    )
    if existing is not None:
        if existing.proposed_by_id is not None:
            return existing  # a double click, or a colleague proposed the same pair
        raise MatchingError(
            f"{mentee.full_name} already has a request waiting for {mentor.full_name}'s answer."
        )
    # One proposal at a time: a second mentor approached for the same mentee could both say yes.
    other = (
        MentorshipRequest.objects.pending()
        .filter(mentee=mentee, programme=programme, proposed_by__isnull=False)
        .select_related("mentor")
        .first()
    )
    if other is not None:
        who = other.mentor.full_name if other.mentor else "another mentor"
        raise MatchingError(
            f"{mentee.full_name} was already proposed to {who} in {programme.name} on "
            f"{format_date(timezone.localtime(other.created_at), 'j F Y')}, who has not answered "
            "yet. Wait for that answer before proposing another mentor."
        )
    now = timezone.now()
    req = MentorshipRequest.objects.create(
        mentee=mentee,
        mentor=mentor,
        programme=programme,
        message="",
        created_at=now,
        engagement=Engagement.LONG_TERM,
        proposed_by=by,
        coordinator_note=note,
    )
    _record(req, Status.PENDING, by=by, at=now, note="Proposed by the scheme team.")
    conversations.start_for_request(req)  # no message: the mentee wrote none
    emails.request_received(req)
    emails.mentor_proposed(req)
    return req


def close_requests_of_leaver(membership: Membership) -> None:
    """A person left a programme (profiles.services.leave_programme, which holds their profile's
    lock, taken first as everywhere): their waiting requests in it close kindly. A mentee's are
    withdrawn as if they withdrew them; a mentor's are closed for the mentee, who is told and
    may ask them again in another programme at once (not a decline: no wait follows)."""
    user, programme = membership.user, membership.programme
    if membership.role == Membership.Role.MENTEE:
        for req in MentorshipRequest.objects.pending().filter(mentee=user, programme=programme):
            if engagement_rules.recorder_id(req) == user.pk:
                withdraw_request(req, by=user)
            else:  # an informal pair their mentor recorded, which they would have confirmed
                decline_request(req, by=user, reason=MentorshipRequest.DeclineReason.OTHER)
        return
    now = timezone.now()
    note = f"{user.full_name} has stepped back from mentoring in {programme.name}."
    closing = list(
        MentorshipRequest.objects.pending()
        .filter(mentor=user, programme=programme)
        .select_for_update(of=("self",))
        .select_related("mentee", "mentor", "programme")
        .order_by("pk")
    )
    for req in closing:
        req.status, req.closed_at, req.closing_note = Status.CLOSED, now, note
        req.close_reason = MentorshipRequest.CloseReason.MENTOR_LEFT
        req.save(update_fields=["status", "closed_at", "close_reason", "closing_note"])
        _record(req, Status.CLOSED, by=None, at=now, previous=Status.PENDING, note=note)
        emails.cancel_request_received(req)
        emails.request_closed_mentor_left(req)


@transaction.atomic
def complete_mentorship(mentorship: Mentorship, *, at: datetime | None = None) -> Mentorship:
    """The pair's term is over (their round's term end, matching.jobs.complete_rounds): the
    pair completes, which is not ending early. The mentor's place is freed, planned meetings
    are cancelled (`mentorship_ended`) and both are thanked. A pair no longer active is
    returned as it is, so completing twice does nothing."""
    at = at or timezone.now()
    pairs = Mentorship.objects.select_related("mentor", "mentee", "programme", "round")
    mentorship = pairs.get(pk=mentorship.pk)
    if mentorship.status != Mentorship.Status.ACTIVE:
        return mentorship
    # Lock order as end_mentorship: the mentor's profile, then the pair.
    mentor_profile = (
        MentorProfile.objects.select_for_update().filter(user=mentorship.mentor).first()
    )
    mentorship = pairs.select_for_update(of=("self",)).get(pk=mentorship.pk)
    if mentorship.status != Mentorship.Status.ACTIVE:
        return mentorship  # ended (or completed) while we waited for the lock
    mentorship.status, mentorship.ended_at = Mentorship.Status.COMPLETED, at
    mentorship.save(update_fields=["status", "ended_at"])
    if mentor_profile is not None and mentorship.is_long_term:
        free_place(mentor_profile)
    extras = signals.email_context(
        signals.mentorship_ended.send(sender=Mentorship, mentorship=mentorship)
    )
    term = f"the {mentorship.round.name} term" if mentorship.round else "the programme's term"
    _record(
        mentorship,
        Mentorship.Status.COMPLETED,
        by=None,
        at=at,
        previous=Mentorship.Status.ACTIVE,
        note=f"Completed at the end of {term}.",
    )
    emails.mentorship_completed(mentorship, extras=extras)
    return mentorship
