"""An embedded PostgreSQL for a fresh clone with no DATABASE_URL (development only).

The pgserver package ships PostgreSQL binaries in its wheel; the data lives under `.data/`. The
server is left running when the process exits so the next command reuses it (`make stop-db` stops
it).
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def embedded_database_url(pgdata: Path) -> str:
    # pgserver asks platformdirs for a runtime directory, which warns when it has none.
    runtime = pgdata.parent / "run"
    runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    try:
        import pgserver
    except ImportError as exc:  # a production install has no embedded database
        raise ImproperlyConfigured(
            "Set DATABASE_URL to your PostgreSQL database. (The embedded PostgreSQL that "
            "`make run` starts without one comes with the development tools: "
            "requirements-dev.lock.)"
        ) from exc

    pgdata.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(pgdata, cleanup_mode=None)
    return server.get_uri()


def stop_embedded_database(pgdata: Path) -> list[int]:
    """Stop the embedded server (`make stop-db`), always: you asked for it. pgserver stops it
    when its last handle closes, and counts handles by process id in `.handle_pids.json`; a
    process killed rather than stopped never closed its handle, and its id may since belong to
    another program. So the list is emptied first and the server stopped whoever else had it
    open. Returns the ids of the processes still running that had it open (a development server
    left running, say), so the caller can name them."""
    runtime = pgdata.parent / "run"
    runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))
    import pgserver
    import psutil

    handles = pgdata / ".handle_pids.json"
    still_running: list[int] = []
    if handles.exists():
        pids = json.loads(handles.read_text() or "[]")
        still_running = [pid for pid in pids if pid != os.getpid() and psutil.pid_exists(pid)]
        handles.write_text("[]")
    pgserver.get_server(pgdata, cleanup_mode="stop").cleanup()
    return still_running
