"""Central matching's two ways for one suggestion: "Match now" and "Propose to the mentor",
each through a confirmation page (GET changes nothing; POST does it), with the suggestions
ordered by score and their reasons on the mentee's page and the applicants queue; who may
use them (superuser, this programme's coordinator; not another programme's, nor anyone
signed out)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from matching.models import Mentorship, MentorshipRequest
from profiles.models import Membership
from tests.factories import (
    ExpertiseAreaFactory,
    MenteeProfileFactory,
    MentorProfileFactory,
    ProgrammeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
NOTE = "You both started in audit: I think you will get on."


@pytest.fixture
def staff():
    return ProgrammeFactory(
        name="Professional staff mentoring",
        slug="staff-confirm",
        matching="central",
        outside_line_management=True,
    )


def _coordinator(programme, name: str, email: str):
    user = UserFactory(full_name=name, email=email, is_staff=True)
    user.groups.add(Group.objects.get(name="Scheme coordinator"))
    programme.coordinators.add(user)
    return user


@pytest.fixture
def coordinator(staff):
    return _coordinator(staff, "Cora Coordinator", "cora@example.org")


@pytest.fixture
def finance():
    return ExpertiseAreaFactory(name="Finance")


@pytest.fixture
def mentee(staff, finance):
    profile = MenteeProfileFactory(
        user=UserFactory(full_name="Amir Applicant", email="amir@example.org"),
        programmes=[staff],
        areas=[finance],
        goals="I would like to move into NHS management.",
        role="Finance officer",
        department="Payroll",
        line_manager_email="martin@example.org",
    )
    membership = Membership.objects.get(user=profile.user, programme=staff, role="mentee")
    membership.applied_at = timezone.now() - timedelta(days=3)
    membership.save(update_fields=["applied_at"])
    return profile


def _mentor(programme, name, email, **fields):
    values = {
        "headline": "Happy to help",
        "job_title": "Adviser",
        "organisation": "Harbour Bank",
        "key_areas": "I run a small team.",
        "department": "Library",
        **fields,
    }
    return MentorProfileFactory(
        user=UserFactory(full_name=name, email=email), programmes=[programme], **values
    )


@pytest.fixture
def nhs(staff):
    return _mentor(
        staff,
        "Nia Jones",
        "nia@example.org",
        headline="NHS management for twenty years",
        industry="healthcare",
    )


@pytest.fixture
def areas_only(staff, finance):
    return _mentor(staff, "Arun Shah", "arun@example.org", areas=[finance])


def _match_url(mentee) -> str:
    return reverse("admin:profiles_menteeprofile_match", args=[mentee.pk])


def _confirm_url(mentee) -> str:
    return reverse("admin:profiles_menteeprofile_match_confirm", args=[mentee.pk])


def _messages(response) -> list[str]:
    return [str(m.message) for m in get_messages(response.wsgi_request)]


def test_the_mentees_page_orders_by_score_and_says_why(
    client_for, coordinator, staff, mentee, nhs, areas_only
):
    response = client_for(coordinator).get(_match_url(mentee))

    suggestions = response.context["suggestions"]
    assert [s.mentor for s in suggestions] == [nhs, areas_only]
    html = response.content.decode()
    assert "The mentee&#x27;s goals match the profile: NHS management" in html
    assert "Shares 1 area: Finance" in html
    confirm = _confirm_url(mentee)
    assert f"{confirm}?programme={staff.pk}&amp;mentor={nhs.pk}&amp;action=match" in html
    assert f"{confirm}?programme={staff.pk}&amp;mentor={nhs.pk}&amp;action=propose" in html


def test_the_queue_shows_the_reasons_and_both_buttons(
    client_for, coordinator, staff, mentee, nhs, areas_only
):
    url = reverse("admin:profiles_menteeprofile_applicants", args=[staff.pk])

    response = client_for(coordinator).get(url)

    [applicant] = response.context["queue"]
    assert [s.mentor for s in applicant.suggestions] == [nhs, areas_only]
    html = response.content.decode()
    assert "NHS management" in html
    assert html.count("action=propose&amp;back=queue") == 2
    assert html.count("action=match&amp;back=queue") == 2


@pytest.mark.parametrize("action", ["match", "propose"])
def test_the_confirmation_page_changes_nothing(
    client_for, coordinator, staff, mentee, nhs, action, mailoutbox
):
    response = client_for(coordinator).get(
        _confirm_url(mentee), {"programme": staff.pk, "mentor": nhs.pk, "action": action}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Amir Applicant" in html and "Nia Jones" in html
    assert "Professional staff mentoring" in html
    assert "Emailed now:" in html
    assert 'name="note"' in html
    assert not Mentorship.objects.exists()
    assert not MentorshipRequest.objects.exists()
    assert mailoutbox == []


def test_match_now_pairs_them_with_the_note(
    client_for, coordinator, staff, mentee, nhs, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(coordinator).post(
            _confirm_url(mentee),
            {"programme": staff.pk, "mentor": nhs.pk, "action": "match", "note": NOTE},
        )

    pair = Mentorship.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("admin:matching_mentorship_change", args=[pair.pk])
    assert (pair.mentor, pair.mentee, pair.created_by) == (nhs.user, mentee.user, coordinator)
    assert pair.introduction_note == NOTE
    assert sorted(m.to[0] for m in mailoutbox) == ["amir@example.org", "nia@example.org"]
    assert all(NOTE in m.body for m in mailoutbox)


def test_match_now_from_the_queue_goes_back_to_the_queue(
    client_for, coordinator, staff, mentee, nhs
):
    response = client_for(coordinator).post(
        _confirm_url(mentee),
        {"programme": staff.pk, "mentor": nhs.pk, "action": "match", "back": "queue"},
    )

    assert response.url == reverse("admin:profiles_menteeprofile_applicants", args=[staff.pk])
    assert Mentorship.objects.get().introduction_note == ""


def test_a_refused_match_keeps_the_note_and_says_why(client_for, coordinator, staff, mentee):
    manager = _mentor(staff, "Martin Manager", "martin@example.org")

    response = client_for(coordinator).post(
        _confirm_url(mentee),
        {"programme": staff.pk, "mentor": manager.pk, "action": "match", "note": NOTE},
    )

    assert response.status_code == 200
    assert _messages(response) == [
        "Martin Manager is Amir Applicant's line manager. Professional staff mentoring pairs "
        "mentees with a mentor outside their line management."
    ]
    assert response.context["note"] == NOTE
    assert NOTE.replace("'", "&#x27;") in response.content.decode()
    assert not Mentorship.objects.exists()


def test_propose_twice_makes_one_request(
    client_for, coordinator, staff, mentee, nhs, django_capture_on_commit_callbacks, mailoutbox
):
    client = client_for(coordinator)
    data = {"programme": staff.pk, "mentor": nhs.pk, "action": "propose", "note": NOTE}

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(_confirm_url(mentee), data)
        second = client.post(_confirm_url(mentee), data)

    req = MentorshipRequest.objects.get()
    assert (req.mentor, req.mentee, req.proposed_by) == (nhs.user, mentee.user, coordinator)
    assert (req.status, req.coordinator_note) == ("pending", NOTE)
    assert first.status_code == second.status_code == 302
    assert first.url == f"{_match_url(mentee)}?programme={staff.pk}"
    assert "Proposed Nia Jones as Amir Applicant's mentor" in _messages(first)[0]
    assert not Mentorship.objects.exists()
    assert [m.to for m in mailoutbox] == [["amir@example.org"]]  # the mentor's after the hold


def test_superusers_use_it_too(client_for, admin_user, staff, mentee, nhs):
    client = client_for(admin_user)

    assert client.get(_match_url(mentee)).status_code == 200
    page = client.get(_confirm_url(mentee), {"mentor": nhs.pk, "action": "propose"})
    response = client.post(
        _confirm_url(mentee), {"programme": staff.pk, "mentor": nhs.pk, "action": "propose"}
    )

    assert page.status_code == 200
    assert response.status_code == 302
    assert MentorshipRequest.objects.get().proposed_by == admin_user


def test_a_coordinator_of_another_programme_gets_404(client_for, staff, mentee, nhs):
    other = _coordinator(
        ProgrammeFactory(slug="other-confirm", matching="central"), "Olly Other", "olly@example.org"
    )
    client = client_for(other)

    assert client.get(_match_url(mentee)).status_code == 404
    assert client.get(_confirm_url(mentee), {"mentor": nhs.pk}).status_code == 404
    response = client.post(
        _confirm_url(mentee), {"programme": staff.pk, "mentor": nhs.pk, "action": "propose"}
    )
    assert response.status_code == 404
    assert not MentorshipRequest.objects.exists()


def test_staff_without_matching_permission_are_refused(client_for, staff, mentee, nhs):
    plain = UserFactory(is_staff=True)
    staff.coordinators.add(plain)

    response = client_for(plain).post(
        _confirm_url(mentee), {"programme": staff.pk, "mentor": nhs.pk, "action": "match"}
    )

    assert response.status_code == 403
    assert not Mentorship.objects.exists()


def test_anonymous_people_are_sent_to_sign_in(client, staff, mentee, nhs):
    get = client.get(_confirm_url(mentee), {"mentor": nhs.pk})
    post = client.post(_confirm_url(mentee), {"mentor": nhs.pk, "action": "match"})

    for response in (get, post):
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))
    assert not Mentorship.objects.exists()


def test_the_mentees_page_costs_the_same_queries_for_1_or_6_mentors(
    client_for, coordinator, staff, mentee, finance
):
    client = client_for(coordinator)
    _mentor(staff, "Mentor 0", "m0@example.org", areas=[finance])
    client.get(_match_url(mentee))
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(_match_url(mentee)).context["suggestions"]) == 1
    for n in range(1, 6):
        _mentor(staff, f"Mentor {n}", f"m{n}@example.org", areas=[finance])
    with CaptureQueriesContext(connection) as six:
        assert len(client.get(_match_url(mentee)).context["suggestions"]) == 6

    assert len(six) == len(one)


@pytest.mark.parametrize("mentor", ["", "abc", "elsewhere"])
def test_a_mentor_outside_the_programme_or_none_is_404(
    client_for, coordinator, staff, mentee, mentor
):
    if mentor == "elsewhere":
        careers = ProgrammeFactory(slug="careers-confirm")
        mentor = str(_mentor(careers, "Carl Careers", "carl@example.org").pk)
    client = client_for(coordinator)

    get = client.get(_confirm_url(mentee), {"programme": staff.pk, "mentor": mentor})
    post = client.post(
        _confirm_url(mentee), {"programme": staff.pk, "mentor": mentor, "action": "propose"}
    )

    assert get.status_code == post.status_code == 404
    assert not MentorshipRequest.objects.exists()
