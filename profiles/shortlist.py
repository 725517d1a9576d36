"""A mentee's shortlist: mentors they saved to look at again. Only the mentee sees it; the
mentor is never told (no email, nothing on their pages, nothing in their data export).

The directory's rendered cards are cached and shared by everyone who makes the same search, so
the "Save to my shortlist" / "Saved" button is never in the cached HTML: each card carries a
placeholder (SLOT), and `fill_slots` puts in this viewer's buttons after the cache.
"""

from __future__ import annotations

import re

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from accounts.models import User
from profiles import rules
from profiles.models import (
    Membership,
    MenteeProfile,
    MentorProfile,
    Programme,
    ShortlistEntry,
)

SLOT = "<!--shortlist:{pk}-->"
_SLOT_RE = re.compile(r"<!--shortlist:(\d+)-->")
MAX_ENTRIES = 200  # a shortlist longer than this is no longer a shortlist


class ShortlistError(Exception):
    """A refused change; the message is the sentence the user sees."""


def may_save(user: User, mentor: MentorProfile) -> bool:
    """Whether `user` may save `mentor` (a listed profile, not their own): `user` has a mentee
    profile and is a mentee in one of the mentor's programmes, where the mentor is not their
    line manager or colleague (when the programme keeps them apart)."""
    mentee = MenteeProfile.objects.filter(user=user).first()
    if mentee is None or mentor.user_id == user.pk:
        return False
    programmes = Programme.objects.filter(
        pk__in=Membership.objects.approved()
        .mentees()
        .filter(user=user, programme_id__in=mentor.programme_ids)
        .values("programme_id")
    )
    for programme in programmes:
        exclusion = rules.line_management_exclusion(programme, mentee)
        if not exclusion or MentorProfile.objects.filter(exclusion, pk=mentor.pk).exists():
            return True
    return False


def saveable_mentor(user: User, pk: int) -> MentorProfile | None:
    """The listed mentor `pk` if `user` may save them (see `may_save`), else None."""
    mentor = MentorProfile.objects.listed().select_related("user").filter(pk=pk).first()
    if mentor is None or not may_save(user, mentor):
        return None
    return mentor


def save(user: User, mentor: MentorProfile) -> bool:
    """Add `mentor` to `user`'s shortlist; saving twice (a double click) keeps one entry.
    Returns whether it was new."""
    if ShortlistEntry.objects.filter(mentee=user).count() >= MAX_ENTRIES:
        raise ShortlistError(
            gettext("Your shortlist holds %(count)s mentors already: remove some first.")
            % {"count": MAX_ENTRIES}
        )
    _, created = ShortlistEntry.objects.get_or_create(mentee=user, mentor_profile=mentor)
    return created


def remove(user: User, mentor_pk: int) -> bool:
    """Take a mentor off `user`'s shortlist (nothing happens if they were not on it)."""
    deleted, _ = ShortlistEntry.objects.filter(mentee=user, mentor_profile_id=mentor_pk).delete()
    return bool(deleted)


def entries_for(user: User) -> list[ShortlistEntry]:
    """`user`'s shortlist, newest first, with what the page shows of each mentor (one query)."""
    return list(
        ShortlistEntry.objects.filter(mentee=user)
        .select_related("mentor_profile__user")
        .defer("mentor_profile__search_vector")
        .order_by("-created_at", "-pk")
    )


def still_listed_for(user: User, entries: list[ShortlistEntry]) -> set[int]:
    """The saved mentors `user` can still find: listed in a programme they are a mentee in."""
    mine = set(
        Membership.objects.approved()
        .mentees()
        .filter(user=user)
        .values_list("programme_id", flat=True)
    )
    return {
        e.mentor_profile_id
        for e in entries
        if e.mentor_profile.is_listed and mine & set(e.mentor_profile.programme_ids)
    }


def fill_slots(
    html: str, *, saved: set[int] | None, next_url: str, request: HttpRequest
) -> SafeString:
    """The cached directory `html` with this viewer's shortlist buttons in its card slots
    (`saved`: the mentors on their shortlist, read with the rest of the viewer:
    profiles.selectors.directory_viewer), or the slots emptied when `saved` is None (someone
    who cannot save mentors here)."""
    if saved is None:
        return mark_safe(_SLOT_RE.sub("", html))  # noqa: S308 - our own cached HTML
    buttons: dict[int, str] = {}

    def button(match: re.Match) -> str:
        pk = int(match.group(1))
        if pk not in buttons:
            buttons[pk] = render_to_string(
                "profiles/_shortlist_toggle.html",
                {
                    "shown": True,
                    "mentor_pk": pk,
                    "saved": pk in saved,
                    "next": next_url,
                    "compact": True,
                },
                request,
            )
        return buttons[pk]

    return mark_safe(_SLOT_RE.sub(button, html))  # noqa: S308 - our own HTML
