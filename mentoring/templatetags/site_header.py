"""`{% site_header %}`: the header every page draws, kept per process for the values it shows.

The header (templates/includes/header.html) is the same for everyone who shares its few inputs:
whether someone is signed in, their short name and staff flag, their unread count, whether
there are several programmes, which link is the current page, the scheme's name and the
language. Drawing it costs about a millisecond (some twenty links reversed and words
translated); a process draws it once for each set of inputs and afterwards looks it up. The
template is rendered from exactly those inputs (no request, no user), so the key is complete
by construction: a header that used anything else would show it blank in the tests, never
stale. The sign-out form's CSRF token is the one per-request part: it is put in afterwards.
The two counts in the key (unread conversations, visible programmes) come from the cache in one
round trip.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from django import template
from django.core.cache import cache
from django.dispatch import receiver
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils.autoreload import file_changed
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from matching import conversations
from profiles.context_processors import VISIBLE_COUNT_KEY, refresh_visible_programme_count

if TYPE_CHECKING:
    from django.http import HttpRequest
    from django.template import Context

    from accounts.models import User

register = template.Library()

CSRF_MARK = "<!--csrf-token-->"
# The links that can be the current page, by the view name or the path of the page.
CURRENT_BY_VIEW = {"home": "home", "profiles:programme-list": "programmes"}
CURRENT_BY_PATH = {
    "profiles:directory": "directory",
    "matching:request-list": "requests",
    "matching:mentorship-list": "mentorships",
    "matching:inbox": "inbox",
}


class HeaderKey(NamedTuple):
    language: str
    script_prefix: str
    scheme_name: str
    signed_in: bool
    current: str
    short_name: str
    is_staff: bool
    unread: int
    several_programmes: bool


@functools.lru_cache(maxsize=32)
def _paths(script_prefix: str) -> dict[str, str]:
    return {reverse(name): current for name, current in CURRENT_BY_PATH.items()}


def _current(request: HttpRequest | None, script_prefix: str) -> str:
    if request is None:
        return ""
    match = getattr(request, "resolver_match", None)
    if match is not None and match.view_name in CURRENT_BY_VIEW:
        return CURRENT_BY_VIEW[match.view_name]
    return _paths(script_prefix).get(request.path, "")


@functools.lru_cache(maxsize=512)
def _drawn(key: HeaderKey) -> str:
    context = {**key._asdict(), "csrf_input": mark_safe(CSRF_MARK)}  # noqa: S308 - a constant
    return render_to_string("includes/header.html", context)


def _counts(user: User) -> tuple[int, int]:
    """The person's unread conversations and the programmes participants see: both from the
    cache in one round trip (each worked out again by its own module when it has gone)."""
    unread_key = conversations.unread_key(user.pk)
    found = cache.get_many([unread_key, VISIBLE_COUNT_KEY])
    unread = found.get(unread_key)
    programmes = found.get(VISIBLE_COUNT_KEY)
    return (
        conversations.refresh_unread(user.pk) if unread is None else unread,
        refresh_visible_programme_count() if programmes is None else programmes,
    )


def header_key(context: Context) -> HeaderKey:
    request = context.get("request")
    user = context.get("user") or getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated)
    prefix = get_script_prefix()
    unread, programmes = _counts(user) if signed_in else (0, 0)
    return HeaderKey(
        language=get_language() or "",
        script_prefix=prefix,
        scheme_name=str(context.get("SCHEME_NAME", "")),
        signed_in=signed_in,
        current=_current(request, prefix),
        short_name=user.get_short_name() if signed_in else "",
        is_staff=bool(signed_in and user.is_staff),
        unread=unread,
        several_programmes=programmes > 1,
    )


@register.simple_tag(takes_context=True)
def site_header(context: Context) -> SafeString:
    key = header_key(context)
    html = _drawn(key)
    if key.signed_in:
        request = context.get("request")
        token = get_token(request) if request is not None else ""
        csrf = format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token)
        html = html.replace(CSRF_MARK, csrf)
    return mark_safe(html)  # noqa: S308 - drawn by the template, escaped there


@receiver(file_changed, dispatch_uid="site-header-template-changed")
def _forget_on_template_change(sender, file_path: Path, **kwargs) -> None:
    """In development a changed template is read again without a restart: so is the header."""
    if file_path.suffix == ".html":
        _drawn.cache_clear()
