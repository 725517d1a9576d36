"""A programme's rules that several pages and services read: who may be paired with whom
(outside line management) and when its mentees may look for a mentor (rounds)."""

from __future__ import annotations

from datetime import date

from django.db.models import Q
from django.utils.dateformat import format as format_date
from django.utils.translation import gettext

from profiles.models import MenteeProfile, MentorProfile, Programme, Round


def _norm(value: str) -> str:
    return " ".join(value.lower().split())


def line_management_refusal(
    programme: Programme, mentee_profile: MenteeProfile | None, mentor_profile: MentorProfile
) -> str | None:
    """Why this mentor may not mentor this mentee in `programme`, or None: in a programme that
    keeps mentors outside the mentee's line management, their line manager and anyone in their
    department are never paired with them."""
    if not programme.outside_line_management or mentee_profile is None:
        return None
    name = mentor_profile.user.full_name
    manager = mentee_profile.line_manager_email.strip().lower()
    if manager and mentor_profile.user.email.lower() == manager:
        return gettext(
            "%(mentor)s is %(mentee)s's line manager. %(programme)s pairs mentees with a mentor "
            "outside their line management."
        ) % {"mentor": name, "mentee": mentee_profile.user.full_name, "programme": programme.name}
    department = _norm(mentee_profile.department)
    if department and _norm(mentor_profile.department) == department:
        return gettext(
            "%(mentor)s works in the same department as %(mentee)s (%(department)s). "
            "%(programme)s pairs mentees with a mentor outside their line management."
        ) % {
            "mentor": name,
            "mentee": mentee_profile.user.full_name,
            "department": mentee_profile.department,
            "programme": programme.name,
        }
    return None


def line_management_exclusion(programme: Programme, mentee_profile: MenteeProfile | None) -> Q:
    """A filter on mentor profiles that leaves out the mentee's line manager and colleagues in
    `programme` (nothing when the programme has no such rule)."""
    if not programme.outside_line_management or mentee_profile is None:
        return Q()
    excluded = Q(pk__in=[])
    manager = mentee_profile.line_manager_email.strip()
    if manager:
        excluded |= Q(user__email__iexact=manager)
    department = _norm(mentee_profile.department)
    if department:
        excluded |= Q(department__iexact=department)
    return ~excluded


def current_round(programme: Programme, *, today: date) -> Round | None:
    """The round a pair made today belongs to: the one whose term is running (the latest to
    open), else the next to open (a pair matched between rounds joins the coming one, so its
    term end completes it too). None for always-open programmes."""
    if not programme.has_rounds:
        return None
    rounds = programme.rounds.filter(term_ends_on__gt=today, completed_at__isnull=True)
    return (
        rounds.filter(mentee_opens_on__lte=today).order_by("-mentee_opens_on").first()
        or rounds.order_by("mentee_opens_on").first()
    )


def mentee_window_refusal(programme: Programme, *, today: date) -> str | None:
    """Why mentees may not look for a mentor in `programme` today, or None."""
    if not programme.has_rounds:
        return None
    if programme.rounds.filter(mentee_opens_on__lte=today, mentee_closes_on__gte=today).exists():
        return None
    upcoming = (
        programme.rounds.filter(mentee_opens_on__gt=today).order_by("mentee_opens_on").first()
    )
    if upcoming is not None:
        return gettext(
            "Mentees in %(programme)s can look for a mentor from %(date)s (%(round)s)."
        ) % {
            "programme": programme.name,
            "date": format_date(upcoming.mentee_opens_on, "j F Y"),
            "round": upcoming.name,
        }
    return gettext("%(programme)s is not taking requests from mentees at the moment.") % {
        "programme": programme.name
    }
