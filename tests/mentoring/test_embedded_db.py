"""`make stop-db` stops the embedded PostgreSQL even after a process using it was killed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[2]


def _python(code: str) -> None:
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True, timeout=120)


def test_stop_db_stops_the_server_a_killed_process_left_running(tmp_path):
    pgdata = tmp_path / "postgres"
    # A process starts the server and dies without closing its handle (as when killed).
    _python(
        "import os; from pathlib import Path; from mentoring.embedded_db import "
        f"embedded_database_url as start; start(Path({str(pgdata)!r})); os._exit(0)"
    )
    postmaster = psutil.Process(int((pgdata / "postmaster.pid").read_text().split()[0]))

    _python(
        "from pathlib import Path; from mentoring.embedded_db import "
        f"stop_embedded_database as stop; stop(Path({str(pgdata)!r}))"
    )

    postmaster.wait(timeout=30)
    assert not postmaster.is_running()
