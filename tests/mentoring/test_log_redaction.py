"""Links that carry their own secret never reach a log readable, and pages ask browsers not to
send their address to other sites."""

from __future__ import annotations

import io
import json
import logging
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

# Takes a free port on loopback (or one it knows is closed): under `make test`'s parallel part
# the tests that do run in one process, one at a time, so no two of them meet on a port.
pytestmark = pytest.mark.xdist_group("ports")

ROOT = Path(__file__).resolve().parents[2]
SECRET = "s3cret" + secrets.token_hex(8)

# Every tokened link the app hands out, and allauth's.
TOKENED_PATHS = [
    f"/check-ins/{SECRET}/",
    f"/calendar/{SECRET}.ics",
    f"/email/unsubscribe/{SECRET}/",
    f"/profile/mentor/confirm/{SECRET}/",
    f"/accounts/confirm-email/{SECRET}/",
    f"/accounts/password/reset/key/1-{SECRET}/",
    f"/programmes/staff/invitation/{SECRET}/",
]


@pytest.fixture
def handler_output():
    """What a configured logging handler ("console" on the root logger, "server" on runserver's
    logger) writes, while the test runs."""
    swapped = []

    def capture(logger_name: str, handler_name: str) -> io.StringIO:
        handler = next(h for h in logging.getLogger(logger_name).handlers if h.name == handler_name)
        stream = io.StringIO()
        swapped.append((handler, handler.setStream(stream)))
        return stream

    yield capture
    for handler, original in swapped:
        handler.setStream(original)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    host = db["HOST"] or ""
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    if host.startswith("/"):
        return f"postgres://{auth}@/{db['NAME']}?host={host}"
    return f"postgres://{auth}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


def _dockerfile_command() -> list[str]:
    cmd = next(
        line
        for line in reversed((ROOT / "Dockerfile").read_text().splitlines())
        if line.startswith("CMD ")
    )
    return json.loads(cmd[len("CMD ") :])


def test_redaction_keeps_the_rest_of_the_path():
    from mentoring.logs import redact_secrets

    assert redact_secrets(f"GET /calendar/{SECRET}.ics HTTP/1.1") == (
        "GET /calendar/[redacted].ics HTTP/1.1"
    )
    assert redact_secrets(f"/accounts/login/?next=%2Fcheck-ins%2F{SECRET}%2F") == (
        "/accounts/login/?next=%2Fcheck-ins%2F[redacted]%2F"
    )
    assert redact_secrets(f"GET /programmes/staff-2/invitation/{SECRET}/ HTTP/1.1") == (
        "GET /programmes/staff-2/invitation/[redacted]/ HTTP/1.1"
    )
    assert redact_secrets(
        f"/accounts/login/?next=%2Fprogrammes%2Fstaff%2Finvitation%2F{SECRET}%2F"
    ) == ("/accounts/login/?next=%2Fprogrammes%2Fstaff%2Finvitation%2F[redacted]%2F")
    for harmless in (
        "/calendar/reset/",
        "/accounts/password/reset/key/done/",
        "/mentors/3/",
        "/programmes/staff/",
        "/programmes/staff/invitation/",
    ):
        assert redact_secrets(harmless) == harmless


@pytest.mark.django_db
def test_gunicorn_access_log_redacts_tokens_in_paths_and_referrers():
    port = _free_port()
    command = _dockerfile_command()
    command[command.index("--bind") + 1] = f"127.0.0.1:{port}"
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": _database_url(),
        "PYTHONUNBUFFERED": "1",
        "WEB_CONCURRENCY": "1",
    }
    env.pop("REDIS_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    bindir = Path(sys.executable).parent
    server = subprocess.Popen(
        [str(bindir / command[0]), *command[1:]],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None, server.stderr.read()
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        for path in TOKENED_PATHS:
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}{path}",
                headers={"Referer": f"http://127.0.0.1:{port}/check-ins/{SECRET}/"},
            )
            try:
                urllib.request.urlopen(request, timeout=30).close()
            except urllib.error.HTTPError:
                pass  # a made-up token is refused; the request is logged all the same
    finally:
        server.terminate()
        stdout, stderr = server.communicate(timeout=30)

    access_lines = [line for line in stdout.splitlines() if '"GET ' in line]
    assert len(access_lines) >= len(TOKENED_PATHS), stdout + stderr
    assert "[redacted]" in stdout
    assert SECRET not in stdout
    assert SECRET not in stderr


@pytest.mark.django_db
def test_not_found_warnings_redact_the_token(client, handler_output):
    console = handler_output("", "console")

    response = client.get(f"/calendar/{SECRET}.ics")

    assert response.status_code == 404
    assert "Not Found: /calendar/[redacted].ics" in console.getvalue()
    assert SECRET not in console.getvalue()


def test_runserver_request_lines_redact_the_token(handler_output):
    server = handler_output("django.server", "server")

    # What runserver's request handler logs for each request.
    logging.getLogger("django.server").info(
        '"%s" %s %s', f"GET /email/unsubscribe/{SECRET}/ HTTP/1.1", "200", "512"
    )

    assert '"GET /email/unsubscribe/[redacted]/ HTTP/1.1" 200 512' in server.getvalue()
    assert SECRET not in server.getvalue()


@pytest.mark.django_db
def test_pages_send_no_referrer_to_other_sites(client):
    for path in ("/", f"/check-ins/{SECRET}/", "/accounts/login/"):
        assert client.get(path).headers["Referrer-Policy"] == "same-origin"
