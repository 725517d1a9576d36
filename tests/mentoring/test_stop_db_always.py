"""`make stop-db` stops the embedded PostgreSQL even while another process still has it open
(a development server left running, or a dead process whose id was reused), and names it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[2]


def _python(code: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        check=True,
        timeout=120,
        capture_output=True,
        text=True,
    ).stdout


def test_stop_db_stops_the_server_while_a_live_process_holds_a_handle(tmp_path):
    pgdata = tmp_path / "postgres"
    _python(
        "import os; from pathlib import Path; from mentoring.embedded_db import "
        f"embedded_database_url as start; start(Path({str(pgdata)!r})); os._exit(0)"
    )
    postmaster = psutil.Process(int((pgdata / "postmaster.pid").read_text().split()[0]))
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        (pgdata / ".handle_pids.json").write_text(json.dumps([holder.pid]))

        out = _python(
            "from pathlib import Path; from mentoring.embedded_db import "
            f"stop_embedded_database as stop; print(stop(Path({str(pgdata)!r})))"
        )

        postmaster.wait(timeout=30)
        assert not postmaster.is_running()
        assert out.strip() == f"[{holder.pid}]"
        assert json.loads((pgdata / ".handle_pids.json").read_text()) == []
    finally:
        holder.kill()
        holder.wait()


def test_make_stop_db_always_says_what_it_did():
    plan = subprocess.run(
        ["make", "-n", "stop-db"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout

    assert "The embedded PostgreSQL is not running." in plan
    assert "Stopped the embedded PostgreSQL" in plan
