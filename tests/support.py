"""Plain helpers shared by the tests (fixtures live in tests/conftest.py): builders for the
scheduled-job tests (many due rows at once) and small readers of what a job queued, how many
queries it made and what a response said."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from matching.models import Mentorship, MentorshipRequest
from mentoring import wording
from mentoring.models import Outbox, SchemeSettings
from profiles.models import MentorProfile
from tests.factories import MentorshipFactory, MentorshipRequestFactory

# Where the scheduled-job tests' `clock` stands: a Monday in winter, when London time is UTC,
# so "day 3" is 72 hours later on every clock.
START = datetime(2026, 1, 12, 9, 0, tzinfo=UTC)


def requests_made_at(when: datetime, n: int = 1, **kwargs) -> list[MentorshipRequest]:
    """`n` pending requests, each from its own mentee to its own listed mentor, made at `when`."""
    return [MentorshipRequestFactory(created_at=when, **kwargs) for _ in range(n)]


def pairs_started_at(when: datetime, n: int = 1, **kwargs) -> list[Mentorship]:
    """`n` active mentorships, each of its own mentor and mentee, that began at `when`."""
    return [MentorshipFactory(started_at=when, **kwargs) for _ in range(n)]


def queued(kind: str) -> list[Outbox]:
    return list(Outbox.objects.filter(kind=kind).order_by("pk"))


def keys(kind: str) -> set[str]:
    return set(Outbox.objects.filter(kind=kind).values_list("dedupe_key", flat=True))


def run_counting_queries(job: Callable[[], int]) -> tuple[int, int]:
    """Run a job; return what it returned and how many queries it made."""
    SchemeSettings.load()  # warm the cache: a miss costs queries the job itself does not make
    wording.warm()  # and the email wording's (as a task's first email would)
    with CaptureQueriesContext(connection) as queries:
        result = job()
    return result, len(queries.captured_queries)


def interested_url(profile) -> str:
    """The address of the Interested form for a mentor's profile."""
    return reverse("matching:request-create", args=[profile.pk])


def messages_of(response) -> list[str]:
    """The flash messages a response left for the next page."""
    return [str(m) for m in get_messages(response.wsgi_request)]


def text_of(response) -> str:
    return response.content.decode()


def count_queries(client: Client, url: str) -> int:
    """How many queries a successful GET of `url` makes."""
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def places_taken(profile: MentorProfile) -> int:
    """The mentor's count of mentees, as the database has it now."""
    profile.refresh_from_db()
    return profile.mentee_count


def html_part(message) -> str:
    """The HTML alternative of an email, its only one."""
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


TEST_TEMPLATES = Path(__file__).resolve().parent / "templates"


def use_test_templates(settings) -> None:
    """Add tests/templates to the template directories: the `ping` email kind exists only there
    (tests/templates/emails/ping*)."""
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [*templates[0]["DIRS"], TEST_TEMPLATES]
    settings.TEMPLATES = templates


def local_noon(days_ago: int) -> datetime:
    """Noon, local time, `days_ago` days before today: its local date is exactly that day
    whatever the hour now and whatever clock change lies between ("now less 40 days", late in
    the evening after October's change, is the next local day)."""
    day = timezone.localdate() - timedelta(days=days_ago)
    return timezone.make_aware(datetime.combine(day, time(12)))
