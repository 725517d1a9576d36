"""The applicants queue of a programme that matches centrally: who is waiting (longest first),
suggested mentors outside the applicant's line management, and matching from it under the
same rules as everywhere (the line manager is refused with a clear sentence)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from matching import jobs, services
from matching.models import Mentorship
from profiles.models import Membership
from tests.factories import (
    ExpertiseAreaFactory,
    MenteeProfileFactory,
    MentorProfileFactory,
    MentorshipFactory,
    ProgrammeFactory,
    UserFactory,
)
from tests.support import local_noon

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return ProgrammeFactory(
        name="Professional staff mentoring",
        slug="staff",
        matching="central",
        outside_line_management=True,
    )


@pytest.fixture
def coordinator(staff):
    user = UserFactory(full_name="Cora Coordinator", email="cora@example.org", is_staff=True)
    user.groups.add(Group.objects.get(name="Scheme coordinator"))
    staff.coordinators.add(user)
    return user


@pytest.fixture
def leadership():
    return ExpertiseAreaFactory(name="Leadership")


def _mentor(programme, name, *, department="", email=None, areas=(), **fields):
    user = UserFactory(full_name=name, **({"email": email} if email else {}))
    return MentorProfileFactory(
        user=user, department=department, programmes=[programme], areas=list(areas), **fields
    )


def _applicant(programme, name, *, days=1, department="", manager="", areas=(), preferred=()):
    profile = MenteeProfileFactory(
        user=UserFactory(full_name=name),
        department=department,
        line_manager_email=manager,
        programmes=[programme],
        areas=list(areas),
    )
    membership = Membership.objects.get(user=profile.user, programme=programme, role="mentee")
    membership.application = f"{name} would like a mentor who has led a team."
    membership.applied_at = local_noon(days)
    membership.save(update_fields=["application", "applied_at"])
    membership.preferred_mentors.set([p.user for p in preferred])
    return membership


def _queue_url(programme) -> str:
    return reverse("admin:profiles_menteeprofile_applicants", args=[programme.pk])


def _confirm(client, applicant, mentor, programme, **extra):
    """Match now from the queue: the confirmation page's POST (the only way to match)."""
    url = reverse(
        "admin:profiles_menteeprofile_match_confirm", args=[applicant.user.mentee_profile.pk]
    )
    data = {"mentor": mentor.pk, "programme": programme.pk, "action": "match", "back": "queue"}
    return client.post(url, {**data, **extra})


def _messages(response) -> list[str]:
    return [str(m.message) for m in get_messages(response.wsgi_request)]


def test_applicants_wait_longest_first_and_the_matched_are_gone(client_for, coordinator, staff):
    recent = _applicant(staff, "Rita Recent", days=2)
    oldest = _applicant(staff, "Olga Oldest", days=20)
    paired = _applicant(staff, "Pia Paired", days=30)
    MentorshipFactory(mentee=paired.user, programme=staff)
    not_applied = MenteeProfileFactory(programmes=[staff])

    response = client_for(coordinator).get(_queue_url(staff))

    assert response.status_code == 200
    queue = response.context["queue"]
    assert [m.pk for m in queue] == [oldest.pk, recent.pk]
    assert not_applied.user_id not in {m.user_id for m in queue}
    page = response.content.decode()
    assert "Waiting 20 days" in page
    assert "Olga Oldest would like a mentor who has led a team." in page


def test_suggestions_leave_out_the_line_manager_and_the_department(
    client_for, coordinator, staff, leadership
):
    manager = _mentor(staff, "Martin Manager", email="martin@example.org", areas=[leadership])
    colleague = _mentor(staff, "Colin Colleague", department="Finance", areas=[leadership])
    outside = _mentor(staff, "Olivia Outside", department="Library", areas=[leadership])
    elsewhere = _mentor(ProgrammeFactory(slug="careers"), "Carl Careers", areas=[leadership])
    full = _mentor(staff, "Fay Full", areas=[leadership], capacity=1, mentee_count=1)
    _applicant(
        staff,
        "Amir Applicant",
        department=" finance ",
        manager="Martin@example.org",
        areas=[leadership],
    )

    response = client_for(coordinator).get(_queue_url(staff))

    [applicant] = response.context["queue"]
    suggested = {s.mentor.pk for s in applicant.suggestions}
    assert suggested == {outside.pk}
    assert not suggested & {manager.pk, colleague.pk, elsewhere.pk, full.pk}
    assert "Shares 1 area: Leadership" in response.content.decode()


@pytest.mark.parametrize(
    ("capacity", "mentees", "said"),
    [(1, 0, "1 of 1 place free."), (3, 1, "2 of 3 places free.")],
)
def test_a_suggestions_places_are_in_words(client_for, coordinator, staff, capacity, mentees, said):
    _mentor(staff, "Pat Places", capacity=capacity, mentee_count=mentees)
    _applicant(staff, "Amir Applicant")

    page = client_for(coordinator).get(_queue_url(staff)).content.decode()

    assert said in page


def test_a_coordinator_matches_an_applicant_with_a_suggested_mentor(
    client_for, coordinator, staff, leadership
):
    mentor = _mentor(staff, "Olivia Outside", department="Library", areas=[leadership])
    applicant = _applicant(staff, "Amir Applicant", department="Finance", areas=[leadership])
    client = client_for(coordinator)

    response = _confirm(client, applicant, mentor, staff)

    assert response.status_code == 302
    assert response.url == _queue_url(staff)
    pair = Mentorship.objects.get(mentee=applicant.user)
    assert (pair.mentor, pair.programme, pair.created_by) == (mentor.user, staff, coordinator)
    assert any(
        "Matched Amir Applicant with Olivia Outside in Professional staff mentoring" in m
        for m in _messages(response)
    )
    assert client.get(_queue_url(staff)).context["queue"] == []


def test_the_line_manager_is_refused_with_a_clear_sentence(client_for, coordinator, staff):
    manager = _mentor(staff, "Martin Manager", email="martin@example.org")
    applicant = _applicant(
        staff, "Amir Applicant", manager="martin@example.org", preferred=[manager]
    )
    client = client_for(coordinator)

    page = client.get(_queue_url(staff)).content.decode()
    response = _confirm(client, applicant, manager, staff)

    sentence = (
        "Martin Manager is Amir Applicant's line manager. Professional staff mentoring pairs "
        "mentees with a mentor outside their line management."
    )
    assert f"Not possible: {sentence}" in page.replace("&#x27;", "'")
    assert response.status_code == 200  # the confirmation page again, with the sentence
    assert _messages(response) == [sentence]
    assert not Mentorship.objects.filter(mentee=applicant.user).exists()


def test_the_single_mentees_page_leaves_out_the_line_manager_too(client_for, coordinator, staff):
    manager = _mentor(staff, "Martin Manager", email="martin@example.org")
    outside = _mentor(staff, "Olivia Outside", department="Library")
    applicant = _applicant(staff, "Amir Applicant", manager="martin@example.org")
    url = reverse("admin:profiles_menteeprofile_match", args=[applicant.user.mentee_profile.pk])
    client = client_for(coordinator)

    suggested = {s.mentor.pk for s in client.get(url).context["suggestions"]}
    response = _confirm(client, applicant, manager, staff, back="")

    assert suggested == {outside.pk}
    assert response.status_code == 200
    assert "Martin Manager is Amir Applicant's line manager." in _messages(response)[0]


def test_a_programme_where_mentees_choose_has_no_queue(client_for, coordinator):
    choosing = ProgrammeFactory(slug="choosing", matching="choice", coordinators=[coordinator])

    assert client_for(coordinator).get(_queue_url(choosing)).status_code == 404


def test_an_applicant_of_another_programme_cannot_be_matched_from_this_queue(
    client_for, coordinator, staff
):
    other = ProgrammeFactory(slug="other", matching="central")
    stranger = _applicant(other, "Sam Stranger")
    mentor = _mentor(staff, "Olivia Outside")

    response = _confirm(client_for(coordinator), stranger, mentor, staff)

    assert response.status_code == 404
    assert not Mentorship.objects.exists()


@pytest.mark.parametrize("page", ["queue", "mentee"])
def test_the_queue_and_the_mentees_page_do_not_match_without_the_confirmation(
    client_for, coordinator, staff, page
):
    """The old direct POST (no confirmation, no note, any programme's mentor) is gone."""
    mentor = _mentor(staff, "Olivia Outside")
    applicant = _applicant(staff, "Amir Applicant")
    url = (
        _queue_url(staff)
        if page == "queue"
        else reverse("admin:profiles_menteeprofile_match", args=[applicant.user.mentee_profile.pk])
    )

    response = client_for(coordinator).post(
        url, {"applicant": applicant.pk, "mentor": mentor.pk, "programme": staff.pk}
    )
    garbled = client_for(coordinator).post(url, {"applicant": applicant.pk, "mentor": "abc"})

    assert (response.status_code, garbled.status_code) == (405, 405)
    assert not Mentorship.objects.exists()


def _queries(client, url) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), len(response.context["queue"])


def test_the_queue_costs_the_same_queries_for_1_or_10_applicants(
    client_for, coordinator, staff, leadership
):
    client = client_for(coordinator)
    url = _queue_url(staff)
    client.get(url)

    def add(n):
        mentor = _mentor(staff, f"Mentor {n}", department=f"Dept {n}", areas=[leadership])
        _applicant(staff, f"Applicant {n}", areas=[leadership], preferred=[mentor])

    add(0)
    one, one_rows = _queries(client, url)
    for n in range(1, 10):
        add(n)
    ten, ten_rows = _queries(client, url)

    assert (one_rows, ten_rows) == (1, 10)
    assert one == ten <= 16  # with the latest proposal of each applicant: one query


def test_a_second_click_is_told_the_applicant_has_a_mentor(client_for, coordinator, staff):
    mentor = _mentor(staff, "Olivia Outside", department="Library")
    applicant = _applicant(staff, "Amir Applicant", department="Finance")
    client = client_for(coordinator)

    _confirm(client, applicant, mentor, staff)
    again = _confirm(client, applicant, mentor, staff)

    assert again.status_code == 200
    assert _messages(again)[-1] == "Olivia Outside already mentors Amir Applicant."
    assert Mentorship.objects.filter(mentee=applicant.user).count() == 1


@pytest.mark.parametrize(
    ("change", "sentence"),
    [
        ({"is_active": False}, "Pia Preferred is not taking new mentees at the moment."),
        ({"away_until": timedelta(days=9)}, "Pia Preferred is away until"),
        ({"capacity": 1, "mentee_count": 1}, "Pia Preferred has no free place."),
    ],
)
def test_a_named_mentor_the_service_would_refuse_offers_no_buttons(
    client_for, coordinator, staff, change, sentence
):
    """The queue says why before anyone presses a button, with the service's own rules."""
    if "away_until" in change:
        change = {"away_until": timezone.localdate() + change["away_until"]}
    preferred = _mentor(staff, "Pia Preferred", **change)
    _applicant(staff, "Amir Applicant", preferred=[preferred])

    page = client_for(coordinator).get(_queue_url(staff)).content.decode()

    assert f"Not possible: {sentence}" in page
    assert "Match now: Amir Applicant with Pia Preferred" not in page


def test_a_named_mentor_at_the_programmes_cap_is_not_possible(client_for, coordinator, staff):
    staff.mentor_places_cap = 1
    staff.save(update_fields=["mentor_places_cap"])
    preferred = _mentor(staff, "Pia Preferred", capacity=3, mentee_count=1)
    MentorshipFactory(mentor=preferred.user, programme=staff)
    _applicant(staff, "Amir Applicant", preferred=[preferred])

    page = client_for(coordinator).get(_queue_url(staff)).content.decode()

    assert (
        "Not possible: Pia Preferred has no free place in Professional staff mentoring at the "
        "moment." in page
    )


def _propose(admin_user, mentor, applicant, programme):
    return services.propose_match(
        mentor=mentor.user, mentee=applicant.user, by=admin_user, programme=programme
    )


def test_an_applicant_waiting_for_a_proposal_is_marked(client_for, coordinator, staff, admin_user):
    mentor = _mentor(staff, "Olivia Outside")
    applicant = _applicant(staff, "Amir Applicant")
    proposal = _propose(admin_user, mentor, applicant, staff)

    page = client_for(coordinator).get(_queue_url(staff)).content.decode()

    when = timezone.localtime(proposal.created_at).strftime("%-d %B %Y")
    assert f"Proposed to Olivia Outside, waiting since {when}." in page


@pytest.mark.parametrize("ending", ["declined", "expired"])
def test_a_declined_or_expired_proposal_is_shown(
    client_for, coordinator, staff, admin_user, ending
):
    mentor = _mentor(staff, "Olivia Outside")
    applicant = _applicant(staff, "Amir Applicant")
    proposal = _propose(admin_user, mentor, applicant, staff)
    if ending == "declined":
        services.decline_request(proposal, by=mentor.user, reason="full")
    else:
        proposal.created_at -= timedelta(days=60)
        proposal.save(update_fields=["created_at"])
        jobs.expire_requests()
    proposal.refresh_from_db()
    assert proposal.status == ending

    page = client_for(coordinator).get(_queue_url(staff)).content.decode()

    when = timezone.localtime(proposal.ended_at).strftime("%-d %B %Y")
    assert f"Proposal to Olivia Outside {ending} on {when}." in page
    assert "waiting since" not in page


@pytest.mark.parametrize("hour", [0, 23])
def test_days_waiting_are_calendar_days_at_any_hour(
    client_for, coordinator, staff, time_machine, hour
):
    # As on the dashboard and in the review queue: applied at noon on the 7th, 20 days on the
    # 27th, early or late (whole 24 hours said 19 before noon).
    time_machine.move_to(timezone.make_aware(datetime(2026, 11, 27, hour, 30)), tick=False)
    _applicant(staff, "Olga Oldest", days=20)

    page = client_for(coordinator).get(_queue_url(staff)).content.decode()

    assert "Waiting 20 days" in page
