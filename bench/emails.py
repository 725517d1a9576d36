"""Emails per second per worker: one Celery worker (solo pool) sends outbox rows to a local SMTP
sink, and every Message-ID must arrive exactly once.

Uses a database of its own (`mentoring_bench_emails`, migrated on each run, its outbox emptied), a
private redis-server on a free port and an in-process aiosmtpd sink. Queues `--emails` rows in one
transaction with `emails.queue_many` (which publishes one batch task per OUTBOX_SEND_BATCH rows,
as the scheduled jobs do), then times from the commit until every row is `sent`. Prints one line,
writes bench/results/emails.json and adds an "emails" key to bench/results/latest.json when it
exists. Exits non-zero when an email is missing or arrived twice.

    .venv/bin/python bench/emails.py                 # 2,000 emails, batches of 50
    .venv/bin/python bench/emails.py --batch 1       # one SMTP connection per email, to compare
"""

from __future__ import annotations

import argparse
import email
import json
import logging
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DB_NAME = "mentoring_bench_emails"
TARGET = 200  # emails per second per worker


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_url() -> str:
    base = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if not base:
        return "postgres://postgres@127.0.0.1:5432/"
    parts = urlsplit(base)
    return urlunsplit((parts.scheme, parts.netloc, "/", parts.query, ""))


def _db_url() -> str:
    parts = urlsplit(_server_url())
    return urlunsplit((parts.scheme, parts.netloc, f"/{DB_NAME}", parts.query, ""))


def _prepare_database() -> None:
    import psycopg

    admin = _server_url().rstrip("/") + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    env = {**os.environ, "DATABASE_URL": _db_url(), "DEBUG": "1"}
    env.pop("REDIS_URL", None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    with psycopg.connect(_db_url()) as conn:
        conn.execute("TRUNCATE mentoring_outbox")


class Sink:
    """aiosmtpd handler: records the Message-ID of every message it accepts."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.message_ids: Counter[str] = Counter()

    async def handle_DATA(self, server, session, envelope):
        message_id = email.message_from_bytes(envelope.content)["Message-ID"]
        with self.lock:
            self.message_ids[str(message_id)] += 1
        return "250 Message accepted for delivery"


def _wait(predicate, *, timeout: float, what: str, every: float = 0.05):
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(every)
    return value


def _start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with open(log, "ab") as out:
        return subprocess.Popen(
            args,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _end(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rows(n: int, run: str) -> list:
    from mentoring.models import Outbox

    return [
        Outbox(
            kind="bench",
            to_email=f"person{i}@example.org",
            subject=f"Benchmark email {i}",
            body_text=f"Hello person {i},\n\nThis is a benchmark email.\n",
            body_html=f"<p>Hello person {i},</p><p>This is a benchmark email.</p>",
            headers={},
            context={},
            dedupe_key=f"bench:{run}:{i}",
        )
        for i in range(n)
    ]


def measure(n: int, batch: int, workdir: Path) -> dict:
    from aiosmtpd.controller import Controller
    from cryptography.fernet import Fernet

    # aiosmtpd logs every SMTP command at INFO: thousands of lines that slow the sink down.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    sink, smtp_port = Sink(), _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port, ready_timeout=10)
    redis_port = _free_port()
    redis_binary = shutil.which("redis-server")
    if not redis_binary:
        raise SystemExit("redis-server must be on the PATH")
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("OUTBOX_", "EMAIL_"))},
        "DJANGO_SETTINGS_MODULE": "mentoring.settings",
        "DATABASE_URL": _db_url(),
        "REDIS_URL": redis_url,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "OUTBOX_SEND_BATCH": str(batch),
        # The production profile: DEBUG=0 (no query log), so its keys are required.
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "MFA_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    import django

    django.setup()
    from django.db import transaction

    from mentoring import emails
    from mentoring.models import Outbox

    redis = _start(
        [redis_binary, "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--dir"]
        + [str(workdir), "--appendonly", "no"],
        env,
        workdir / "redis.log",
    )
    worker = None
    controller.start()
    try:
        worker = _start(
            [sys.executable, "-m", "celery", "-A", "mentoring", "worker", "--pool=solo"]
            + ["--concurrency=1", "--loglevel=INFO", "--without-gossip", "--without-mingle"]
            + ["--without-heartbeat"],
            env,
            workdir / "worker.log",
        )
        _wait(
            lambda: "ready." in (workdir / "worker.log").read_text(errors="replace"),
            timeout=60,
            what="the worker to start",
        )
        run = str(time.time_ns())
        rows = _rows(n, run)
        cpu_before = _cpu_seconds(worker.pid)
        started = time.perf_counter()
        with transaction.atomic():
            queued = emails.queue_many(rows)
        assert queued == n, f"queued {queued} of {n}"
        pending = Outbox.objects.filter(dedupe_key__startswith=f"bench:{run}:").exclude(
            status=Outbox.Status.SENT
        )
        _wait(lambda: not pending.exists(), timeout=max(60, n / 10), what="every email to be sent")
        seconds = time.perf_counter() - started
        cpu = _cpu_seconds(worker.pid) - cpu_before
        expected = set(
            Outbox.objects.filter(dedupe_key__startswith=f"bench:{run}:").values_list(
                "message_id", flat=True
            )
        )
        with sink.lock:
            received = Counter(sink.message_ids)
    finally:
        if worker is not None:
            _end(worker)
        _end(redis)
        controller.stop()
    return {
        "emails": n,
        "batch": batch,
        "workers": 1,
        "seconds": round(seconds, 2),
        "emails_per_second_per_worker": round(n / seconds),
        # The machine may be shared: what one worker would do with a whole core to itself.
        "worker_cpu_ms_per_email": round(1000 * cpu / n, 2),
        "emails_per_worker_cpu_second": round(n / cpu) if cpu else None,
        "target": TARGET,
        "missing": len(expected - set(received)),
        "duplicates": sum(count - 1 for count in received.values() if count > 1),
        "unexpected": len(set(received) - expected),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--emails", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=50, help="OUTBOX_SEND_BATCH for the run")
    options = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    _prepare_database()
    with tempfile.TemporaryDirectory(prefix="bench-emails-") as tmp:
        result = measure(options.emails, options.batch, Path(tmp))
    once = not (result["missing"] or result["duplicates"] or result["unexpected"])
    print(
        f"emails: {result['emails']} sent in {result['seconds']} s by one worker "
        f"(batches of {result['batch']}): {result['emails_per_second_per_worker']} emails/s "
        f"per worker (target {TARGET}), {result['worker_cpu_ms_per_email']} ms of worker CPU "
        f"per email ({result['emails_per_worker_cpu_second']}/s on a core of its own); "
        + (
            "each Message-ID arrived exactly once"
            if once
            else f"{result['missing']} missing, {result['duplicates']} duplicates, "
            f"{result['unexpected']} unexpected"
        )
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "emails.json").write_text(json.dumps(result, indent=2) + "\n")
    latest = RESULTS / "latest.json"
    if latest.exists():
        data = json.loads(latest.read_text())
        data["emails"] = result
        latest.write_text(json.dumps(data, indent=2) + "\n")
    return 0 if once else 1


if __name__ == "__main__":
    sys.exit(main())
