"""Scheduled jobs over 100,000 mentorships: the queries one run makes, whatever is due, and time.

Builds (once) a database `mentoring_bench_jobs` with 20,000 mentors, 20,000 mentees, 100,000
mentorships started over two years, held and planned meetings and 20,000 waiting requests. Each
job then runs twice with different amounts due (a different day, or a different setting), inside
a transaction that is rolled back, so the data set is reused. The number of queries must be the
same in both runs. Prints a table, writes bench/results/jobs.json and adds a "jobs" key to
bench/results/latest.json when it exists.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DB_NAME = "mentoring_bench_jobs"
MENTORSHIPS = 100_000
PEOPLE = 20_000
CPU_MS_PER_EMAIL_TARGET = 1.0
EMAILS_FOR_TARGET = 1_000


def _server_url() -> str:
    base = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if not base:
        return "postgres://postgres@127.0.0.1:5432/"
    parts = urlsplit(base)
    return urlunsplit((parts.scheme, parts.netloc, "/", parts.query, ""))


def _db_url() -> str:
    parts = urlsplit(_server_url())
    return urlunsplit((parts.scheme, parts.netloc, f"/{DB_NAME}", parts.query, ""))


def _manage(*args: str) -> None:
    env = {**os.environ, "DATABASE_URL": _db_url(), "DEBUG": "1"}
    env.pop("REDIS_URL", None)
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def _psql_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(_server_url().rstrip("/") + "/postgres", autocommit=True) as conn:
        conn.execute(sql)


def _prepare() -> None:
    """Create the data set unless it is already there."""
    import psycopg

    try:
        with psycopg.connect(_db_url()) as conn:
            count = conn.execute("SELECT count(*) FROM matching_mentorship").fetchone()[0]
        if count >= MENTORSHIPS:
            return
    except psycopg.Error:
        pass
    _psql_admin(f'DROP DATABASE IF EXISTS "{DB_NAME}"')
    _psql_admin(f'CREATE DATABASE "{DB_NAME}"')
    _manage("migrate", "--noinput", "-v0")
    _manage(
        "seed_demo", "--mentors", str(PEOPLE), "--mentees", str(PEOPLE), "--seed", "1", "--force"
    )
    with psycopg.connect(_db_url()) as conn:
        for statement in _EXTRA_DATA_SQL.split(";\n\n"):
            conn.execute(statement, {"pairs": MENTORSHIPS})
        conn.execute("ANALYZE")


# Mentorship i pairs mentor i % 20,000 with mentee i // 5: unique pairs, five mentees a mentor.
_EXTRA_DATA_SQL = """
WITH mentors AS (
  SELECT user_id, row_number() OVER (ORDER BY user_id) - 1 AS n FROM profiles_mentorprofile
), mentees AS (
  SELECT user_id, row_number() OVER (ORDER BY user_id) - 1 AS n FROM profiles_menteeprofile
), programmes AS (
  SELECT array_agg(id ORDER BY id) AS ids FROM profiles_programme
), pairs AS (
  SELECT i, mr.user_id AS mentor_id, me.user_id AS mentee_id,
         p.ids[1 + i %% cardinality(p.ids)] AS programme_id
  FROM generate_series(0, %(pairs)s - 1) AS i
  JOIN mentors mr ON mr.n = i %% (SELECT count(*) FROM mentors)
  JOIN mentees me ON me.n = (i / 5) %% (SELECT count(*) FROM mentees)
  CROSS JOIN programmes p
)
INSERT INTO matching_mentorship (mentor_id, mentee_id, programme_id, status, started_at,
                                 end_reason, end_message, feedback_comment)
SELECT mentor_id, mentee_id, programme_id, 'active',
       now() - make_interval(days => (i %% 730)::int, hours => (i %% 24)::int), '', '', ''
FROM pairs
ON CONFLICT DO NOTHING;

UPDATE profiles_mentorprofile SET capacity = 10;

INSERT INTO sessions_log_meeting (mentorship_id, status, starts_at, time_zone, duration_minutes,
    format, location, agenda, summary, next_steps, uid, sequence, created_at, updated_at)
SELECT m.id, 'held', now() - make_interval(days => ((m.id * 37) %% 90)::int), 'Europe/London', 60,
       'video', '', '', 'Talked about the plan.', '', gen_random_uuid(), 0, now(), now()
FROM matching_mentorship m WHERE m.id %% 5 <> 0;

INSERT INTO sessions_log_meeting (mentorship_id, status, starts_at, time_zone, duration_minutes,
    format, location, agenda, summary, next_steps, uid, sequence, created_at, updated_at)
SELECT m.id, 'planned', now() + make_interval(hours => (m.id %% 96)::int), 'Europe/London', 60,
       'video', '', 'Next steps', '', '', gen_random_uuid(), 0, now(), now()
FROM matching_mentorship m WHERE m.id %% 10 = 0;

INSERT INTO matching_mentorshiprequest (mentee_id, mentor_id, programme_id, message, status,
    decline_reason, response_message, closing_note, created_at, reminders_sent)
SELECT me.user_id, mr.user_id, p.ids[1 + me.n %% cardinality(p.ids)],
       'Could you mentor me? I hope to move into a new sector.',
       'pending', '', '', '', now() - make_interval(days => (me.n %% 20)::int, hours => (me.n %% 24)::int), 0
FROM (SELECT user_id, row_number() OVER (ORDER BY user_id) AS n FROM profiles_menteeprofile) me
JOIN (SELECT user_id, row_number() OVER (ORDER BY user_id) AS n FROM profiles_mentorprofile) mr
  ON mr.n = (me.n * 3 + 7) %% 20000 + 1
CROSS JOIN (SELECT array_agg(id ORDER BY id) AS ids FROM profiles_programme) p
ON CONFLICT DO NOTHING;
"""


@contextmanager
def _rolled_back():
    from django.db import transaction

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            yield
            raise Rollback
    except Rollback:
        pass


def _counting(queries: list[str]):
    def execute(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    return execute


def _measure(job, profiler=None, **settings_values) -> dict:
    from django.core.cache import cache
    from django.db import connection

    from mentoring import wording
    from mentoring.models import Outbox, SchemeSettings
    from profiles.models import Programme

    SchemeSettings.load()  # make sure the record exists before changing it
    with _rolled_back():
        if settings_values:
            # The jobs read each programme's rules; the scheme settings are their defaults.
            SchemeSettings.objects.filter(pk=1).update(**settings_values)
            Programme.objects.update(**settings_values)
        cache.clear()
        wording.clear()  # the emails' words are read once per run, in every run
        SchemeSettings.load()  # warm: the settings' cache miss is not the job's
        emails_before = Outbox.objects.count()
        # Counted without Django's debug cursor, which formats every statement (a 15,000-row
        # INSERT included) and would be measured as the job's own work.
        queries: list[str] = []
        with connection.execute_wrapper(_counting(queries)):
            started, cpu_started = time.perf_counter(), time.process_time()
            if profiler is not None:
                profiler.start()
            try:
                done = job()
            finally:
                if profiler is not None:
                    profiler.stop()
            seconds = time.perf_counter() - started
            cpu = time.process_time() - cpu_started
        emails = Outbox.objects.count() - emails_before
    cache.clear()
    return {
        "done": done,
        "emails": emails,
        "queries": len(queries),
        "seconds": round(seconds, 2),
        # This process's CPU (building, rendering and writing the emails), not Postgres's: on a
        # shared machine the wall-clock seconds include waiting for a core.
        "cpu_seconds": round(cpu, 3),
        "cpu_ms_per_email": round(cpu * 1000 / emails, 3) if emails else None,
    }


def _jobs():
    from django.utils import timezone

    from matching import jobs as matching
    from profiles import jobs as profiles
    from sessions_log import jobs as reminders

    now = timezone.now()
    august = now.replace(month=8, day=3)
    march = now.replace(year=now.year + 1, month=3, day=3)  # lapsed: not confirmed in a year
    return [
        (
            "remind_unanswered_requests",
            lambda: matching.remind_unanswered_requests(now=now),
            {},
            lambda: matching.remind_unanswered_requests(now=now),
            {"request_first_reminder_days": 1},
        ),
        (
            "expire_requests",
            lambda: matching.expire_requests(now=now),
            {},
            lambda: matching.expire_requests(now=now),
            {"request_expiry_days": 10},
        ),
        (
            "send_check_ins",
            lambda: reminders.send_check_ins(now=now),
            {},
            lambda: reminders.send_check_ins(now=now + timedelta(days=200)),
            {},
        ),
        (
            "remind_upcoming_meetings",
            lambda: reminders.remind_upcoming_meetings(now=now),
            {},
            lambda: reminders.remind_upcoming_meetings(now=now),
            {"meeting_reminder_days": 3},
        ),
        (
            "nudge_quiet_pairs",
            lambda: reminders.nudge_quiet_pairs(now=now),
            {"no_meeting_nudge_days": 400},
            lambda: reminders.nudge_quiet_pairs(now=now),
            {"no_meeting_nudge_days": 200},
        ),
        (
            "ask_mentors_to_confirm",
            lambda: profiles.ask_mentors_to_confirm(now=march),
            {},
            lambda: profiles.ask_mentors_to_confirm(now=august),
            {},
        ),
    ]


def _profile(name: str, *, show_all: bool = False) -> None:
    from pyinstrument import Profiler

    jobs = {job[0]: job for job in _jobs()}
    if name not in jobs:
        sys.exit(f"No job {name!r}; one of: {', '.join(jobs)}")
    _, first, first_settings, *_ = jobs[name]
    profiler = Profiler(interval=0.0005)
    run = _measure(first, profiler=profiler, **first_settings)
    print(
        f"{name}: {run['emails']} emails, {run['cpu_ms_per_email']} ms of CPU each under the "
        "profiler (which costs time of its own: not a figure for the target)"
    )
    print(profiler.output_text(unicode=True, color=False, show_all=show_all))
    report = RESULTS / f"profile-job-{name}.html"
    report.write_text(profiler.output_html())
    print(f"HTML report: {report.relative_to(ROOT)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=RESULTS / "jobs.json")
    parser.add_argument(
        "--profile",
        metavar="JOB",
        help="run only JOB's first variant under pyinstrument and print where the time goes",
    )
    parser.add_argument(
        "--all-frames", action="store_true", help="with --profile: Django's frames too"
    )
    args = parser.parse_args()

    _prepare()
    os.environ["DATABASE_URL"] = _db_url()
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentoring.settings")
    # The production profile, as the scheduled jobs run: DEBUG=0, so its keys are required.
    os.environ.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        MFA_ENCRYPTION_KEY=Fernet.generate_key().decode(),
        ALLOWED_HOSTS="127.0.0.1",
        LOG_LEVEL="WARNING",
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - import the URLconf once, before any job is timed

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM matching_mentorship WHERE status = 'active'")
        pairs = cursor.fetchone()[0]

    if args.profile:
        _profile(args.profile, show_all=args.all_frames)
        return

    results = {}
    print(f"Scheduled jobs over {pairs:,} active mentorships (each run rolled back)")
    print(
        f"{'job':28} {'run':>5} {'due':>8} {'emails':>8} {'queries':>8} {'seconds':>8}"
        f" {'CPU ms/email':>13}"
    )
    for name, first, first_settings, second, second_settings in _jobs():
        a = _measure(first, **first_settings)
        b = _measure(second, **second_settings)
        results[name] = {"runs": [a, b], "constant_queries": a["queries"] == b["queries"]}
        for label, run in (("1", a), ("2", b)):
            per_email = "–" if run["cpu_ms_per_email"] is None else run["cpu_ms_per_email"]
            print(
                f"{name:28} {label:>5} {run['done']:>8} {run['emails']:>8} {run['queries']:>8}"
                f" {run['seconds']:>8} {per_email:>13}"
            )
    ok = all(r["constant_queries"] for r in results.values())
    print("Query counts constant whatever is due:", "yes" if ok else "NO")
    # The target is for runs that queue enough emails for the fixed cost of the run's queries
    # to be shared out.
    big = [run for r in results.values() for run in r["runs"] if run["emails"] >= EMAILS_FOR_TARGET]
    worst = max((run["cpu_ms_per_email"] for run in big), default=None)
    met = worst is not None and worst <= CPU_MS_PER_EMAIL_TARGET
    if worst is None:
        print(f"CPU per email queued: not measured (no run queued {EMAILS_FOR_TARGET:,} emails)")
    else:
        print(
            f"CPU per email queued, runs of {EMAILS_FOR_TARGET:,} or more: worst {worst} ms "
            f"(target ≤ {CPU_MS_PER_EMAIL_TARGET} ms: {'OK' if met else 'MISSED'})"
        )

    payload = {
        "mentorships": pairs,
        "jobs": results,
        "all_constant": ok,
        "worst_cpu_ms_per_email": worst,
        "cpu_ms_per_email_target_met": met,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(payload, indent=2) + "\n")
    latest = RESULTS / "latest.json"
    if latest.exists():
        data = json.loads(latest.read_text())
        data["jobs"] = payload
        latest.write_text(json.dumps(data, indent=2) + "\n")
    if not ok:
        sys.exit("A job's query count grew with the number of rows due.")


if __name__ == "__main__":
    main()
