"""A circuit breaker for Redis, shared by the cache and Celery's publishing.

A Redis that hangs (a frozen process, a failover, a dropped route) answers nothing until a socket
timeout expires. Without a breaker every cache call and every publish of every request would wait
for its own timeout. After one failure the breaker opens: for REDIS_BREAKER_SECONDS nothing is
sent to that server (the cache misses and drops writes, emails wait in the outbox for the sweep).
Then one call is let through as a probe: its success closes the breaker, its failure opens it for
another while. Each outage is logged twice, when the breaker opens and when it closes.

The state is per process (each web or worker process finds out for itself) and thread-safe.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from kombu.exceptions import OperationalError as BrokerUnavailable
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# What says the server is unreachable, from redis-py (the cache) and from kombu (publishing;
# it wraps redis-py's errors). OSError covers a socket timeout raised below either.
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, BrokerUnavailable, OSError)


class CircuitBreaker:
    def __init__(self, name: str, *, cooldown: float, clock: Callable[[], float] = time.monotonic):
        self.name, self.cooldown, self._clock = name, cooldown, clock
        self._lock = threading.Lock()
        self._opened_at: float | None = None  # None: closed
        self._retry_at = 0.0  # open: when the next probe may go
        self._probe_until = 0.0  # half-open: a probe is out until then

    @property
    def is_open(self) -> bool:
        return self._opened_at is not None

    def allow(self) -> bool:
        """Whether a call may go to the server now. While open, only one caller is let through
        (the probe) once the cooldown has passed, and another only if that one never reports."""
        if not self.is_open:
            return True
        with self._lock:
            if self._opened_at is None:
                return True
            now = self._clock()
            if now < self._retry_at or now < self._probe_until:
                return False
            self._probe_until = now + self.cooldown
            return True

    def succeeded(self) -> None:
        if not self.is_open:
            return
        with self._lock:
            if self._opened_at is None:
                return
            down_for = self._clock() - self._opened_at
            self._opened_at = None
            self._probe_until = 0.0
        logger.warning("%s is back after %.0f s; using it again", self.name, down_for)

    def failed(self, exc: BaseException) -> None:
        with self._lock:
            now = self._clock()
            opening = self._opened_at is None
            if opening:
                self._opened_at = now
            self._retry_at = now + self.cooldown
            self._probe_until = 0.0
        if opening:
            logger.warning(
                "%s is unavailable (%s: %s): skipping it for %g s at a time until it answers; "
                "meanwhile the cache misses and emails wait in the outbox for the sweep",
                self.name,
                type(exc).__name__,
                exc,
                self.cooldown,
            )


_breakers: dict[str, CircuitBreaker] = {}
_breakers_lock = threading.Lock()


def _server(url: str) -> str:
    parts = urlsplit(url)
    if parts.hostname:
        return f"{parts.hostname}:{parts.port or 6379}"
    return parts.path or url  # a Unix socket, or a broker that is not a server (memory://)


def for_redis(url: str) -> CircuitBreaker:
    """The breaker of the Redis server `url` points at: the cache and the broker share it when
    they use the same server (whatever their database numbers)."""

    key = _server(url)
    with _breakers_lock:
        if key not in _breakers:
            _breakers[key] = CircuitBreaker(
                f"Redis at {key}", cooldown=settings.REDIS_BREAKER_SECONDS
            )
        return _breakers[key]


def reset() -> None:
    """Forget every breaker (tests start each from closed)."""
    with _breakers_lock:
        _breakers.clear()
