"""Queries and time of the scheme administrator's pages on a seeded database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mentoring_bench_100000 \\
        .venv/bin/python bench/admin_queries.py [--repeat 5] [--as coordinator@demo.test]

The database is one `bench/run.py` made with `seed_demo` (it holds admin@demo.test), migrated to
this checkout. The script signs in as that administrator with Django's test Client, under
production settings (DEBUG=0, no two-factor check: the script has no authenticator), opens the
big admin lists (unfiltered and with their "needs attention" filter) and the reports page, and
prints for each: the number of queries, the median and fastest time over --repeat runs after a
warm-up, and the slowest query. `--as coordinator@demo.test` reads the same pages as the demo's
coordinator of the staff programme, whose lists and reports hold that programme's rows only.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import time
import warnings
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
ADMIN = "admin@demo.test"
PAGES = [
    ("requests", "/admin/matching/mentorshiprequest/"),
    ("requests waiting a week", "/admin/matching/mentorshiprequest/?attention=waiting"),
    ("mentorships", "/admin/matching/mentorship/"),
    ("pairs with no meeting", "/admin/matching/mentorship/?attention=no_meeting"),
    ("mentor profiles", "/admin/profiles/mentorprofile/"),
    ("mentor review queue", "/admin/profiles/mentorprofile/?review=queue"),
    ("mentee profiles", "/admin/profiles/menteeprofile/"),
    ("mentees unmatched", "/admin/profiles/menteeprofile/?attention=unmatched"),
    ("reports (12 months)", "/admin/reports/"),
    ("reports CSV", "/admin/reports/?format=csv"),
]


def say(message: str) -> None:
    sys.stdout.write(message + "\n")
    sys.stdout.flush()


def setup_django() -> None:
    if not os.environ.get("DATABASE_URL"):
        sys.exit("Set DATABASE_URL to a database seeded by bench/run.py (seed_demo).")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="mentoring.settings",
        DEBUG="0",
        SECRET_KEY=os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        MFA_ENCRYPTION_KEY=os.environ.get("MFA_ENCRYPTION_KEY") or Fernet.generate_key().decode(),
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="0",
        MFA_REQUIRED_FOR_STAFF="0",
        LOG_LEVEL="WARNING",
    )
    sys.path.insert(0, str(ROOT))
    warnings.filterwarnings("ignore", "No directory at", UserWarning)  # no collectstatic here
    import django

    django.setup()


def check_migrated() -> None:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        sys.exit(f"{connection.settings_dict['NAME']} needs `manage.py migrate` first.")


def measure(client, url: str, repeat: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def fetch():
        response = client.get(url)
        if response.status_code != 200:
            sys.exit(f"{url}: HTTP {response.status_code}")
        if response.streaming:
            b"".join(response.streaming_content)
        return response

    fetch()  # warm-up: connections, caches, the scheme settings
    times = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            fetch()
            times.append((time.perf_counter() - started) * 1000)
    slowest = max(queries.captured_queries, key=lambda q: float(q["time"]))
    return {
        "queries": len(queries),
        "median_ms": statistics.median(times),
        "min_ms": min(times),
        "slowest_ms": float(slowest["time"]) * 1000,
        "slowest_sql": " ".join(slowest["sql"].split())[:100],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per page (default 5)")
    parser.add_argument(
        "--as",
        dest="email",
        default=ADMIN,
        help="the staff account to read the pages as (default %(default)s)",
    )
    args = parser.parse_args()
    setup_django()
    check_migrated()

    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    # Plain static URLs: no collectstatic manifest needed, and nothing a query depends on.
    override_settings(
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    ).enable()

    from accounts.models import User
    from matching.models import Mentorship, MentorshipRequest
    from profiles.models import MenteeProfile, MentorProfile

    admin = User.objects.filter(email=args.email, is_staff=True).first()
    if admin is None:
        sys.exit(f"No staff account {args.email}: seed the database with `manage.py seed_demo`.")
    client = Client()
    client.force_login(admin)

    sizes = {
        "requests": MentorshipRequest.objects.count(),
        "mentorships": Mentorship.objects.count(),
        "mentor profiles": MentorProfile.objects.count(),
        "mentee profiles": MenteeProfile.objects.count(),
    }
    say(
        f"{connection.settings_dict['NAME']}: "
        + ", ".join(f"{n:,} {k}" for k, n in sizes.items())
        + f"; as {admin.email}"
    )
    say(f"{'page':26} {'queries':>7} {'median ms':>10} {'min ms':>8} {'slowest query':>14}")
    for name, url in PAGES:
        m = measure(client, url, args.repeat)
        say(
            f"{name:26} {m['queries']:>7} {m['median_ms']:>10.1f} {m['min_ms']:>8.1f} "
            f"{m['slowest_ms']:>11.1f} ms  {m['slowest_sql']}"
        )


if __name__ == "__main__":
    main()
