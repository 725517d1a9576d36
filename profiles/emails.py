"""Emails about mentor profiles; each queues through the outbox."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.crypto import get_random_string

from mentoring.emails import (
    absolute_url,
    queue,
    queue_many,
    reminder_extras,
    render,
    wants_reminders,
)
from profiles.models import Membership, MentorProfile, Programme
from profiles.tokens import confirm_token

if TYPE_CHECKING:
    from accounts.models import User
    from profiles.models import RecruitmentWindow


def profile_confirmation_requests(profiles: list[MentorProfile], *, kind: str, period: str) -> int:
    rows = []
    for profile in profiles:
        if not wants_reminders(profile.user):
            continue
        ctx, headers = reminder_extras(profile.user)
        rows.append(
            render(
                kind,
                to=profile.user,
                ctx={
                    "profile": profile,
                    "confirm_url": absolute_url(
                        reverse("profiles:mentor-confirm-link", args=[confirm_token(profile)])
                    ),
                    "edit_url": absolute_url(reverse("profiles:mentor-edit")),
                    **ctx,
                },
                headers=headers,
                dedupe_key=f"{kind}:{profile.pk}:{period}",
            )
        )
    return queue_many(rows)


def profile_approved(profile: MentorProfile, *, programmes: list[Programme] | None = None) -> None:
    queue(
        "profile_approved",
        to=profile.user,
        ctx={
            "profile": profile,
            "programmes": programmes or [],
            "url": absolute_url(reverse("matching:mentor-detail", args=[profile.pk])),
        },
        dedupe_key=f"profile-approved:{profile.pk}:{profile.approved_at:%Y%m%d%H%M%S}",
    )


def membership_approved(membership: Membership) -> None:
    """A mentor whose profile was approved before is now listed in one more programme."""
    programme = membership.programme
    queue(
        "membership_approved",
        to=membership.user,
        ctx={
            "programme": programme,
            "url": absolute_url(reverse("profiles:programme-detail", args=[programme.slug])),
        },
        dedupe_key=f"membership-approved:{membership.pk}:{membership.approved_at:%Y%m%d%H%M%S}",
    )


def profile_changes_requested(profile: MentorProfile) -> None:
    queue(
        "profile_changes_requested",
        to=profile.user,
        ctx={"profile": profile, "url": absolute_url(reverse("profiles:mentor-edit"))},
        dedupe_key=f"profile-changes:{profile.pk}:{get_random_string(12)}",
    )


def recruitment_invitations(invitations: list[tuple[RecruitmentWindow, User]]) -> int:
    """When a round's mentor recruitment opens: to each (window, mentor), an invitation to
    mentor this round, confirming or updating their profile (or pausing it). Mentors who turned
    reminders off are not sent one. One INSERT whatever their number; returns how many."""
    edit_url = absolute_url(reverse("profiles:mentor-edit"))
    rows = []
    for window, mentor in invitations:
        if not wants_reminders(mentor):
            continue
        profile = getattr(mentor, "mentor_profile", None)
        ctx, headers = reminder_extras(mentor)
        programme = window.round.programme
        rows.append(
            render(
                "recruitment_open",
                to=mentor,
                ctx={
                    "person": mentor,
                    "window": window,
                    "round": window.round,
                    "programme": programme,
                    "profile": profile,
                    "confirm_url": absolute_url(
                        reverse("profiles:mentor-confirm-link", args=[confirm_token(profile)])
                    )
                    if profile is not None
                    else "",
                    "edit_url": edit_url,
                    "programme_url": absolute_url(programme.get_absolute_url()),
                    **ctx,
                },
                headers=headers,
                dedupe_key=f"recruitment-open:{window.pk}:{mentor.pk}",
            )
        )
    return queue_many(rows)


def mentors_back(profiles: list[MentorProfile]) -> int:
    """To each mentor back from time away (profiles.jobs.return_away_mentors): they are in the
    directory again. One per return (the dedupe key names the return date)."""
    away_url = absolute_url(reverse("matching:mentor-away"))
    return queue_many(
        [
            render(
                "mentor_back",
                to=profile.user,
                ctx={"profile": profile, "away_url": away_url},
                dedupe_key=f"mentor-back:{profile.pk}:{profile.away_until:%Y-%m-%d}",
            )
            for profile in profiles
        ]
    )


def profiles_submitted_digests(
    digests: list[tuple[User, list[tuple[Programme, list[MentorProfile]]]]],
    *,
    day: str,
    until: str,
) -> int:
    """To each coordinator, once a day at most (the dedupe key names the coordinator and the
    day): the mentor profiles of their programmes submitted for review since the last digest
    (profiles.jobs.digest_submitted_profiles). One INSERT whatever their number."""
    queue_url = absolute_url(reverse("admin:profiles_mentorprofile_changelist") + "?review=queue")
    return queue_many(
        [
            render(
                "profiles_submitted",
                to=coordinator,
                ctx={
                    "coordinator": coordinator,
                    "programmes": [
                        {
                            "programme": programme,
                            "profiles": [
                                {
                                    "profile": profile,
                                    "url": absolute_url(
                                        reverse(
                                            "admin:profiles_mentorprofile_review",
                                            args=[profile.pk],
                                        )
                                    ),
                                }
                                for profile in profiles
                            ],
                        }
                        for programme, profiles in programmes
                    ],
                    "count": len({p.pk for _, profiles in programmes for p in profiles}),
                    "queue_url": queue_url,
                    # Where the window this digest covers ended: the next one starts there.
                    "window_end": until,
                },
                dedupe_key=f"profiles-submitted:{coordinator.pk}:{day}",
            )
            for coordinator, programmes in digests
        ]
    )
