from __future__ import annotations

from datetime import UTC, datetime

import pytest

# A Monday in winter, when London time is UTC: "day 3" is 72 hours later on every clock.
START = datetime(2026, 1, 12, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock(time_machine):
    """Time stands still at START until a test moves it (`clock.shift(...)`, `clock.move_to(...)`)."""
    time_machine.move_to(START, tick=False)
    return time_machine
