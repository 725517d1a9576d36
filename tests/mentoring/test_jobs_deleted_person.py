"""Every scheduled job with pairs and requests one of whose people deleted their account: the
person who stays gets what is due to them, nothing goes to the one who left, nothing fails."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from accounts.privacy import delete_account
from matching.services import accept_request
from mentoring.models import Outbox
from tests.factories import (
    MeetingFactory,
    MenteeProfileFactory,
    MentorProfileFactory,
    MentorshipFactory,
    MentorshipRequestFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("leaving", ["mentor", "mentee"])
def test_every_job_runs_after_a_deletion_and_writes_only_to_the_person_who_stays(clock, leaving):
    mentor, mentee = MentorProfileFactory().user, MenteeProfileFactory().user
    # An accepted request, the pair it made with a held and a planned meeting, and an older
    # request between them that was declined.
    MentorshipRequestFactory(mentor=mentor, mentee=mentee, declined=True)
    req = MentorshipRequestFactory(mentor=mentor, mentee=mentee)
    pair = accept_request(req, by=mentor).mentorship
    MeetingFactory(mentorship=pair, held=True, starts_at=pair.started_at + timedelta(hours=1))
    MeetingFactory(mentorship=pair, starts_at=pair.started_at + timedelta(days=1))
    # A pair of other people, quiet and at its six-week check-in, for the jobs to find.
    MentorshipFactory(started_at=pair.started_at - timedelta(weeks=6))
    gone = mentor if leaving == "mentor" else mentee
    stays = mentee if leaving == "mentor" else mentor
    delete_account(gone)
    Outbox.objects.all().delete()

    for later in (timedelta(0), timedelta(days=1), timedelta(weeks=7), timedelta(days=200)):
        clock.move_to(pair.started_at + later, tick=False)
        call_command("run_jobs", stdout=StringIO())

    assert not Outbox.objects.filter(to_email=gone.email).exists()
    # The ending check-in, the one job email due to the person who stays.
    assert list(Outbox.objects.filter(to_email=stays.email).values_list("kind", flat=True)) == [
        "check_in"
    ]
    # The other pair got its six-week check-ins and its nudges as usual.
    assert Outbox.objects.exclude(to_email=stays.email).filter(kind="check_in").count() == 2
