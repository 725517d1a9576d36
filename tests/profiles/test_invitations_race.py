"""Two confirmations of the same list at once (a double click on "Send", two tabs), and two
acceptances of one invitation at once: each person is invited, emailed and joined once.

The threaded tests commit for real (`transaction=True`), so each thread has its own connection
and really waits on the other's row locks."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable

import pytest
from django.apps import apps
from django.db import connection

from mentoring.models import Outbox
from profiles import invitations
from profiles.models import Membership, Programme, ProgrammeInvitation
from tests.factories import ProgrammeFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module", autouse=True)
def _reseed_expertise_areas(django_db_blocker):
    """Put back the areas profiles' data migration seeds, which the flush after a threaded test
    deletes."""
    yield
    seed = importlib.import_module("profiles.migrations.0002_expertise_areas")
    with django_db_blocker.unblock():
        seed.add_areas(apps, None)


def _race(calls: list[Callable[[], object]]) -> list[object]:
    barrier = threading.Barrier(len(calls), timeout=30)
    results: list[object] = [None] * len(calls)

    def run(i: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[i] = call()
        except BaseException as exc:  # noqa: BLE001 - the test inspects every outcome
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread is stuck"
    return results


def test_two_confirmations_at_once_invite_and_email_each_person_once():
    programme = ProgrammeFactory(name="Alumni careers", slug="careers")
    coordinator = UserFactory(is_staff=True, is_superuser=True)
    text = "ann@example.org\nbob@example.org\ncat@example.org"

    def confirm():
        rows = invitations.read_pasted(text, role="mentee")
        allowed = Programme.objects.all()
        done = invitations.send(rows, programme=programme, allowed=allowed, by=coordinator)
        return done.counts[invitations.NEW]

    results = _race([confirm, confirm])

    assert sorted(results) == [0, 3]
    assert ProgrammeInvitation.objects.count() == 3
    emails = Outbox.objects.filter(kind="programme_invitation")
    assert sorted(emails.values_list("to_email", flat=True)) == [
        "ann@example.org",
        "bob@example.org",
        "cat@example.org",
    ]


def test_two_acceptances_at_once_make_one_membership():
    programme = ProgrammeFactory(name="Alumni careers", slug="careers", invitation_only=True)
    person = UserFactory(email="ann@example.org")
    invitation = ProgrammeInvitation.objects.create(
        programme=programme, email="ann@example.org", role="mentee"
    )

    results = _race([lambda: invitations.accept(invitation, user=person)] * 2)

    assert all(isinstance(r, Membership) for r in results), results
    assert Membership.objects.filter(user=person, programme=programme).count() == 1
    invitation.refresh_from_db()
    assert invitation.accepted_by == person
