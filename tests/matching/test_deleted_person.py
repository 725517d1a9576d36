"""The other person deleted their account: every page, repeated submit and email of the one who
stays names "a former participant" and never fails (their foreign keys are empty)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.privacy import delete_account
from matching.models import Mentorship, MentorshipRequest
from matching.services import accept_request, decline_request, end_mentorship, withdraw_request
from sessions_log import services as sessions_services
from sessions_log.models import CheckIn, Meeting
from tests.factories import CheckInFactory, MeetingFactory, MentorshipRequestFactory
from tests.support import messages_of

pytestmark = pytest.mark.django_db
Status = MentorshipRequest.Status


def _end(mentorship, by, *, reason=Mentorship.EndReason.ACHIEVED):
    return end_mentorship(mentorship, by=by, reason=reason)


# Repeated submits after the other person's deletion


def test_accepting_again_after_the_mentee_deleted_their_account(client_for, pending, mentor):
    accept_request(pending, by=mentor)
    delete_account(pending.mentee)

    response = client_for(mentor).post(reverse("matching:request-accept", args=[pending.pk]))

    assert response.status_code == 302
    assert messages_of(response) == [
        "You are now a former participant's mentor. They will arrange your first meeting."
    ]


def test_declining_again_after_the_mentee_deleted_their_account(client_for, pending, mentor):
    decline_request(pending, by=mentor, reason=MentorshipRequest.DeclineReason.FULL)
    delete_account(pending.mentee)
    data = {"reason": MentorshipRequest.DeclineReason.FULL, "message": ""}

    response = client_for(mentor).post(reverse("matching:request-decline", args=[pending.pk]), data)

    assert response.status_code == 302
    assert "You have declined a former participant's request." in messages_of(response)[0]


def test_withdrawing_again_after_the_mentor_deleted_their_account(client_for, pending, mentee):
    withdraw_request(pending, by=mentee)
    delete_account(pending.mentor)

    response = client_for(mentee).post(reverse("matching:request-withdraw", args=[pending.pk]))

    assert response.status_code == 302
    assert messages_of(response) == ["You have withdrawn your request to a former participant."]


@pytest.mark.parametrize("leaving", ["mentor", "mentee"])
def test_ending_a_mentorship_the_other_persons_deletion_already_ended(
    client_for, mentorship, leaving
):
    gone = getattr(mentorship, leaving)
    stays = mentorship.mentee if leaving == "mentor" else mentorship.mentor
    delete_account(gone)
    data = {"reason": Mentorship.EndReason.ACHIEVED, "message": "", "rating": 5, "feedback": ""}

    response = client_for(stays).post(
        reverse("sessions_log:mentorship-end", args=[mentorship.pk]), data
    )

    assert response.status_code == 302
    assert messages_of(response) == ["A former participant had already ended it."]
    mentorship.refresh_from_db()
    assert mentorship.end_reason == Mentorship.EndReason.ACCOUNT_DELETED


def test_end_mentorship_returns_a_pair_without_its_mentor_unchanged(mentorship):
    mentee = mentorship.mentee
    delete_account(mentorship.mentor)

    ended = _end(mentorship, mentee)

    assert ended.ended_by_id is None
    assert ended.end_reason == Mentorship.EndReason.ACCOUNT_DELETED


def test_ending_twice_by_the_same_person_says_it_ended(client_for, mentorship, mentor):
    _end(mentorship, mentor)
    data = {"reason": Mentorship.EndReason.ACHIEVED, "message": "", "rating": 5, "feedback": ""}

    response = client_for(mentor).post(
        reverse("sessions_log:mentorship-end", args=[mentorship.pk]), data
    )

    assert messages_of(response) == [
        f"Your mentorship has ended and {mentorship.mentee.full_name} has been told. Thank you."
    ]


# Who ended the pair


def test_a_pair_the_deleted_person_ended_earlier_was_ended_by_a_former_participant(
    client_for, mentorship
):
    mentee = mentorship.mentee
    _end(mentorship, mentorship.mentor)
    delete_account(mentorship.mentor)

    html = client_for(mentee).get(mentorship.get_absolute_url()).content.decode()

    mentorship.refresh_from_db()
    assert mentorship.ended_by_name == "a former participant"
    assert "by a former participant (objectives achieved)" in html
    assert "by the scheme" not in html


def test_a_pair_the_deletion_ended_was_ended_by_a_former_participant(mentorship):
    delete_account(mentorship.mentor)

    mentorship.refresh_from_db()
    assert mentorship.ended_by_name == "a former participant"


def test_an_active_pair_has_nobody_who_ended_it(mentorship):
    assert mentorship.ended_by_name == ""


# What stays in the other person's records names nobody


def test_the_decline_kept_by_the_mentee_does_not_name_the_deleted_mentor(pending):
    name = pending.mentor.full_name
    delete_account(pending.mentor)

    pending.refresh_from_db()
    assert pending.status == Status.DECLINED
    assert pending.response_message == "This mentor has left the scheme."
    assert name not in pending.response_message


@pytest.mark.parametrize(("leaving", "role"), [("mentor", "mentor"), ("mentee", "mentee")])
def test_the_end_message_kept_by_the_other_person_does_not_name_the_deleted_one(
    mentorship, leaving, role
):
    name = getattr(mentorship, leaving).full_name
    delete_account(getattr(mentorship, leaving))

    mentorship.refresh_from_db()
    assert mentorship.end_message == f"Your {role} has left the scheme and deleted their account."
    assert name not in mentorship.end_message


# Pages of the person who stays


@pytest.fixture
def orphaned(mentorship, pending):
    """Daniel's pair with Maya and her request to him, after Daniel deleted his account, with a
    held meeting (the planned one was cancelled by the end) and Maya's ending check-in."""
    maya = mentorship.mentee
    MeetingFactory(mentorship=mentorship, held=True, created_by=maya)
    MeetingFactory(mentorship=mentorship, created_by=maya)
    pending.status, pending.responded_at = Status.ACCEPTED, mentorship.started_at
    pending.save()
    mentorship.request = pending
    mentorship.save()
    delete_account(mentorship.mentor)
    mentorship.refresh_from_db()
    return mentorship


@pytest.mark.parametrize(
    "page",
    [
        "matching:request-list",
        "matching:request-detail",
        "matching:mentorship-list",
        "sessions_log:mentorship-detail",
    ],
)
def test_the_mentees_pages_name_a_former_participant(client_for, orphaned, page):
    maya = orphaned.mentee
    args = {
        "matching:request-detail": [orphaned.request_id],
        "sessions_log:mentorship-detail": [orphaned.pk],
    }

    response = client_for(maya).get(reverse(page, args=args.get(page, [])))

    assert response.status_code == 200
    assert "a former participant" in response.content.decode().lower()


def test_the_meeting_calendar_file_names_a_former_participant(client_for, orphaned):
    maya, meeting = orphaned.mentee, Meeting.objects.filter(mentorship=orphaned).first()

    response = client_for(maya).get(
        reverse("sessions_log:meeting-ics", args=[orphaned.pk, meeting.pk])
    )

    assert response.status_code == 200
    assert b"Mentoring: a former participant and" in response.content


def test_the_calendar_feed_of_the_person_who_stays(client, orphaned):
    feed = sessions_services.calendar_feed_for(orphaned.mentee)

    response = client.get(feed.get_absolute_url())

    assert response.status_code == 200
    assert b"a former participant" in response.content


def test_the_check_in_page_names_a_former_participant(client_for, orphaned):
    maya = orphaned.mentee
    check_in = CheckInFactory(mentorship=orphaned, person=maya, kind=CheckIn.Kind.ENDING)

    response = client_for(maya).get(check_in.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert "How is your mentoring with a former participant going?" in html
    assert "the other person does not see it" in html


def test_what_the_other_person_keeps_is_written_in_their_language(pending, mentorship):
    """Daniel leaves: Maya reads the scheme in Welsh, so the sentences kept for her are Welsh."""
    maya = pending.mentee
    maya.language = "cy"
    maya.save(update_fields=["language"])
    other_request = MentorshipRequestFactory(mentor=pending.mentor)  # an English reader's

    delete_account(pending.mentor)

    pending.refresh_from_db()
    mentorship.refresh_from_db()
    other_request.refresh_from_db()
    assert pending.response_message == "Mae’r mentor hwn wedi gadael y cynllun."
    assert mentorship.end_message == (
        "Mae eich mentor wedi gadael y cynllun ac wedi dileu ei gyfrif."
    )
    assert other_request.response_message == "This mentor has left the scheme."
