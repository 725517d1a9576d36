"""Sessions read from the cache (Redis), written to both the cache and the database.

Django's cached_db engine, with one change: a session stays in the cache for at most
SESSION_CACHE_SECONDS, not its whole lifetime. The database stays the truth. While Redis is down
(mentoring.cache: reads miss, writes are dropped) every request reads its session from the
database as before. But a write dropped during an outage, such as the delete of a sign-out or a
changed session, would leave the old copy in a Redis that comes back with its data (one that
hung, or timed out on one call); the short lifetime bounds how long such a copy can be read.
A signed-in person's requests read the database once per SESSION_CACHE_SECONDS at most.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore

logger = logging.getLogger(__name__)


class _ShortLived:
    """The session cache, with every timeout capped at SESSION_CACHE_SECONDS, and a cache that
    fails (a plain RedisCache while Redis is down) taken as a miss: sessions need only the
    database. Django's cached_db catches a failed read and save, not a failed load-time write
    or delete."""

    def __init__(self, cache: Any) -> None:
        self._cache = cache

    def _timeout(self, timeout: int | None) -> int:
        cap = settings.SESSION_CACHE_SECONDS
        return cap if timeout is None else min(timeout, cap)

    def get(self, key: str) -> Any:
        try:
            return self._cache.get(key)
        except Exception:  # noqa: BLE001 - the database has the session
            return None

    def __contains__(self, key: str) -> bool:
        try:
            return key in self._cache
        except Exception:  # noqa: BLE001 - the database is asked next
            return False

    def set(self, key: str, value: Any, timeout: int | None = None) -> None:
        try:
            self._cache.set(key, value, self._timeout(timeout))
        except Exception:  # noqa: BLE001 - the copy in the cache is at most this old
            logger.warning("Could not cache a session", exc_info=True)

    def delete(self, key: str) -> None:
        try:
            self._cache.delete(key)
        except Exception:  # noqa: BLE001 - the copy in the cache is at most this old
            logger.warning("Could not delete a session from the cache", exc_info=True)

    async def aget(self, key: str) -> Any:
        try:
            return await self._cache.aget(key)
        except Exception:  # noqa: BLE001
            return None

    async def aset(self, key: str, value: Any, timeout: int | None = None) -> None:
        try:
            await self._cache.aset(key, value, self._timeout(timeout))
        except Exception:  # noqa: BLE001
            logger.warning("Could not cache a session", exc_info=True)

    async def adelete(self, key: str) -> None:
        try:
            await self._cache.adelete(key)
        except Exception:  # noqa: BLE001
            logger.warning("Could not delete a session from the cache", exc_info=True)


class SessionStore(CachedDBStore):
    def __init__(self, session_key: str | None = None) -> None:
        super().__init__(session_key)
        self._cache = _ShortLived(self._cache)
