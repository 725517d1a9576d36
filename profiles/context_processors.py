"""Whether participants have several programmes to choose from: the header's "Programmes" link
(mentoring.templatetags.site_header) and the start page's pointer to it."""

from __future__ import annotations

from django.core.cache import cache
from django.utils.functional import SimpleLazyObject

from profiles.models import Programme

VISIBLE_COUNT_KEY = "programmes-visible-count"
VISIBLE_COUNT_SECONDS = 300


def visible_programme_count() -> int:
    """How many programmes participants see, from the cache (a saved or deleted programme
    refreshes it: profiles.signals)."""
    count = cache.get(VISIBLE_COUNT_KEY)
    if count is None:
        count = refresh_visible_programme_count()
    return count


def refresh_visible_programme_count() -> int:
    count = Programme.objects.visible().count()
    cache.set(VISIBLE_COUNT_KEY, count, VISIBLE_COUNT_SECONDS)
    return count


def programmes(request):
    """`several_programmes`: whether there is more than one programme to choose from (the start
    page points to /programmes/ then). An installation with one programme has nothing to
    choose. Worked out only when a template asks."""
    return {"several_programmes": SimpleLazyObject(lambda: visible_programme_count() > 1)}
