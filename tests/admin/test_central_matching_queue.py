"""The applicants queue of a programme that matches centrally: who is waiting (longest first),
suggested mentors outside the applicant's line management, and matching from it under the
same rules as everywhere (the line manager is refused with a clear sentence)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

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
    membership.applied_at = timezone.now() - timedelta(days=days)
    membership.save(update_fields=["application", "applied_at"])
    membership.preferred_mentors.set([p.user for p in preferred])
    return membership


def _queue_url(programme) -> str:
    return reverse("admin:profiles_menteeprofile_applicants", args=[programme.pk])


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

    response = client.post(_queue_url(staff), {"applicant": applicant.pk, "mentor": mentor.pk})

    assert response.status_code == 302
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
    response = client.post(_queue_url(staff), {"applicant": applicant.pk, "mentor": manager.pk})

    sentence = (
        "Martin Manager is Amir Applicant's line manager. Professional staff mentoring pairs "
        "mentees with a mentor outside their line management."
    )
    assert f"Not possible: {sentence}" in page.replace("&#x27;", "'")
    assert response.status_code == 302
    assert _messages(response) == [sentence]
    assert not Mentorship.objects.filter(mentee=applicant.user).exists()


def test_the_single_mentees_page_leaves_out_the_line_manager_too(client_for, coordinator, staff):
    manager = _mentor(staff, "Martin Manager", email="martin@example.org")
    outside = _mentor(staff, "Olivia Outside", department="Library")
    applicant = _applicant(staff, "Amir Applicant", manager="martin@example.org")
    url = reverse("admin:profiles_menteeprofile_match", args=[applicant.user.mentee_profile.pk])
    client = client_for(coordinator)

    suggested = {s.mentor.pk for s in client.get(url).context["suggestions"]}
    response = client.post(url, {"mentor": manager.pk, "programme": staff.pk})

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

    response = client_for(coordinator).post(
        _queue_url(staff), {"applicant": stranger.pk, "mentor": mentor.pk}
    )

    assert response.status_code == 404
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
    assert one == ten <= 15


def test_a_second_click_is_told_the_applicant_has_a_mentor(client_for, coordinator, staff):
    mentor = _mentor(staff, "Olivia Outside", department="Library")
    applicant = _applicant(staff, "Amir Applicant", department="Finance")
    client = client_for(coordinator)
    data = {"applicant": applicant.pk, "mentor": mentor.pk}

    client.post(_queue_url(staff), data)
    again = client.post(_queue_url(staff), data)

    assert again.status_code == 302
    assert _messages(again)[-1] == "Olivia Outside already mentors Amir Applicant."
    assert Mentorship.objects.filter(mentee=applicant.user).count() == 1
