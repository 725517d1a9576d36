"""What mentees look for in each programme's directory, as counts only.

Each directory search by a mentee of the programme adds one to a counter per area they asked
for (an area ticked, or an area's name in their search words) and per industry they chose, in
that programme and ISO week. Nothing else is kept: no user, no search words, no time of day;
only the fixed vocabulary of areas and industries can become a counter, so a name typed in the
search box is never recorded. Counters live in the shared cache and expire after
KEEP_WEEKS; a cache that is down or cleared only loses suggestions.

Read by the "never approached" email (matching.never_approached): "mentees in Careers searched
most for: interview practice (41), finance (23)".
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import date, timedelta

from django.core.cache import cache
from django.http import QueryDict
from django.utils import timezone

from mentoring.breaker import UNAVAILABLE
from profiles.models import ExpertiseArea, Industry

logger = logging.getLogger(__name__)

KEEP_WEEKS = 10
PREFIX = "directory-searches"


def _week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _key(programme_id: int, week: str, kind: str, value: str | int) -> str:
    return f"{PREFIX}:{programme_id}:{week}:{kind}:{value}"


def terms_of(
    q: str, area_ids: Iterable[int], industry: str, areas: Iterable[ExpertiseArea]
) -> Iterator[tuple[str, str | int]]:
    """The (kind, value) counters one search adds to: each area ticked or named in `q`, and the
    industry chosen. Search words that name no area are dropped."""
    words = " ".join(q.lower().split())
    wanted = set(area_ids)
    for area in areas:
        if area.pk in wanted or (words and area.name.lower() in words):
            yield ("area", area.pk)
    if industry in Industry.values:
        yield ("industry", industry)


def record(
    programme_id: int,
    *,
    q: str,
    area_ids: Iterable[int],
    industry: str,
    areas: Iterable[ExpertiseArea],
    today: date | None = None,
) -> int:
    """Count one search in `programme_id`'s directory; returns how many counters it added to."""
    week = _week(today or timezone.localdate())
    added = 0
    for kind, value in terms_of(q, area_ids, industry, areas):
        key = _key(programme_id, week, kind, value)
        try:
            cache.add(key, 0, KEEP_WEEKS * 7 * 24 * 3600)
            cache.incr(key)
        except UNAVAILABLE:  # Redis is down: the breaker logged it once
            return added
        except Exception:  # noqa: BLE001 - a cache that fails only loses a suggestion
            logger.warning("Could not count a directory search", exc_info=True)
            return added
        added += 1
    return added


def record_directory_query(programme_id: int, query: QueryDict, areas: list[ExpertiseArea]) -> int:
    """Count a directory page a mentee asked for (its cleaned query, profiles.views): only a
    first page, so paging through results counts once."""
    if "page" in query:
        return 0
    by_slug = {a.slug: a.pk for a in areas}
    return record(
        programme_id,
        q=query.get("q", ""),
        area_ids=[by_slug[s] for s in query.getlist("area") if s in by_slug],
        industry=query.get("industry", ""),
        areas=areas,
    )


def top_terms(
    programme_id: int,
    *,
    areas: Iterable[ExpertiseArea],
    weeks: int = 6,
    limit: int = 3,
    today: date | None = None,
) -> list[tuple[str, int]]:
    """What mentees searched for most in `programme_id` over the last `weeks` weeks: (label,
    searches), most first. One cache read whatever the number of areas and weeks."""
    today = today or timezone.localdate()
    labels: dict[tuple[str, str | int], str] = {("area", a.pk): a.name for a in areas}
    labels.update({("industry", value): label for value, label in Industry.choices})
    week_names = [_week(today - timedelta(weeks=n)) for n in range(weeks)]
    keys = {
        _key(programme_id, week, kind, value): (kind, value)
        for week in week_names
        for kind, value in labels
    }
    try:
        found = cache.get_many(list(keys))
    except Exception:  # noqa: BLE001
        logger.warning("Could not read the directory's search counts", exc_info=True)
        return []
    totals: Counter[tuple[str, str | int]] = Counter()
    for key, count in found.items():
        if isinstance(count, int) and count > 0:
            totals[keys[key]] += count
    ranked = sorted(totals.items(), key=lambda item: (-item[1], labels[item[0]]))
    return [(labels[term], count) for term, count in ranked[:limit]]
