"""A mentor's page asks what the viewer may do in one query whose SQL is built once per process
(matching.selectors.viewer_state, mentoring.prepared): its rows are the ORM's for every kind of
viewer and mentor."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from matching import engagement_rules, selectors, services
from matching.models import MentorshipRequest, RequestReport
from profiles.models import Round
from tests.factories import (
    MenteeProfileFactory,
    MentorProfileFactory,
    MentorshipFactory,
    MentorshipRequestFactory,
    ProgrammeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def inputs(viewer, mentor) -> dict:
    now = timezone.now()
    return {
        "viewer_id": viewer.pk,
        "mentor_id": mentor.pk,
        "sent_since": services.rate_window_start(now),
        "month_start": engagement_rules.month_start(now),
        "today": timezone.localdate(now),
    }


@pytest.fixture
def scheme():
    """Two programmes (one in rounds, open today), mentees and mentors with waiting, declined,
    withdrawn, reported and advice requests, long-term and advice pairs."""
    careers = ProgrammeFactory(
        slug="careers", rhythm="rounds", engagement_types=["long_term", "advice"]
    )
    staff = ProgrammeFactory(slug="staff", outside_line_management=True)
    today = timezone.localdate()
    Round.objects.create(
        programme=careers,
        name="This year",
        mentee_opens_on=today - timedelta(days=10),
        mentee_closes_on=today + timedelta(days=10),
        term_ends_on=today + timedelta(days=100),
    )
    mentors = [MentorProfileFactory(programmes=[careers, staff]).user for _ in range(3)]
    mentee = MenteeProfileFactory(
        programmes=[careers, staff], department="Finance", line_manager_email="boss@example.org"
    ).user
    MentorshipRequestFactory(mentee=mentee, mentor=mentors[0], programme=careers)
    MentorshipRequestFactory(mentee=mentee, mentor=mentors[1], programme=careers, declined=True)
    withdrawn = MentorshipRequestFactory(
        mentee=mentee, mentor=mentors[1], programme=staff, withdrawn=True
    )
    RequestReport.objects.create(request=withdrawn, reported_by=mentors[1], reason="Rude.")
    MentorshipFactory(mentee=mentee, mentor=mentors[2], programme=careers)
    MentorshipFactory(mentor=mentors[2], programme=careers, engagement="advice")
    MentorshipRequestFactory(
        mentor=mentors[2], programme=careers, engagement="advice", topic="A CV"
    )
    return {"mentee": mentee, "mentors": mentors, "stranger": UserFactory()}


def test_the_prepared_rows_are_the_orms_for_every_viewer_and_mentor(scheme):
    viewers = [scheme["mentee"], scheme["stranger"], *scheme["mentors"]]
    for viewer in viewers:
        for mentor in scheme["mentors"]:
            given = inputs(viewer, mentor)
            assert selectors._VIEWER_STATE.rows(**given) == list(
                selectors._viewer_state_query(**given)
            ), (viewer, mentor)


def test_the_answers_name_every_flood_check(scheme):
    given = inputs(scheme["mentee"], scheme["mentors"][1])
    checks = services.flood_checks(mentor_id=given["mentor_id"], sent_since=given["sent_since"])

    assert set(selectors._FLOOD_CHECKS) == set(checks)
    state = selectors.viewer_state(scheme["mentee"], scheme["mentors"][1].pk)
    assert state["reported"] is True
    assert state["declined_at"] is not None
    assert state["asked_before"] is True


def test_each_moment_reaches_its_own_question(time_machine):
    # On 20 November: the rate window is the last day, the advice cap counts this month, a
    # programme's round is open today or not. Each answer changes if its moment is another's.
    time_machine.move_to(timezone.make_aware(datetime(2026, 11, 20, 12, 0)), tick=False)
    now = timezone.now()
    careers = ProgrammeFactory(slug="careers", rhythm="rounds", engagement_types=["advice"])
    closed = ProgrammeFactory(slug="closed-round", rhythm="rounds")
    today = timezone.localdate()
    for programme, closes in ((careers, today), (closed, today - timedelta(days=1))):
        Round.objects.create(
            programme=programme,
            name="This year",
            mentee_opens_on=today - timedelta(days=30),
            mentee_closes_on=closes,
            term_ends_on=today + timedelta(days=100),
        )
    mentor = MentorProfileFactory(programmes=[careers, closed]).user
    mentee = MenteeProfileFactory(programmes=[careers, closed]).user
    recent = MentorshipRequestFactory(mentee=mentee, programme=careers)
    MentorshipRequestFactory(mentee=mentee, programme=careers, created_at=now - timedelta(days=2))
    MentorshipRequest.objects.filter(pk=recent.pk).update(created_at=now - timedelta(hours=1))
    for started in (now - timedelta(days=10), now - timedelta(days=30)):  # 10 Nov, 21 October
        MentorshipFactory(mentor=mentor, programme=careers, engagement="advice", started_at=started)

    state = selectors.viewer_state(mentee, mentor.pk)

    assert state["sent_recently"] == [now - timedelta(hours=1)]
    assert state["mentor_advice_taken"] == 1
    windows = {row["slug"]: row["window_open"] for row in state["programme_rows"]}
    assert (windows["careers"], windows["closed-round"]) == (True, False)
