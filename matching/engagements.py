"""One-off advice conversations and informal pairs (issue 14): the state changes the general
matching services do not make.

A one-off advice conversation is asked for and accepted through `services.send_request` and
`services.accept_request` (with `engagement="advice"`); it completes itself here once its
meeting was held, a week after the meeting's date, or `ADVICE_UNPLANNED_AFTER` after it began
with no meeting held or planned (`complete_advice`, from the pair's page and from
`matching.jobs.complete_advice_conversations`). An informal pair is recorded by either
person (`record_informal`) and confirmed by the other (`services.accept_request`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from matching import emails, engagement_rules, signals
from matching.models import Engagement, Mentorship, MentorshipRequest
from matching.services import MatchingError, _record
from profiles.models import Membership, MentorProfile, Programme

# An advice conversation nobody marked held completes this long after its meeting's date.
ADVICE_GRACE = timedelta(days=7)
# An advice conversation with no meeting held and none planned completes this long after it
# began, so it does not stay open (and in the mentor's and mentee's lists) for ever.
ADVICE_UNPLANNED_AFTER = timedelta(weeks=4)


def advice_due(now: datetime) -> Q:
    """Active advice pairs whose meeting was held, whose planned meeting's date is a week past,
    or that began `ADVICE_UNPLANNED_AFTER` ago with no meeting held or planned (lookups through
    the pair's meetings: no import of the sessions log)."""
    planned = Mentorship.objects.filter(pk=OuterRef("pk"), meetings__status="planned")
    return Q(engagement=Engagement.ADVICE, status=Mentorship.Status.ACTIVE) & (
        Q(meetings__status="held")
        | Q(meetings__status="planned", meetings__starts_at__lte=now - ADVICE_GRACE)
        | Q(~Exists(planned), started_at__lte=now - ADVICE_UNPLANNED_AFTER)
    )


def advice_held(mentorship: Mentorship) -> bool:
    """Whether the advice pair's meeting was marked held (or logged): otherwise it completed
    on its own, and nobody may say the conversation took place."""
    return mentorship.meetings.filter(status="held").exists()


@transaction.atomic
def complete_advice(mentorship: Mentorship, *, at: datetime | None = None) -> bool:
    """Complete an advice pair whose meeting is done: it took no place, so none is freed.
    Returns whether it completed now (False when it was not active, not advice or not due, so
    completing twice does nothing)."""
    at = at or timezone.now()
    # Lock order as everywhere: the mentor's profile, then the pair.
    if mentorship.mentor_id is not None:
        list(
            MentorProfile.objects.select_for_update()
            .filter(user_id=mentorship.mentor_id)
            .values_list("pk", flat=True)
        )
    pair = (
        Mentorship.objects.select_for_update(of=("self",))
        .filter(pk=mentorship.pk)
        .filter(pk__in=Mentorship.objects.filter(advice_due(at)).values("pk"))
        .first()
    )
    if pair is None:
        return False
    pair.status, pair.ended_at = Mentorship.Status.COMPLETED, at
    pair.save(update_fields=["status", "ended_at"])
    # No email: a meeting planned for a date a week past is not cancelled (only meetings after
    # the end are, silently), and the feedback questions follow (sessions_log.jobs).
    signals.mentorship_ended.send(sender=Mentorship, mentorship=pair)
    _record(
        pair,
        Mentorship.Status.COMPLETED,
        by=None,
        at=at,
        previous=Mentorship.Status.ACTIVE,
        note="The advice conversation took place."
        if advice_held(pair)
        else "Completed on its own: no meeting was marked held.",
    )
    return True


def informal_programmes(user: User) -> list[Programme]:
    """The programmes in which `user` may record an informal pair: they are an approved member
    and the programme allows informal pairs."""
    return list(
        Programme.objects.filter(
            engagement_types__contains=[Engagement.INFORMAL],
            memberships__user=user,
            memberships__status=Membership.Status.APPROVED,
        )
        .distinct()
        .order_by("position", "name")
    )


def _not_found(role: str, programme: Programme) -> str:
    """The one sentence for any address that finds nobody to pair with."""
    if role == "mentee":
        sentence = gettext(
            "We could not find a mentee in %(programme)s with that email address. Check it "
            "with them: it must be the address they use here."
        )
    else:
        sentence = gettext(
            "We could not find a mentor in %(programme)s with that email address. Check it "
            "with them: it must be the address they use here."
        )
    return sentence % {"programme": programme.name}


@transaction.atomic
def record_informal(
    *, by: User, programme: Programme, other_email: str, my_role: str
) -> MentorshipRequest:
    """Record an informal mentoring relationship with another member of `programme`: the other
    person confirms it (`services.accept_request`) or declines. `my_role`: "mentor" or
    "mentee". Only members of the programme in the other role are found, and the same sentence
    answers for any other address, so nobody learns who else is registered."""
    if my_role not in ("mentor", "mentee"):
        raise MatchingError(gettext("Choose whether you are the mentor or the mentee."))
    if not engagement_rules.allows(programme, Engagement.INFORMAL):
        raise MatchingError(
            gettext("%(programme)s does not record informal pairs.") % {"programme": programme.name}
        )
    mine = Membership.Role.MENTOR if my_role == "mentor" else Membership.Role.MENTEE
    theirs = Membership.Role.MENTEE if my_role == "mentor" else Membership.Role.MENTOR
    approved = Membership.objects.approved().filter(programme=programme)
    if not approved.filter(user=by, role=mine).exists():
        not_member = (
            gettext("You are not a mentor in %(programme)s.")
            if my_role == "mentor"
            else gettext("You are not a mentee in %(programme)s.")
        )
        raise MatchingError(not_member % {"programme": programme.name})
    other_role = "mentee" if my_role == "mentor" else "mentor"
    membership = (
        approved.filter(role=theirs, user__email__iexact=other_email.strip())
        .select_related("user")
        .first()
    )
    if membership is None or membership.user_id == by.pk:
        raise MatchingError(_not_found(other_role, programme))
    other = membership.user
    mentor, mentee = (by, other) if my_role == "mentor" else (other, by)
    profile = MentorProfile.objects.select_for_update().filter(user=mentor).first()
    if profile is None:
        raise MatchingError(
            gettext("%(name)s has no mentor profile yet.") % {"name": mentor.full_name}
        )
    if Mentorship.objects.active().filter(mentor=mentor, mentee=mentee).exists():
        raise MatchingError(
            gettext("%(mentor)s already mentors %(mentee)s here.")
            % {"mentor": mentor.full_name, "mentee": mentee.full_name}
        )
    existing = (
        MentorshipRequest.objects.pending()
        .filter(mentor=mentor, mentee=mentee, programme=programme)
        .first()
    )
    if existing is not None:
        if existing.engagement == Engagement.INFORMAL:
            return existing  # a double submit, or the other person recorded it first
        raise MatchingError(
            gettext("There is already a request between you and %(name)s waiting for an answer.")
            % {"name": other.full_name}
        )
    now = timezone.now()
    req = MentorshipRequest.objects.create(
        mentee=mentee,
        mentor=mentor,
        programme=programme,
        engagement=Engagement.INFORMAL,
        sent_by_mentor=my_role == "mentor",
        message="",
        created_at=now,
    )
    _record(req, MentorshipRequest.Status.PENDING, by=by, at=now, note="Informal pair recorded.")
    emails.informal_recorded(req, to=other, by=by)
    return req


@transaction.atomic
def set_scheme_emails(mentorship: Mentorship, *, by: User, on: bool) -> Mentorship:
    """An informal pair opts in to (or out of) the scheme's reminders and check-ins."""
    pair = Mentorship.objects.select_for_update().get(pk=mentorship.pk)
    if by.pk not in (pair.mentor_id, pair.mentee_id):
        raise MatchingError(gettext("Only the two people of the pair can change this."))
    if pair.status != Mentorship.Status.ACTIVE:
        raise MatchingError(gettext("This pair has ended, so the scheme sends it no more emails."))
    if not pair.is_informal:
        raise MatchingError(gettext("Only informal pairs choose whether the scheme emails them."))
    if pair.scheme_emails != on:
        pair.scheme_emails = on
        pair.save(update_fields=["scheme_emails"])
    return pair


def preview_samples() -> dict[str, dict]:
    """Sample contexts for the staff email previews (unsaved rows: nothing is written)."""
    mentor = User(pk=1, full_name="Daniel Okafor", email="daniel.okafor@example.org")
    mentee = User(pk=2, full_name="Maya Patel", email="maya.patel@example.org")
    programme = Programme(pk=1, name="Staff mentoring", slug="staff")
    req = MentorshipRequest(
        pk=1,
        mentor=mentor,
        mentee=mentee,
        programme=programme,
        engagement=Engagement.INFORMAL,
        sent_by_mentor=True,
        created_at=timezone.now(),
    )
    return {
        "informal_recorded": {
            "to": mentee,
            "req": req,
            "by": mentor,
            "programme": programme,
            "url": emails.absolute_url(f"/requests/{req.pk}/"),
        },
    }
