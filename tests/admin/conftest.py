from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from tests.factories import UserFactory, default_programme

# The period most figure tests report on: spring 2025, across the change to summer time.
START, END = date(2025, 3, 1), date(2025, 5, 31)


def local(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    """A moment in the scheme's time zone, the one the report's dates are in."""
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(settings.TIME_ZONE))


@pytest.fixture
def staff_user(db):
    """A scheme administrator who is staff but not a superuser, coordinator of the programme
    the factories put everyone in."""
    user = UserFactory(full_name="Sam Staff", email="sam@example.org", is_staff=True)
    default_programme().coordinators.add(user)
    return user
