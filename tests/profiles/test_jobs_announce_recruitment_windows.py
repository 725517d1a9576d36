"""When a round's mentor recruitment window opens, the programme's mentors are invited to mentor
in the round (profiles.jobs.announce_recruitment_windows): once per mentor per window."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse

from profiles.jobs import announce_recruitment_windows
from profiles.models import Membership, MentorProfile, Programme, RecruitmentWindow, Round
from profiles.tokens import confirm_token
from tests.factories import MentorProfileFactory, ProgrammeFactory, UserFactory
from tests.support import html_part, keys, queued, run_counting_queries

pytestmark = pytest.mark.django_db

OPENS = date(2026, 8, 3)
# Midnight on 3 August in London (summer time) is 23:00 UTC on 2 August.
EVE = datetime(2026, 8, 2, 22, 30, tzinfo=UTC)
OPENING_DAY = datetime(2026, 8, 2, 23, 30, tzinfo=UTC)


@pytest.fixture
def careers(db) -> Programme:
    return ProgrammeFactory(name="Alumni career mentoring", rhythm="rounds")


@pytest.fixture
def round_(careers) -> Round:
    return Round.objects.create(
        programme=careers,
        name="2026–27",
        mentee_opens_on=date(2026, 9, 21),
        mentee_closes_on=date(2026, 12, 11),
        term_ends_on=date(2027, 6, 30),
    )


@pytest.fixture
def window(round_) -> RecruitmentWindow:
    return RecruitmentWindow.objects.create(
        round=round_, opens_on=OPENS, closes_on=date(2026, 8, 31)
    )


@pytest.fixture
def mentors(clock, careers) -> list[MentorProfile]:
    """Two approved mentors of the careers programme."""
    return [MentorProfileFactory(programmes=[careers]) for _ in range(2)]


def _invited() -> set[str]:
    return {row.to_email for row in queued("recruitment_open")}


def test_nobody_is_invited_before_the_window_opens(clock, window, mentors):
    clock.move_to(EVE)

    assert announce_recruitment_windows() == 0
    window.refresh_from_db()
    assert window.announced_at is None


def test_the_programmes_mentors_are_invited_when_the_window_opens(clock, window, mentors):
    clock.move_to(OPENING_DAY)

    assert announce_recruitment_windows() == 2

    assert _invited() == {m.user.email for m in mentors}
    assert keys("recruitment_open") == {
        f"recruitment-open:{window.pk}:{m.user_id}" for m in mentors
    }
    window.refresh_from_db()
    assert window.announced_at == OPENING_DAY


def test_a_window_is_announced_once(clock, window, mentors):
    clock.move_to(OPENING_DAY)
    announce_recruitment_windows()

    for day in range(1, 30):
        clock.move_to(OPENING_DAY + timedelta(days=day))
        assert announce_recruitment_windows() == 0
    assert len(queued("recruitment_open")) == 2


def test_each_window_of_a_round_is_announced_when_it_opens(clock, round_, window, mentors):
    march = RecruitmentWindow.objects.create(
        round=round_, opens_on=date(2027, 3, 1), closes_on=date(2027, 3, 31)
    )
    clock.move_to(OPENING_DAY)
    assert announce_recruitment_windows() == 2

    clock.move_to(datetime(2027, 3, 1, 9, 0, tzinfo=UTC))
    assert announce_recruitment_windows() == 2
    assert keys("recruitment_open") == {
        f"recruitment-open:{w.pk}:{m.user_id}" for w in (window, march) for m in mentors
    }


def test_mentors_waiting_for_approval_are_invited_but_not_those_who_left(
    clock, careers, window, mentors
):
    waiting = MentorProfileFactory(programmes=[])
    Membership.objects.create(user=waiting.user, programme=careers, role="mentor")
    left = MentorProfileFactory(programmes=[careers])
    Membership.objects.filter(user=left.user).update(status="left", left_at=OPENING_DAY)
    clock.move_to(OPENING_DAY)

    assert announce_recruitment_windows() == 3
    assert waiting.user.email in _invited()
    assert left.user.email not in _invited()


def test_mentees_and_other_programmes_mentors_are_not_invited(clock, careers, window, mentors):
    elsewhere = MentorProfileFactory()  # mentors in the default programme only
    mentee = UserFactory()
    Membership.objects.create(
        user=mentee, programme=careers, role="mentee", status="approved", approved_at=EVE
    )
    inactive = MentorProfileFactory(programmes=[careers], user=UserFactory(is_active=False))
    clock.move_to(OPENING_DAY)

    assert announce_recruitment_windows() == 2
    assert not {elsewhere.user.email, mentee.email, inactive.user.email} & _invited()


def test_a_mentor_who_turned_reminders_off_is_not_invited(clock, window, mentors):
    mentors[0].user.reminder_emails = False
    mentors[0].user.save(update_fields=["reminder_emails"])
    clock.move_to(OPENING_DAY)

    assert announce_recruitment_windows() == 1
    assert _invited() == {mentors[1].user.email}


def test_a_window_that_closed_before_the_job_ran_is_not_announced(clock, window, mentors):
    clock.move_to(datetime(2026, 9, 1, 9, 0, tzinfo=UTC))

    assert announce_recruitment_windows() == 0


@pytest.mark.parametrize("status", ["draft", "archived"])
def test_a_draft_or_archived_programme_announces_nothing(clock, careers, window, mentors, status):
    Programme.objects.filter(pk=careers.pk).update(status=status)
    clock.move_to(OPENING_DAY)

    assert announce_recruitment_windows() == 0
    window.refresh_from_db()
    assert window.announced_at is None


def test_the_invitation_names_the_round_and_links_to_confirm_or_edit(clock, window, mentors):
    clock.move_to(OPENING_DAY)

    announce_recruitment_windows()

    mentor = mentors[0]
    row = next(r for r in queued("recruitment_open") if r.recipient_id == mentor.user_id)
    assert row.subject == "Will you mentor in Alumni career mentoring 2026–27?"
    confirm_url = "http://testserver" + reverse(
        "profiles:mentor-confirm-link", args=[confirm_token(mentor)]
    )
    for text in (row.body_text, html_part(row.as_message())):
        assert "open until 31 August 2026" in text
        assert "Mentees can look for a mentor from 21 September 2026" in text
        assert confirm_url in text
        assert "http://testserver/profile/mentor/" in text
        assert "http://testserver/programmes/alumni-career-mentoring/" in text
    assert row.headers.get("List-Unsubscribe")


def test_a_mentor_with_no_profile_yet_is_asked_to_write_one(clock, careers, window):
    user = UserFactory()
    Membership.objects.create(user=user, programme=careers, role="mentor")
    clock.move_to(OPENING_DAY)

    assert announce_recruitment_windows() == 1
    [row] = queued("recruitment_open")
    assert "Write your mentor profile" in row.body_text
    assert "/profile/mentor/confirm/" not in row.body_text


def test_the_confirmation_link_in_the_invitation_confirms_the_profile(
    client, clock, window, mentors
):
    clock.move_to(OPENING_DAY)
    announce_recruitment_windows()
    mentor = mentors[0]
    link = reverse("profiles:mentor-confirm-link", args=[confirm_token(mentor)])

    assert client.post(link).status_code == 200
    mentor.refresh_from_db()
    assert mentor.confirmed_at == OPENING_DAY


def test_constant_queries_for_one_or_thirty_mentors(clock, careers, window):
    MentorProfileFactory(programmes=[careers])
    clock.move_to(OPENING_DAY)
    one = run_counting_queries(announce_recruitment_windows)

    other = ProgrammeFactory(name="Staff mentoring", rhythm="rounds")
    other_round = Round.objects.create(
        programme=other,
        name="2026–27",
        mentee_opens_on=date(2026, 9, 1),
        mentee_closes_on=date(2026, 10, 1),
        term_ends_on=date(2027, 7, 1),
    )
    RecruitmentWindow.objects.create(round=other_round, opens_on=OPENS, closes_on=date(2026, 9, 1))
    for _ in range(30):
        MentorProfileFactory(programmes=[other])
    thirty = run_counting_queries(announce_recruitment_windows)

    assert (one[0], thirty[0]) == (1, 30)
    assert thirty[1] == one[1]
