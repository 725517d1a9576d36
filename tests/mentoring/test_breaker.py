"""The Redis circuit breaker (mentoring/breaker.py), alone and in the cache and the publisher."""

from __future__ import annotations

import logging
import socket
import threading
import time

import pytest
from django.utils import timezone
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from mentoring import breaker
from mentoring import tasks as outbox_tasks
from mentoring.breaker import CircuitBreaker
from mentoring.cache import ResilientRedisCache
from mentoring.celery import app as celery_app
from mentoring.models import Outbox
from mentoring.tasks import send_outbox_email

# Takes a free port on loopback (or one it knows is closed): under `make test`'s parallel part
# the tests that do run in one process, one at a time, so no two of them meet on a port.
pytestmark = pytest.mark.xdist_group("ports")

COOLDOWN = 10.0


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def redis_breaker(clock) -> CircuitBreaker:
    return CircuitBreaker("Redis at test", cooldown=COOLDOWN, clock=clock)


@pytest.fixture(autouse=True)
def _fresh_breakers():
    breaker.reset()
    yield
    breaker.reset()


def breaker_logs(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "mentoring.breaker"]


def test_a_closed_breaker_lets_every_call_through(redis_breaker):
    assert all(redis_breaker.allow() for _ in range(5))
    assert not redis_breaker.is_open


def test_a_failure_opens_it_and_calls_are_skipped_until_the_cooldown_ends(redis_breaker, clock):
    redis_breaker.failed(RedisTimeoutError("Timeout reading from socket"))

    assert redis_breaker.is_open
    assert not redis_breaker.allow()
    clock.now += COOLDOWN - 0.1
    assert not redis_breaker.allow()


def test_after_the_cooldown_one_probe_goes_and_its_success_closes_it(redis_breaker, clock):
    redis_breaker.failed(RedisTimeoutError("Timeout reading from socket"))
    clock.now += COOLDOWN

    assert redis_breaker.allow(), "the probe"
    assert not redis_breaker.allow(), "no second call while the probe is out"
    redis_breaker.succeeded()

    assert not redis_breaker.is_open
    assert redis_breaker.allow() and redis_breaker.allow()


def test_a_failed_probe_opens_it_for_another_cooldown(redis_breaker, clock):
    redis_breaker.failed(RedisTimeoutError("Timeout reading from socket"))
    clock.now += COOLDOWN
    assert redis_breaker.allow()

    redis_breaker.failed(RedisConnectionError("Connection refused"))

    assert not redis_breaker.allow()
    clock.now += COOLDOWN - 0.1
    assert not redis_breaker.allow()
    clock.now += 0.1
    assert redis_breaker.allow()


def test_a_probe_that_never_reports_is_followed_by_another(redis_breaker, clock):
    # e.g. the probing request died: the breaker must not stay half-open for ever.
    redis_breaker.failed(RedisTimeoutError("Timeout reading from socket"))
    clock.now += COOLDOWN
    assert redis_breaker.allow()

    clock.now += COOLDOWN
    assert redis_breaker.allow()


def test_one_outage_is_logged_once_when_it_opens_and_once_when_it_closes(
    redis_breaker, clock, caplog
):
    caplog.set_level(logging.INFO, logger="mentoring.breaker")
    for _ in range(3):  # three requests in flight when Redis froze
        redis_breaker.failed(RedisTimeoutError("Timeout reading from socket"))
    for _ in range(50):
        redis_breaker.allow()
    clock.now += COOLDOWN
    assert redis_breaker.allow()
    redis_breaker.failed(RedisTimeoutError("Timeout reading from socket"))  # still down
    clock.now += COOLDOWN
    assert redis_breaker.allow()
    redis_breaker.succeeded()
    redis_breaker.succeeded()

    logs = breaker_logs(caplog)
    assert len(logs) == 2, logs
    assert "Redis at test is unavailable (TimeoutError: Timeout reading from socket)" in logs[0]
    assert "Redis at test is back after 20 s" in logs[1]


def test_only_one_of_many_threads_probes(redis_breaker, clock):
    redis_breaker.failed(RedisTimeoutError("Timeout reading from socket"))
    clock.now += COOLDOWN
    start = threading.Barrier(20)
    allowed = []

    def call():
        start.wait()
        allowed.append(redis_breaker.allow())

    threads = [threading.Thread(target=call) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert sorted(allowed) == [False] * 19 + [True]


def test_the_cache_and_the_broker_share_the_breaker_of_one_server(settings):
    settings.REDIS_BREAKER_SECONDS = 12

    cache_side = breaker.for_redis("redis://127.0.0.1:6390/1")
    broker_side = breaker.for_redis("redis://:secret@127.0.0.1:6390/0")

    assert cache_side is broker_side
    assert cache_side.cooldown == 12
    assert breaker.for_redis("redis://127.0.0.1:6391/0") is not cache_side


# A server that accepts connections and never answers: a frozen redis-server, as the client sees
# it (the kernel completes the handshake; nothing ever replies).


@pytest.fixture
def hung_redis_url():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        yield f"redis://127.0.0.1:{listener.getsockname()[1]}/0"


@pytest.fixture
def hung_cache(hung_redis_url):
    return ResilientRedisCache(
        hung_redis_url, {"OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}}
    )


@pytest.fixture
def broker_hung(hung_redis_url):
    """Celery publishes to the hung server (tests run tasks eagerly otherwise)."""
    conf = celery_app.conf
    saved = conf.broker_url, conf.task_always_eager
    conf.broker_url, conf.task_always_eager = hung_redis_url, False
    try:
        yield hung_redis_url
    finally:
        conf.broker_url, conf.task_always_eager = saved


def timed(call):
    start = time.monotonic()
    result = call()
    return result, time.monotonic() - start


def test_a_hung_redis_costs_the_cache_one_timeout_then_nothing(hung_cache, caplog):
    caplog.set_level(logging.INFO, logger="mentoring.breaker")

    first, first_took = timed(lambda: hung_cache.get("k", "fallback"))
    rest = [timed(lambda: hung_cache.get("k", "fallback")) for _ in range(20)]
    hung_cache.set("k", 1)
    hung_cache.delete("k")

    assert first == "fallback" and 0.15 < first_took < 1
    assert all(value == "fallback" for value, _ in rest)
    assert sum(took for _, took in rest) < 0.05
    assert hung_cache.add("lock", True) is True
    with pytest.raises(RedisConnectionError):
        hung_cache.incr("counter")
    assert len(breaker_logs(caplog)) == 1


@pytest.mark.django_db
def test_publishing_is_left_to_the_sweep_while_the_cache_found_redis_hung(
    broker_hung, hung_cache, monkeypatch, queue_row
):
    hung_cache.get("k")  # opens the server's breaker

    def publish(*args, **kwargs):
        raise AssertionError("published to a Redis whose breaker is open")

    monkeypatch.setattr(send_outbox_email, "delay", publish)
    row = queue_row()

    assert outbox_tasks.publish(row.pk) is False
    row.refresh_from_db()
    assert row.status == Outbox.Status.QUEUED
    assert row.queued_at is None, "the next sweep publishes it at once"


@pytest.mark.django_db
def test_a_publish_that_times_out_opens_the_breaker_for_the_next(
    broker_hung, monkeypatch, queue_row, caplog
):
    caplog.set_level(logging.INFO, logger="mentoring.breaker")
    calls = []

    def publish(*args, **kwargs):
        calls.append(args)
        raise RedisTimeoutError("Timeout reading from socket")

    monkeypatch.setattr(send_outbox_email, "delay", publish)
    first, second = queue_row(), queue_row()

    assert outbox_tasks.publish(first.pk) is False
    assert outbox_tasks.publish(second.pk) is False

    assert len(calls) == 1
    assert set(Outbox.objects.values_list("queued_at", flat=True)) == {None}
    assert len(breaker_logs(caplog)) == 1


@pytest.fixture
def queue_row(db):
    count = iter(range(1000))

    def make() -> Outbox:
        n = next(count)
        return Outbox.objects.create(
            kind="ping",
            to_email=f"person{n}@example.org",
            subject="Ping",
            body_text="Ping",
            dedupe_key=f"breaker-test:{n}",
            message_id=f"<breaker-test-{n}@example.org>",
            queued_at=timezone.now(),
        )

    return make
