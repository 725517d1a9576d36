"""Real parts for the delivery tests (issue #6): a private redis-server, an SMTP sink, and Celery
worker and beat subprocesses that share the pytest database.

Every fixture is bounded: each wait has a deadline and every process this file starts is killed in
teardown, also when the test fails. The shared Redis on 6379 is never touched.
"""

from __future__ import annotations

import asyncio
import email
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
import redis
from aiosmtpd.controller import Controller
from django.conf import settings as django_settings

from mentoring import tasks as outbox_tasks
from mentoring.celery import app as celery_app

REPO = Path(__file__).resolve().parents[2]
PROCESS_START_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate: Callable[[], Any], *, timeout: float, what: str, every: float = 0.05):
    """Poll `predicate` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(every)


def _end(proc: subprocess.Popen, *, sig: int = signal.SIGTERM, timeout: float = 10.0) -> None:
    """End a process group this file started: `sig` first, SIGKILL if it does not go."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, sig)
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=timeout)
    except ProcessLookupError:
        pass


# Redis ----------------------------------------------------------------------------------------


class RedisServer:
    """A private redis-server with no persistence: a restart loses everything it held."""

    def __init__(self, workdir: Path):
        binary = shutil.which("redis-server")
        assert binary, "redis-server must be on the PATH for the delivery tests"
        self.binary, self.workdir, self.port = binary, workdir, free_port()
        self.proc: subprocess.Popen | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        assert self.proc is None or self.proc.poll() is not None, "already running"
        self.proc = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
                "--logfile",
                str(self.workdir / "redis.log"),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_for(self.ping, timeout=10, what=f"redis-server on port {self.port}")

    def stop(self) -> None:
        """Shut it down (nothing is saved, so every queued message is gone)."""
        if self.proc is not None:
            _end(self.proc)
        wait_for(lambda: not self.ping(), timeout=10, what="redis-server to stop")

    def restart(self) -> None:
        self.stop()
        self.start()

    def ping(self) -> bool:
        try:
            return bool(self.client().ping())
        except redis.RedisError:
            return False

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_connect_timeout=1, socket_timeout=2)

    def queued(self, queue: str = "celery") -> int:
        """Task messages waiting in the Celery queue."""
        return self.client().llen(queue)

    def unacked(self) -> int:
        """Task messages a worker took and never acknowledged (kombu's `unacked` hash)."""
        return self.client().hlen("unacked")


@pytest.fixture
def redis_server(tmp_path) -> Iterator[RedisServer]:
    workdir = tmp_path / "redis"
    workdir.mkdir()
    server = RedisServer(workdir)
    server.start()
    try:
        yield server
    finally:
        if server.proc is not None:
            _end(server.proc, sig=signal.SIGKILL)


# SMTP -----------------------------------------------------------------------------------------


@dataclass
class Received:
    message_id: str
    to: tuple[str, ...]
    subject: str
    at: float


@dataclass
class SmtpSink:
    """An SMTP server that records what it accepted (and refused), and can be told to stall or
    refuse. A message counts as delivered once its DATA has arrived: from there a real mail server
    has taken it, whether or not the client lives to read the 250 reply."""

    host: str = "127.0.0.1"
    port: int = 0
    accepted: list[Received] = field(default_factory=list)
    refused: list[Received] = field(default_factory=list)
    # refuse(message, attempt number for its Message-ID) -> an SMTP reply such as "451 ...", or None
    refuse: Callable[[Received, int], str | None] | None = None
    # Seconds each accepted message waits before the 250 reply (a slow server).
    delay: float = 0.0
    # Seconds each RCPT TO waits before its 250 reply.
    rcpt_delay: float = 0.0
    # hold = ("rcpt" | "data", n): stall the n-th conversation at that stage until `release`.
    hold: tuple[str, int] | None = None
    held: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    held_address: str = ""
    held_message_id: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _rcpts: int = 0
    _datas: int = 0

    # aiosmtpd handler hooks (they run in the controller's event-loop thread)
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        envelope.rcpt_tos.append(address)
        with self._lock:
            self._rcpts += 1
            stall = self.hold == ("rcpt", self._rcpts)
        if stall:
            await self._stall(address=address)
        elif self.rcpt_delay:
            await asyncio.sleep(self.rcpt_delay)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.original_content or envelope.content)
        message = Received(
            message_id=str(parsed["Message-ID"]),
            to=tuple(envelope.rcpt_tos),
            subject=str(parsed["Subject"]),
            at=time.monotonic(),
        )
        with self._lock:
            attempt = 1 + sum(m.message_id == message.message_id for m in self.refused)
            reply = self.refuse(message, attempt) if self.refuse else None
            if reply:
                self.refused.append(message)
                return reply
            self.accepted.append(message)
            self._datas += 1
            stall = self.hold == ("data", self._datas)
        if stall:
            await self._stall(address=message.to[0], message_id=message.message_id)
        elif self.delay:
            await asyncio.sleep(self.delay)
        return "250 Message accepted for delivery"

    async def _stall(self, *, address: str, message_id: str = "") -> None:
        self.held_address, self.held_message_id = address, message_id
        self.held.set()
        await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 30)

    # views for the tests
    def message_ids(self) -> Counter[str]:
        with self._lock:
            return Counter(m.message_id for m in self.accepted)

    def recipients(self) -> Counter[str]:
        with self._lock:
            return Counter(address for m in self.accepted for address in m.to)

    def attempts_for(self, address: str) -> list[Received]:
        """Every DATA for `address`, refused or accepted, in order of arrival."""
        with self._lock:
            return sorted(
                (m for m in [*self.refused, *self.accepted] if address in m.to),
                key=lambda m: m.at,
            )


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink(port=free_port())
    # aiosmtpd logs every SMTP command at INFO: thousands of lines that slow the sink down.
    mail_log = logging.getLogger("mail.log")
    level = mail_log.level
    mail_log.setLevel(logging.WARNING)
    controller = Controller(
        sink, hostname=sink.host, port=sink.port, server_hostname="sink.test", ready_timeout=10
    )
    controller.start()
    try:
        yield sink
    finally:
        sink.release.set()
        controller.stop()
        mail_log.setLevel(level)


# Celery ---------------------------------------------------------------------------------------


def database_url_for_tests(**extra_options: str) -> str:
    """The pytest database, for the worker and beat processes; `extra_options` are libpq
    connection parameters (application_name, options="-c name=value")."""
    db = django_settings.DATABASES["default"]
    auth = quote(db.get("USER") or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    options = {k: v for k, v in db.get("OPTIONS", {}).items() if isinstance(v, str | int)}
    options.update(extra_options)
    host = db.get("HOST") or ""
    if host.startswith("/"):  # a Unix socket directory (the embedded server's)
        options["host"], host = host, ""
    port = f":{db['PORT']}" if db.get("PORT") else ""
    url = f"postgres://{auth}@{host}{port}/{quote(db['NAME'], safe='')}"
    return f"{url}?{urlencode(options, safe='/')}" if options else url


class CeleryProcess:
    """`celery -A mentoring worker|beat` in its own process group, logging to a file."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path, ready: str):
        self.args, self.env, self.log_path, self.ready_line = args, env, log, ready
        self.proc: subprocess.Popen | None = None

    def start(self, *, wait: bool = True) -> CeleryProcess:
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "mentoring", *self.args],
                cwd=REPO,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self.wait_ready() if wait else self

    def wait_ready(self) -> CeleryProcess:
        wait_for(self._ready, timeout=PROCESS_START_TIMEOUT, what=f"celery {self.args[0]} to start")
        return self

    def _ready(self) -> bool:
        if self.proc.poll() is not None:
            raise AssertionError(f"celery {self.args[0]} exited early:\n{self.log()[-3000:]}")
        return self.ready_line in self.log()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL the whole process group: no shutdown, no acknowledgement, no rollback sent."""
        _end(self.proc, sig=signal.SIGKILL)

    def stop(self) -> None:
        if self.proc is not None:
            _end(self.proc)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@pytest.fixture
def delivery_env(redis_server, smtp_sink, settings) -> dict[str, str]:
    """The environment of the worker and beat processes: the pytest database, the private Redis
    and the SMTP sink. Tests add or change variables before starting a process."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "REDIS_", "EMAIL_", "OUTBOX_", "CELERY_", "PYTEST"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="mentoring.settings",
        DATABASE_URL=database_url_for_tests(),
        REDIS_URL=redis_server.url,
        EMAIL_HOST=smtp_sink.host,
        EMAIL_PORT=str(smtp_sink.port),
        EMAIL_TIMEOUT="20",
        DEBUG="1",
        SITE_URL=settings.SITE_URL,
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    return env


@pytest.fixture
def celery_processes(tmp_path, delivery_env) -> Iterator[Callable[..., CeleryProcess]]:
    """Start Celery workers and beats; all of them are ended in teardown.

    worker: the solo pool by default, so the process that talks to Redis is the one in the SMTP
    conversation and a SIGKILL lands mid-send (with prefork, killing the parent would leave the
    pool child to finish the send, and killing the child makes Celery itself redeliver).
    """
    started: list[CeleryProcess] = []

    def start(
        kind: str = "worker",
        *,
        pool: str = "solo",
        concurrency: int = 1,
        wait: bool = True,
        **env_extra: Any,
    ) -> CeleryProcess:
        n = len(started) + 1
        env = {**delivery_env, **{k: str(v) for k, v in env_extra.items()}}
        if kind == "worker":
            args = [
                "worker",
                f"--pool={pool}",
                f"--concurrency={concurrency}",
                "--hostname",
                f"delivery{n}@%h",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ]
            ready = "ready."
        else:
            args = [
                "beat",
                "--loglevel=INFO",
                "--schedule",
                str(tmp_path / f"beat{n}-schedule"),
                "--max-interval=1",
            ]
            ready = "beat: Starting"
        process = CeleryProcess(args, env, tmp_path / f"{kind}{n}.log", ready)
        started.append(process)
        return process.start(wait=wait)

    try:
        yield start
    finally:
        for process in started:
            process.kill()


def terminate_backends(application_name: str) -> int:
    """pg_terminate_backend every database session of that application_name (what a failover or
    a pooler restart does to a worker's connection); returns how many were ended."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE application_name = %s AND pid <> pg_backend_pid()",
            [application_name],
        )
        return cursor.fetchone()[0]


def _reset_producers() -> None:
    for pool in (celery_app._pool, celery_app.amqp._producer_pool):
        if pool is not None:
            pool.force_close_all()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def publish_to_redis(redis_server) -> Iterator[RedisServer]:
    """This test process publishes real task messages to the private Redis (not eagerly)."""
    conf = celery_app.conf
    saved = conf.broker_url, conf.task_always_eager
    conf.broker_url, conf.task_always_eager = redis_server.url, False
    _reset_producers()
    try:
        yield redis_server
    finally:
        conf.broker_url, conf.task_always_eager = saved
        _reset_producers()


# Emails ---------------------------------------------------------------------------------------

TEST_TEMPLATES = REPO / "tests" / "templates"


@pytest.fixture
def queue_pings(settings) -> Callable[..., list]:
    """Queue `n` "ping" emails (tests/templates/emails/ping*) in one transaction, through
    `mentoring.emails.queue` (one task published per row after commit)."""
    from django.db import transaction

    from mentoring import emails

    templates = [dict(t) for t in settings.TEMPLATES]
    templates[0]["DIRS"] = [*templates[0]["DIRS"], TEST_TEMPLATES]
    settings.TEMPLATES = templates

    def queue(n: int, *, prefix: str = "person") -> list:
        with transaction.atomic():
            rows = [
                emails.queue(
                    "ping",
                    to=f"{prefix}{i}@example.org",
                    ctx={"name": f"Person {i}"},
                    dedupe_key=f"ping:{prefix}:{i}",
                )
                for i in range(n)
            ]
        return rows

    return queue


def sweep_until(done: Callable[[], bool], *, timeout: float, every: float = 0.5) -> float:
    """Run the outbox sweep like beat would, every `every` seconds, until `done()`; returns the
    seconds it took."""

    start = time.monotonic()
    deadline = start + timeout
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError(f"not done after {timeout:.0f}s of sweeping")
        outbox_tasks.sweep()
        time.sleep(every)
    return time.monotonic() - start


# People ---------------------------------------------------------------------------------------


def make_pairs(n: int, *, prefix: str = "") -> tuple[list, list]:
    """`n` listed mentors with free places and `n` mentees with profiles, all in the default
    programme, in a few bulk INSERTs. Returns (mentor profiles, mentee users), pair i being
    mentor i and mentee i."""
    from django.utils import timezone

    from accounts.models import User
    from profiles.models import Membership, MenteeProfile, MentorProfile
    from profiles.search import update_search_documents
    from tests.factories import MenteeProfileFactory, MentorProfileFactory, default_programme

    def users(role: str) -> list[User]:
        return User.objects.bulk_create(
            User(email=f"{prefix}{role}{i}@example.org", full_name=f"{role.title()} {i}")
            for i in range(n)
        )

    mentors, mentees = users("mentor"), users("mentee")
    profiles = MentorProfile.objects.bulk_create(
        MentorProfileFactory.build(user=u) for u in mentors
    )
    MenteeProfile.objects.bulk_create(MenteeProfileFactory.build(user=u) for u in mentees)
    programme, now = default_programme(), timezone.now()
    Membership.objects.bulk_create(
        Membership(user=u, programme=programme, role=role, status="approved", approved_at=now)
        for people, role in ((mentors, "mentor"), (mentees, "mentee"))
        for u in people
    )
    update_search_documents([p.pk for p in profiles])  # bulk_create skips the signals
    return profiles, mentees
