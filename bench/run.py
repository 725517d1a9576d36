"""`make bench`: the pages people use under load, at 10,000 and 100,000 mentors, against R0.

For each size: a separate database (`mentoring_bench_<size>`, reused when it already holds that
data set), R0 (a bare Django app, bench/r0) and then the app under the same gunicorn settings
with DEBUG=0 and a private Redis, the demo accounts signed in through sessions made with Django,
and wrk on 127.0.0.1 for every scenario: closed-loop maximum throughput with p50/p95/p99
latencies and the ratio to R0's rate, then the search at a fixed offered rate, then R0 again. The mentors are spread over the
demo's three programmes (seed_demo: about half in careers, three in ten in staff, a fifth at the
advice point), and the directory is read as the demo mentee reads it, scoped to one programme
(`/mentors/?programme=careers`). Prints a table and writes bench/results/latest.json. See
bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
LUA = BENCH / "wrk.lua"

DEFAULT_SIZES = (10_000, 100_000)
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/"
# The bench databases are named <prefix>_<size>: another prefix (--db-prefix, BENCH_DB_PREFIX)
# keeps two people sharing a Postgres server from rebuilding or dropping each other's.
DB_PREFIX = os.environ.get("BENCH_DB_PREFIX") or "mentoring_bench"
SEED = 1
PASSWORD = "bench-demo-password"  # every bench account's password (the data is throwaway)
MENTEE = "mentee@demo.test"
MENTOR = "mentor@demo.test"
# The staff dashboard (/admin/) is read as the demo coordinator (staff, coordinator of one
# programme). The bench app runs with MFA_REQUIRED_FOR_STAFF=0, as `make run` does: the session is
# made with Django, and the second factor it would otherwise need costs nothing per request.
COORDINATOR = "coordinator@demo.test"
# The directory is one programme's: the demo mentee's careers programme, about half the mentors.
PROGRAMME = "careers"
# Hand-made mentor profiles seed_demo adds to the seeded ones (the demo mentor, the staff mentor).
DEMO_MENTORS = 2

# A mentee typing a word, ticking an area and choosing video calls. The requests cycle through
# these, so the search figures are for a mix of common and rarer words, not one lucky query.
SEARCHES = [
    ("finance", "salary-negotiation"),
    ("engineering", "changing-sector"),
    ("leadership", "becoming-a-team-leader"),
    ("research", "further-study-and-research-careers"),
    ("marketing", "personal-branding-and-linkedin"),
    ("nhs", "returning-to-work"),
]
SEARCH_FORMAT = "video"
PROFILES = 50  # /mentors/<id>/ cycles through this many listed mentors
CONVERSATION_MESSAGES = 200  # the demo pair's space shows a conversation this long
PAIR_MEETINGS = 20  # another pair's space, seen by its mentee, has this many meetings

# The targets (#20), checked at the largest size run: each scenario's maximum rate as a
# share of R0's (the bare Django app served the same way in the same run), the search's p95 at a
# fixed offered rate, and a worker's memory after the run.
TARGET_SEARCH_P95_MS = 40.0
TARGET_SEARCH_RATE = 50.0
TARGET_RATIOS = {
    "ping": 0.5,
    "directory": 0.25,
    "directory_search": 0.25,
    "profile": 0.25,
    "home_mentee": 0.2,
    "home_mentor": 0.2,
    "requests": 0.2,
    "pair_space": 0.2,
    "inbox": 0.2,
    f"conversation_{CONVERSATION_MESSAGES}": 0.2,
    "dashboard": 0.2,
}
TARGET_WORKER_RSS_MB = 150.0
# A scenario during which other processes took more of the machine's CPU than this is flagged:
# its rate says more about the machine than about the app.
BUSY_OTHERS_PCT = 20.0
BUSY_PRESSURE_PCT = 50.0

# Files whose change alters the seeded data: a bench database seeded by other versions is
# rebuilt rather than reused. (Schema changes alone only need `migrate`, run on every reuse.)
FINGERPRINTED = [
    "mentoring/demo/bulk.py",
    "mentoring/demo/programmes.py",
    "mentoring/demo/rows.py",
    "mentoring/demo/showcase.py",
    "mentoring/demo/vocabulary.py",
    "mentoring/management/commands/seed_demo.py",
    "profiles/search.py",
]

# Configuration read by the app that must not leak from the caller's environment.
APP_ENV = {
    "DATABASE_URL",
    "REDIS_URL",
    "DEBUG",
    "SECRET_KEY",
    "MFA_ENCRYPTION_KEY",
    "ALLOWED_HOSTS",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "CONN_MAX_AGE",
    "LOG_LEVEL",
    "EMAIL_HOST",
    "EMAIL_BACKEND",
    "DJANGO_SETTINGS_MODULE",
    "WEB_CONCURRENCY",
    "GUNICORN_CMD_ARGS",
    "BENCH_RATE",
    "BENCH_CONNECTIONS",
    "MFA_REQUIRED_FOR_STAFF",
}


def say(message: str = "") -> None:
    sys.stdout.write(message + "\n")
    sys.stdout.flush()


# Databases ---------------------------------------------------------------------------------


def server_url() -> str:
    """The Postgres server for the bench databases (any database name in it is ignored)."""
    return os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or DEFAULT_SERVER


def database_url(server: str, name: str) -> str:
    parts = urlsplit(server)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, ""))


def connect(url: str):
    import psycopg

    return psycopg.connect(url, autocommit=True, connect_timeout=10)


def fingerprint() -> str:
    digest = hashlib.sha256()
    for path in [ROOT / f for f in FINGERPRINTED]:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def ensure_database(server: str, size: int, *, rebuild: bool, prefix: str = DB_PREFIX) -> dict:
    """The bench database for `size` mentors, seeded and analysed; reused when it matches."""
    name = f"{prefix}_{size}"
    url = database_url(server, name)
    mentees = size // 5
    marker = f"mentoring-bench mentors={size} mentees={mentees} seed={SEED} data={fingerprint()}"
    with connect(database_url(server, "postgres")) as admin:
        row = admin.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [name],
        ).fetchone()
    comment = {}
    if row and row[0]:
        with contextlib.suppress(ValueError):
            comment = json.loads(row[0])
    if row and not rebuild and comment.get("marker") == marker:
        with connect(url) as conn:
            count = conn.execute("SELECT count(*) FROM profiles_mentorprofile").fetchone()[0]
        if count == size + DEMO_MENTORS:  # the seeded mentors and the demo mentors
            say(f"Reusing database {name} ({count:,} mentor profiles).")
            if "Applying" in manage(["migrate", "--noinput"], app_env(url, debug=True), quiet=True):
                with connect(url) as conn:
                    conn.execute("ANALYZE")
            return {"database": name, "reused": True, **comment}
        say(
            f"Database {name} has {count:,} mentor profiles, not {size + DEMO_MENTORS:,}: "
            "rebuilding it."
        )
    elif row:
        say(f"Database {name} was built from other data or code: rebuilding it.")

    # Built under a temporary name and renamed at the end, so a failed build never costs the
    # database that was there.
    started = time.monotonic()
    building = f"{name}_building"
    build_url = database_url(server, building)
    with connect(database_url(server, "postgres")) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{building}"')
    env = app_env(build_url, debug=True)
    say(f"Migrating {building}")
    manage(["migrate", "--noinput", "-v", "0"], env)
    manage(["createcachetable"], env)
    say(f"Seeding {size:,} mentors and {mentees:,} mentees (seed {SEED}) into {building}")
    seed_started = time.monotonic()
    manage(
        [
            "seed_demo",
            f"--mentors={size}",
            f"--mentees={mentees}",
            f"--seed={SEED}",
            f"--password={PASSWORD}",
            "--force",
        ],
        env,
        quiet=True,
    )
    seed_seconds = time.monotonic() - seed_started
    vacuum_started = time.monotonic()
    with connect(build_url) as conn:
        conn.execute("VACUUM ANALYZE")
    comment = {
        "marker": marker,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "seed_seconds": round(seed_seconds, 1),
        "vacuum_analyze_seconds": round(time.monotonic() - vacuum_started, 1),
        "build_seconds": round(time.monotonic() - started, 1),
    }
    with connect(database_url(server, "postgres")) as admin:
        admin.execute(
            f"COMMENT ON DATABASE \"{building}\" IS '{json.dumps(comment).replace(chr(39), '')}'"
        )
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
    say(f"Built {name} in {comment['build_seconds']}s (seeding {comment['seed_seconds']}s).")
    return {"database": name, "reused": False, **comment}


# The app -----------------------------------------------------------------------------------


def app_env(db_url: str, *, debug: bool, secret_key: str = "", static_root: str = "") -> dict:
    env = {k: v for k, v in os.environ.items() if k not in APP_ENV}
    env.update(
        DATABASE_URL=db_url,
        DJANGO_SETTINGS_MODULE="bench.settings",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        LOG_LEVEL="WARNING",
    )
    if debug:
        env["DEBUG"] = "1"
    else:
        env.update(
            DEBUG="0",
            SECRET_KEY=secret_key,
            MFA_ENCRYPTION_KEY=Fernet.generate_key().decode(),
            ALLOWED_HOSTS="127.0.0.1",
            SECURE_SSL_REDIRECT="0",
            MFA_REQUIRED_FOR_STAFF="0",
            BENCH_STATIC_ROOT=static_root,
            # Each worker keeps its database connection for the whole run (the app's default
            # is 60 s), so its backend's CPU time can be measured across scenarios.
            CONN_MAX_AGE="3600",
        )
    return env


def manage(args: list[str], env: dict, *, quiet: bool = False) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"manage.py {args[0]} failed (exit {result.returncode}).")
    if not quiet and result.stdout.strip():
        say(result.stdout.rstrip())
    return result.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn serving the app on a free loopback port; stopped (by its pid) on exit."""

    def __init__(
        self,
        env: dict,
        *,
        workers: int,
        worker_class: str,
        threads: int,
        log: Path,
        wsgi: str = "mentoring.wsgi",
    ):
        self.port = free_port()
        self.log = log
        cmd = [
            sys.executable,
            "-m",
            "gunicorn",
            wsgi,
            f"--bind=127.0.0.1:{self.port}",
            f"--workers={workers}",
            f"--worker-class={worker_class}",
            "--log-level=warning",
            "--timeout=30",
            "--graceful-timeout=5",
            f"--chdir={ROOT}",
        ]
        if worker_class == "gthread":
            cmd.append(f"--threads={threads}")
        self._log_file = log.open("w")
        self.process = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=self._log_file, stderr=subprocess.STDOUT
        )

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited early:\n{self.log.read_text()}")
            with contextlib.suppress(OSError):
                if get(self.port, "/bench/ping")[0] == 200:
                    return
            time.sleep(0.2)
        raise SystemExit(f"gunicorn did not answer within {timeout}s:\n{self.log.read_text()}")

    def worker_rss_mb(self) -> list[float]:
        """Resident memory of each worker (gunicorn's children), MB."""
        sizes = []
        master = self.server_pids()
        for pid in master[1:]:
            with contextlib.suppress(OSError, AttributeError, ValueError):
                status = Path(f"/proc/{pid}/status").read_text()
                kb = int(re.search(r"^VmRSS:\s+(\d+)", status, re.MULTILINE).group(1))
                sizes.append(round(kb / 1024, 1))
        return sizes

    def server_pids(self) -> list[int]:
        """The master, then its workers."""
        master = self.process.pid
        pids = [master]
        with contextlib.suppress(OSError):
            for task in Path(f"/proc/{master}/task").iterdir():
                with contextlib.suppress(OSError):
                    pids += [int(p) for p in (task / "children").read_text().split()]
        return pids

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log_file.close()


def get(port: int, path: str, cookie: str = "") -> tuple[int, str]:
    conn = HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


class Redis:
    """A private redis-server on a free loopback port for one size's run: the app's cache, as a
    deployment has one (without REDIS_URL the app caches in its database, which would add a query
    to every cached read). None of it is saved; stopped (by its pid) on exit."""

    def __init__(self, binary: str, workdir: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._log_file = (workdir / f"redis-{self.port}.log").open("w")
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--dir", str(workdir)],
            cwd=workdir,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock,
            ):
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    return
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        self.stop()
        raise SystemExit(f"redis-server did not start on port {self.port}.")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log_file.close()


# CPU accounting: the machine is shared (the load generator, Postgres, and whatever else runs),
# so each scenario also records the CPU time the app and its database backends spent per request,
# which depends far less than latency on how busy the machine was, and how much CPU other
# processes took meanwhile.

TICK = os.sysconf("SC_CLK_TCK")


def process_cpu(pids) -> dict[int, float]:
    """CPU seconds (user + system) of each live process in `pids`."""
    seconds = {}
    for pid in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            seconds[pid] = (int(fields[11]) + int(fields[12])) / TICK
    return seconds


def machine_cpu() -> tuple[float, float]:
    """Busy and total CPU seconds of the whole machine since boot (all cores)."""
    with contextlib.suppress(OSError):
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:9]]
        user, nice, system, idle, iowait, irq, softirq, steal = values
        busy = user + nice + system + irq + softirq + steal
        return busy / TICK, (busy + idle + iowait) / TICK
    return 0.0, 0.0


def cpu_pressure() -> float | None:
    """Share of the last 10 s in which some runnable task waited for a CPU (Linux PSI), %."""
    with contextlib.suppress(OSError, AttributeError, ValueError):
        text = Path("/proc/pressure/cpu").read_text()
        return float(re.search(r"^some avg10=([\d.]+)", text, re.MULTILINE).group(1))
    return None


class CpuMeter:
    """CPU used by gunicorn (master and workers) and by the bench database's backends."""

    def __init__(
        self, server: Server, db_url: str = "", database: str = "", cache_pid: int | None = None
    ):
        """Without a database (R0), only gunicorn's CPU is counted; with a private Redis, its
        CPU is the app's cache's."""
        self.server, self.db_url, self.database = server, db_url, database
        self.cache_pids = [cache_pid] if cache_pid else []
        parts = urlsplit(db_url)
        # A TCP loopback address or a Unix socket (pgserver's "?host=/dir"): /proc shows it.
        self.local_db = bool(database) and (parts.hostname or "") in {
            "127.0.0.1",
            "localhost",
            "::1",
            "",
        }

    def _server_pids(self) -> list[int]:
        return self.server.server_pids()

    def _db_pids(self) -> list[int]:
        if not self.local_db:
            return []
        with connect(self.db_url) as conn:
            rows = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [self.database],
            ).fetchall()
        return [row[0] for row in rows]

    def snapshot(self) -> dict:
        busy, total = machine_cpu()
        children = os.times()
        return {
            "server": process_cpu(self._server_pids()),
            "db": process_cpu(self._db_pids()),
            "cache": process_cpu(self.cache_pids),
            "load": children.children_user + children.children_system,
            "busy": busy,
            "total": total,
        }

    @staticmethod
    def _used(before: dict[int, float], after: dict[int, float]) -> float:
        return sum(after[pid] - before.get(pid, 0.0) for pid in after)

    def report(self, before: dict, after: dict, requests: int) -> dict:
        server = self._used(before["server"], after["server"])
        db = self._used(before["db"], after["db"])
        cache = self._used(before["cache"], after["cache"])
        load = after["load"] - before["load"]
        busy = after["busy"] - before["busy"]
        total = after["total"] - before["total"]
        per = 1000 / max(requests, 1)
        cpu_ms = (server + db + cache) * per
        return {
            "app_cpu_ms_per_request": round(server * per, 2),
            "db_cpu_ms_per_request": round(db * per, 2) if self.local_db else None,
            "cache_cpu_ms_per_request": round(cache * per, 2) if self.cache_pids else None,
            # The rate at which the app and its database would use every core: a ceiling on
            # throughput here even on an idle machine (the load generator's share not counted).
            "cpu_bound_rps": round((os.cpu_count() or 1) * 1000 / cpu_ms, 1) if cpu_ms else None,
            "machine_busy_pct": round(100 * busy / total, 1) if total else None,
            "others_cpu_pct": round(100 * max(busy - server - db - cache - load, 0) / total, 1)
            if total
            else None,
            "cpu_pressure_avg10": cpu_pressure(),
        }


# Django-side preparation (run in a subprocess with the server's settings) --------------------


def prepare_in_django() -> None:
    """Print JSON: a session for the demo mentee, mentors of the programme to visit, and the
    search query plans."""
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from profiles import selectors
    from profiles.models import MentorProfile, Programme

    def cookie_for(user) -> str:
        client = Client()
        client.force_login(user, backend=settings.AUTHENTICATION_BACKENDS[0])
        return (
            f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        )

    mentee = User.objects.get(email=MENTEE)
    pair_id = _conversation_of(mentee, messages=CONVERSATION_MESSAGES)
    meetings_pair = _pair_with_meetings(meetings=PAIR_MEETINGS)
    with connection.cursor() as cursor:
        # Statistics that count the messages and meetings just added, as autovacuum would
        # after a while: the plans measured are the ones a running site gets.
        cursor.execute("ANALYZE matching_message, sessions_log_meeting")
    cookies = {
        "mentee": cookie_for(mentee),
        "mentor": cookie_for(User.objects.get(email=MENTOR)),
        "coordinator": cookie_for(User.objects.get(email=COORDINATOR)),
        "pair_mentee": cookie_for(meetings_pair.mentee),
    }

    programme = Programme.objects.get(slug=PROGRAMME)
    in_programme = MentorProfile.objects.listed().in_programme(programme)
    listed = list(in_programme.order_by("pk").values_list("pk", flat=True))
    step = max(len(listed) // PROFILES, 1)
    profile_ids = listed[::step][:PROFILES]

    # The queries the directory runs for each search, built by the app's own selectors for the
    # demo mentee in the programme (its exclusions included).
    viewer = selectors.directory_viewer(mentee)
    by_slug = {a.slug: a.pk for a in viewer.areas}
    wanted = set(viewer.wanted_area_ids)
    plans = []
    for q, slug in SEARCHES:
        with CaptureQueriesContext(connection) as captured:
            page = selectors.search_directory(
                q=q,
                area_ids=[by_slug[slug]],
                meeting_format=SEARCH_FORMAT,
                wanted_area_ids=wanted,
                programme=programme,
                exclude=viewer.exclusion(programme),
            )
        for index, query in enumerate(captured.captured_queries):
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + query["sql"])
                plan = cursor.fetchone()[0]
            plan = plan[0] if isinstance(plan, list) else plan
            plans.append(
                {
                    "q": q,
                    "area": slug,
                    "query": "rank"
                    if index == 0
                    else "count"
                    if "COUNT(" in query["sql"][:40]
                    else "cards",
                    "matches": page.total,
                    "execution_ms": round(plan["Execution Time"], 2),
                    "planning_ms": round(plan["Planning Time"], 2),
                    "indexes": sorted(_indexes(plan["Plan"])),
                    "sql": query["sql"],
                    "plan": plan["Plan"],
                }
            )
    json.dump(
        {
            "cookies": cookies,
            "mentor_profiles": MentorProfile.objects.count(),
            "listed_all_programmes": MentorProfile.objects.listed().count(),
            "listed": len(listed),
            "profile_ids": profile_ids,
            "pair_id": pair_id,
            "meetings_pair_id": meetings_pair.pk,
            "plans": plans,
        },
        sys.stdout,
    )


def _conversation_of(mentee, *, messages: int) -> int:
    """The demo mentee's pair, its conversation topped up to `messages` messages (the two
    people taking turns, a minute apart), for the pair-space scenario. Returns the pair's id."""
    from datetime import timedelta

    from matching import conversations
    from matching.models import Mentorship, Message

    pair = Mentorship.objects.active().filter(mentee=mentee).order_by("pk").first()
    if pair is None:
        raise SystemExit(f"{MENTEE} has no active pair: the demo data changed.")
    conversation = conversations.conversation_for_mentorship(pair)
    missing = messages - conversation.messages.count()
    if missing > 0:
        start = pair.started_at
        Message.objects.bulk_create(
            Message(
                conversation=conversation,
                author=pair.mentee if i % 2 else pair.mentor,
                body=f"Message {i}: notes on the CV, the next application and our next meeting.",
                created_at=start + timedelta(minutes=i),
                notified_at=start + timedelta(minutes=i),
            )
            for i in range(missing)
        )
    return pair.pk


def _pair_with_meetings(*, meetings: int):
    """A seeded active pair (not the demo accounts', whose space holds the long conversation) with
    `meetings` meetings, topped up with held ones: the pair-space scenario."""
    from datetime import timedelta

    from django.utils import timezone

    from matching.models import Mentorship
    from sessions_log.models import Meeting

    pair = (
        Mentorship.objects.active()
        .exclude(mentee__email__endswith="@demo.test")
        .exclude(mentor__email__endswith="@demo.test")
        .select_related("mentee")
        .order_by("pk")
        .first()
    )
    if pair is None:
        raise SystemExit("The bench data has no seeded active pair: the demo data changed.")
    missing = meetings - Meeting.objects.filter(mentorship=pair).count()
    if missing > 0:
        # Held meetings fall between the pair's start and now, however recent the start.
        start = pair.started_at
        step = max((timezone.now() - start) / (missing + 1), timedelta(minutes=90))
        Meeting.objects.bulk_create(
            Meeting(
                mentorship=pair,
                status=Meeting.Status.HELD,
                created_by=pair.mentee,
                starts_at=start + step * (i + 1),
                time_zone=pair.mentee.time_zone,
                duration_minutes=60,
                format="video",
                location="Video call",
                summary=f"Meeting {i}: went through the CV and the next applications.",
                next_steps="Send the rewritten cover letter before the next meeting.",
            )
            for i in range(missing)
        )
    return pair


def _indexes(node: dict) -> set[str]:
    found = {node["Index Name"]} if "Index Name" in node else set()
    for child in node.get("Plans", ()):
        found |= _indexes(child)
    return found


def prepare(env: dict) -> dict:
    result = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--prepare"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit("Preparing the session and query plans failed.")
    return json.loads(result.stdout)


# Load --------------------------------------------------------------------------------------


def ensure_wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk:
        return wrk
    if os.geteuid() == 0 and shutil.which("apt-get"):
        say("Installing wrk (Debian package) for the benchmarks")
        apt_env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=apt_env)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "wrk"],
            check=True,
            env=apt_env,
            stdout=subprocess.DEVNULL,
        )
        wrk = shutil.which("wrk")
    if not wrk:
        raise SystemExit("wrk is missing: install it (apt-get install wrk) to run the benchmarks.")
    return wrk


def run_wrk(
    wrk: str,
    port: int,
    paths: list[str],
    cookie: str,
    *,
    seconds: float,
    connections: int,
    rate: float = 0,
) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in APP_ENV}
    env.update(BENCH_RATE=str(rate), BENCH_CONNECTIONS=str(connections))
    cmd = [
        wrk,
        "-t1",
        f"-c{connections}",
        f"-d{max(int(round(seconds)), 1)}s",
        "--timeout=5s",
        "-s",
        str(LUA),
        "-H",
        f"Cookie: {cookie}",
        f"http://127.0.0.1:{port}",
        "--",
        *paths,
    ]
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=seconds + 60)
    match = re.search(r"^BENCH_JSON (.*)$", result.stdout, re.MULTILINE)
    if result.returncode != 0 or not match:
        raise SystemExit(f"wrk failed:\n{result.stdout}{result.stderr}")
    raw = json.loads(match.group(1))
    duration = raw["duration_us"] / 1e6
    errors = {k: v for k, v in raw["errors"].items() if v}
    stats = {
        "p50_ms": round(raw["p50_us"] / 1000, 2),
        "p95_ms": round(raw["p95_us"] / 1000, 2),
        "p99_ms": round(raw["p99_us"] / 1000, 2),
        "max_rps": round(raw["requests"] / duration, 1),
        "p90_ms": round(raw["p90_us"] / 1000, 2),
        "mean_ms": round(raw["mean_us"] / 1000, 2),
        "max_ms": round(raw["max_us"] / 1000, 2),
        "requests": raw["requests"],
        "seconds": round(duration, 2),
        "connections": connections,
        "errors": errors,
    }
    if rate:
        stats["offered_rps"] = rate
        stats["achieved_rps"] = stats.pop("max_rps")
        stats["late_sends"] = raw["late_sends"]
        stats["max_lag_ms"] = raw["max_lag_ms"]
        # Open loop holds only while every start finds an idle connection: with more
        # connections than server workers, a late start means the server was saturated.
        stats["sustained"] = (
            stats["achieved_rps"] >= 0.95 * rate and raw["late_sends"] <= 0.01 * raw["requests"]
        )
    return stats


def search_paths() -> list[str]:
    return [
        f"/mentors/?programme={PROGRAMME}&q={q}&area={slug}&format={SEARCH_FORMAT}"
        for q, slug in SEARCHES
    ]


SIGNED_IN = r'action="/accounts/logout/"'  # the header's sign-out form: a signed-in page


def scenarios(info: dict) -> dict[str, dict]:
    """Each scenario: the paths wrk cycles through, whose session it sends (a key of
    info["cookies"]) and what the page must contain for the preflight to accept it as the real
    page (a login redirect or an error page would be fast and wrong)."""
    pair = f"/mentorships/{info['pair_id']}/"
    return {
        "ping": {"paths": ["/bench/ping"], "as": "mentee", "expect": r"^pong$"},
        # No target: a signed-in page that reads nothing (the privacy notice), what every page
        # costs before its own content (middleware, the base template, the header).
        "floor": {"paths": ["/privacy/"], "as": "mentee", "expect": SIGNED_IN},
        "home_mentee": {
            "paths": ["/"],
            "as": "mentee",
            "expect": rf"{SIGNED_IN}[\s\S]*/mentorships/\d+/",
        },
        "home_mentor": {
            "paths": ["/"],
            "as": "mentor",
            "expect": rf"{SIGNED_IN}[\s\S]*/mentorships/\d+/",
        },
        "directory": {
            "paths": [f"/mentors/?programme={PROGRAMME}"],
            "as": "mentee",
            "expect": r'href="/mentors/\d+/"',
        },
        "directory_search": {
            "paths": search_paths(),
            "as": "mentee",
            "expect": r'href="/mentors/\d+/"',
        },
        "profile": {
            "paths": [f"/mentors/{pk}/" for pk in info["profile_ids"]],
            "as": "mentee",
            "expect": SIGNED_IN,
        },
        "requests": {"paths": ["/requests/"], "as": "mentee", "expect": SIGNED_IN},
        "pair_space": {
            "paths": [f"/mentorships/{info['meetings_pair_id']}/"],
            "as": "pair_mentee",
            "expect": r"Meeting \d+: went through the CV",
        },
        "inbox": {"paths": ["/messages/"], "as": "mentee", "expect": rf"{SIGNED_IN}[\s\S]*{pair}"},
        f"conversation_{CONVERSATION_MESSAGES}": {
            "paths": [pair],
            "as": "mentee",
            "expect": r"Message \d+: notes on the CV",
        },
        "dashboard": {
            "paths": ["/admin/"],
            "as": "coordinator",
            "expect": r"Mentoring scheme administration[\s\S]*/admin/logout/",
        },
    }


def preflight(port: int, name: str, scenario: dict, cookie: str) -> None:
    """Every path answers 200 with the page's expected content to the scenario's person."""
    for path in scenario["paths"]:
        status, body = get(port, path, cookie)
        if status != 200:
            raise SystemExit(f"{name}: GET {path} answered {status}, not 200.")
        if not re.search(scenario["expect"], body):
            raise SystemExit(
                f"{name}: GET {path} is not the expected page (no match for "
                f"{scenario['expect']!r}); it begins:\n{body[:500]}"
            )


def bench_size(args, wrk: str, server: str, size: int, static_root: str, logs: Path) -> dict:
    db = ensure_database(server, size, rebuild=args.rebuild, prefix=args.db_prefix)
    secret_key = secrets.token_urlsafe(50)
    db_url = database_url(server, db["database"])
    env = app_env(
        db_url,
        debug=False,
        secret_key=secret_key,
        static_root=static_root,
    )
    redis_binary = shutil.which("redis-server")
    redis = Redis(redis_binary, logs) if redis_binary else None
    if redis:
        env["REDIS_URL"] = redis.url
    else:
        say("redis-server is missing: the app caches in its database (each cached read a query).")
    try:
        return _bench_size(args, wrk, size, db, db_url, env, redis, logs)
    finally:
        if redis:
            redis.stop()


def _bench_size(args, wrk, size, db, db_url, env, redis, logs: Path) -> dict:
    info = prepare(env)
    results: dict = {"cache": "redis (private)" if redis else "database"}

    def start(wsgi: str, log: str) -> Server:
        proc = Server(
            env,
            workers=args.workers,
            worker_class=args.worker_class,
            threads=args.threads,
            log=logs / log,
            wsgi=wsgi,
        )
        proc.wait_ready()
        return proc

    def measure(
        proc: Server, meter: CpuMeter, paths: list[str], cookie: str, *, connections: int, rate=0
    ) -> dict:
        if args.warmup and not rate:
            run_wrk(wrk, proc.port, paths, cookie, seconds=args.warmup, connections=connections)
        before = meter.snapshot()
        stats = run_wrk(
            wrk, proc.port, paths, cookie, seconds=args.duration, connections=connections, rate=rate
        )
        stats.update(meter.report(before, meter.snapshot(), stats["requests"]))
        return stats

    def measure_r0(name: str) -> dict:
        """R0 on its own gunicorn (the same settings), the app's server stopped meanwhile."""
        proc = start("bench.r0.wsgi", f"gunicorn-r0-{size}.log")
        try:
            preflight(proc.port, name, {"paths": ["/bench/ping"], "expect": r"^pong$"}, "")
            stats = measure(proc, CpuMeter(proc), ["/bench/ping"], "", connections=args.connections)
        finally:
            proc.stop()
        say(_row(size, name, stats))
        for line in busy_warnings(name, stats):
            say(line)
        return stats

    results["r0_start"] = measure_r0("r0_start")
    app = start("mentoring.wsgi", f"gunicorn-{size}.log")
    try:
        meter = CpuMeter(app, db_url, db["database"], redis.process.pid if redis else None)
        baseline = results["r0_start"]["max_rps"]
        for name, scenario in scenarios(info).items():
            cookie = info["cookies"][scenario["as"]]
            preflight(app.port, name, scenario, cookie)
            stats = measure(app, meter, scenario["paths"], cookie, connections=args.connections)
            stats["r0_ratio"] = r0_ratio(stats["max_rps"], baseline)
            results[name] = stats
            say(_row(size, name, stats))
            for line in busy_warnings(name, stats):
                say(line)
        name = f"directory_search_at_{args.rate:g}rps"
        results[name] = measure(
            app,
            meter,
            search_paths(),
            info["cookies"]["mentee"],
            connections=args.rate_connections,
            rate=args.rate,
        )
        say(_row(size, f"directory_search @{args.rate:g}/s", results[name]))
        for line in busy_warnings(name, results[name]):
            say(line)
        # After every scenario: what a worker holds once it has served every page.
        results["worker_rss_mb"] = app.worker_rss_mb()
    finally:
        app.stop()
    results["r0_end"] = measure_r0("r0_end")
    results["r0"] = r0_summary(results["r0_start"]["max_rps"], results["r0_end"]["max_rps"])
    # The ratios use R0's mean over the start and the end of the run, so a drift in the
    # machine's speed during it is shared between the scenarios rather than all charged to the
    # later ones; `r0.drift_pct` says how large it was.
    # The same ratio from CPU cost alone (the rate the app and its database would reach on
    # every core, over R0's): it hardly moves with what else the machine runs, where the rates do.
    r0_cpu = [results[k].get("cpu_bound_rps") or 0 for k in ("r0_start", "r0_end")]
    results["r0"]["cpu_bound_rps"] = round(sum(r0_cpu) / 2, 1) if all(r0_cpu) else None
    for name in scenarios(info):
        results[name]["r0_ratio"] = r0_ratio(results[name]["max_rps"], results["r0"]["rps"])
        results[name]["r0_cpu_ratio"] = r0_ratio(
            results[name].get("cpu_bound_rps"), results["r0"]["cpu_bound_rps"]
        )
    say(
        f"{size:>8,}  R0 {results['r0']['rps']:,.0f} rps (start {results['r0']['start_rps']:,.0f},"
        f" end {results['r0']['end_rps']:,.0f}, drift {results['r0']['drift_pct']:+.0f}%);"
        f" worker RSS after the run: {', '.join(f'{m:.0f}' for m in results['worker_rss_mb'])} MB"
    )
    if abs(results["r0"]["drift_pct"]) > 15:
        say(
            f"WARNING: R0 drifted {results['r0']['drift_pct']:+.0f}% between the start and the end "
            "of the run: the machine's speed changed; ratios are less certain."
        )
    rows_plans = [p for p in info["plans"] if p["query"] == "rank"]
    results["database"] = {
        **db,
        "mentor_profiles": info["mentor_profiles"],
        "listed_mentors": info["listed_all_programmes"],
        "programme": PROGRAMME,
        "listed_mentors_in_programme": info["listed"],
    }
    results["search_plans"] = [
        {k: v for k, v in p.items() if k not in {"plan", "sql"}} for p in info["plans"]
    ]
    results["search_uses_gin_index"] = bool(rows_plans) and all(
        "mentor_search_gin" in p["indexes"] for p in rows_plans
    )
    (logs / f"plans-{size}.json").write_text(json.dumps(info["plans"], indent=1))
    return results


# Ratios and checks (pure functions, tested in tests/bench/test_run.py) ------------------------


def r0_ratio(rps: float | None, r0_rps: float | None) -> float | None:
    """A rate as a share of R0's, to three places; None without both."""
    if not rps or not r0_rps:
        return None
    return round(rps / r0_rps, 3)


def r0_summary(start_rps: float, end_rps: float) -> dict:
    """R0 measured at the start and at the end of a size's run: the mean the ratios use and the
    drift between the two, %."""
    mean = (start_rps + end_rps) / 2
    return {
        "rps": round(mean, 1),
        "start_rps": start_rps,
        "end_rps": end_rps,
        "drift_pct": round(100 * (end_rps - start_rps) / start_rps, 1) if start_rps else 0.0,
    }


def busy_warnings(name: str, stats: dict) -> list[str]:
    """Plain warnings when other processes took a large share of the CPU during a scenario
    (or tasks waited for a CPU much of the time): its figures say more about the machine."""
    lines = []
    others = stats.get("others_cpu_pct")
    if others is not None and others > BUSY_OTHERS_PCT:
        lines.append(
            f"WARNING: other processes took {others:.0f}% of the machine's CPU during {name}; "
            "its rate is lower than this app gets on a quiet machine."
        )
    pressure = stats.get("cpu_pressure_avg10")
    if pressure is not None and pressure > BUSY_PRESSURE_PCT:
        lines.append(
            f"WARNING: during {name} some task waited for a CPU {pressure:.0f}% of the time "
            "(/proc/pressure/cpu)."
        )
    return lines


# Reporting ---------------------------------------------------------------------------------

HEADER = (
    f"{'mentors':>8}  {'scenario':<24} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'rps':>7}"
    f" {'x R0':>6} {'app cpu':>8} {'db cpu':>7} {'cpu-bound':>9} {'others':>7}\n"
    f"{'':>8}  {'':<24} {'':>8} {'':>8} {'':>8} {'':>7} {'':>6} {'ms/req':>8} {'ms/req':>7}"
    f" {'rps':>9} {'cpu %':>7}"
)


def _row(size: int, name: str, stats: dict) -> str:
    rps = stats.get("max_rps", stats.get("achieved_rps"))

    def num(key: str, width: int) -> str:
        value = stats.get(key)
        return f"{value:>{width}.1f}" if isinstance(value, int | float) else f"{'-':>{width}}"

    ratio = f"{stats['r0_ratio']:.2f}" if stats.get("r0_ratio") is not None else "-"
    extra = ""
    if stats.get("errors"):
        extra += f"  errors {stats['errors']}"
    if stats.get("sustained") is False:
        extra += f"  NOT sustained: {stats['achieved_rps']:g} of {stats['offered_rps']:g}/s"
    if stats.get("late_sends"):
        extra += f"  {stats['late_sends']} sends late (max {stats['max_lag_ms']:.0f} ms)"
    return (
        f"{size:>8,}  {name:<24} {stats['p50_ms']:>8.1f} {stats['p95_ms']:>8.1f} "
        f"{stats['p99_ms']:>8.1f} {rps:>7.0f} {ratio:>6} {num('app_cpu_ms_per_request', 8)} "
        f"{num('db_cpu_ms_per_request', 7)} {num('cpu_bound_rps', 9)} "
        f"{num('others_cpu_pct', 7)}{extra}"
    )


def machine() -> dict:
    cpu = ""
    with contextlib.suppress(OSError):
        match = re.search(r"model name\s*:\s*(.*)", Path("/proc/cpuinfo").read_text())
        cpu = match.group(1).strip() if match else ""
    memory = ""
    with contextlib.suppress(OSError):
        match = re.search(r"MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text())
        memory = f"{int(match.group(1)) / 1024 / 1024:.1f} GiB" if match else ""
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory": memory,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def versions(wrk: str, server: str) -> dict:
    import django
    import gunicorn

    wrk_version = subprocess.run([wrk, "-v"], capture_output=True, text=True).stdout.split()
    with connect(database_url(server, "postgres")) as conn:
        postgres = conn.execute("SHOW server_version").fetchone()[0]
    commit = subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    return {
        "django": django.get_version(),
        "gunicorn": gunicorn.__version__,
        "postgres": postgres,
        "wrk": wrk_version[1] if len(wrk_version) > 1 else "",
        "commit": commit,
    }


def checks(sizes: dict, rate: float) -> dict:
    """The issue's targets at the largest size: each scenario's rate as a share of R0's, the
    search's p95 at the offered rate, and the workers' memory after the run."""
    size = str(max(int(s) for s in sizes))
    at = sizes[size]
    ratios = {}
    for name, target in TARGET_RATIOS.items():
        stats = at.get(name)
        if stats is None:
            continue
        ratio = stats.get("r0_ratio")
        ratios[name] = {
            "rps": stats.get("max_rps"),
            "r0_ratio": ratio,
            "r0_cpu_ratio": stats.get("r0_cpu_ratio"),
            "target": target,
            "ok": ratio is not None and ratio >= target,
        }
    search = at.get(f"directory_search_at_{rate:g}rps", {})
    rss = at.get("worker_rss_mb") or []
    return {
        "size": int(size),
        "r0_rps": (at.get("r0") or {}).get("rps"),
        "ratios": ratios,
        "search_p95_ms_at_offered_rate": search.get("p95_ms"),
        "search_p95_target_ms": TARGET_SEARCH_P95_MS,
        "search_offered_rps": rate,
        "search_rate_sustained": search.get("sustained"),
        "search_p95_ok": rate >= TARGET_SEARCH_RATE
        and bool(search.get("sustained"))
        and search.get("p95_ms", 1e9) <= TARGET_SEARCH_P95_MS
        and not search.get("errors"),
        "worker_rss_mb": max(rss) if rss else None,
        "worker_rss_target_mb": TARGET_WORKER_RSS_MB,
        "worker_rss_ok": bool(rss) and max(rss) <= TARGET_WORKER_RSS_MB,
    }


def check_lines(c: dict) -> list[str]:
    """The checks as the run prints them: OK, or MISSED with the figure and the target."""

    def verdict(ok: bool) -> str:
        return "OK" if ok else "MISSED"

    lines = [f"At {c['size']:,} mentors (R0: {c['r0_rps'] or 0:,.0f} rps):"]
    for name, r in c["ratios"].items():
        ratio = "-" if r["r0_ratio"] is None else f"{r['r0_ratio']:.2f}"
        by_cpu = "" if r.get("r0_cpu_ratio") is None else f"; by CPU cost {r['r0_cpu_ratio']:.2f}"
        lines.append(
            f"  {name:<24} {ratio:>5} x R0 (target >= {r['target']:g}{by_cpu}) {verdict(r['ok'])}"
        )
    sustained = "" if c["search_rate_sustained"] else " (rate NOT sustained)"
    lines.append(
        f"  search p95 at {c['search_offered_rps']:g} rps offered: "
        f"{c['search_p95_ms_at_offered_rate']} ms (target <= {c['search_p95_target_ms']:g} ms)"
        f"{sustained} {verdict(c['search_p95_ok'])}"
    )
    lines.append(
        f"  worker RSS after the run: {c['worker_rss_mb']} MB "
        f"(target <= {c['worker_rss_target_mb']:g} MB) {verdict(c['worker_rss_ok'])}"
    )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        default=",".join(str(s) for s in DEFAULT_SIZES),
        help="comma-separated mentor counts (default: %(default)s)",
    )
    parser.add_argument("--duration", type=float, default=10, help="seconds per scenario")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of warm-up per scenario")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=2, help="threads per gthread worker")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (closed loop)")
    parser.add_argument("--rate", type=float, default=TARGET_SEARCH_RATE, help="offered search rps")
    parser.add_argument(
        "--rate-connections",
        type=int,
        help="wrk connections for the offered rate (default: twice the workers, at least 4)",
    )
    parser.add_argument("--rebuild", action="store_true", help="rebuild the bench databases")
    parser.add_argument(
        "--db-prefix",
        default=DB_PREFIX,
        help="bench databases are <prefix>_<size> (default: BENCH_DB_PREFIX or %(default)s)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        help="results file (default: bench/results/latest.json for the default sizes, "
        "else bench/results/sizes-<sizes>.json)",
    )
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        prepare_in_django()
        return

    sizes = sorted({int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()})
    workers = args.workers * (args.threads if args.worker_class == "gthread" else 1)
    args.rate_connections = args.rate_connections or max(4, 2 * workers)
    output = args.output or (
        RESULTS / "latest.json"
        if tuple(sizes) == DEFAULT_SIZES
        else RESULTS / f"sizes-{'-'.join(map(str, sizes))}.json"
    )
    started = time.monotonic()
    wrk = ensure_wrk()
    server = server_url()
    report: dict = {
        "sizes": {},
        "search_uses_gin_index": None,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "settings": {
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "gunicorn": f"{args.workers} {args.worker_class} workers"
            + (f" x {args.threads} threads" if args.worker_class == "gthread" else ""),
            "closed_loop": f"wrk -t1 -c{args.connections}",
            "open_loop": f"wrk -t1 -c{args.rate_connections}, starts scheduled at "
            f"{args.rate:g}/s (bench/wrk.lua)",
            "directory": f"/mentors/?programme={PROGRAMME}",
            "searches": search_paths(),
            "profiles": f"{PROFILES} listed mentors of {PROGRAMME}, in turn",
            "signed_in_as": f"{MENTEE} (the homes: also {MENTOR}; pair space: a seeded pair's "
            f"mentee; dashboard: {COORDINATOR})",
        },
        "machine": machine(),
        "versions": versions(wrk, server),
    }
    with tempfile.TemporaryDirectory(prefix="mentoring-bench-") as tmp:
        tmp_path = Path(tmp)
        static_root = str(tmp_path / "static")
        say("Collecting static files (DEBUG=0 serves them through WhiteNoise's manifest)")
        manage(
            ["collectstatic", "--noinput", "-v", "0"],
            app_env(
                database_url(server, "postgres"),
                debug=False,
                secret_key="collectstatic",
                static_root=static_root,
            ),
        )
        say()
        say(HEADER)
        for size in sizes:
            report["sizes"][str(size)] = bench_size(args, wrk, server, size, static_root, tmp_path)
        # Plans stay with the run's other files for anyone who wants them.
        RESULTS.mkdir(parents=True, exist_ok=True)
        for plan in tmp_path.glob("plans-*.json"):
            shutil.copy(plan, RESULTS / plan.name)
    largest = report["sizes"][str(max(sizes))]
    report["search_uses_gin_index"] = largest.pop("search_uses_gin_index")
    report["search_uses_gin_index_at"] = max(sizes)
    for size in sizes[:-1]:
        report["sizes"][str(size)].pop("search_uses_gin_index")
    report["checks"] = checks(report["sizes"], args.rate)
    others = [
        stats["others_cpu_pct"]
        for size in report["sizes"].values()
        for stats in size.values()
        if isinstance(stats, dict) and stats.get("others_cpu_pct") is not None
    ]
    report["machine"]["others_cpu_pct_mean"] = (
        round(sum(others) / len(others), 1) if others else None
    )
    report["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    report["total_seconds"] = round(time.monotonic() - started, 1)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2) + "\n")

    say()
    say("Final table (ratios to R0's mean over the start and end of each size's run):")
    say(HEADER)
    for size, stats_by_name in report["sizes"].items():
        for name, stats in stats_by_name.items():
            if isinstance(stats, dict) and "p50_ms" in stats:
                say(_row(int(size), name, stats))
    say()
    for line in check_lines(report["checks"]):
        say(line)
    say(f"  search uses mentor_search_gin: {report['search_uses_gin_index']}")
    busy = report["machine"]["others_cpu_pct_mean"]
    if busy and busy > 15:
        say(
            f"Warning: other processes took {busy:.0f}% of the machine's CPU during the run; "
            "latencies and rates are lower than this app gets on a quiet machine."
        )
    shown = output.resolve()
    shown = shown.relative_to(ROOT) if shown.is_relative_to(ROOT) else shown
    say(f"Wrote {shown} in {report['total_seconds']:.0f}s.")


if __name__ == "__main__":
    main()
