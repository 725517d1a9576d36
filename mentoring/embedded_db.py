"""An embedded PostgreSQL for a fresh clone with no DATABASE_URL (development only).

The pgserver package ships PostgreSQL binaries in its wheel; the data lives under `.data/`. The
server is left running when the process exits so the next command reuses it (`make stop-db` stops
it).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path


def embedded_database_url(pgdata: Path) -> str:
    os.environ.setdefault("XDG_RUNTIME_DIR", str(pgdata.parent))
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    import pgserver

    pgdata.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(pgdata, cleanup_mode=None)
    return server.get_uri()
