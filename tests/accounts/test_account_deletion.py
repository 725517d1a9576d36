from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.privacy import AccountDeletionError, delete_account
from matching.models import Mentorship, MentorshipRequest
from mentoring.models import Outbox
from profiles.models import MenteeProfile, MentorProfile
from sessions_log.jobs import send_check_ins
from sessions_log.models import CheckIn, Meeting, MeetingPrivateNote, Objective
from tests.factories import (
    PASSWORD,
    CheckInFactory,
    MeetingFactory,
    MenteeProfileFactory,
    MentorProfileFactory,
    MentorshipFactory,
    MentorshipRequestFactory,
    ObjectiveFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
URL = reverse("accounts:account-delete")


@pytest.fixture
def pair(mentor, mentee):
    """Daniel mentoring Maya, with an objective, a held and a planned meeting, and a private
    note by each of them on the held one."""
    MentorProfileFactory(user=mentor, capacity=2)
    MenteeProfileFactory(user=mentee)
    mentorship = MentorshipFactory(mentor=mentor, mentee=mentee)
    ObjectiveFactory(mentorship=mentorship, title="Lead a project", created_by=mentor)
    held = MeetingFactory(mentorship=mentorship, held=True)
    MeetingFactory(mentorship=mentorship)
    MeetingPrivateNote.objects.create(meeting=held, author=mentor, text="Daniel's own thoughts")
    MeetingPrivateNote.objects.create(meeting=held, author=mentee, text="Maya's own thoughts")
    return mentorship


def _rows_to(user: User, kind: str) -> list[Outbox]:
    return list(Outbox.objects.filter(to_email=user.email, kind=kind))


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_page_explains_what_happens_and_asks_for_the_password(client_for, mentee):
    html = client_for(mentee).get(URL).content.decode()

    assert "a former participant" in html
    assert 'name="password"' in html


def test_wrong_password_keeps_the_page_with_an_error_beside_the_field(client_for, mentee):
    response = client_for(mentee).post(URL, {"password": "not-my-password"})

    html = response.content.decode()
    assert response.status_code == 200
    assert '<div id="id_password_error" class="invalid-feedback">' in html
    assert "That is not your password" in html
    assert 'href="#id_password"' in html  # the error summary links to the field
    assert User.objects.filter(pk=mentee.pk).exists()


def test_owner_deletes_their_account_and_is_signed_out(client_for, mentee):
    client = client_for(mentee)

    response = client.post(URL, {"password": PASSWORD})

    assert response.status_code == 302
    assert not User.objects.filter(pk=mentee.pk).exists()
    assert "_auth_user_id" not in client.session


def test_deleting_a_mentor_keeps_the_mentees_mentorship_meetings_and_objectives(
    client_for, pair, mentor, mentee
):
    client_for(mentor).post(URL, {"password": PASSWORD})

    pair.refresh_from_db()
    assert pair.mentor is None
    assert pair.mentee == mentee
    assert pair.status == Mentorship.Status.ENDED
    assert pair.end_reason == Mentorship.EndReason.ACCOUNT_DELETED
    assert Objective.objects.filter(mentorship=pair, title="Lead a project").exists()
    assert Meeting.objects.filter(mentorship=pair).count() == 2
    assert not MentorProfile.objects.filter(user_id=mentor.pk).exists()


def test_deleting_a_mentor_emails_the_mentee_and_cancels_planned_meetings(pair, mentor, mentee):
    delete_account(mentor)

    [email] = _rows_to(mentee, "mentorship_ended")
    assert "account deleted" in email.body_text
    assert not Meeting.objects.planned().filter(mentorship=pair).exists()


def test_only_the_deleted_persons_private_notes_go(pair, mentor, mentee):
    delete_account(mentor)

    assert list(MeetingPrivateNote.objects.values_list("text", flat=True)) == [
        "Maya's own thoughts"
    ]


def test_deleting_a_mentee_frees_the_mentors_place(pair, mentor, mentee):
    profile = MentorProfile.objects.get(user=mentor)
    assert profile.mentee_count == 1

    delete_account(mentee)

    profile.refresh_from_db()
    assert profile.mentee_count == 0
    pair.refresh_from_db()
    assert (pair.mentor, pair.mentee) == (mentor, None)
    assert _rows_to(mentor, "mentorship_ended")


def test_the_remaining_person_sees_a_former_participant(client_for, pair, mentor, mentee):
    delete_account(mentor)
    client = client_for(mentee)

    detail = client.get(pair.get_absolute_url())
    listing = client.get(reverse("matching:mentorship-list"))

    assert detail.status_code == 200
    assert "Mentored by a former participant" in detail.content.decode()
    assert "A former participant added the objective" in detail.content.decode()
    assert "Mentored by a former participant" in listing.content.decode()
    assert str(Mentorship.objects.get(pk=pair.pk)) == "a former participant mentoring Maya Mentee"


def test_deleting_a_mentee_withdraws_their_pending_request(mentor, mentee):
    MentorProfileFactory(user=mentor)
    MenteeProfileFactory(user=mentee)
    req = MentorshipRequestFactory(
        mentee=mentee, mentor=mentor, created_at=timezone.now() - timedelta(hours=2)
    )

    delete_account(mentee)

    req.refresh_from_db()
    assert req.status == MentorshipRequest.Status.WITHDRAWN
    assert (req.mentee, req.mentor) == (None, mentor)
    assert _rows_to(mentor, "request_withdrawn")


def test_deleting_a_mentor_declines_the_requests_waiting_for_them(client_for, mentor, mentee):
    MentorProfileFactory(user=mentor)
    MenteeProfileFactory(user=mentee)
    req = MentorshipRequestFactory(mentee=mentee, mentor=mentor)

    delete_account(mentor)

    req.refresh_from_db()
    assert req.status == MentorshipRequest.Status.DECLINED
    [email] = _rows_to(mentee, "request_declined")
    assert "has left the scheme" in email.body_text
    page = client_for(mentee).get(req.get_absolute_url())
    assert "Your request to a former participant" in page.content.decode()


def test_check_ins_and_emails_to_the_person_are_deleted(pair, mentor, mentee):
    CheckInFactory(mentorship=pair, person=mentor, rating=4, answered_at=timezone.now())
    CheckInFactory(mentorship=pair, person=mentee)
    Outbox.objects.create(
        kind="meeting_planned",
        recipient=mentor,
        to_email=mentor.email,
        subject="A meeting",
        body_text="Details only Daniel should read",
        dedupe_key="x-1",
        message_id="<x-1@example.org>",
    )

    delete_account(mentor)

    assert list(CheckIn.objects.values_list("person", flat=True)) == [mentee.pk]
    assert not Outbox.objects.filter(to_email=mentor.email).exists()


def test_the_ending_check_in_goes_to_the_remaining_person_only(pair, mentor, mentee):
    delete_account(mentor)

    send_check_ins()

    assert list(CheckIn.objects.values_list("person", "kind")) == [(mentee.pk, "ending")]


def test_the_last_superuser_cannot_delete_their_account(client_for, admin_user):
    response = client_for(admin_user).post(URL, {"password": PASSWORD}, follow=True)

    assert User.objects.filter(pk=admin_user.pk).exists()
    assert "You are the only administrator" in response.content.decode()
    with pytest.raises(AccountDeletionError):
        delete_account(admin_user)


def test_a_superuser_may_delete_their_account_when_another_remains(admin_user):
    UserFactory(is_staff=True, is_superuser=True)

    delete_account(admin_user)

    assert not User.objects.filter(pk=admin_user.pk).exists()


def test_the_database_refuses_an_active_mentorship_without_its_mentor(pair, mentor):
    # Only the service may delete an account: it ends the pair first.
    with pytest.raises(IntegrityError):
        User.objects.filter(pk=mentor.pk).delete()


def test_admin_deletion_anonymises_the_same_way(client_for, admin_user, pair, mentor, mentee):
    response = client_for(admin_user).post(
        reverse("admin:accounts_user_delete", args=[mentor.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not User.objects.filter(pk=mentor.pk).exists()
    pair.refresh_from_db()
    assert (pair.mentor, pair.mentee, pair.status) == (None, mentee, Mentorship.Status.ENDED)
    assert Meeting.objects.filter(mentorship=pair).count() == 2
    assert _rows_to(mentee, "mentorship_ended")


def test_admin_delete_selected_anonymises_too(client_for, admin_user, pair, mentor, mentee):
    response = client_for(admin_user).post(
        reverse("admin:accounts_user_changelist"),
        {"action": "delete_selected", "_selected_action": [mentee.pk], "post": "yes"},
    )

    assert response.status_code == 302
    assert not User.objects.filter(pk=mentee.pk).exists()
    pair.refresh_from_db()
    assert (pair.mentor, pair.mentee) == (mentor, None)
    assert MentorProfile.objects.get(user=mentor).mentee_count == 0
    assert not MenteeProfile.objects.filter(user_id=mentee.pk).exists()


def test_guessing_the_password_is_rate_limited_like_a_sign_in(client_for, mentee, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/m/key"}
    client = client_for(mentee)
    for _ in range(3):
        client.post(URL, {"password": "a-guess"})

    response = client.post(URL, {"password": PASSWORD})

    assert response.status_code == 200
    assert response.context["form"].errors["password"]
    assert User.objects.filter(pk=mentee.pk).exists()
