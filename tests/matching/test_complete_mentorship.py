"""A pair completes when its round's term ends (matching.services.complete_mentorship): a state
of its own, not "ended early", everywhere the pair is read."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.urls import reverse

from matching.models import Mentorship, StatusChange
from matching.services import complete_mentorship, end_mentorship
from profiles.models import Round
from sessions_log.models import Meeting
from tests.factories import (
    MeetingFactory,
    MenteeProfileFactory,
    MentorProfileFactory,
    MentorshipFactory,
    ProgrammeFactory,
)
from tests.support import START, html_part, places_taken, queued, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def careers(db):
    return ProgrammeFactory(name="Alumni career mentoring", rhythm="rounds")


@pytest.fixture
def round_(careers) -> Round:
    return Round.objects.create(
        programme=careers,
        name="2025–26",
        mentee_opens_on=date(2025, 9, 1),
        mentee_closes_on=date(2025, 11, 30),
        term_ends_on=date(2026, 1, 12),
    )


@pytest.fixture
def pair(clock, mentor, mentee, careers, round_) -> Mentorship:
    """Daniel mentoring Maya in the careers programme's 2025–26 round, with one of his two
    places taken."""
    MentorProfileFactory(user=mentor, capacity=2, programmes=[careers])
    MenteeProfileFactory(user=mentee, programmes=[careers])
    return MentorshipFactory(
        mentor=mentor,
        mentee=mentee,
        programme=careers,
        round=round_,
        started_at=START - timedelta(days=100),
    )


def test_the_pair_completes_and_the_mentors_place_is_freed(pair, mentor):
    assert places_taken(mentor.mentor_profile) == 1

    done = complete_mentorship(pair, at=START)

    assert done.status == Mentorship.Status.COMPLETED
    assert done.is_completed and not done.is_active
    pair.refresh_from_db()
    assert (pair.status, pair.ended_at, pair.ended_by, pair.end_reason) == (
        "completed",
        START,
        None,
        "",
    )
    assert places_taken(mentor.mentor_profile) == 0


def test_the_history_records_the_completion_by_the_scheme(pair):
    complete_mentorship(pair, at=START)

    change = StatusChange.objects.get(mentorship=pair, to_status="completed")
    assert (change.from_status, change.actor, change.at) == ("active", None, START)
    assert change.note == "Completed at the end of the 2025–26 term."


def test_planned_meetings_after_the_end_are_cancelled_and_held_ones_kept(pair):
    planned = MeetingFactory(mentorship=pair, starts_at=START + timedelta(days=3))
    held = MeetingFactory(mentorship=pair, held=True, starts_at=START - timedelta(days=3))

    complete_mentorship(pair, at=START)

    statuses = dict(Meeting.objects.values_list("pk", "status"))
    assert statuses == {planned.pk: "cancelled", held.pk: "held"}


def test_both_are_thanked_and_told_they_may_keep_in_touch(pair, mentor, mentee):
    complete_mentorship(pair, at=START)

    rows = {row.to_email: row for row in queued("mentorship_completed")}
    assert set(rows) == {mentor.email, mentee.email}
    to_mentee = rows[mentee.email]
    assert to_mentee.subject == "Alumni career mentoring 2025–26 has ended: thank you"
    assert to_mentee.dedupe_key == f"mentorship-completed:{pair.pk}:{mentee.pk}"
    for text in (to_mentee.body_text, html_part(to_mentee.as_message())):
        assert "The 2025–26 term of Alumni career mentoring has ended" in text
        assert "Daniel Mentor" in text
        assert "Thank you" in text
        assert "keep in touch informally" in text
        assert f"http://testserver/mentorships/{pair.pk}/" in text
    assert "Maya Mentee" in rows[mentor.email].body_text


def test_completing_twice_does_nothing_more(pair, mentor):
    complete_mentorship(pair, at=START)
    again = complete_mentorship(pair, at=START + timedelta(hours=1))

    assert again.ended_at == START
    assert places_taken(mentor.mentor_profile) == 0
    assert StatusChange.objects.filter(mentorship=pair, to_status="completed").count() == 1
    assert len(queued("mentorship_completed")) == 2


def test_a_pair_that_ended_early_stays_ended(pair, mentor, mentee):
    end_mentorship(pair, by=mentee, reason="achieved")

    done = complete_mentorship(pair, at=START)

    assert done.status == Mentorship.Status.ENDED
    assert places_taken(mentor.mentor_profile) == 0
    assert queued("mentorship_completed") == []


def test_a_completed_pair_cannot_then_be_ended(pair, mentee):
    complete_mentorship(pair, at=START)

    result = end_mentorship(pair, by=mentee, reason="achieved")

    assert result.status == Mentorship.Status.COMPLETED
    assert queued("mentorship_ended") == []


# Where the pair is read


@pytest.mark.parametrize("person", ["mentor", "mentee"])
def test_the_pair_page_says_completed_at_the_end_of_the_round(client_for, pair, person, request):
    complete_mentorship(pair, at=START)

    response = client_for(request.getfixturevalue(person)).get(pair.get_absolute_url())

    text = text_of(response)
    assert response.status_code == 200
    assert "Completed at the end of 2025–26 on 12 January 2026" in text
    assert "This mentorship is complete: the programme's term has ended." in text
    assert "text-bg-info" in text and ">Completed</span>" in text
    assert "This mentorship has ended." not in text
    assert "ended 12 January 2026 by" not in text
    assert "End the mentorship" not in text


@pytest.mark.parametrize("who", ["stranger", None])
def test_a_completed_pair_is_still_private(client_for, pair, stranger, who):
    complete_mentorship(pair, at=START)

    response = client_for(stranger if who else None).get(pair.get_absolute_url())

    if who:
        assert response.status_code == 404
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_the_mentorship_list_says_completed_not_ended(client_for, pair, mentee):
    complete_mentorship(pair, at=START)

    text = text_of(client_for(mentee).get(reverse("matching:mentorship-list")))

    assert "completed 12 January 2026" in text
    assert ", ended" not in text
    assert ">Completed</span>" in text


def test_the_data_export_says_the_pair_completed(client_for, pair, mentee):
    complete_mentorship(pair, at=START)

    response = client_for(mentee).get(reverse("accounts:personal-data"), {"format": "json"})

    [row] = json.loads(response.content)["Mentorships"]
    assert row["Status"] == "Completed"
    assert row["End reason"] == "Completed at the end of 2025–26"
