from __future__ import annotations

import socket

import pytest
from django.urls import reverse

# Takes a free port on loopback (or one it knows is closed): under `make test`'s parallel part
# the tests that do run in one process, one at a time, so no two of them meet on a port.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("ports")]

REAL_REDIS = "redis://127.0.0.1:6379/0"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_healthz_is_ok_with_an_eager_broker_when_there_is_no_redis(client, settings):
    settings.REDIS_URL = ""

    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "eager"}


def test_healthz_is_ok_when_redis_answers(client, settings):
    settings.REDIS_URL = REAL_REDIS

    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_healthz_is_503_when_redis_is_unreachable(client, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{_closed_port()}/0"

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["database"] == "ok"
    assert body["broker"].startswith("error: ")


def test_healthz_is_never_cached(client, settings):
    settings.REDIS_URL = ""

    response = client.get(reverse("healthz"))

    assert "no-cache" in response.headers["Cache-Control"]


def test_healthz_post_is_405(client):
    response = client.post(reverse("healthz"))

    assert response.status_code == 405
