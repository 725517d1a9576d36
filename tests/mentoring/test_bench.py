"""The benchmark's arithmetic and its profiler (bench/run.py, bench/profile.py).

`make bench` itself needs gunicorn, wrk and a seeded database of 10,000 mentors: these tests
hold what it concludes from its measurements (the ratios to R0, the checks it prints as OK or
MISSED, its warnings about a busy machine), that its preflight recognises the real signed-in
page, and that `make profile` profiles a page in-process.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench import profile, run


def test_ratio_to_r0_is_the_share_of_r0s_rate():
    assert run.r0_ratio(500.0, 2000.0) == 0.25
    assert run.r0_ratio(1.0, 3.0) == 0.333
    # A scenario or an R0 that served nothing has no ratio (rather than 0 or a division error).
    assert run.r0_ratio(0, 2000.0) is None
    assert run.r0_ratio(500.0, None) is None


def test_r0_is_the_mean_of_the_start_and_the_end_with_the_drift_between_them():
    summary = run.r0_summary(2000.0, 1800.0)
    assert summary == {"rps": 1900.0, "start_rps": 2000.0, "end_rps": 1800.0, "drift_pct": -10.0}


def _stats(rps: float, r0: float, **extra) -> dict:
    return {"max_rps": rps, "r0_ratio": run.r0_ratio(rps, r0), "p50_ms": 1, **extra}


def _sizes(r0: float, *, directory_rps: float, search_p95: float, rss: list[float]) -> dict:
    """Two sizes' results: the smaller one passes everything, so only the largest can fail."""
    passing = {name: _stats(r0, r0) for name in run.TARGET_RATIOS}
    largest = {name: _stats(r0 * target, r0) for name, target in run.TARGET_RATIOS.items()}
    largest["directory"] = _stats(directory_rps, r0)
    largest["directory_search_at_50rps"] = {
        "p95_ms": search_p95,
        "sustained": True,
        "errors": {},
    }
    largest["r0"] = run.r0_summary(r0, r0)
    largest["worker_rss_mb"] = rss
    return {
        "10000": {**passing, "r0": run.r0_summary(r0, r0), "worker_rss_mb": [90.0]},
        "100000": largest,
    }


def test_checks_hold_each_scenario_to_its_target_share_of_r0_at_the_largest_size():
    sizes = _sizes(2000.0, directory_rps=300.0, search_p95=25.0, rss=[120.0, 151.0])
    checks = run.checks(sizes, 50.0)

    assert checks["size"] == 100_000
    assert checks["r0_rps"] == 2000.0
    assert set(checks["ratios"]) == set(run.TARGET_RATIOS)
    # Exactly at the target passes; the directory at 0.15 x R0 misses its 0.25.
    assert checks["ratios"]["ping"] == {
        "rps": 1000.0,
        "r0_ratio": 0.5,
        "r0_cpu_ratio": None,
        "target": 0.5,
        "ok": True,
    }
    assert checks["ratios"]["directory"]["r0_ratio"] == 0.15
    assert checks["ratios"]["directory"]["ok"] is False
    assert checks["search_p95_ok"] is True
    # The largest worker counts: one of 151 MB is over 150.
    assert checks["worker_rss_mb"] == 151.0
    assert checks["worker_rss_ok"] is False

    checks["ratios"]["directory"]["r0_cpu_ratio"] = 0.12
    lines = run.check_lines(checks)
    directory = next(line for line in lines if line.strip().startswith("directory "))
    assert "0.15 x R0" in directory and "target >= 0.25" in directory
    assert "by CPU cost 0.12" in directory
    assert directory.endswith("MISSED")
    assert next(line for line in lines if line.strip().startswith("ping")).endswith("OK")
    assert lines[-1].endswith("MISSED") and "151.0 MB" in lines[-1]


def test_a_slow_or_unsustained_search_misses_its_p95_target():
    sizes = _sizes(2000.0, directory_rps=600.0, search_p95=55.0, rss=[100.0])
    assert run.checks(sizes, 50.0)["search_p95_ok"] is False
    sizes = _sizes(2000.0, directory_rps=600.0, search_p95=20.0, rss=[100.0])
    sizes["100000"]["directory_search_at_50rps"]["sustained"] = False
    checks = run.checks(sizes, 50.0)
    assert checks["search_p95_ok"] is False
    assert "rate NOT sustained" in " ".join(run.check_lines(checks))
    sizes["100000"]["directory_search_at_50rps"]["sustained"] = True
    assert run.checks(sizes, 50.0)["search_p95_ok"] is True
    # A lower offered rate than the target's cannot meet it, however fast.
    sizes["100000"]["directory_search_at_20rps"] = dict(
        sizes["100000"]["directory_search_at_50rps"]
    )
    assert run.checks(sizes, 20.0)["search_p95_ok"] is False


def test_a_scenario_run_while_other_processes_were_busy_is_flagged():
    assert run.busy_warnings("profile", {"others_cpu_pct": 5.0, "cpu_pressure_avg10": 3.0}) == []
    warnings = run.busy_warnings("profile", {"others_cpu_pct": 45.0, "cpu_pressure_avg10": 80.0})
    assert len(warnings) == 2
    assert warnings[0].startswith("WARNING: other processes took 45%")
    assert "during profile" in warnings[0]
    assert "80%" in warnings[1]
    # Without /proc/pressure (None), only the CPU share is judged.
    assert run.busy_warnings("inbox", {"others_cpu_pct": None, "cpu_pressure_avg10": None}) == []


def test_every_target_has_a_scenario_signed_in_as_someone_the_bench_makes_a_session_for():
    info = {"pair_id": 7, "meetings_pair_id": 8, "profile_ids": [1, 2]}
    scenarios = run.scenarios(info)
    assert set(run.TARGET_RATIOS) <= set(scenarios)
    assert {s["as"] for s in scenarios.values()} <= {
        "mentee",
        "mentor",
        "coordinator",
        "pair_mentee",
    }
    assert scenarios["pair_space"]["paths"] == ["/mentorships/8/"]
    assert scenarios["dashboard"]["paths"] == ["/admin/"]
    # The floor, with no target: a signed-in page that reads nothing.
    assert scenarios["floor"]["paths"] == ["/privacy/"] and "floor" not in run.TARGET_RATIOS


@pytest.mark.django_db
def test_the_preflights_signed_in_marker_is_on_a_signed_in_page_and_not_on_the_login_page(
    client, mentee
):
    """The bench refuses a scenario whose page lacks its marker: a login page would be fast."""
    login = client.get("/accounts/login/")
    assert login.status_code == 200
    assert not re.search(run.SIGNED_IN, login.content.decode())
    client.force_login(mentee)
    page = client.get("/requests/")
    assert page.status_code == 200
    assert re.search(run.SIGNED_IN, page.content.decode())


def test_profile_arguments():
    args = profile.parse_args(["/mentors/?programme=careers"])
    assert args.page == "/mentors/?programme=careers"
    assert args.email == run.MENTEE
    assert (args.n, args.size, args.database_url) == (200, 100_000, None)
    args = profile.parse_args(
        ["/requests/", "--as", "mentor@demo.test", "-n", "3", "--size", "10000"]
    )
    assert (args.email, args.n, args.size) == ("mentor@demo.test", 3, 10_000)
    for wrong in (["requests/"], ["/requests/", "-n", "0"]):
        with pytest.raises(SystemExit):
            profile.parse_args(wrong)
    assert profile.report_path("/mentors/?programme=careers").name == (
        "profile-mentors-programme-careers.html"
    )
    assert profile.report_path("/").name == "profile-root.html"


@pytest.mark.django_db
def test_profiling_a_page_in_process(client, mentee, tmp_path):
    client.force_login(mentee)
    client.get("/requests/")  # the first request's one-off queries (the session's user, ...)
    with CaptureQueriesContext(connection) as counted:
        client.get("/requests/")
    queries = len(counted.captured_queries)

    result = profile.profile_page(client, "/requests/", n=3, warmup=2, top=400)

    assert result.status == 200
    assert result.queries_per_request == queries
    assert len(result.ms) == 3 and len(result.profiled_ms) == 3
    assert all(ms > 0 for ms in result.ms)
    # The call tree reaches the page's view, and its own-time table is per request, largest first.
    assert "request_list" in result.tree
    times = [ms for _, ms in result.self_times]
    assert times and times == sorted(times, reverse=True)
    assert "<html" in result.html.lower()
    # The same own time, by package: Django's ORM and templates apart, the app's code by app.
    assert sum(ms for _, ms in result.by_package) == pytest.approx(sum(times))
    assert profile.package_of("render  django/template/base.py:1106") == "django/template"
    assert profile.package_of("wait  psycopg/connection.py:479") == "psycopg"
    assert profile.package_of("len  <built-in>:0") == "(built-ins)"
    output = tmp_path / "profile.html"
    output.write_text(result.html)
    profile.print_profile(result, output)
    assert "queries" in result.summary() and "/requests/" in result.summary()


@pytest.mark.django_db
def test_profiling_a_page_that_is_not_200_stops_with_a_message(client):
    with pytest.raises(SystemExit, match="answered 302"):
        profile.profile_page(client, "/requests/", n=1, warmup=1)


@pytest.mark.django_db
def test_timing_each_template_of_a_page(client, mentee, capsys):
    from django.template import base

    render = base.Template._render
    client.force_login(mentee)

    ms, rows = profile.template_times(client, "/requests/", n=2, warmup=1)

    assert base.Template._render is render, "the timing is taken off again"
    names = [name for name, *_ in rows]
    assert {"base.html", "matching/request_list.html"} <= set(names)
    own = [own_ms for _, own_ms, _, _ in rows]
    assert own == sorted(own, reverse=True)
    by_name = {name: (own_ms, total_ms, renders) for name, own_ms, total_ms, renders in rows}
    # The page's template extends base.html, which renders its blocks: all of it within the page.
    page_total = by_name["matching/request_list.html"][1]
    assert 0 < page_total <= ms
    assert all(0 <= own_ms <= total_ms for own_ms, total_ms, _ in by_name.values())
    assert by_name["base.html"][2] == 1.0
    profile.print_template_times("/requests/", ms, rows, top=5)
    assert "ms/request with every template timed" in capsys.readouterr().out
