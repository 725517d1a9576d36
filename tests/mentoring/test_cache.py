import socket

import pytest

from mentoring.cache import ResilientRedisCache
from tests.factories import PASSWORD

# Takes a free port on loopback (or one it knows is closed): under `make test`'s parallel part
# the tests that do run in one process, one at a time, so no two of them meet on a port.
pytestmark = pytest.mark.xdist_group("ports")


@pytest.fixture
def dead_redis_cache():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # Nothing listens on the port now: every call is refused at once.
    return ResilientRedisCache(
        f"redis://127.0.0.1:{port}/0",
        {"OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}},
    )


def test_a_read_misses_while_redis_is_down(dead_redis_cache):
    assert dead_redis_cache.get("k", "fallback") == "fallback"
    assert dead_redis_cache.get_many(["a", "b"]) == {}


def test_writes_are_dropped_and_add_lets_the_caller_carry_on(dead_redis_cache):
    dead_redis_cache.set("k", 1)
    dead_redis_cache.set_many({"a": 1})
    dead_redis_cache.delete("k")
    dead_redis_cache.delete_many(["a"])

    # allauth's rate limit takes a lock with add(); it must not spin until it times out.
    assert dead_redis_cache.add("lock", True) is True


def test_a_working_redis_is_used_normally():
    cache = ResilientRedisCache("redis://127.0.0.1:6379/5", {})
    cache.set("resilient-test", "yes", 30)

    assert cache.get("resilient-test") == "yes"
    cache.delete("resilient-test")


@pytest.mark.django_db
def test_people_can_sign_in_while_redis_is_down(client, settings, mentee):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.CACHES = {
        "default": {
            "BACKEND": "mentoring.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }

    response = client.post("/accounts/login/", {"login": "maya@example.org", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/"
