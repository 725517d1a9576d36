"""What the header needs to know about messages on every page."""

from __future__ import annotations

from functools import partial

from matching import conversations


def unread_messages(request):
    """`unread_conversations`: how many of the signed-in person's conversations have a message
    they have not read. From the cache (posting and reading forget it), and worked out only when
    a template asks, so a page that does not show the header pays nothing."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_conversations": 0}
    # A callable: the template calls it (once, in the header's {% with %}) only when it asks.
    return {"unread_conversations": partial(conversations.unread_count, user)}
