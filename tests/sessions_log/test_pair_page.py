from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from profiles import handbook
from sessions_log import services
from sessions_log.models import Meeting, MeetingPrivateNote, ObjectiveUpdate
from sessions_log.selectors import Totals, pair_space
from tests.factories import (
    MeetingFactory,
    MentorshipFactory,
    ObjectiveFactory,
    UserFactory,
)
from tests.sessions_log.conftest import hours_ago, next_week
from tests.support import text_of

pytestmark = pytest.mark.django_db

# The pair's conversation adds two: the conversation and its latest page of messages; the
# briefing (the mentee's goals and first message) one; the other person's photo one; the
# handbook links one, none once they are in the cache.
PAGE_QUERY_BUDGET = 10


def _pair_with_history(meetings: int):
    """A pair with four objectives and `meetings` meetings of every kind, each held one linked
    to two objectives, with private notes from both people and progress notes."""
    mentee, mentor = UserFactory(), UserFactory()
    mentorship = MentorshipFactory(
        mentee=mentee, mentor=mentor, started_at=timezone.now() - timedelta(days=3 * 365)
    )
    objectives = [ObjectiveFactory(mentorship=mentorship) for _ in range(4)]
    for objective in objectives:
        ObjectiveUpdate.objects.create(objective=objective, author=mentee, note="Progress")
    now = timezone.now()
    rows = []
    for i in range(meetings):
        kind = ("held", "held", "cancelled", "planned")[i % 4]
        starts_at = (
            now + timedelta(days=i + 1) if kind == "planned" else now - timedelta(days=i + 1)
        )
        rows.append(
            Meeting(
                mentorship=mentorship,
                status=kind,
                starts_at=starts_at,
                time_zone="Europe/London",
                duration_minutes=60,
                format="video",
                summary="Talked" if kind == "held" else "",
                cancelled_at=now if kind == "cancelled" else None,
            )
        )
    rows = Meeting.objects.bulk_create(rows)
    links = [
        Meeting.objectives.through(meeting_id=m.pk, objective_id=o.pk)
        for m in rows
        if m.status == "held"
        for o in objectives[:2]
    ]
    Meeting.objectives.through.objects.bulk_create(links)
    MeetingPrivateNote.objects.bulk_create(
        MeetingPrivateNote(meeting=m, author=person, text=f"note {person.pk}")
        for m in rows
        for person in (mentee, mentor)
    )
    return mentorship, mentee


def _count_page_queries(client_for, meetings: int) -> int:
    mentorship, mentee = _pair_with_history(meetings)
    client = client_for(mentee)
    handbook.handbook_changed()  # each count with the handbook's links not cached
    with CaptureQueriesContext(connection) as queries:
        response = client.get(mentorship.get_absolute_url())
    assert response.status_code == 200
    assert response.context["space"].totals.held == sum(
        1 for i in range(meetings) if i % 4 in (0, 1)
    )
    return len(queries.captured_queries)


def test_pair_page_queries_stay_constant_with_1_20_and_100_meetings(client_for):
    counts = {n: _count_page_queries(client_for, n) for n in (1, 20, 100)}

    assert counts[1] == counts[20] == counts[100], counts
    assert counts[100] <= PAGE_QUERY_BUDGET, counts


def test_ended_pair_page_stays_within_the_budget(client_for, ended, mentee):
    MeetingFactory(mentorship=ended, held=True)
    client = client_for(mentee)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(ended.get_absolute_url())

    assert response.status_code == 200
    assert len(queries.captured_queries) <= PAGE_QUERY_BUDGET


# What the page shows


def test_plan_progress_at_a_glance(client_for, mentorship, mentee):
    for status in ("achieved", "achieved", "in_progress", "not_started", "dropped"):
        ObjectiveFactory(
            mentorship=mentorship,
            status=status,
            achieved_on=timezone.localdate() if status == "achieved" else None,
        )

    html = client_for(mentee).get(mentorship.get_absolute_url()).content.decode()

    assert "2 of 4 achieved" in html
    assert "(1 no longer relevant)" in html


def test_totals_count_held_meetings_hours_last_and_next(mentorship, mentee):
    last = MeetingFactory(
        mentorship=mentorship, held=True, starts_at=hours_ago(48), duration_minutes=90
    )
    MeetingFactory(mentorship=mentorship, held=True, starts_at=hours_ago(24 * 10))
    MeetingFactory(mentorship=mentorship, cancelled=True, starts_at=hours_ago(5))
    soon = MeetingFactory(mentorship=mentorship, starts_at=next_week())
    MeetingFactory(mentorship=mentorship, starts_at=next_week() + timedelta(days=30))

    totals = pair_space(mentorship, mentee)["space"].totals

    assert (totals.held, totals.hours, totals.time_together) == (2, 2.5, "2 h 30 min")
    assert totals.last == last
    assert totals.next == soon


def test_timeline_lists_meetings_and_objective_changes_newest_first(
    client_for, mentorship, mentee, mentor
):
    objective = services.add_objective(mentorship, by=mentee, title="Negotiate my salary")
    ObjectiveFactory(mentorship=mentorship, title="Unrelated objective")
    meeting = services.log_meeting(
        mentorship,
        by=mentee,
        starts_at=hours_ago(2),
        time_zone="Europe/London",
        duration_minutes=60,
        format="video",
        summary="Practised the conversation.",
        objectives=[objective],
    )
    services.update_objective(objective, by=mentor, status="achieved", note="She got the raise!")

    entries = pair_space(mentorship, mentee)["space"].timeline

    kinds = [(e.kind, e.objective and e.objective.title) for e in entries]
    assert kinds[0] == ("objective-update", "Negotiate my salary")
    # The meeting was two hours ago: older than the objectives added just now.
    assert kinds[-1] == ("meeting", None)
    assert [e.when for e in entries] == sorted((e.when for e in entries), reverse=True)
    meeting_entry = next(e for e in entries if e.kind == "meeting")
    assert meeting_entry.meeting == meeting
    assert meeting_entry.meeting.discussed == [objective]

    html = client_for(mentee).get(mentorship.get_absolute_url()).content.decode()
    timeline = html[html.index('id="timeline"') :]
    assert "Daniel Mentor" in timeline
    assert "marked <a" in timeline and "achieved." in timeline
    assert "She got the raise!" in timeline
    moved = re.search(r'class="list-inline mb-1 discussed">(.*?)</ul>', timeline, re.S).group(1)
    assert "Negotiate my salary" in moved
    assert "Unrelated objective" not in moved


def test_times_are_shown_in_the_viewers_own_zone(client_for, mentorship, mentee, mentor):
    year = timezone.now().year + 1
    MeetingFactory(mentorship=mentorship, starts_at=datetime(year, 7, 15, 9, 0, tzinfo=UTC))
    mentor.time_zone = "America/New_York"
    mentor.save(update_fields=["time_zone"])

    maya = client_for(mentee).get(mentorship.get_absolute_url()).content.decode()
    daniel = client_for(mentor).get(mentorship.get_absolute_url()).content.decode()

    assert f"15 July {year}, 10:00" in maya
    assert "Europe/London" in maya
    assert f"15 July {year}, 05:00" in daniel
    assert "America/New_York" in daniel


def test_a_planned_meeting_offers_its_calendar_file_and_actions(client_for, mentee, planned):
    html = client_for(mentee).get(planned.mentorship.get_absolute_url()).content.decode()

    pair = planned.mentorship_id
    for name in ("meeting-ics", "meeting-edit", "meeting-note", "meeting-cancel"):
        assert reverse(f"sessions_log:{name}", args=[pair, planned.pk]) in html, name
    # Next week's meeting cannot be marked held yet (tests/sessions_log/test_meetings.py).
    assert reverse("sessions_log:meeting-held", args=[pair, planned.pk]) not in html


def test_an_overdue_planned_meeting_asks_whether_it_took_place(client_for, mentee, mentorship):
    MeetingFactory(mentorship=mentorship, starts_at=hours_ago(5))

    html = client_for(mentee).get(mentorship.get_absolute_url()).content.decode()

    assert "Did this meeting take place?" in html


def test_a_new_pair_sees_how_to_get_started(client_for, mentorship, mentee, mentor):
    maya = client_for(mentee).get(mentorship.get_absolute_url()).content.decode()
    daniel = client_for(mentor).get(mentorship.get_absolute_url()).content.decode()

    assert "You arrange the meetings" in maya
    assert "Maya will arrange your first meeting" in daniel


@pytest.mark.parametrize(
    ("minutes", "shown"), [(0, "0 min"), (45, "45 min"), (180, "3 h"), (195, "3 h 15 min")]
)
def test_time_together_reads_naturally(minutes, shown):
    assert Totals(minutes=minutes).time_together == shown


@pytest.mark.parametrize(
    ("who", "other", "name"), [("mentee", "mentor", "Daniel"), ("mentor", "mentee", "Maya")]
)
@pytest.mark.parametrize("page", ["meeting-add", "meeting-log", "objective-add"])
def test_a_form_page_of_the_pair_names_the_other_person(
    client_for, request, mentorship, who, other, name, page
):
    response = client_for(request.getfixturevalue(who)).get(
        reverse(f"sessions_log:{page}", args=[mentorship.pk])
    )

    assert response.context["other"] == request.getfixturevalue(other)
    breadcrumb = f'<a href="{mentorship.get_absolute_url()}">{name} '
    assert breadcrumb in response.content.decode()


def test_no_template_works_out_who_the_other_person_is(settings):
    # The views pass `other`, `other_name` and `role` (sessions_log.views._pair).
    templates = Path(settings.BASE_DIR, "templates")
    working_it_out = re.compile(r"\b(mentor|mentee)_id == user\.pk")

    assert [p.name for p in templates.rglob("*.html") if working_it_out.search(p.read_text())] == []


def test_the_pair_see_each_others_email_address(
    client_for, mentee_profile, mentor_profile, mentorship, mentee, mentor
):
    assert "daniel@example.org" in text_of(client_for(mentee).get(mentorship.get_absolute_url()))
    assert "maya@example.org" in text_of(client_for(mentor).get(mentorship.get_absolute_url()))


def test_who_planned_each_meeting_without_a_query_per_meeting(client_for, mentorship, mentee):
    """The planner is one of the pair (read with the pair) or, for a meeting added in the
    admin, someone else (one query for them all)."""
    coordinator = UserFactory(full_name="Casey Coordinator")
    MeetingFactory(mentorship=mentorship, starts_at=next_week(), created_by=mentee)
    MeetingFactory(
        mentorship=mentorship, starts_at=next_week() + timedelta(days=1), created_by=coordinator
    )
    MeetingFactory(
        mentorship=mentorship,
        starts_at=next_week() + timedelta(days=2),
        created_by=mentorship.mentor,
    )

    html = text_of(client_for(mentee).get(mentorship.get_absolute_url()))

    assert "planned by you" in html
    assert "planned by Casey Coordinator" in html
    assert f"planned by {escape(mentorship.mentor.full_name)}" in html
