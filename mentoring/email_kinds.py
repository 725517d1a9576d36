"""The registry of email kinds, named for people: who gets each one and when.

A kind is the name of its templates (templates/emails/<kind>{_subject.txt,.txt,.html}); the
previews page and the email wording admin list kinds by audience with these titles. A kind
with templates but no entry here is still listed (under "Other emails"), titled by its name.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

MENTORS = "To mentors"
MENTEES = "To mentees"
PAIRS = "To both people in a pair"
EVERYONE = "To mentors and mentees"
TEAM = "To the scheme team"
OTHER = "Other emails"

AUDIENCES = [MENTORS, MENTEES, PAIRS, EVERYONE, TEAM, OTHER]


@dataclass(frozen=True)
class EmailKind:
    slug: str
    title: str
    audience: str


_KINDS = [
    # To mentors
    EmailKind("request_received", "To the mentor when a mentee is Interested", MENTORS),
    EmailKind("request_reminder", "To the mentor when a request is still unanswered", MENTORS),
    EmailKind("request_withdrawn", "To the mentor when a mentee withdraws a request", MENTORS),
    EmailKind(
        "request_closed_mentee_matched",
        "To the mentor when the mentee was matched elsewhere",
        MENTORS,
    ),
    EmailKind("mentor_back", "To the mentor when their time away ends", MENTORS),
    EmailKind("profile_approved", "To the mentor when their profile is approved", MENTORS),
    EmailKind("profile_changes_requested", "To the mentor when the team asks for changes", MENTORS),
    EmailKind("profile_confirm", "To the mentor once a year: check your profile", MENTORS),
    EmailKind("profile_lapsed", "To the mentor whose profile was not confirmed", MENTORS),
    EmailKind("never_approached", "To the mentor no mentee has approached yet", MENTORS),
    EmailKind("membership_approved", "To the mentor when a programme approves them", MENTORS),
    EmailKind("recruitment_open", "To mentors when recruitment for a round opens", MENTORS),
    # To mentees
    EmailKind("request_accepted", "To the mentee when a mentor accepts", MENTEES),
    EmailKind("request_declined", "To the mentee when a mentor declines", MENTEES),
    EmailKind("mentor_proposed", "To the mentee when the team proposes a mentor", MENTEES),
    EmailKind("request_expired", "To the mentee when a request expires unanswered", MENTEES),
    EmailKind("request_closed_mentor_away", "To the mentee when the mentor is away", MENTEES),
    EmailKind(
        "request_kept_waiting",
        "To the mentee when an away mentor keeps the request waiting",
        MENTEES,
    ),
    EmailKind(
        "request_closed_mentor_hidden",
        "To the mentee when the mentor stops taking requests",
        MENTEES,
    ),
    EmailKind(
        "request_closed_mentor_left", "To the mentee when the mentor leaves the programme", MENTEES
    ),
    # To both people in a pair
    EmailKind("mentorship_introduction", "To both when a pair is introduced", PAIRS),
    EmailKind("informal_recorded", "To the other person when an informal pair is recorded", PAIRS),
    EmailKind("agreement_proposed", "To the other person when an agreement is proposed", PAIRS),
    EmailKind("agreement_agreed", "To the other person when the agreement is agreed", PAIRS),
    EmailKind("meeting_planned", "To both when a meeting is planned", PAIRS),
    EmailKind("meeting_changed", "To both when a meeting changes", PAIRS),
    EmailKind("meeting_cancelled", "To the other person when a meeting is cancelled", PAIRS),
    EmailKind("meeting_reminder", "To both before a meeting", PAIRS),
    EmailKind("meeting_recap", "To both when a meeting is marked as held", PAIRS),
    EmailKind("no_meeting_nudge", "To both when a pair has not met for a while", PAIRS),
    EmailKind("check_in", "To each person when a check-in is due", PAIRS),
    EmailKind("round_wrap_up", "To each person when their round's term is ending", PAIRS),
    EmailKind("mentorship_ended", "To the other person when a mentorship is ended", PAIRS),
    EmailKind("mentorship_completed", "To both when a round's mentorship completes", PAIRS),
    # To mentors and mentees
    EmailKind("message_notification", "To a person when they get a new message", EVERYONE),
    EmailKind("message_digest", "To a person once a day: their unread messages", EVERYONE),
    EmailKind("reply_refused", "To a person whose emailed reply was not added", EVERYONE),
    EmailKind("training_expiring", "To a person whose training is about to expire", EVERYONE),
    EmailKind(
        "programme_invitation",
        "To a person a coordinator invited to a programme",
        EVERYONE,
    ),
    # To the scheme team
    EmailKind("profiles_submitted", "To coordinators when profiles wait for review", TEAM),
    EmailKind("check_in_alert", "To the team when a check-in needs attention", TEAM),
    EmailKind("request_reported", "To the team when a request is reported", TEAM),
    EmailKind("message_reported", "To the team when a message is reported", TEAM),
]

REGISTRY: dict[str, EmailKind] = {kind.slug: kind for kind in _KINDS}


def email_dir() -> Path:
    return Path(settings.BASE_DIR) / "templates" / "emails"


def all_slugs() -> list[str]:
    """Every kind that has templates."""
    return sorted(p.name.removesuffix("_subject.txt") for p in email_dir().glob("*_subject.txt"))


def describe(slug: str) -> EmailKind:
    """A kind's entry; one not described yet is titled by its name, under "Other emails"."""
    return REGISTRY.get(slug) or EmailKind(slug, slug.replace("_", " ").capitalize(), OTHER)


def by_audience(slugs: list[str] | None = None) -> list[tuple[str, list[EmailKind]]]:
    """The kinds (by default every kind with templates) grouped by audience, in the registry's
    order within each group."""
    order = {slug: i for i, slug in enumerate(REGISTRY)}
    kinds = sorted(
        (describe(s) for s in (all_slugs() if slugs is None else slugs)),
        key=lambda k: (order.get(k.slug, len(order)), k.slug),
    )
    return [
        (audience, group)
        for audience in AUDIENCES
        if (group := [k for k in kinds if k.audience == audience])
    ]


def choices() -> list[tuple[str, str]]:
    """Form choices: every kind with templates, by title."""
    return [(k.slug, k.title) for _, group in by_audience() for k in group]
