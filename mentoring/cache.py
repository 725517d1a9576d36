"""A Redis cache that lets the site keep working while Redis is down or hangs.

Redis is both Celery's broker and the shared cache (allauth's rate limits, scheme settings, the
directory). The outbox already keeps emails safe while it is down; this keeps pages working too: a
read misses, a write is dropped, `add` succeeds. Rate limits and TOTP code-reuse checks are
therefore not enforced for the length of an outage.

A hung Redis costs one socket timeout (REDIS_TIMEOUT_MS), not one per call: the first failure opens
the server's circuit breaker (mentoring/breaker.py), and until a probe finds it answering again
every call takes the fallback at once. The breaker logs the outage, once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.utils.functional import cached_property
from redis.exceptions import ConnectionError as RedisConnectionError

from mentoring import breaker
from mentoring.breaker import UNAVAILABLE

_RAISE = object()


class _ReusedClients(RedisCacheClient):
    """Django's client makes a new redis.Redis (its table of reply callbacks and all) for every
    call: about a third of a signed-in request's time once sessions and the user come from the
    cache. A redis.Redis is safe to share between threads (each command takes a connection from
    the pool), so one per pool is kept."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        # django-stubs leave out the client's pool lookup and its redis.Redis class.
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client = self._clients.get(id(pool))
        if client is None:
            client = self._client(connection_pool=pool)  # type: ignore[attr-defined]
            self._clients[id(pool)] = client
        return client


class ResilientRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _ReusedClients

    @cached_property
    def _breaker(self) -> breaker.CircuitBreaker:
        # django-stubs leave out the server list RedisCache.__init__ keeps.
        return breaker.for_redis(self._servers[0])  # type: ignore[attr-defined]

    def _guarded(self, fallback: Any, call: Callable[..., Any], *args: Any) -> Any:
        """`call(*args)`, or `fallback` while Redis is unavailable (with `_RAISE`, the error)."""
        if not self._breaker.allow():
            if fallback is _RAISE:
                raise RedisConnectionError(f"{self._breaker.name} is skipped for now")
            return fallback
        try:
            result = call(*args)
        except UNAVAILABLE as exc:
            self._breaker.failed(exc)
            if fallback is _RAISE:
                raise
            return fallback
        self._breaker.succeeded()
        return result

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._guarded(default, super().get, key, default, version)

    def get_many(self, keys: Iterable[Any], version: int | None = None) -> dict[Any, Any]:
        return self._guarded({}, super().get_many, keys, version)

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._guarded(False, super().has_key, key, version)

    def set(
        self,
        key: Any,
        value: Any,
        timeout: float | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> None:
        self._guarded(None, super().set, key, value, timeout, version)

    def set_many(
        self,
        data: dict[Any, Any],
        timeout: float | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> list[Any]:
        return self._guarded(list(data), super().set_many, data, timeout, version)

    def add(
        self,
        key: Any,
        value: Any,
        timeout: float | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> bool:
        # allauth's rate limit takes a lock with add(): a caller must not spin until it times out.
        return self._guarded(True, super().add, key, value, timeout, version)

    def touch(
        self, key: Any, timeout: float | None = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        return self._guarded(False, super().touch, key, timeout, version)

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._guarded(False, super().delete, key, version)

    def delete_many(self, keys: Iterable[Any], version: int | None = None) -> None:
        self._guarded(None, super().delete_many, keys, version)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        # No value stands in for a counter: the caller hears Redis is unavailable, as it would
        # without the breaker (decr goes through here too).
        return self._guarded(_RAISE, super().incr, key, delta, version)

    def clear(self) -> None:
        return self._guarded(False, super().clear)
