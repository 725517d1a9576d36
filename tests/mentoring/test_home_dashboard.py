"""A signed-in person's home as a dashboard: the next meeting, the to-do list, each pair's last
and next meeting and progress, the conversations; the same number of queries whatever the
number of pairs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from matching import conversations
from sessions_log import home
from tests.factories import (
    AgreementFactory,
    CheckInFactory,
    MeetingFactory,
    MenteeProfileFactory,
    MentorProfileFactory,
    MentorshipFactory,
    MentorshipRequestFactory,
    ObjectiveFactory,
)
from tests.support import text_of

pytestmark = pytest.mark.django_db

HOME = reverse("home")


def _today():
    return timezone.localdate()


@pytest.fixture
def pair(mentor_profile, mentee_profile):
    """Daniel mentoring Maya for two months."""
    return MentorshipFactory(
        mentor=mentor_profile.user,
        mentee=mentee_profile.user,
        started_at=timezone.now() - timedelta(days=60),
    )


# The next meeting and each pair


def test_a_mentee_sees_the_next_meeting_with_a_calendar_link(client_for, mentee, pair):
    MeetingFactory(mentorship=pair, held=True, starts_at=timezone.now() - timedelta(days=20))
    soon = MeetingFactory(
        mentorship=pair,
        starts_at=timezone.now() + timedelta(days=2),
        format="video",
        location="https://meet.example.org/maya-daniel",
    )
    MeetingFactory(mentorship=pair, starts_at=timezone.now() + timedelta(days=30))
    MeetingFactory(mentorship=pair, cancelled=True, starts_at=timezone.now() + timedelta(days=1))

    html = text_of(client_for(mentee).get(HOME))

    ics = reverse("sessions_log:meeting-ics", args=[pair.pk, soon.pk])
    assert f'href="{ics}"' in html and "Add to calendar" in html
    local = timezone.localtime(soon.starts_at)
    assert f"{local:%A} {local.day} {local:%B}, {local:%H:%M}</time> with Daniel Mentor" in html
    assert "Video call: <a" in html and "https://meet.example.org/maya-daniel" in html
    assert "Last met: <time" in html
    assert "Plan your first meeting" not in html


def test_a_meeting_under_way_is_still_the_next_one(client_for, mentee, pair):
    under_way = MeetingFactory(
        mentorship=pair, starts_at=timezone.now() - timedelta(minutes=20), duration_minutes=60
    )

    html = text_of(client_for(mentee).get(HOME))

    assert reverse("sessions_log:meeting-ics", args=[pair.pk, under_way.pk]) in html


def test_a_new_pair_is_asked_to_plan_the_first_meeting(client_for, mentee, pair):
    html = text_of(client_for(mentee).get(HOME))

    assert "Plan your first meeting" in html
    assert f'href="{reverse("sessions_log:meeting-add", args=[pair.pk])}"' in html
    assert "Last met: not yet. Next meeting: none planned." in " ".join(html.split())
    assert "You arrange the meetings." in html


def test_with_several_pairs_and_no_meeting_each_pair_has_its_plan_link(client_for, mentor_profile):
    mentor = mentor_profile.user
    mentor_profile.capacity = 5
    mentor_profile.save()
    first, second = MentorshipFactory(mentor=mentor), MentorshipFactory(mentor=mentor)

    html = " ".join(text_of(client_for(mentor).get(HOME)).split())

    assert "No meeting planned yet." in html
    overview = html.split('id="next-meeting-title"', 1)[1].split("</section>", 1)[0]
    for pair in (first, second):
        plan = reverse("sessions_log:meeting-add", args=[pair.pk])
        name = escape(pair.mentee.full_name)  # "O'Neill" is "O&#x27;Neill" in the HTML
        assert f'<a href="{plan}">Plan a meeting with {name}</a>' in overview


def test_with_one_pair_and_no_meeting_the_plan_link_names_them(client_for, mentee, pair):
    html = " ".join(text_of(client_for(mentee).get(HOME)).split())

    plan = reverse("sessions_log:meeting-add", args=[pair.pk])
    assert (
        f'No meeting planned yet. <a href="{plan}">Plan a meeting with {pair.mentor.full_name}</a>.'
        in html
    )


def test_each_pair_shows_its_objective_progress_and_kind(client_for, mentor, mentor_profile, pair):
    mentor_profile.capacity = 5
    mentor_profile.save()
    ObjectiveFactory(mentorship=pair, status="achieved", achieved_on=_today())
    ObjectiveFactory(mentorship=pair)
    ObjectiveFactory(mentorship=pair, status="dropped")
    advice = MentorshipFactory(mentor=mentor, engagement="advice")
    informal = MentorshipFactory(mentor=mentor, engagement="informal")

    html = text_of(client_for(mentor).get(HOME))

    assert "Objectives: 1 of 2 achieved." in html
    assert (
        f'{escape(advice.mentee.full_name)}</a>\n  <span class="badge text-bg-light border">Advice'
        in html
    )
    assert f"{escape(informal.mentee.full_name)}</a>\n  " in html and ">Informal</span>" in html


def test_both_roles_see_both_cards_and_both_pairs(client_for, mentee_profile):
    me = mentee_profile.user
    MentorProfileFactory(user=me)
    as_mentor = MentorshipFactory(mentor=me)
    as_mentee = MentorshipFactory(mentee=me)
    MeetingFactory(mentorship=as_mentee, starts_at=timezone.now() + timedelta(days=3))

    html = text_of(client_for(me).get(HOME))

    assert "As a mentor" in html and "As a mentee" in html
    assert escape(as_mentor.mentee.full_name) in html
    assert escape(as_mentee.mentor.full_name) in html
    assert f"with {escape(as_mentee.mentor.full_name)}" in html  # the next meeting


def test_an_ended_pair_is_not_on_home(client_for, mentee, mentee_profile):
    ended = MentorshipFactory(mentee=mentee, ended=True)

    html = text_of(client_for(mentee).get(HOME))

    assert escape(ended.mentor.full_name) not in html


# The to-do list


def test_a_mentor_sees_each_request_with_the_days_left_to_answer(client_for, mentor_profile):
    req = MentorshipRequestFactory(
        mentor=mentor_profile.user,
        mentee=MenteeProfileFactory(user__full_name="Wendy Waiting").user,
        created_at=timezone.now() - timedelta(days=3),
    )
    days = req.programme.request_expiry_days - 3

    html = text_of(client_for(mentor_profile.user).get(HOME))

    assert "Answer Wendy Waiting&#x27;s request" in html
    assert f"closes in {days} days" in html


def test_objectives_due_this_week_or_overdue_are_to_do(client_for, mentee, pair):
    ObjectiveFactory(mentorship=pair, title="Due soon", target_date=_today() + timedelta(days=3))
    ObjectiveFactory(mentorship=pair, title="Late", target_date=_today() - timedelta(days=2))
    ObjectiveFactory(mentorship=pair, title="Far off", target_date=_today() + timedelta(days=40))
    ObjectiveFactory(
        mentorship=pair,
        title="Done",
        target_date=_today(),
        status="achieved",
        achieved_on=_today(),
    )
    ObjectiveFactory(mentorship=pair, title="Dropped", target_date=_today(), status="dropped")

    html = text_of(client_for(mentee).get(HOME))

    assert (
        '“Due soon” with Daniel Mentor</a> <span class="small text-body-secondary">due in 3 days'
        in html
    )
    late = _today() - timedelta(days=2)
    assert f"overdue since {late.day} {late:%B}" in html
    for absent in ("“Far off”", "“Done”", "“Dropped”"):
        assert absent not in html


def test_a_check_in_waiting_for_an_answer_is_to_do(client_for, mentee, pair):
    waiting = CheckInFactory(mentorship=pair, person=mentee)
    CheckInFactory(
        mentorship=pair,
        person=mentee,
        kind="six_months",
        answered_at=timezone.now(),
        rating=4,
    )
    CheckInFactory(
        mentorship=pair, person=mentee, kind="ending", expires_at=timezone.now() - timedelta(1)
    )
    CheckInFactory(mentorship=pair, person=pair.mentor)  # the mentor's own

    html = text_of(client_for(mentee).get(HOME))

    assert html.count("Tell us how it is going with Daniel Mentor") == 1
    assert f'href="{waiting.get_absolute_url()}"' in html


def test_a_profile_to_confirm_is_to_do_until_confirmed(client_for, mentor_profile):
    mentor_profile.confirmed_at = timezone.now() - timedelta(days=400)
    mentor_profile.confirmation_asked_at = timezone.now() - timedelta(days=2)
    mentor_profile.save()
    client = client_for(mentor_profile.user)

    assert "Confirm your mentor profile is up to date" in text_of(client.get(HOME))

    mentor_profile.confirmed_at = timezone.now()
    mentor_profile.save()
    assert "Confirm your mentor profile is up to date" not in text_of(client.get(HOME))


def test_an_agreement_proposal_waits_for_the_other_person_only(client_for, mentor, mentee, pair):
    AgreementFactory(mentorship=pair, proposed_by=mentee)

    assert "Read and agree the agreement Maya Mentee proposed" in text_of(
        client_for(mentor).get(HOME)
    )
    assert "Read and agree the agreement" not in text_of(client_for(mentee).get(HOME))


def test_nothing_to_do_says_so(client_for, mentee_profile):
    assert "Nothing to do right now." in text_of(client_for(mentee_profile.user).get(HOME))


# Conversations


def test_conversations_show_with_their_unread_count(client_for, mentor, mentee, pair):
    conversation = conversations.conversation_for_mentorship(pair)
    conversations.post_message(conversation, author=mentor, body="Shall we meet on Tuesday?")

    html = text_of(client_for(mentee).get(HOME))

    assert '<span class="badge text-bg-primary">1 unread</span>' in html
    assert "Shall we meet on Tuesday?" in html
    assert ">New</span>" in html

    mine = text_of(client_for(mentor).get(HOME))
    assert "unread" not in mine and ">New</span>" not in mine


# Queries


def _full_pair(mentor, mentee, n):
    pair = MentorshipFactory(mentor=mentor, mentee=mentee)
    MeetingFactory(mentorship=pair, held=True)
    MeetingFactory(mentorship=pair, starts_at=timezone.now() + timedelta(days=n + 1))
    ObjectiveFactory(mentorship=pair, target_date=_today())
    ObjectiveFactory(mentorship=pair, status="achieved", achieved_on=_today())
    CheckInFactory(mentorship=pair, person=mentee)
    CheckInFactory(mentorship=pair, person=mentor)
    AgreementFactory(mentorship=pair, proposed_by=mentor)
    conversation = conversations.conversation_for_mentorship(pair)
    conversations.post_message(conversation, author=mentor, body=f"Message {n}")
    MentorshipRequestFactory(mentor=mentor)
    MentorshipRequestFactory(mentee=mentee)
    return pair


def _queries(client) -> int:
    client.get(HOME)  # warms the caches (unread count, programme count)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(HOME).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("role", ["mentee", "mentor", "both"])
def test_home_reads_a_constant_number_of_queries(
    set_scheme, client_for, django_assert_max_num_queries, role
):
    set_scheme(max_active_mentorships=5, max_pending_requests=5)
    me = MenteeProfileFactory().user
    if role != "mentee":
        MentorProfileFactory(user=me, capacity=10)
    client = client_for(me)

    def grow(n):
        mentor = me if role != "mentee" else MentorProfileFactory(capacity=10).user
        mentee = me if role == "mentee" else MenteeProfileFactory().user
        _full_pair(mentor, mentee, n)
        if role == "both":
            _full_pair(MentorProfileFactory(capacity=10).user, me, n)

    grow(1)
    one = _queries(client)
    grow(2)
    grow(3)
    three = _queries(client)

    assert one == three
    with django_assert_max_num_queries(13):
        client.get(HOME)


def test_a_new_user_reads_few_queries(client_for, django_assert_max_num_queries):
    from tests.factories import UserFactory

    client = client_for(UserFactory())
    client.get(HOME)

    with django_assert_max_num_queries(7):
        html = text_of(client.get(HOME))

    assert "How would you like to take part" in html


def test_homes_prepared_lists_are_the_orms():
    # sessions_log.home builds these four queries' SQL once per process (mentoring.prepared).
    me = MentorProfileFactory(capacity=10).user
    MenteeProfileFactory(user=me)
    for n in (1, 2):
        _full_pair(me, MenteeProfileFactory().user, n)
        _full_pair(MentorProfileFactory(capacity=10).user, me, n)
    MentorshipFactory(mentor=me, ended=True)  # not on home

    for prepared, query in (
        (home._LATEST_CONVERSATIONS, home._latest_conversations_query),
        (home._LAST_MET, home._last_met_query),
        (home._OBJECTIVES, home._objectives_query),
        (home._PROPOSALS, home._proposals_query),
    ):
        rows = prepared.rows(user_id=me.pk)
        assert rows == list(query(user_id=me.pk))
        assert rows, query  # the data gives each something to show
