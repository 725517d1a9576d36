"""The programmes list and a programme's page: what a participant sees, joining (as they may,
or by the invitation link) and leaving."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from matching.models import MentorshipRequest
from profiles.models import Membership, Programme, RecruitmentWindow, Round
from tests.factories import (
    MenteeProfileFactory,
    MentorProfileFactory,
    MentorshipFactory,
    MentorshipRequestFactory,
    ProgrammeFactory,
    UserFactory,
)
from tests.support import count_queries, messages_of, text_of

pytestmark = pytest.mark.django_db

LIST_URL = reverse("profiles:programme-list")


@pytest.fixture
def careers():
    return ProgrammeFactory(
        name="Alumni career mentoring",
        slug="careers",
        summary="Students and recent graduates meet alumni who work in their field.",
        description="Our alumni give their time.\n\nMost pairs meet once a month.",
        audience="Students and graduates of the last three years",
        matching="choice",
        mentor_approval_required=True,
    )


@pytest.fixture
def staff():
    return ProgrammeFactory(
        name="Professional staff mentoring",
        slug="staff",
        summary="Staff mentor staff across departments.",
        matching="central",
        mentor_email_domains=["uni.example"],
        mentee_email_domains=["uni.example"],
        outside_line_management=True,
    )


def _join_url(programme: Programme) -> str:
    return reverse("profiles:programme-join", args=[programme.slug])


def _leave_url(programme: Programme) -> str:
    return reverse("profiles:programme-leave", args=[programme.slug])


def _invitation_url(programme: Programme, token: str | None = None) -> str:
    return reverse(
        "profiles:programme-invitation",
        args=[programme.slug, token or programme.invitation_token],
    )


def _memberships(user, programme) -> list[tuple[str, str]]:
    return list(
        Membership.objects.filter(user=user, programme=programme).values_list("role", "status")
    )


# The list


def test_list_shows_the_programmes_one_may_join_with_what_each_is(client_for, careers, staff):
    person = UserFactory(email="kim@uni.example")
    response = client_for(person).get(LIST_URL)

    html = text_of(response)
    assert response.status_code == 200
    assert [r["programme"] for r in response.context["rows"]] == [careers, staff]
    assert "Students and recent graduates meet alumni who work in their field." in html
    assert "Students and graduates of the last three years" in html
    assert "Coordinators match mentees centrally" in html
    assert f'href="{careers.get_absolute_url()}"' in html


def test_list_shows_my_status_in_each_role(client_for, careers):
    person = UserFactory()
    Membership.objects.create(
        user=person,
        programme=careers,
        role="mentee",
        status="approved",
        approved_at="2026-01-01T00:00Z",
    )
    Membership.objects.create(user=person, programme=careers, role="mentor", status="pending")

    html = text_of(client_for(person).get(LIST_URL))

    assert "You are a mentee:" in html
    assert '<span class="badge status-approved text-bg-success">Taking part</span>' in html
    assert "You are a mentor:" in html
    assert '<span class="badge status-pending text-bg-warning">Waiting for approval</span>' in html


def test_list_hides_drafts_archived_and_what_one_may_not_join(client_for, careers, staff):
    ProgrammeFactory(name="Secret pilot", slug="pilot", status="draft")
    ProgrammeFactory(name="Old scheme", slug="old", status="archived")
    ProgrammeFactory(name="Closed scheme", slug="closed", status="closed")
    ProgrammeFactory(name="Invited only", slug="invited", invitation_only=True)
    outsider = UserFactory(email="sam@gmail.example")

    response = client_for(outsider).get(LIST_URL)

    # staff is for @uni.example addresses only
    assert [r["programme"] for r in response.context["rows"]] == [careers]


def test_list_shows_a_closed_programme_to_its_members(client_for, careers):
    member = MenteeProfileFactory(programmes=[careers]).user
    Programme.objects.filter(pk=careers.pk).update(status="closed")

    response = client_for(member).get(LIST_URL)

    assert [r["programme"].slug for r in response.context["rows"]] == ["careers"]
    assert "Closed to new members" in text_of(response)


def test_list_needs_sign_in(client):
    response = client.get(LIST_URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_list_queries_do_not_grow_with_the_programmes(client_for, django_assert_num_queries):
    person = UserFactory()
    first = ProgrammeFactory(slug="p0")
    Membership.objects.create(
        user=person,
        programme=first,
        role="mentee",
        status="approved",
        approved_at="2026-01-01T00:00Z",
    )
    client = client_for(person)
    one = count_queries(client, LIST_URL)
    for n in range(1, 5):
        programme = ProgrammeFactory(slug=f"p{n}")
        Membership.objects.create(user=person, programme=programme, role="mentor", status="pending")

    with django_assert_num_queries(one):
        response = client.get(LIST_URL)

    assert len(response.context["rows"]) == 5


# A programme's page


def test_page_shows_the_description_in_paragraphs_and_the_rules(client_for, careers):
    html = text_of(client_for(UserFactory()).get(careers.get_absolute_url()))

    assert "<p>Our alumni give their time.</p>" in html
    assert "<p>Most pairs meet once a month.</p>" in html
    assert "Mentees choose a mentor from the directory and send a request." in html
    assert "The coordinators approve each mentor before mentees can find them." in html
    assert "It is always open" in html
    assert "Join as a mentee" in html
    assert "Join as a mentor" in html


def test_paragraphs_survive_the_line_endings_a_browser_sends(client_for):
    programme = ProgrammeFactory(slug="crlf", description="First part.\r\n\r\nSecond part.")

    html = text_of(client_for(UserFactory()).get(programme.get_absolute_url()))

    assert "<p>First part.</p>" in html
    assert "<p>Second part.</p>" in html


def test_a_member_without_a_profile_is_asked_to_write_it(client_for, careers):
    person = UserFactory()
    client = client_for(person)
    client.post(_join_url(careers), {"role": "mentee"})

    html = text_of(client.get(careers.get_absolute_url()))

    assert f'href="{reverse("profiles:mentee-edit")}">Write your mentee profile</a>' in html
    assert "Find a mentor in Alumni career mentoring" not in html


def test_page_shows_the_current_and_next_round_with_their_dates(client_for, clock):
    programme = ProgrammeFactory(slug="rounds", rhythm="rounds")
    this = Round.objects.create(
        programme=programme,
        name="2025–26",
        mentee_opens_on=date(2025, 10, 1),
        mentee_closes_on=date(2026, 3, 31),
        term_ends_on=date(2026, 6, 30),
    )
    RecruitmentWindow.objects.create(
        round=this, opens_on=date(2025, 8, 1), closes_on=date(2025, 8, 31)
    )
    Round.objects.create(
        programme=programme,
        name="2026–27",
        mentee_opens_on=date(2026, 10, 1),
        mentee_closes_on=date(2027, 3, 31),
        term_ends_on=date(2027, 6, 30),
    )

    html = text_of(client_for(UserFactory()).get(programme.get_absolute_url()))

    assert "This round: 2025–26" in html
    assert "1 October 2025 to 31 March 2026" in html
    assert "30 June 2026" in html
    assert "1 August to 31 August 2025" in html
    assert "Next round: 2026–27" in html
    assert "1 October 2026 to 31 March 2027" in html


def test_page_shows_the_reason_one_may_not_join_instead_of_the_button(client_for, staff):
    outsider = UserFactory(email="sam@gmail.example")

    html = text_of(client_for(outsider).get(staff.get_absolute_url()))

    assert "Professional staff mentoring is open to a mentee with an @uni.example" in html
    assert "Join as a mentee" not in html


@pytest.mark.parametrize("status", ["draft", "archived"])
def test_draft_and_archived_programmes_are_404_for_participants(client_for, status):
    programme = ProgrammeFactory(slug="hidden", status=status)
    member = MenteeProfileFactory(programmes=[programme]).user
    client = client_for(member)

    assert client.get(programme.get_absolute_url()).status_code == 404
    assert client.post(_join_url(programme), {"role": "mentee"}).status_code == 404
    assert client.get(_leave_url(programme), {"role": "mentee"}).status_code == 404
    assert client.get(_invitation_url(programme)).status_code == 404


def test_a_coordinator_previews_their_draft_programme(client_for):
    coordinator = UserFactory(is_staff=True)
    programme = ProgrammeFactory(slug="pilot", status="draft", coordinators=[coordinator])

    response = client_for(coordinator).get(programme.get_absolute_url())

    assert response.status_code == 200
    assert "only its coordinators see this page" in text_of(response)


def test_an_unknown_programme_is_404(client_for):
    response = client_for(UserFactory()).get(reverse("profiles:programme-detail", args=["nope"]))

    assert response.status_code == 404


def test_page_needs_sign_in(client, careers):
    response = client.get(careers.get_absolute_url())

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_page_head_is_answered(client_for, careers):
    assert client_for(UserFactory()).head(careers.get_absolute_url()).status_code == 200


# Joining


def test_joining_as_mentee_without_a_profile_leads_to_creating_it(client_for, careers):
    person = UserFactory()

    response = client_for(person).post(_join_url(careers), {"role": "mentee"})

    assert response.status_code == 302
    assert response.url == reverse("profiles:mentee-edit")
    assert _memberships(person, careers) == [("mentee", "approved")]
    assert messages_of(response) == [
        "You have joined Alumni career mentoring as a mentee. Now tell mentors about you and "
        "your goals."
    ]


def test_joining_as_mentee_with_a_profile_stays_on_the_page(client_for, careers):
    person = MenteeProfileFactory(programmes=[]).user
    client = client_for(person)

    response = client.post(_join_url(careers), {"role": "mentee"})

    assert response.url == careers.get_absolute_url()
    html = text_of(client.get(response.url))
    assert "You have joined Alumni career mentoring as a mentee." in html
    assert f"{reverse('profiles:directory')}?programme=careers" in html


def test_joining_a_line_management_programme_asks_for_department_and_manager(client_for, staff):
    person = MenteeProfileFactory(programmes=[], user=UserFactory(email="sam@uni.example")).user

    response = client_for(person).post(_join_url(staff), {"role": "mentee"})

    assert response.url == reverse("profiles:mentee-edit")
    assert messages_of(response) == [
        "You have joined Professional staff mentoring as a mentee. Professional staff mentoring "
        "pairs you with a mentor outside your line management: add your department and your "
        "line manager's email address so neither is suggested to you."
    ]


def test_joining_as_mentor_without_a_profile_leads_to_creating_it(client_for, careers):
    person = UserFactory()

    response = client_for(person).post(_join_url(careers), {"role": "mentor"})

    assert response.url == reverse("profiles:mentor-edit")
    assert _memberships(person, careers) == [("mentor", "pending")]


def test_a_mentor_waiting_for_approval_sees_so(client_for, careers):
    person = MentorProfileFactory(programmes=[]).user
    client = client_for(person)

    response = client.post(_join_url(careers), {"role": "mentor"}, follow=True)

    html = text_of(response)
    assert _memberships(person, careers) == [("mentor", "pending")]
    assert "Its coordinators approve each mentor: they will email you once they have" in html
    assert "Waiting for approval" in html
    assert "Join as a mentor" not in html


def test_joining_refused_by_email_domain_says_why_and_joins_nothing(client_for, staff):
    outsider = UserFactory(email="sam@gmail.example")

    response = client_for(outsider).post(_join_url(staff), {"role": "mentee"}, follow=True)

    assert Membership.objects.filter(user=outsider).count() == 0
    assert (
        "Professional staff mentoring is open to a mentee with an @uni.example email address. "
        "Add one to your account (Account, Email addresses) and try again."
    ) in [str(m) for m in response.context["messages"]]


def test_joining_a_programme_by_invitation_needs_the_link(client_for):
    programme = ProgrammeFactory(name="Board mentoring", slug="board", invitation_only=True)
    person = UserFactory()

    response = client_for(person).post(_join_url(programme), {"role": "mentee"})

    assert Membership.objects.filter(user=person).count() == 0
    assert messages_of(response) == [
        "Board mentoring is by invitation: ask its coordinators for the link."
    ]


def test_joining_with_no_role_says_to_choose(client_for, careers):
    person = UserFactory()

    response = client_for(person).post(_join_url(careers), {"role": "coordinator"})

    assert Membership.objects.filter(user=person).count() == 0
    assert messages_of(response) == ["Choose whether you join as a mentor or a mentee."]


def test_joining_twice_makes_one_membership(client_for, careers):
    person = MenteeProfileFactory(programmes=[]).user
    client = client_for(person)

    client.post(_join_url(careers), {"role": "mentee"})
    client.get(careers.get_absolute_url())  # reads the first message
    response = client.post(_join_url(careers), {"role": "mentee"})

    assert _memberships(person, careers) == [("mentee", "approved")]
    assert messages_of(response) == ["You are a mentee in Alumni career mentoring already."]


def test_join_is_post_only(client_for, careers):
    assert client_for(UserFactory()).get(_join_url(careers)).status_code == 405


def test_join_needs_sign_in(client, careers):
    response = client.post(_join_url(careers), {"role": "mentee"})

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert Membership.objects.count() == 0


# The invitation link


def test_the_invitation_link_shows_the_programme_and_its_buttons(client_for):
    programme = ProgrammeFactory(name="Board mentoring", slug="board", invitation_only=True)

    response = client_for(UserFactory()).get(_invitation_url(programme))

    html = text_of(response)
    assert response.status_code == 200
    assert "You have been invited to join Board mentoring." in html
    assert f'action="{_invitation_url(programme)}"' in html
    assert "Join as a mentee" in html


def test_the_invitation_link_joins(client_for):
    programme = ProgrammeFactory(
        name="Board mentoring", slug="board", invitation_only=True, mentee_email_domains=["x.org"]
    )
    person = MenteeProfileFactory(programmes=[]).user

    client_for(person).post(_invitation_url(programme), {"role": "mentee"})

    membership = Membership.objects.get(user=person, programme=programme)
    assert (membership.role, membership.status, membership.by_invitation) == (
        "mentee",
        "approved",
        True,
    )


def test_a_wrong_invitation_token_is_404(client_for):
    programme = ProgrammeFactory(slug="board", invitation_only=True)
    client = client_for(UserFactory())

    assert client.get(_invitation_url(programme, "not-the-token")).status_code == 404
    assert (
        client.post(_invitation_url(programme, "not-the-token"), {"role": "mentee"}).status_code
        == 404
    )
    assert Membership.objects.count() == 0


def test_the_invitation_link_needs_sign_in(client):
    programme = ProgrammeFactory(slug="board", invitation_only=True)

    response = client.get(_invitation_url(programme))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


# Leaving


def test_leaving_asks_first_and_explains(client_for, careers):
    member = MenteeProfileFactory(programmes=[careers]).user

    response = client_for(member).get(_leave_url(careers), {"role": "mentee"})

    html = text_of(response)
    assert "Leave Alumni career mentoring as a mentee?" in html
    assert "still waiting are withdrawn" in html
    assert "your mentorships carry on" in html
    assert _memberships(member, careers) == [("mentee", "approved")]


def test_leaving_withdraws_my_waiting_requests_there_and_tells_the_mentor(
    client_for, careers, django_capture_on_commit_callbacks, mailoutbox
):
    member = MenteeProfileFactory(programmes=[careers]).user
    mentor = MentorProfileFactory(
        user__full_name="Daniel Mentor", user__email="daniel@example.org", programmes=[careers]
    ).user
    there = MentorshipRequestFactory(mentee=member, mentor=mentor, programme=careers)
    elsewhere = MentorshipRequestFactory(mentee=member)  # the default programme
    pair = MentorshipFactory(mentee=member, programme=careers)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(member).post(_leave_url(careers), {"role": "mentee"})

    assert response.url == careers.get_absolute_url()
    assert messages_of(response) == ["You have left Alumni career mentoring as a mentee."]
    assert _memberships(member, careers) == [("mentee", "left")]
    there.refresh_from_db()
    elsewhere.refresh_from_db()
    pair.refresh_from_db()
    assert there.status == MentorshipRequest.Status.WITHDRAWN
    assert elsewhere.status == MentorshipRequest.Status.PENDING
    assert pair.status == "active"
    [email] = [m for m in mailoutbox if m.to == ["daniel@example.org"]]
    assert "has withdrawn their request" in email.subject


def test_rejoining_after_leaving(client_for, careers):
    member = MenteeProfileFactory(programmes=[careers]).user
    client = client_for(member)
    client.post(_leave_url(careers), {"role": "mentee"})

    response = client.post(_join_url(careers), {"role": "mentee"})

    assert response.url == careers.get_absolute_url()
    assert _memberships(member, careers) == [("mentee", "approved")]


def test_leaving_a_role_one_does_not_have_is_404(client_for, careers):
    member = MenteeProfileFactory(programmes=[careers]).user
    client = client_for(member)

    assert client.get(_leave_url(careers), {"role": "mentor"}).status_code == 404
    assert client.post(_leave_url(careers), {"role": "mentor"}).status_code == 404
    assert client.get(_leave_url(careers)).status_code == 404


def test_a_stranger_cannot_leave_for_someone_else(client_for, careers):
    member = MenteeProfileFactory(programmes=[careers]).user
    stranger = UserFactory()

    response = client_for(stranger).post(_leave_url(careers), {"role": "mentee"})

    assert response.status_code == 404
    assert _memberships(member, careers) == [("mentee", "approved")]


def test_leaving_needs_sign_in(client, careers):
    MenteeProfileFactory(programmes=[careers])

    response = client.post(_leave_url(careers), {"role": "mentee"})

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_page_queries_do_not_grow_with_rounds_and_windows(client_for, django_assert_num_queries):
    programme = ProgrammeFactory(slug="rounds", rhythm="rounds")
    member = MenteeProfileFactory(programmes=[programme]).user
    client = client_for(member)

    def add_round(year: int) -> None:
        added = Round.objects.create(
            programme=programme,
            name=f"{year}–{year + 1 - 2000}",
            mentee_opens_on=date(year, 10, 1),
            mentee_closes_on=date(year + 1, 3, 31),
            term_ends_on=date(year + 1, 6, 30),
        )
        for month in (8, 9):
            RecruitmentWindow.objects.create(
                round=added, opens_on=date(year, month, 1), closes_on=date(year, month, 20)
            )

    add_round(2030)
    one = count_queries(client, programme.get_absolute_url())
    for year in range(2031, 2035):
        add_round(year)

    with django_assert_num_queries(one):
        response = client.get(programme.get_absolute_url())

    assert "Next round: 2030–31" in text_of(response)


def test_list_shows_only_my_own_memberships(client_for, careers):
    MenteeProfileFactory(programmes=[careers])  # someone else
    person = UserFactory()

    response = client_for(person).get(LIST_URL)

    assert response.context["rows"] == [{"programme": careers, "memberships": []}]
    assert "You are a mentee" not in text_of(response)
