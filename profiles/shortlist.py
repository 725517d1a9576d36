"""A mentee's shortlist: mentors they saved to look at again. Only the mentee sees it; the
mentor is never told (no email, nothing on their pages, nothing in their data export).

The directory's rendered cards are cached and shared by everyone who makes the same search, so
the "Save to my shortlist" / "Saved" button is never in the cached HTML: each card carries a
placeholder (SLOT), and `fill_slots` puts in this viewer's buttons after the cache.
"""

from __future__ import annotations

import re

from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, pgettext

from accounts.models import User
from mentoring.reversing import url_for_each
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
    who cannot save mentors here).

    The buttons are the card form of profiles/_shortlist_toggle.html, built here: a page has
    twenty of them, and rendering the template for each (a fresh masked CSRF token every time)
    cost a fifth of the page. One token serves the whole page, as `{% csrf_token %}` in one
    template would."""
    if saved is None:
        return mark_safe(_SLOT_RE.sub("", html))  # noqa: S308 - our own cached HTML
    token, frame = get_token(request), _card_buttons(next_url)
    before, after = frame["fields"]
    urls = {
        name: url_for_each(f"profiles:{name}") for name in ("shortlist-remove", "shortlist-save")
    }

    def button(match: re.Match) -> str:
        pk = int(match.group(1))
        name, label = ("shortlist-remove", "saved") if pk in saved else ("shortlist-save", "save")
        url = escape(urls[name](pk))
        head, tail = frame[label]
        return f"{frame['form'] % url}{before}{token}{after}{head}{pk}{tail}</form>"

    return mark_safe(_SLOT_RE.sub(button, html))  # noqa: S308 - our own HTML, escaped here


def _card_buttons(next_url: str) -> dict:
    """What every card's button shares on one page, escaped: the form's opening tag, the hidden
    fields around the CSRF token, and each button's words (in the request's language) around
    the mentor's id (`aria-describedby`), the card form of profiles/_shortlist_toggle.html."""
    return {
        "form": (
            '<form method="post" action="%s" class="shortlist-toggle position-relative z-2 mt-2">'
        ),
        "fields": (
            '\n  <input type="hidden" name="csrfmiddlewaretoken" value="',
            f'">\n  <input type="hidden" name="next" value="{escape(next_url)}">\n  ',
        ),
        "saved": (
            '<button type="submit" class="btn btn-sm btn-success" aria-describedby="mentor-',
            '-name"><i class="bi bi-bookmark-check-fill" aria-hidden="true"></i> '
            f'{escape(pgettext("on my shortlist", "Saved"))}<span class="visually-hidden">'
            f"{escape(gettext(': remove from my shortlist'))}</span></button>\n",
        ),
        "save": (
            '<button type="submit" class="btn btn-sm btn-outline-primary" aria-describedby="mentor-',
            '-name"><i class="bi bi-bookmark" aria-hidden="true"></i> '
            f"{escape(gettext('Save to my shortlist'))}</button>\n",
        ),
    }
