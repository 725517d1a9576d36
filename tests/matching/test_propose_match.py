"""A coordinator proposes a mentor for a mentee (matching.services.propose_match): a request
on the mentee's behalf that the mentor answers as any other, with the usual emails, and the
coordinator's note on both people's pages; "Match now" with an introduction note."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from matching import services
from matching.models import Mentorship, MentorshipRequest
from tests.factories import MentorProfileFactory, MentorshipFactory

pytestmark = pytest.mark.django_db
Status = MentorshipRequest.Status
NOTE = "You both moved from audit into finance: I think you will get on."


@pytest.fixture
def proposed(django_capture_on_commit_callbacks, mentor_profile, mentee_profile, admin_user):
    with django_capture_on_commit_callbacks(execute=True):
        return services.propose_match(
            mentor=mentor_profile.user, mentee=mentee_profile.user, by=admin_user, note=NOTE
        )


def test_propose_creates_a_pending_request_marked_as_the_coordinators(proposed, admin_user):
    assert proposed.status == Status.PENDING
    assert proposed.proposed_by == admin_user
    assert proposed.coordinator_note == NOTE
    assert proposed.message == ""
    assert proposed.engagement == "long_term"
    assert not Mentorship.objects.exists()


def test_propose_tells_the_mentee_now_and_the_mentor_after_the_hold(
    django_capture_on_commit_callbacks,
    mailoutbox,
    mentor_profile,
    mentee_profile,
    admin_user,
    after_the_hold,
):
    with django_capture_on_commit_callbacks(execute=True):
        services.propose_match(
            mentor=mentor_profile.user, mentee=mentee_profile.user, by=admin_user, note=NOTE
        )
    [to_mentee] = mailoutbox
    assert to_mentee.to == ["maya@example.org"]
    assert to_mentee.subject == "The scheme team has proposed Daniel Mentor as your mentor"
    assert NOTE in to_mentee.body

    with django_capture_on_commit_callbacks(execute=True):
        after_the_hold()

    to_mentor = mailoutbox[-1]
    assert to_mentor.to == ["daniel@example.org"]
    assert to_mentor.subject == "The scheme team proposes you as Maya Mentee's mentor"
    assert "the coordinator proposed this match on their behalf" in to_mentor.body
    assert NOTE in to_mentor.body
    assert "Their message:" not in to_mentor.body


def test_a_second_propose_returns_the_same_request(
    django_capture_on_commit_callbacks, mailoutbox, proposed, admin_user
):
    with django_capture_on_commit_callbacks(execute=True):
        again = services.propose_match(
            mentor=proposed.mentor, mentee=proposed.mentee, by=admin_user, note=NOTE
        )

    assert again.pk == proposed.pk
    assert MentorshipRequest.objects.count() == 1
    assert len(mailoutbox) == 1  # the mentee's "proposed" email, once


def test_propose_refused_when_the_mentee_already_asked_this_mentor(pending, admin_user):
    with pytest.raises(services.MatchingError) as refused:
        services.propose_match(mentor=pending.mentor, mentee=pending.mentee, by=admin_user)

    assert str(refused.value) == (
        "Maya Mentee already has a request waiting for Daniel Mentor's answer."
    )


def test_propose_keeps_central_matchings_rules(mentorship, admin_user):
    with pytest.raises(services.MatchingError) as refused:
        services.propose_match(mentor=mentorship.mentor, mentee=mentorship.mentee, by=admin_user)

    assert str(refused.value) == "Daniel Mentor already mentors Maya Mentee."
    assert not MentorshipRequest.objects.exists()


def test_the_mentor_accepts_a_proposal_and_the_pair_starts(
    django_capture_on_commit_callbacks, mailoutbox, proposed, mentor
):
    with django_capture_on_commit_callbacks(execute=True):
        services.accept_request(proposed, by=mentor)

    pair = Mentorship.objects.get()
    assert (pair.mentor, pair.mentee, pair.request) == (proposed.mentor, proposed.mentee, proposed)
    assert mailoutbox[-1].to == ["maya@example.org"]
    assert mailoutbox[-1].subject == "Daniel Mentor has agreed to mentor you"


def test_the_mentor_declines_a_proposal_and_the_mentee_is_told(
    django_capture_on_commit_callbacks, mailoutbox, proposed, mentor
):
    with django_capture_on_commit_callbacks(execute=True):
        services.decline_request(proposed, by=mentor, reason="not_available")

    told = mailoutbox[-1]
    assert told.to == ["maya@example.org"]
    assert "The scheme team proposed Daniel Mentor as your mentor." in told.body
    assert "the scheme team will look for another mentor for you" in told.body
    assert not Mentorship.objects.exists()


@pytest.mark.parametrize("who", ["mentor", "mentee"])
def test_the_request_page_says_the_coordinator_proposed_it(client_for, proposed, who):
    person = proposed.mentor if who == "mentor" else proposed.mentee

    page = client_for(person).get(reverse("matching:request-detail", args=[proposed.pk]))

    assert page.status_code == 200
    html = page.content.decode()
    assert "Proposed by the coordinator" in html
    assert "You both moved from audit into finance" in html


def test_a_stranger_cannot_see_the_proposal(client_for, proposed, stranger):
    page = client_for(stranger).get(reverse("matching:request-detail", args=[proposed.pk]))

    assert page.status_code == 404


def test_match_now_keeps_the_introduction_note_for_the_email_and_the_pair_page(
    django_capture_on_commit_callbacks,
    mailoutbox,
    client_for,
    mentor_profile,
    mentee_profile,
    admin_user,
):
    with django_capture_on_commit_callbacks(execute=True):
        pair = services.create_mentorship(
            mentor=mentor_profile.user,
            mentee=mentee_profile.user,
            by=admin_user,
            introduction_note=f"  {NOTE}  ",
        )

    assert pair.introduction_note == NOTE
    assert sorted(m.to[0] for m in mailoutbox) == ["daniel@example.org", "maya@example.org"]
    assert all(NOTE in m.body for m in mailoutbox)
    url = reverse("sessions_log:mentorship-detail", args=[pair.pk])
    for person in (mentor_profile.user, mentee_profile.user):
        html = client_for(person).get(url).content.decode()
        assert "Introduction from the coordinator" in html
        assert "You both moved from audit into finance" in html


def test_a_pair_without_a_note_shows_no_introduction(client_for, mentor_profile, mentee_profile):
    pair = MentorshipFactory(mentor=mentor_profile.user, mentee=mentee_profile.user)

    html = (
        client_for(mentee_profile.user)
        .get(reverse("sessions_log:mentorship-detail", args=[pair.pk]))
        .content.decode()
    )

    assert "Introduction from the coordinator" not in html


@pytest.mark.parametrize("who", ["mentor", "mentee"])
def test_the_request_lists_mark_a_proposal(client_for, proposed, who):
    person = proposed.mentor if who == "mentor" else proposed.mentee

    html = client_for(person).get(reverse("matching:request-list")).content.decode()

    # The table and the small-screen cards.
    assert html.count("Proposed by the coordinator") == 2


def _switch_off(profile):
    profile.is_active = False
    profile.save(update_fields=["is_active"])


def _send_away(profile):
    profile.away_until = timezone.localdate() + timedelta(days=10)
    profile.save(update_fields=["away_until"])


@pytest.mark.parametrize("make", [services.create_mentorship, services.propose_match])
@pytest.mark.parametrize(
    ("change", "sentence"),
    [
        (_switch_off, "Daniel Mentor is not taking new mentees at the moment."),
        (_send_away, "Daniel Mentor is away until"),
    ],
)
def test_central_matching_refuses_a_mentor_who_is_away_or_switched_off(
    make, change, sentence, mentor_profile, mentee_profile, admin_user
):
    """The same rule as a mentee's own request: a mentor who switched off taking new mentees,
    or who is away, is neither matched nor proposed by the scheme team."""
    change(mentor_profile)

    with pytest.raises(services.MatchingError) as refused:
        make(mentor=mentor_profile.user, mentee=mentee_profile.user, by=admin_user)

    assert str(refused.value).startswith(sentence)
    assert not Mentorship.objects.exists()
    assert not MentorshipRequest.objects.exists()


def test_a_mentor_back_from_being_away_can_be_matched(mentor_profile, mentee_profile, admin_user):
    mentor_profile.away_until = timezone.localdate()  # back today
    mentor_profile.save(update_fields=["away_until"])

    services.create_mentorship(
        mentor=mentor_profile.user, mentee=mentee_profile.user, by=admin_user
    )

    assert Mentorship.objects.active().count() == 1


def test_a_second_mentor_cannot_be_proposed_while_a_proposal_waits(proposed, admin_user):
    other = MentorProfileFactory(user__full_name="Olu Other")

    with pytest.raises(services.MatchingError) as refused:
        services.propose_match(mentor=other.user, mentee=proposed.mentee, by=admin_user)

    assert "Maya Mentee was already proposed to Daniel Mentor" in str(refused.value)
    assert "Wait for that answer before proposing another mentor." in str(refused.value)
    assert MentorshipRequest.objects.count() == 1


def test_another_mentor_can_be_proposed_once_the_first_declined(proposed, admin_user):
    services.decline_request(proposed, by=proposed.mentor, reason="full")
    other = MentorProfileFactory(user__full_name="Olu Other")

    second = services.propose_match(mentor=other.user, mentee=proposed.mentee, by=admin_user)

    assert second.mentor == other.user
