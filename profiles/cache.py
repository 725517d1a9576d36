"""The directory's rendered filters and results, cached under a version of the directory's data.

Anything that changes what a card shows or who is listed (a profile, its areas or job history,
a name, an area, a place taken or freed) bumps the version, so a cached page is never stale: the
next request renders afresh. The version lives in the shared cache; if the cache is empty or
down, every request simply renders.
"""

from __future__ import annotations

import hashlib
import logging

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import get_language

from mentoring.breaker import UNAVAILABLE

logger = logging.getLogger(__name__)

VERSION_KEY = "directory-version"
DIRECTORY_CACHE_SECONDS = 600


def version() -> int:
    current = cache.get(VERSION_KEY)
    if current is None:
        current = 1
        cache.add(VERSION_KEY, current, None)
    return current


def directory_changed() -> None:
    """Invalidate every cached directory page: now, and again once the change is committed (a
    page rendered in between, from the data before the commit, must not outlive it).

    The one call for every write that changes what a card shows or who is listed, whichever
    path makes it. Saving a MentorProfile (or its areas, jobs, memberships, user) reaches it
    through profiles.signals; a write that bypasses signals (`QuerySet.update()`, raw SQL, a
    set-based job) calls it itself."""
    _bump()
    transaction.on_commit(_bump, robust=True)


bump = directory_changed  # the older name, still used by some callers


def _bump() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # no version yet, or the cache was cleared
        cache.set(VERSION_KEY, 2, None)
    except UNAVAILABLE:
        # Redis is down or skipped by the breaker, which logged the outage once. Pages cached
        # before it may show for up to DIRECTORY_CACHE_SECONDS after it.
        pass
    except Exception:  # noqa: BLE001 - a cache that is down has nothing to invalidate
        logger.warning("Could not bump the directory version", exc_info=True)


def cache_key(
    querystring: str,
    wanted_area_ids: list[int],
    *,
    programme_id: int,
    exclusion: str = "",
    at_version: int | None = None,
) -> str:
    """The key of one rendered directory: its programme, its query, the areas the viewer
    wants, what their exclusions depend on (a programme that keeps mentors outside the
    mentee's line management lists different mentors to people in different departments) and
    the language it is written in (a Welsh page never gets the English cards). The key is a
    digest: no department or address is readable in the cache. `at_version` is the version
    the caller has read (one read for the several keys of a request), else it is read here."""
    raw = (
        f"{get_language()}|{programme_id}|{exclusion}|{querystring}|"
        f"{','.join(map(str, wanted_area_ids))}"
    )
    digest = hashlib.sha256(raw.encode()).hexdigest()[:32]
    return f"directory:{version() if at_version is None else at_version}:{digest}"
