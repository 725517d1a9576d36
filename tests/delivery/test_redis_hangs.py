"""Redis frozen (SIGSTOP: it accepts connections and never answers) while 20 mentees press
Interested: every request succeeds quickly, and every email goes out once Redis thaws."""

from __future__ import annotations

import logging
import os
import signal
import statistics
import threading
import time
from collections import Counter

import pytest
from django.core.cache import cache
from django.db import connection

from matching.models import MentorshipRequest
from mentoring import breaker
from mentoring.models import Outbox
from tests.delivery.conftest import make_pairs, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

N = 20
THREADS = 4
COOLDOWN = 2
MESSAGE = "I hope to move into corporate finance within a year. Could we meet once a month?"


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def test_redis_frozen_while_20_mentees_press_interested(
    settings, caplog, redis_server, smtp_sink, publish_to_redis, celery_processes, client_for
):
    caplog.set_level(logging.INFO, logger="mentoring.breaker")
    # As in production, the private Redis is both the cache and the broker, with the timeouts the
    # settings give both.
    timeouts = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    settings.CACHES = {
        "default": {
            "BACKEND": "mentoring.cache.ResilientRedisCache",
            "LOCATION": redis_server.url,
            "OPTIONS": {
                "socket_connect_timeout": timeouts["socket_connect_timeout"],
                "socket_timeout": timeouts["socket_timeout"],
            },
        }
    }
    settings.REQUEST_EMAIL_HOLD_MINUTES = 0  # each email is published at once
    # A short cooldown, so the outage outlasts it: a probe meets the frozen Redis too.
    settings.REDIS_BREAKER_SECONDS = COOLDOWN
    breaker.reset()
    profiles, mentees = make_pairs(N + 1)
    worker = celery_processes("worker", pool="prefork", concurrency=1, wait=False)
    beat = celery_processes("beat", wait=False, OUTBOX_SWEEP_SECONDS=2)
    clients = [client_for(mentee) for mentee in mentees]
    worker.wait_ready()
    beat.wait_ready()
    responses: dict[int, tuple[int, str, float]] = {}

    def press_interested(indexes) -> None:
        try:
            for i in indexes:
                start = time.monotonic()
                try:
                    response = clients[i].post(
                        f"/mentors/{profiles[i].pk}/interested/", {"message": MESSAGE}
                    )
                except Exception as exc:  # noqa: BLE001 - the test client re-raises a 500's error
                    responses[i] = (500, repr(exc), time.monotonic() - start)
                    continue
                took = time.monotonic() - start
                responses[i] = (response.status_code, response.get("Location", ""), took)
        finally:
            if threading.current_thread() is not threading.main_thread():
                connection.close()

    # The last pair while Redis answers: this process now holds open connections to it (the
    # cache's and the broker's pools), as a web process that has been serving for a while does.
    press_interested([N])
    healthy = responses.pop(N)
    assert healthy[0] == 302
    wait_for(lambda: len(smtp_sink.message_ids()) == 1, timeout=30, what="the warm-up email")

    os.kill(redis_server.proc.pid, signal.SIGSTOP)
    try:
        # The first mentee alone, then the others four at a time: half of them, and the other
        # half once the breaker lets a probe through (which finds Redis still frozen).
        press_interested([0])
        in_parallel(press_interested, range(1, N // 2))
        time.sleep(COOLDOWN + 0.5)
        in_parallel(press_interested, range(N // 2, N))
        rows = Outbox.objects.filter(kind="request_received").exclude(
            to_email=profiles[N].user.email
        )
        # Nothing reached Redis: every row waits for the sweep, and none was sent meanwhile.
        assert rows.count() == N
        assert not rows.exclude(status=Outbox.Status.QUEUED).exists()
        assert not rows.filter(queued_at__isnull=False).exists()
        assert len(smtp_sink.message_ids()) == 1
    finally:
        os.kill(redis_server.proc.pid, signal.SIGCONT)

    failed = {i: r for i, r in responses.items() if r[0] != 302}
    assert not failed, f"{len(failed)} requests failed, e.g. {next(iter(failed.values()))}"
    requests = {r.mentee_id: r for r in MentorshipRequest.objects.all()}
    for i, mentee in enumerate(mentees[:N]):
        assert responses[i][1] == requests[mentee.pk].get_absolute_url()
    took = [responses[i][2] for i in range(N)]
    # One socket timeout (0.25 s) for the first request that meets the frozen Redis, none after
    # it: less than three timeouts above what the same request cost with Redis answering (the
    # warm-up's, so a busy machine's slower requests are allowed for), and under a second.
    limit = max(1.0, healthy[2] + 0.7)
    assert took[0] < limit, (
        f"the first request against the frozen Redis took {took[0]:.2f}s (with Redis "
        f"answering: {healthy[2]:.2f}s)"
    )
    assert p95(took) < 1.5, f"p95 {p95(took):.2f}s; each took {[round(t, 2) for t in took]}"
    assert len(breaker_logs(caplog, "is unavailable")) == 1, "one outage, logged once"

    try:
        wait_for(
            lambda: not rows.exclude(status=Outbox.Status.SENT).exists(),
            timeout=60,
            every=0.25,
            what="every request_received email to be sent within 60s of Redis thawing",
        )
    except AssertionError as exc:
        # Rare on a loaded machine and not yet understood: say where each email and each
        # process stood, so that a failing run shows what was stuck.
        raise AssertionError(f"{exc}\n{_where_things_stand(rows, worker, beat)}") from None
    counts = smtp_sink.message_ids()
    assert set(counts) == {*rows.values_list("message_id", flat=True), *_warm_up_ids(profiles[N])}
    assert set(counts.values()) == {1}, "none twice"
    assert smtp_sink.recipients() == {p.user.email: 1 for p in profiles}
    assert worker.alive() and beat.alive(), "worker and beat rode out the freeze"

    # The next probe finds Redis answering: the breaker closes, and says so once.
    time.sleep(COOLDOWN)
    cache.get("anything")
    cache.get("anything")
    assert len(breaker_logs(caplog, "is back")) == 1
    assert len(breaker_logs(caplog, "is unavailable")) == 1


def in_parallel(press_interested, indexes: range) -> None:
    threads = [
        threading.Thread(target=press_interested, args=(indexes[t::THREADS],))
        for t in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)


def breaker_logs(caplog, text: str) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "mentoring.breaker" and text in r.getMessage()
    ]


def _warm_up_ids(profile) -> list[str]:
    return list(
        Outbox.objects.filter(kind="request_received", to_email=profile.user.email).values_list(
            "message_id", flat=True
        )
    )


def _where_things_stand(rows, worker, beat) -> str:
    states = Counter(
        (status, queued is not None, bool(claimed_by), attempts)
        for status, queued, claimed_by, attempts in rows.values_list(
            "status", "queued_at", "claimed_by", "attempts"
        )
    )
    return "\n".join(
        [
            "emails by (status, queued, claimed, attempts): "
            + ", ".join(f"{key}: {n}" for key, n in sorted(states.items())),
            f"worker alive: {worker.alive()}, beat alive: {beat.alive()}",
            "worker log (end):",
            *worker.log().splitlines()[-40:],
            "beat log (end):",
            *beat.log().splitlines()[-20:],
        ]
    )
