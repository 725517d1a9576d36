"""Informal pairs (issue 14): either person records an existing relationship with another
member of the programme, the other confirms it; the pair gets the pair space, takes no place
and gets no scheme emails unless it asks for them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from matching import engagements
from matching.models import Engagement, Mentorship, MentorshipRequest
from matching.services import MatchingError, accept_request, decline_request
from mentoring.models import Outbox
from sessions_log import jobs as sessions_jobs
from sessions_log.models import CheckIn
from tests.factories import (
    MenteeProfileFactory,
    MentorProfileFactory,
    MentorshipFactory,
    ProgrammeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

URL = reverse("matching:informal-record")


@pytest.fixture
def staff_programme(db):
    return ProgrammeFactory(
        name="Staff mentoring", engagement_types=[Engagement.LONG_TERM, Engagement.INFORMAL]
    )


@pytest.fixture
def mentor_member(staff_programme):
    """Owen, a mentor of the staff programme with one place."""
    return MentorProfileFactory(
        user__full_name="Owen Mentor",
        user__email="owen@example.org",
        capacity=1,
        programmes=[staff_programme],
    ).user


@pytest.fixture
def mentee_member(staff_programme):
    """Mia, a mentee of the staff programme."""
    return MenteeProfileFactory(
        user__full_name="Mia Mentee", user__email="mia@example.org", programmes=[staff_programme]
    ).user


def _record(by, programme, email, role):
    return engagements.record_informal(by=by, programme=programme, other_email=email, my_role=role)


def test_the_mentee_confirms_what_the_mentor_recorded(
    staff_programme, mentor_member, mentee_member
):
    req = _record(mentor_member, staff_programme, "MIA@example.org ", "mentor")

    assert (req.engagement, req.sent_by_mentor, req.status) == ("informal", True, "pending")
    assert Outbox.objects.filter(kind="informal_recorded", recipient=mentee_member).count() == 1
    with pytest.raises(MatchingError):
        accept_request(req, by=mentor_member)  # the one who recorded it cannot confirm it

    accept_request(req, by=mentee_member)

    pair = Mentorship.objects.get(request=req)
    assert pair.engagement == Engagement.INFORMAL
    assert pair.scheme_emails is False
    assert pair.round is None
    profile = mentor_member.mentor_profile
    profile.refresh_from_db()
    assert profile.mentee_count == 0  # no place taken
    assert not Outbox.objects.filter(kind="request_accepted").exists()


def test_the_mentor_confirms_what_the_mentee_recorded(
    staff_programme, mentor_member, mentee_member
):
    req = _record(mentee_member, staff_programme, "owen@example.org", "mentee")

    assert req.sent_by_mentor is False
    accept_request(req, by=mentor_member)

    assert Mentorship.objects.get(request=req).is_informal


def test_the_other_person_may_decline_and_nobody_is_emailed_about_it(
    staff_programme, mentor_member, mentee_member
):
    req = _record(mentor_member, staff_programme, "mia@example.org", "mentor")

    decline_request(req, by=mentee_member, reason="other")

    req.refresh_from_db()
    assert req.status == MentorshipRequest.Status.DECLINED
    assert not Outbox.objects.filter(kind="request_declined").exists()


def test_an_informal_pair_does_not_count_against_the_mentors_at_once_limit(
    staff_programme, mentor_member, mentee_member
):
    staff_programme.max_active_mentorships = 1
    staff_programme.save()
    MentorshipFactory(mentee=mentee_member, programme=staff_programme)

    accept_request(
        _record(mentor_member, staff_programme, "mia@example.org", "mentor"), by=mentee_member
    )

    assert Mentorship.objects.active().filter(mentee=mentee_member).count() == 2


@pytest.mark.parametrize(
    "email",
    [
        "nobody@example.org",  # no account at all
        "outsider@example.org",  # an account, but not in the programme
        "otto@example.org",  # a mentee of the programme, but the other role is a mentor
    ],
)
def test_an_address_outside_the_programme_gets_the_same_sentence(
    staff_programme, mentee_member, email
):
    UserFactory(email="outsider@example.org")
    MenteeProfileFactory(user__email="otto@example.org", programmes=[staff_programme])

    with pytest.raises(MatchingError) as exc:
        _record(mentee_member, staff_programme, email, "mentee")

    assert str(exc.value) == (
        "We could not find a mentor in Staff mentoring with that email address. Check it with "
        "them: it must be the address they use here."
    )


def test_a_programme_without_informal_pairs_refuses(mentor_member, mentee_member):
    other = ProgrammeFactory(name="Careers")

    with pytest.raises(MatchingError) as exc:
        _record(mentor_member, other, "mia@example.org", "mentor")

    assert str(exc.value) == "Careers does not record informal pairs."


def test_recording_twice_returns_the_same_request(staff_programme, mentor_member, mentee_member):
    first = _record(mentor_member, staff_programme, "mia@example.org", "mentor")
    again = _record(mentee_member, staff_programme, "owen@example.org", "mentee")

    assert again == first
    assert MentorshipRequest.objects.count() == 1


@pytest.fixture
def informal_pair(staff_programme, mentor_member, mentee_member):
    req = _record(mentor_member, staff_programme, "mia@example.org", "mentor")
    accept_request(req, by=mentee_member)
    return req.mentorship


def test_informal_pairs_get_no_scheme_emails(informal_pair, time_machine):
    for days in (43, 100, 190):
        time_machine.move_to(informal_pair.started_at + timedelta(days=days), tick=False)
        sessions_jobs.send_check_ins()
        sessions_jobs.nudge_quiet_pairs()

    assert not CheckIn.objects.filter(mentorship=informal_pair).exists()
    assert not Outbox.objects.filter(kind__in=["check_in", "no_meeting_nudge"]).exists()


def test_an_informal_pair_that_opts_in_gets_check_ins(
    informal_pair, client_for, mentee_member, time_machine
):
    response = client_for(mentee_member).post(
        reverse("sessions_log:scheme-emails", args=[informal_pair.pk]), {"on": "1"}
    )
    assert response.status_code == 302
    informal_pair.refresh_from_db()
    assert informal_pair.scheme_emails is True

    time_machine.move_to(informal_pair.started_at + timedelta(weeks=6, hours=1), tick=False)
    sessions_jobs.send_check_ins()

    assert CheckIn.objects.filter(mentorship=informal_pair, kind="six_weeks").count() == 2


def test_the_switch_is_refused_for_a_long_term_pair(client_for, mentee_profile, mentor_profile):
    pair = MentorshipFactory(mentee=mentee_profile.user, mentor=mentor_profile.user)

    response = client_for(mentee_profile.user).post(
        reverse("sessions_log:scheme-emails", args=[pair.pk]), {"on": "0"}, follow=True
    )

    pair.refresh_from_db()
    assert pair.scheme_emails is True
    assert "Only informal pairs choose" in response.content.decode()


def test_the_pair_page_shows_the_informal_pair_and_its_switch(
    client_for, informal_pair, mentor_member
):
    page = client_for(mentor_member).get(informal_pair.get_absolute_url()).content.decode()

    assert "An informal pair" in page
    assert "Send us reminders and check-ins" in page
    assert 'id="objectives"' in page  # the whole pair space


# The record page: who may open it (a member of a programme with informal pairs), and its form.


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", "login"), ("mentor", 200), ("mentee", 200), ("stranger", 404)],
)
def test_who_may_open_the_record_page(
    client_for, staff_programme, mentor_member, mentee_member, stranger, who, expected
):
    user = {
        "anonymous": None,
        "mentor": mentor_member,
        "mentee": mentee_member,
        "stranger": stranger,
    }[who]

    get = client_for(user).get(URL)
    data = (
        {"my_role": "mentor", "other_email": "mia@example.org"}
        if who == "mentor"
        else {"my_role": "mentee", "other_email": "owen@example.org"}
    )
    post = client_for(user).post(URL, data)

    if expected == "login":
        assert get.status_code == post.status_code == 302
        assert get["Location"] == f"{reverse('account_login')}?next={URL}"
    else:
        assert get.status_code == expected
        assert post.status_code in ((302,) if expected == 200 else (404,))


def test_the_form_keeps_what_was_typed_and_says_what_is_wrong_beside_the_field(
    client_for, staff_programme, mentee_member
):
    response = client_for(mentee_member).post(
        URL, {"my_role": "mentee", "other_email": "nobody@example.org"}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "We could not find a mentor in Staff mentoring" in page
    assert 'value="nobody@example.org"' in page
    assert not MentorshipRequest.objects.exists()


def test_a_double_submit_records_once(client_for, staff_programme, mentor_member, mentee_member):
    client = client_for(mentee_member)
    data = {"my_role": "mentee", "other_email": "owen@example.org"}

    first, second = client.post(URL, data), client.post(URL, data)

    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert MentorshipRequest.objects.count() == 1


def test_the_other_person_confirms_on_the_request_page(
    client_for, staff_programme, mentor_member, mentee_member
):
    req = _record(mentor_member, staff_programme, "mia@example.org", "mentor")
    mia = client_for(mentee_member)

    page = mia.get(req.get_absolute_url()).content.decode()
    assert "Confirm our informal mentoring" in page
    owen_page = client_for(mentor_member).get(req.get_absolute_url()).content.decode()
    assert "Confirm our informal mentoring" not in owen_page

    response = mia.post(reverse("matching:request-accept", args=[req.pk]))

    pair = Mentorship.objects.get(request=req)
    assert response["Location"] == pair.get_absolute_url()


def test_a_mentee_leaving_the_programme_declines_what_their_mentor_recorded(
    staff_programme, mentor_member, mentee_member
):
    from matching.services import close_requests_of_leaver
    from profiles.models import Membership

    req = _record(mentor_member, staff_programme, "mia@example.org", "mentor")
    membership = Membership.objects.get(user=mentee_member, programme=staff_programme)

    close_requests_of_leaver(membership)

    req.refresh_from_db()
    assert req.status == MentorshipRequest.Status.DECLINED
