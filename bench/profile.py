"""`make profile PAGE=/mentors/?programme=careers [AS=mentee@demo.test] [N=200]`: where one page's
time goes, in-process.

Builds the app as `make bench` serves it (bench.settings, DEBUG=0, a random SECRET_KEY, static
files collected for WhiteNoise's manifest) against a bench database made by `make bench`
(`mentoring_bench_100000` unless --size or --database-url says otherwise), signs in as a demo
account with the test Client (`force_login`), warms up, then:

- counts the page's queries (the median over the warm-up requests),
- times N requests without a profiler (ms per request: what the page costs in-process, without
  gunicorn, the network or the load generator),
- times N more under pyinstrument, prints the top of the call tree and the functions with the
  most time of their own, and writes the full HTML report to bench/results/profile-<page>.html.

Signing in writes a session and the account's last_login in that database (throwaway data).
See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this file's folder leads sys.path, and this module would shadow the standard
# library's `profile` (which cProfile imports): the project's root takes that place instead.
if sys.path and Path(sys.path[0] or ".").resolve() == ROOT / "bench":
    sys.path[0] = str(ROOT)
elif str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import run  # noqa: E402 - the bench's database naming and app environment

RESULTS = ROOT / "bench" / "results"
STATIC = RESULTS / "static"  # collected once, then updated (git-ignored)
DEFAULT_SIZE = 100_000


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", help="the path to profile, e.g. /mentors/?programme=careers")
    parser.add_argument(
        "--as",
        dest="email",
        default=run.MENTEE,
        help="the demo account signed in (default: %(default)s; 'anonymous' for nobody)",
    )
    parser.add_argument("-n", type=int, default=200, help="requests timed and profiled")
    parser.add_argument("--warmup", type=int, default=20, help="requests before measuring")
    parser.add_argument(
        "--size",
        type=int,
        default=DEFAULT_SIZE,
        help="the bench database of this many mentors (default: %(default)s; make bench builds it)",
    )
    parser.add_argument(
        "--db-prefix", default=run.DB_PREFIX, help="bench database prefix (as make bench's)"
    )
    parser.add_argument(
        "--database-url",
        help="profile against this database instead (e.g. the development database)",
    )
    parser.add_argument("--top", type=int, default=60, help="lines of the call tree printed")
    parser.add_argument(
        "--templates",
        action="store_true",
        help="instead of the profiler: each template's time per request, own and with what it "
        "includes (no profiler overhead)",
    )
    parser.add_argument(
        "--queries",
        action="store_true",
        help="instead of the profiler: each query of one request, where the page makes it, its "
        "columns and rows, the CPU spent before it since the previous one (building and "
        "compiling it, and handling the previous one's rows) and its time in the database",
    )
    parser.add_argument("--output", type=Path, help="HTML report (default: bench/results/...)")
    args = parser.parse_args(argv)
    if args.n < 1 or args.warmup < 0:
        parser.error("-n must be at least 1 and --warmup at least 0")
    if not args.page.startswith("/"):
        parser.error("the page is a path starting with /")
    return args


def report_path(page: str) -> Path:
    """bench/results/profile-<the page as a file name>.html"""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", page).strip("-") or "root"
    return RESULTS / f"profile-{slug[:80]}.html"


@dataclass
class Profile:
    page: str
    status: int
    queries_per_request: int
    ms: list[float] = field(default_factory=list)  # each request, no profiler
    profiled_ms: list[float] = field(default_factory=list)  # each request, under pyinstrument
    tree: str = ""
    self_times: list[tuple[str, float]] = field(default_factory=list)  # (function, ms/request)
    by_package: list[tuple[str, float]] = field(default_factory=list)  # (package, ms/request)
    html: str = ""

    def summary(self) -> str:
        ms = sorted(self.ms)
        return (
            f"{self.page}: {self.status}, {self.queries_per_request} queries, "
            f"{statistics.mean(ms):.2f} ms/request mean, {statistics.median(ms):.2f} median, "
            f"{ms[max(int(len(ms) * 0.95) - 1, 0)]:.2f} p95 (n={len(ms)}, no profiler); "
            f"{statistics.mean(self.profiled_ms):.2f} ms/request under pyinstrument"
        )


def self_time_by_function(root, requests: int) -> list[tuple[str, float]]:
    """Each function's own time (not its callees'), summed over the tree, ms per request,
    largest first."""
    totals: dict[str, float] = defaultdict(float)
    stack = [root] if root is not None else []
    while stack:
        frame = stack.pop()
        stack.extend(frame.children)
        if frame.total_self_time and not frame.is_synthetic:
            totals[f"{frame.function}  {frame.file_path_short}:{frame.line_no}"] += (
                frame.total_self_time
            )
    return sorted(
        ((name, 1000 * seconds / requests) for name, seconds in totals.items()),
        key=lambda item: -item[1],
    )


def package_of(location: str) -> str:
    """Where a function's own time is charged: Django by sub-package (django/db, django/template,
    ...), anything else by its top folder (psycopg, profiles, ...); built-ins apart."""
    path = location.split("  ", 1)[-1].rsplit(":", 1)[0]
    if path.startswith("<"):
        return "(built-ins)"
    parts = path.split("/")
    if parts[0] == "django" and len(parts) > 2:
        return "/".join(parts[:2])
    return parts[0] if len(parts) > 1 else path


def by_package(self_times: list[tuple[str, float]]) -> list[tuple[str, float]]:
    totals: dict[str, float] = defaultdict(float)
    for name, ms in self_times:
        totals[package_of(name)] += ms
    return sorted(totals.items(), key=lambda item: -item[1])


def profile_page(client, page: str, *, n: int, warmup: int, top: int = 60) -> Profile:
    """Warm up (counting queries), time `n` requests, then profile `n` more: `client` is a
    django.test.Client, signed in or not."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from pyinstrument import Profiler

    counts = []
    status = 0
    for _ in range(max(warmup, 1)):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(page)
        status = response.status_code
        counts.append(len(captured.captured_queries))
    if status != 200:
        raise SystemExit(f"GET {page} answered {status}, not 200: nothing worth profiling.")
    result = Profile(page=page, status=status, queries_per_request=int(statistics.median(counts)))
    for _ in range(n):
        started = time.perf_counter()
        client.get(page)
        result.ms.append(1000 * (time.perf_counter() - started))
    # A timing thread: reading the clock at every sample costs tens of microseconds on some
    # machines (pyinstrument warns), which would distort a page of a few milliseconds.
    profiler = Profiler(interval=0.0005, use_timing_thread=True)
    profiler.start()
    for _ in range(n):
        started = time.perf_counter()
        client.get(page)
        result.profiled_ms.append(1000 * (time.perf_counter() - started))
    profiler.stop()
    text = profiler.output_text(unicode=False, color=False, show_all=False)
    result.tree = "\n".join(text.splitlines()[:top])
    result.self_times = self_time_by_function(profiler.last_session.root_frame(), n)
    result.by_package = by_package(result.self_times)
    result.html = profiler.output_html()
    return result


def template_times(client, page: str, *, n: int, warmup: int) -> tuple[float, list[tuple]]:
    """Time `n` requests with every template's rendering timed: the ms per request, and for
    each template (most own time first) its own ms per request (without the templates it
    includes or extends), its ms with them, and how many times a request renders it. A block
    a page fills in is timed with the template that renders it (base.html for `content`)."""
    from django.template import base

    own: dict[str, float] = defaultdict(float)
    total: dict[str, float] = defaultdict(float)
    calls: dict[str, int] = defaultdict(int)
    inner: list[float] = []  # per open template, the time of the templates it rendered
    render = base.Template._render

    def timed(self, context):
        name = self.origin.template_name or "(a string)"
        started = time.perf_counter()
        inner.append(0.0)
        try:
            return render(self, context)
        finally:
            took = time.perf_counter() - started
            own[name] += took - inner.pop()
            total[name] += took
            calls[name] += 1
            if inner:
                inner[-1] += took

    base.Template._render = timed
    try:
        for _ in range(max(warmup, 1)):
            client.get(page)
        own.clear()
        total.clear()
        calls.clear()
        started = time.perf_counter()
        for _ in range(n):
            client.get(page)
        ms = 1000 * (time.perf_counter() - started) / n
    finally:
        base.Template._render = render
    rows = [
        (name, 1000 * own[name] / n, 1000 * total[name] / n, calls[name] / n)
        for name in sorted(own, key=lambda name: -own[name])
    ]
    return ms, rows


APP_PACKAGES = ("accounts/", "profiles/", "matching/", "sessions_log/", "mentoring/")


@dataclass
class QueryTime:
    caller: str  # the innermost frame in the app's own code
    sql: str
    columns: int
    rows: int
    cpu_before_ms: float  # CPU since the previous query ended (or the request began)
    db_ms: float  # wall time of the execution, as the app waited for it


def query_times(client, page: str, *, n: int, warmup: int) -> list[QueryTime]:
    """Each query of the page's request, its figures the median of `n` requests."""
    import traceback

    from django.db import connection

    runs: list[list[QueryTime]] = []
    for number in range(max(warmup, 1) + n):
        made: list[QueryTime] = []
        mark = [time.process_time()]

        def timed(execute, sql, params, many, context, made=made, mark=mark):
            before = time.process_time() - mark[0]
            caller = next(
                (
                    f"{frame.filename.rsplit(str(ROOT) + '/', 1)[-1]}:{frame.lineno} {frame.name}"
                    for frame in reversed(traceback.extract_stack()[:-1])
                    if str(ROOT) in frame.filename
                    and frame.filename.rsplit(str(ROOT) + "/", 1)[-1].startswith(APP_PACKAGES)
                ),
                "(Django)",
            )
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                took = time.perf_counter() - started
                cursor = context["cursor"]
                made.append(
                    QueryTime(
                        caller=caller,
                        sql=" ".join(sql.split())[:90],
                        columns=len(cursor.description or ()),
                        rows=max(cursor.rowcount, 0),
                        cpu_before_ms=1000 * before,
                        db_ms=1000 * took,
                    )
                )
                mark[0] = time.process_time()

        with connection.execute_wrapper(timed):
            client.get(page)
        if number >= max(warmup, 1):
            runs.append(made)
    shapes = {tuple(q.caller for q in run) for run in runs}
    if len(shapes) != 1:
        raise SystemExit(f"{page} made different queries from one request to the next.")
    return [
        QueryTime(
            caller=first.caller,
            sql=first.sql,
            columns=first.columns,
            rows=first.rows,
            cpu_before_ms=statistics.median(run[i].cpu_before_ms for run in runs),
            db_ms=statistics.median(run[i].db_ms for run in runs),
        )
        for i, first in enumerate(runs[0])
    ]


def print_query_times(page: str, queries: list[QueryTime]) -> None:
    out = sys.stdout
    out.write(
        f"{page}: {len(queries)} queries; CPU before each (building it and handling the rows "
        "before it), database wall time, median ms per request\n"
    )
    out.write("  cpu ms   db ms  cols  rows  where the page makes it / the SQL\n")
    for q in queries:
        out.write(
            f"  {q.cpu_before_ms:6.2f}  {q.db_ms:6.2f}  {q.columns:4d}  {q.rows:4d}  {q.caller}\n"
        )
        out.write(f"  {'':30}{q.sql}\n")
    out.write(
        f"  {sum(q.cpu_before_ms for q in queries):6.2f}  {sum(q.db_ms for q in queries):6.2f}"
        "  in all (the CPU after the last query, the rest of the page, is not counted)\n"
    )


def print_template_times(page: str, ms: float, rows: list[tuple], *, top: int) -> None:
    out = sys.stdout
    out.write(f"{page}: {ms:.2f} ms/request with every template timed\n")
    out.write("   own ms   with includes   renders   template\n")
    for name, own_ms, total_ms, per_request in rows[:top]:
        out.write(f"  {own_ms:7.2f}  {total_ms:14.2f}  {per_request:8.1f}   {name}\n")


def setup_django(args: argparse.Namespace, redis_url: str = "") -> str:
    """The bench's app environment for the chosen database (and cache), then django.setup().
    Returns the database's name."""
    if args.database_url:
        url = args.database_url
    else:
        url = run.database_url(run.server_url(), f"{args.db_prefix}_{args.size}")
    name = url.rsplit("/", 1)[-1].split("?")[0]
    STATIC.mkdir(parents=True, exist_ok=True)
    env = run.app_env(
        url, debug=False, secret_key=secrets.token_urlsafe(50), static_root=str(STATIC)
    )
    env["ALLOWED_HOSTS"] = "testserver"  # the test Client's host
    if redis_url:
        env["REDIS_URL"] = redis_url
    os.environ.clear()
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    # Incremental: unchanged files are not copied again.
    call_command("collectstatic", "--noinput", verbosity=0)
    return name


def client_for(email: str):
    from django.conf import settings
    from django.test import Client

    from accounts.models import User

    client = Client()
    if email != "anonymous":
        user = User.objects.filter(email=email).first()
        if user is None:
            raise SystemExit(f"No account {email} in this database.")
        client.force_login(user, backend=settings.AUTHENTICATION_BACKENDS[0])
    return client


def print_profile(result: Profile, output: Path, *, self_top: int = 20) -> None:
    out = sys.stdout
    out.write(result.tree + "\n\n")
    out.write(f"Own time by function (ms/request, top {self_top}):\n")
    for name, ms in result.self_times[:self_top]:
        out.write(f"  {ms:7.3f}  {name}\n")
    out.write("\nOwn time by package (ms/request):\n")
    for name, ms in result.by_package[:12]:
        out.write(f"  {ms:7.3f}  {name}\n")
    out.write("\n" + result.summary() + "\n")
    shown = output.resolve()
    shown = shown.relative_to(ROOT) if shown.is_relative_to(ROOT) else shown
    out.write(f"Wrote {shown}\n")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    # The cache as make bench gives the app: a private redis-server when there is one.
    binary = shutil.which("redis-server")
    with tempfile.TemporaryDirectory(prefix="mentoring-profile-") as tmp:
        redis = run.Redis(binary, Path(tmp)) if binary else None
        try:
            _profile(args, redis.url if redis else "")
        finally:
            if redis:
                redis.stop()


def _profile(args: argparse.Namespace, redis_url: str) -> None:
    database = setup_django(args, redis_url)
    cache = "a private Redis" if redis_url else "the database"
    sys.stdout.write(
        f"Profiling {args.page} as {args.email} against {database} (DEBUG=0, cache in {cache})\n"
    )
    from django.db import OperationalError

    try:
        client = client_for(args.email)
    except OperationalError as exc:
        raise SystemExit(
            f"Cannot use database {database} ({exc}); `make bench` builds the bench databases."
        ) from exc
    if args.queries:
        print_query_times(args.page, query_times(client, args.page, n=args.n, warmup=args.warmup))
        return
    if args.templates:
        ms, rows = template_times(client, args.page, n=args.n, warmup=args.warmup)
        print_template_times(args.page, ms, rows, top=args.top)
        return
    result = profile_page(client, args.page, n=args.n, warmup=args.warmup, top=args.top)
    output = args.output or report_path(args.page)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(result.html)
    print_profile(result, output)


if __name__ == "__main__":
    main()
