"""A mentee finds and approaches mentors in their programmes only: another programme's mentor,
or (where the programme keeps mentors outside the mentee's line management) their manager or a
colleague, is a 404 on the mentor's page and the Interested form, and the service refuses the
request; the Interested form asks in which programme when the two share several; and the
button follows each programme's rules."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from matching.models import MentorshipRequest
from matching.services import MatchingError, send_request
from profiles.models import Round
from tests.factories import (
    MenteeProfileFactory,
    MentorProfileFactory,
    MentorshipFactory,
    MentorshipRequestFactory,
    ProgrammeFactory,
    UserFactory,
)
from tests.matching.conftest import MESSAGE
from tests.support import interested_url, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def careers(db):
    return ProgrammeFactory(
        name="Alumni career mentoring", slug="careers", position=1, matching="choice"
    )


@pytest.fixture
def staff(db):
    return ProgrammeFactory(
        name="Professional staff mentoring",
        slug="staff",
        position=2,
        matching="both",
        outside_line_management=True,
    )


@pytest.fixture
def careers_mentee(careers):
    return MenteeProfileFactory(user__full_name="Cara Careers", programmes=[careers]).user


@pytest.fixture
def staff_mentee(staff):
    return MenteeProfileFactory(
        user__full_name="Sid Staff",
        department="Finance Office",
        line_manager_email="boss@example.ac.uk",
        programmes=[staff],
    ).user


@pytest.fixture
def staff_only_mentor(staff):
    return MentorProfileFactory(user__full_name="Stella Staffonly", programmes=[staff])


@pytest.fixture
def line_manager(staff):
    return MentorProfileFactory(
        user__full_name="Boss Barbara", user__email="boss@example.ac.uk", programmes=[staff]
    )


@pytest.fixture
def colleague(staff):
    return MentorProfileFactory(
        user__full_name="Colleague Colm", department="Finance Office", programmes=[staff]
    )


# Another programme's mentor


def test_a_careers_mentee_gets_404_on_a_staff_only_mentors_page(
    client_for, careers_mentee, staff_only_mentor
):
    client = client_for(careers_mentee)

    assert client.get(staff_only_mentor.get_absolute_url()).status_code == 404
    assert client.get(interested_url(staff_only_mentor)).status_code == 404


def test_a_careers_mentee_cannot_post_a_request_to_a_staff_only_mentor(
    client_for, careers_mentee, staff_only_mentor, staff
):
    response = client_for(careers_mentee).post(
        interested_url(staff_only_mentor), {"message": MESSAGE, "programme": staff.pk}
    )

    assert response.status_code == 404
    assert not MentorshipRequest.objects.exists()


def test_the_service_refuses_a_careers_mentee_asking_a_staff_only_mentor(
    careers_mentee, staff_only_mentor, staff
):
    with pytest.raises(MatchingError, match="Join Professional staff mentoring as a mentee"):
        send_request(
            mentee=careers_mentee, mentor=staff_only_mentor.user, message=MESSAGE, programme=staff
        )
    with pytest.raises(MatchingError, match="not a mentor in any programme you belong to"):
        send_request(mentee=careers_mentee, mentor=staff_only_mentor.user, message=MESSAGE)


def test_a_coordinator_sees_the_mentors_of_their_programmes_only(
    client_for, careers, staff, staff_only_mentor
):
    careers_mentor = MentorProfileFactory(programmes=[careers])
    coordinator = UserFactory(is_staff=True)
    staff.coordinators.add(coordinator)
    client = client_for(coordinator)

    assert client.get(f"/mentors/{staff_only_mentor.pk}/").status_code == 200
    assert client.get(f"/mentors/{careers_mentor.pk}/").status_code == 404


def test_the_mentor_and_staff_still_see_the_page(client_for, staff_only_mentor, admin_user):
    assert (
        client_for(staff_only_mentor.user).get(staff_only_mentor.get_absolute_url()).status_code
        == 200
    )
    assert client_for(admin_user).get(staff_only_mentor.get_absolute_url()).status_code == 200


def test_someone_who_asked_the_mentor_before_still_sees_their_page(
    client_for, careers, careers_mentee
):
    mentor = MentorProfileFactory(user__full_name="Moved Mo", programmes=[careers])
    MentorshipRequestFactory(
        mentee=careers_mentee, mentor=mentor.user, programme=careers, expired=True
    )
    other = ProgrammeFactory(name="Elsewhere", slug="elsewhere")
    mentor.user.memberships.filter(programme=careers).update(programme=other)
    from profiles.search import update_search_documents

    update_search_documents([mentor.pk])

    response = client_for(careers_mentee).get(mentor.get_absolute_url())

    assert response.status_code == 200
    assert response.context["interest"]["state"] == "elsewhere"
    assert "Moved is not a mentor in any programme you belong to as a mentee." in text_of(response)


def test_a_member_who_is_not_a_mentee_there_is_asked_to_join_as_one(client_for, careers):
    fellow_mentor = MentorProfileFactory(programmes=[careers])
    MenteeProfileFactory(user=fellow_mentor.user, programmes=[])
    mentor = MentorProfileFactory(user__full_name="Carl Careers", programmes=[careers])
    ProgrammeFactory(name="Another", slug="another")  # so that careers is not the only one

    response = client_for(fellow_mentor.user).get(mentor.get_absolute_url())

    html = text_of(response)
    assert response.context["interest"]["state"] == "join"
    assert "Join Alumni career mentoring as a mentee to ask Carl to mentor you." in html
    assert f'href="{reverse("profiles:programme-detail", args=["careers"])}"' in html


# Outside line management


@pytest.mark.parametrize("who", ["line_manager", "colleague"])
def test_a_staff_mentee_gets_404_on_their_managers_or_colleagues_page(
    client_for, staff_mentee, who, request
):
    mentor = request.getfixturevalue(who)
    client = client_for(staff_mentee)

    assert client.get(mentor.get_absolute_url()).status_code == 404
    assert client.get(interested_url(mentor)).status_code == 404
    assert client.post(interested_url(mentor), {"message": MESSAGE}).status_code == 404


def test_the_service_refuses_the_line_manager_with_a_clear_sentence(
    staff_mentee, line_manager, colleague, staff
):
    with pytest.raises(MatchingError) as manager:
        send_request(
            mentee=staff_mentee, mentor=line_manager.user, message=MESSAGE, programme=staff
        )
    with pytest.raises(MatchingError) as same_department:
        send_request(mentee=staff_mentee, mentor=colleague.user, message=MESSAGE, programme=staff)

    assert str(manager.value) == (
        "Boss Barbara is Sid Staff's line manager. Professional staff mentoring pairs mentees "
        "with a mentor outside their line management."
    )
    assert str(same_department.value).startswith(
        "Colleague Colm works in the same department as Sid Staff (Finance Office)."
    )


def test_the_manager_listed_in_another_shared_programme_is_asked_there(
    client_for, careers, staff, staff_mentee, line_manager
):
    staff_mentee.memberships.create(
        programme=careers, role="mentee", status="approved", approved_at=timezone.now()
    )
    line_manager.user.memberships.create(
        programme=careers, role="mentor", status="approved", approved_at=timezone.now()
    )
    from profiles.search import update_search_documents

    update_search_documents([line_manager.pk])
    client = client_for(staff_mentee)

    page = client.get(line_manager.get_absolute_url())
    form = client.get(interested_url(line_manager))
    client.post(interested_url(line_manager), {"message": MESSAGE})

    assert page.status_code == 200 and page.context["interest"]["state"] == "available"
    assert not form.context["form"].asks_programme
    assert MentorshipRequest.objects.get().programme == careers


# Which programme


@pytest.fixture
def both_mentee(careers, staff):
    return MenteeProfileFactory(user__full_name="Bo Both", programmes=[careers, staff]).user


@pytest.fixture
def both_mentor(careers, staff):
    return MentorProfileFactory(user__full_name="Bea Both", programmes=[careers, staff])


def test_two_shared_programmes_ask_in_which_one(client_for, both_mentee, both_mentor):
    response = client_for(both_mentee).get(interested_url(both_mentor))

    html = text_of(response)
    assert response.context["form"].asks_programme
    assert html.count('type="radio"') == html.count('name="programme"') == 2
    assert "In which programme would you like Bea to mentor you?" in html
    assert "Alumni career mentoring" in html and "Professional staff mentoring" in html


def test_the_choice_is_required_and_the_message_is_kept(client_for, both_mentee, both_mentor):
    response = client_for(both_mentee).post(interested_url(both_mentor), {"message": MESSAGE})

    html = text_of(response)
    assert response.status_code == 200
    assert response.context["form"].errors["programme"] == [
        "Choose the programme in which you would like Bea to mentor you."
    ]
    assert 'id="id_programme_error"' in html
    assert MESSAGE in html
    assert not MentorshipRequest.objects.exists()


def test_the_request_goes_in_the_programme_chosen(client_for, both_mentee, both_mentor, staff):
    response = client_for(both_mentee).post(
        interested_url(both_mentor), {"message": MESSAGE, "programme": staff.pk}
    )

    req = MentorshipRequest.objects.get()
    assert response["Location"] == req.get_absolute_url()
    assert req.programme == staff


def test_a_programme_not_shared_is_not_a_choice(client_for, both_mentee, both_mentor):
    third = ProgrammeFactory(name="Third", slug="third")

    response = client_for(both_mentee).post(
        interested_url(both_mentor), {"message": MESSAGE, "programme": third.pk}
    )

    assert response.context["form"].errors["programme"] == [
        "Choose one of the programmes you share with this mentor."
    ]
    assert not MentorshipRequest.objects.exists()


def test_one_shared_programme_is_preset_and_hidden(client_for, careers, careers_mentee):
    mentor = MentorProfileFactory(programmes=[careers])
    client = client_for(careers_mentee)

    form = client.get(interested_url(mentor))
    client.post(interested_url(mentor), {"message": MESSAGE, "programme": "bogus"})

    assert 'type="hidden" name="programme"' in text_of(form)
    assert 'type="radio"' not in text_of(form)
    assert MentorshipRequest.objects.get().programme == careers


def test_a_refusal_in_the_programme_chosen_is_shown_beside_the_choice(
    client_for, both_mentee, both_mentor, careers
):
    careers.max_pending_requests = 1
    careers.save()
    MentorshipRequestFactory(mentee=both_mentee, programme=careers)

    response = client_for(both_mentee).post(
        interested_url(both_mentor), {"message": MESSAGE, "programme": careers.pk}
    )

    assert response.context["form"].errors["programme"] == [
        "You already have 1 request waiting for an answer. Withdraw one, or wait for a reply, "
        "before you approach another mentor."
    ]
    assert MESSAGE in text_of(response)


# Each programme's rules on the button


def _interest(client_for, viewer, profile) -> dict:
    response = client_for(viewer).get(profile.get_absolute_url())
    assert response.status_code == 200
    return response.context["interest"]


def test_pending_limits_differ_per_programme_and_each_is_enforced(
    client_for, careers, staff, both_mentee
):
    careers.max_pending_requests, staff.max_pending_requests = 1, 2
    careers.save()
    staff.save()
    careers_mentor = MentorProfileFactory(programmes=[careers])
    staff_mentor = MentorProfileFactory(programmes=[staff])
    MentorshipRequestFactory(mentee=both_mentee, programme=careers)
    MentorshipRequestFactory(mentee=both_mentee, programme=staff)

    careers_state = _interest(client_for, both_mentee, careers_mentor)
    staff_state = _interest(client_for, both_mentee, staff_mentor)

    assert careers_state["state"] == "limit"
    assert "You already have 1 request waiting" in careers_state["message"]
    assert staff_state["state"] == "available"
    send_request(mentee=both_mentee, mentor=staff_mentor.user, message=MESSAGE, programme=staff)
    with pytest.raises(MatchingError, match="You already have 2 requests waiting"):
        send_request(
            mentee=both_mentee,
            mentor=MentorProfileFactory(programmes=[staff]).user,
            message=MESSAGE,
            programme=staff,
        )
    with pytest.raises(MatchingError, match="You already have 1 request waiting"):
        send_request(
            mentee=both_mentee, mentor=careers_mentor.user, message=MESSAGE, programme=careers
        )


def test_a_mentor_shared_in_two_programmes_is_offered_while_one_allows_a_request(
    client_for, careers, staff, both_mentee, both_mentor
):
    careers.max_pending_requests = 1
    careers.save()
    MentorshipRequestFactory(mentee=both_mentee, programme=careers)

    assert _interest(client_for, both_mentee, both_mentor)["state"] == "available"


def test_the_mentor_limit_is_the_programmes(client_for, careers, staff, both_mentee):
    careers.max_active_mentorships = 2
    careers.save()
    MentorshipFactory(mentee=both_mentee, programme=careers)
    MentorshipFactory(mentee=both_mentee, programme=staff)

    careers_state = _interest(client_for, both_mentee, MentorProfileFactory(programmes=[careers]))
    staff_state = _interest(client_for, both_mentee, MentorProfileFactory(programmes=[staff]))

    assert careers_state["state"] == "available"
    assert staff_state["state"] == "has_mentor"
    assert staff_state["message"] == (
        "You already have a mentor. End that mentorship before you approach another."
    )


def test_a_central_only_programme_says_the_coordinators_match_and_links_to_applying(
    client_for,
):
    central = ProgrammeFactory(name="Staff central", slug="central", matching="central")
    mentee = MenteeProfileFactory(programmes=[central]).user
    mentor = MentorProfileFactory(programmes=[central])

    response = client_for(mentee).get(mentor.get_absolute_url())

    html = text_of(response)
    assert response.context["interest"]["state"] == "central"
    assert "In Staff central the coordinators match mentees with mentors" in html
    assert f'href="{reverse("profiles:programme-apply", args=["central"])}"' in html
    assert interested_url(mentor) not in html


def test_outside_the_mentee_window_the_page_says_when_it_opens(client_for):
    today = timezone.localdate()
    rounds = ProgrammeFactory(name="Rounds", slug="rounds", rhythm="rounds")
    Round.objects.create(
        programme=rounds,
        name="Next year",
        mentee_opens_on=today + timedelta(days=10),
        mentee_closes_on=today + timedelta(days=40),
        term_ends_on=today + timedelta(days=300),
    )
    mentee = MenteeProfileFactory(programmes=[rounds]).user

    interest = _interest(client_for, mentee, MentorProfileFactory(programmes=[rounds]))

    assert interest["state"] == "closed"
    assert interest["message"].startswith("Mentees in Rounds can look for a mentor from ")


def test_a_mentor_full_in_the_programme_by_its_cap_is_not_offered(
    client_for, careers, careers_mentee
):
    careers.mentor_places_cap = 1
    careers.save()
    mentor = MentorProfileFactory(user__full_name="Capped Cam", capacity=3, programmes=[careers])
    MentorshipFactory(mentor=mentor.user, programme=careers)

    interest = _interest(client_for, careers_mentee, mentor)

    assert interest["state"] == "full"
    assert interest["message"].startswith("Capped has no free place in Alumni career mentoring")


def test_the_mentor_page_costs_five_queries_with_several_programmes(
    client_for, both_mentee, both_mentor, careers, staff
):
    MentorshipRequestFactory(mentee=both_mentee, programme=careers)
    MentorshipFactory(mentee=both_mentee, programme=staff)
    client = client_for(both_mentee)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(both_mentor.get_absolute_url())

    assert response.status_code == 200
    assert len(queries) <= 5


def test_anonymous_is_sent_to_sign_in(client, both_mentor):
    for url in (both_mentor.get_absolute_url(), interested_url(both_mentor)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_a_stranger_in_no_programme_of_several_gets_404(client_for, both_mentor):
    assert client_for(UserFactory()).get(both_mentor.get_absolute_url()).status_code == 404


def test_the_mentors_email_has_the_mentees_real_profile(
    client_for, careers, settings, django_capture_on_commit_callbacks, mailoutbox
):
    # The page reads two columns of the mentee's profile inside its one query; the request's
    # email must still see the whole profile.
    settings.REQUEST_EMAIL_HOLD_MINUTES = 0
    mentee = MenteeProfileFactory(role="MSc Physics", programmes=[careers]).user
    mentor = MentorProfileFactory(programmes=[careers])

    with django_capture_on_commit_callbacks(execute=True):
        client_for(mentee).post(interested_url(mentor), {"message": MESSAGE})

    [email] = mailoutbox
    assert "About" in email.body and "MSc Physics" in email.body
