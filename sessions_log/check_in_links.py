"""Check-ins answered from the emailed link without signing in.

The link's token (32 random bytes, sessions_log.models.new_token) names the person, so whoever
opens it answers as them and sees only the check-in. Wrong tokens are counted per client address
so the link cannot be guessed by trying many: after MISS_LIMIT misses in MISS_WINDOW the address
gets a 429 until the window passes.
"""

from __future__ import annotations

from datetime import timedelta

from allauth.account.adapter import get_adapter
from django.core.cache import cache
from django.http import HttpRequest

MISS_LIMIT = 20
MISS_WINDOW = timedelta(minutes=15)


def _key(request: HttpRequest) -> str:
    # allauth's reading of the client's address honours the trusted-proxy settings.
    return f"check-in-link-misses:{get_adapter().get_client_ip(request)}"


def too_many_misses(request: HttpRequest) -> bool:
    return (cache.get(_key(request)) or 0) >= MISS_LIMIT


def count_miss(request: HttpRequest) -> None:
    key = _key(request)
    if cache.add(key, 1, timeout=int(MISS_WINDOW.total_seconds())):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.add(key, 1, timeout=int(MISS_WINDOW.total_seconds()))
