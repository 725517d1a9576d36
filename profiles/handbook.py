"""A programme's handbook: pages its coordinators write in Markdown, shown to its members.

The Markdown is rendered to HTML by markdown-it-py and the HTML is then sanitised by nh3 (in
that order: sanitising first and rendering after would let Markdown make what the sanitiser
never saw). Only headings, paragraphs, lists, links, emphasis, quotes and code survive; links
keep http, https and mailto addresses and get rel="noopener noreferrer"; scripts, styles,
frames, images, event handlers and javascript: addresses never reach a page.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

import nh3
from django.db.models import QuerySet
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

from profiles.models import HandbookPage, Membership, Programme

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

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
    """The pages of `programmes` linked at `moments`, in handbook order: one query (none inside
    `remembered()` once asked)."""
    ids = [pk for p in programmes if (pk := getattr(p, "pk", None)) is not None]
    if not ids:
        return []
    moments = list(moments)
    memo = _remembered.get()
    key = (tuple(sorted(ids)), tuple(sorted(moments)))
    if memo is not None and key in memo:
        return list(memo[key])
    pages = list(
        HandbookPage.objects.filter(programme__in=ids, moment__in=moments)
        .select_related("programme")
        .defer("body")
        .order_by("programme__position", "programme__name", "position", "title")
    )
    if memo is not None:
        memo[key] = pages
    return list(pages)
