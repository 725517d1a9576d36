"""A programme's handbook: pages its coordinators write in Markdown, shown to its members.

The Markdown is rendered to HTML by markdown-it-py and the HTML is then sanitised by nh3 (in
that order: sanitising first and rendering after would let Markdown make what the sanitiser
never saw). Only headings, paragraphs, lists, links, emphasis, quotes and code survive; links
keep http, https and mailto addresses and get rel="noopener noreferrer"; scripts, styles,
frames, images, event handlers and javascript: addresses never reach a page.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

import nh3
from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

from profiles.models import HandbookPage, Membership, Programme

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

logger = logging.getLogger(__name__)

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "a",
    "blockquote",
    "code",
    "pre",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
# Removed with everything inside them, not just their tags.
DROPPED_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "template", "noscript"}

# CommonMark with raw HTML passed through to the sanitiser (which decides what stays), tables off.
_markdown = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})


def _render_html(text: str) -> str:
    tokens = _markdown.parse(text)
    for token in tokens:
        # The page's title is its h1: a "# Heading" in the body becomes an h2, and so on down.
        if token.type in {"heading_open", "heading_close"}:
            token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"
    return _markdown.renderer.render(tokens, _markdown.options, {})


def render_markdown(text: str) -> SafeString:
    """Markdown to HTML that is safe to put in a page: rendered, then sanitised."""
    html = _render_html(text or "")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 just above


def may_read(user: User | AnonymousUser, programme: Programme) -> bool:
    """Members of `programme` (approved, or a mentor waiting for approval), its coordinators
    and superusers read its handbook."""
    if not user.is_authenticated:
        return False
    if Programme.objects.coordinated_by(user).filter(pk=programme.pk).exists():
        return True
    return Membership.objects.current().filter(user=user, programme=programme).exists()


def pages_for(programme: Programme) -> QuerySet[HandbookPage]:
    return programme.handbook.order_by("position", "title").defer("body")


# The pages already looked up inside `remembered()`, by programmes and moments.
_remembered: ContextVar[
    dict[tuple[tuple[int, ...], tuple[str, ...]], list[HandbookPage]] | None
] = ContextVar("handbook_pages", default=None)


@contextmanager
def remembered() -> Iterator[None]:
    """Inside the block, `pages_at` (and so the `handbook_links` tag) asks the database once per
    programme and moments: a job or an email function rendering many emails that link the
    handbook costs one query per programme, not one per email. Nested blocks share the outer
    one's answers; outside any block every call asks afresh."""
    if _remembered.get() is not None:
        yield
        return
    token = _remembered.set({})
    try:
        yield
    finally:
        _remembered.reset(token)


def pages_at(programmes: Iterable[Programme], moments: Iterable[str]) -> list[HandbookPage]:
    """The pages of `programmes` linked at `moments`, in handbook order: from the cache (see
    `_linked_pages`), else one query; none inside `remembered()` once asked.

    The pages carry the programme objects given (their slug, name and position are read from
    them), not copies from the cache."""
    given = {pk: p for p in programmes if (pk := getattr(p, "pk", None)) is not None}
    if not given:
        return []
    moments = list(moments)
    memo = _remembered.get()
    key = (tuple(sorted(given)), tuple(sorted(moments)))
    if memo is not None and key in memo:
        return list(memo[key])
    wanted = set(moments)
    pages = [
        HandbookPage(
            pk=row["pk"],
            programme=given[programme_id],
            title=row["title"],
            slug=row["slug"],
            moment=row["moment"],
            position=row["position"],
        )
        for programme_id, rows in _linked_pages(list(given)).items()
        for row in rows
        if row["moment"] in wanted
    ]
    pages.sort(key=lambda p: (p.programme.position, p.programme.name, p.position, p.title))
    if memo is not None:
        memo[key] = pages
    return list(pages)


# Each programme's pages linked at a moment (not "anytime"), cached as rows under this version:
# every save or deletion of a handbook page bumps it (profiles.signals), so no page ever links
# a page that moved, was renamed or was removed.
VERSION_KEY = "handbook-version"
LINKED_CACHE_SECONDS = 3600
_LINKED_FIELDS = ("pk", "programme_id", "title", "slug", "moment", "position")


def _linked_key(programme_id: int) -> str:
    return f"handbook-linked:{programme_id}"


def _linked_pages(programme_ids: list[int]) -> dict[int, list[dict]]:
    """{programme id: its linked pages' rows, in position and title order}: one cache read
    (the version and every programme's rows together), and one query for those missing or
    stored under an older version. A row stored by a request that read the database before a
    change committed carries the version it read first, which the change has since bumped."""
    keys = {pid: _linked_key(pid) for pid in programme_ids}
    try:
        cached = cache.get_many([VERSION_KEY, *keys.values()])
    except Exception:  # noqa: BLE001 - with the cache gone, ask the database
        cached = {}
    version = cached.get(VERSION_KEY)
    if version is None:
        version = 1
        try:
            cache.add(VERSION_KEY, version, None)
            version = cache.get(VERSION_KEY)
        except Exception:  # noqa: BLE001 - nothing to remember then
            version = None
    found: dict[int, list[dict]] = {}
    for pid, key in keys.items():
        entry = cached.get(key)
        if version is not None and entry is not None and entry[0] == version:
            found[pid] = entry[1]
    missing = [pid for pid in programme_ids if pid not in found]
    if missing:
        fresh: dict[int, list[dict]] = {pid: [] for pid in missing}
        rows = (
            HandbookPage.objects.filter(programme__in=missing)
            .exclude(moment=HandbookPage.Moment.ANYTIME)
            .order_by("position", "title")
            .values(*_LINKED_FIELDS)
        )
        for row in rows:
            fresh[row["programme_id"]].append(row)
        found.update(fresh)
        if version is not None:
            try:
                cache.set_many(
                    {keys[pid]: (version, fresh[pid]) for pid in missing}, LINKED_CACHE_SECONDS
                )
            except Exception:  # noqa: BLE001 - the next request asks the database again
                pass
    return found


def handbook_changed() -> None:
    """Forget every programme's cached linked pages: now, and again once the change is
    committed (a request that read the pages before the commit must not keep them)."""
    _bump()
    transaction.on_commit(_bump, robust=True)


def _bump() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # no version yet, or the cache was cleared
        cache.set(VERSION_KEY, 2, None)
    except Exception:  # noqa: BLE001 - a cache that is down has nothing to invalidate
        logger.warning("Could not bump the handbook version", exc_info=True)
