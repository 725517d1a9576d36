from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # allauth counts sign-ups, logins and resets per IP and per email in the cache, and the
    # locmem cache outlives a test: start each test with no attempts on record.
    cache.clear()
