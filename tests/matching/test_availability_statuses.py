"""Honest statuses: requests the scheme closed say why, to each of the two people; the reports
count a mentee matched elsewhere apart from withdrawals; the data export says it; accepting can
carry a welcome note; a waiting request says when it expires and when the mentor was reminded."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from matching import availability
from matching.jobs import remind_unanswered_requests
from matching.models import MentorshipRequest
from matching.privacy import personal_data
from matching.services import accept_request, close_requests_of_leaver
from mentoring.backoffice.reports import build_report
from mentoring.models import Outbox
from profiles.models import Membership
from tests.admin.conftest import END, START, local
from tests.factories import (
    MenteeProfileFactory,
    MentorProfileFactory,
    MentorshipRequestFactory,
)
from tests.support import text_of

pytestmark = pytest.mark.django_db

Status = MentorshipRequest.Status


@pytest.fixture
def matched(mentee_profile, mentor_profile, set_scheme):
    """Maya asked Daniel and Olu; Olu accepted, so her request to Daniel was closed."""
    set_scheme(max_active_mentorships=1)
    to_daniel = MentorshipRequestFactory(mentee=mentee_profile.user, mentor=mentor_profile.user)
    olu = MentorProfileFactory(user__full_name="Olu Other").user
    accept_request(MentorshipRequestFactory(mentee=mentee_profile.user, mentor=olu), by=olu)
    to_daniel.refresh_from_db()
    return to_daniel


def test_matched_elsewhere_is_closed_not_withdrawn(matched):
    assert (matched.status, matched.close_reason) == (Status.CLOSED, "matched_elsewhere")
    assert matched.closed_at is not None and matched.withdrawn_at is None
    assert matched.history.filter(to_status=Status.CLOSED, actor=None).exists()


def test_the_mentee_sees_closed_you_found_a_mentor(client_for, matched, mentee):
    client = client_for(mentee)

    assert "Closed — you found a mentor" in text_of(client.get(reverse("matching:request-list")))
    detail = text_of(client.get(matched.get_absolute_url()))
    assert "Closed — you found a mentor" in detail
    assert "You found a mentor, so this request is closed." in detail
    assert "Withdrawn" not in detail


def test_the_mentor_is_told_the_mentee_found_a_mentor(client_for, matched, mentor):
    client = client_for(mentor)

    assert "Closed — Maya Mentee found a mentor" in text_of(
        client.get(reverse("matching:request-list"))
    )
    assert "Maya Mentee found a mentor, so this request is closed." in text_of(
        client.get(matched.get_absolute_url())
    )
    [email] = Outbox.objects.filter(kind="request_closed_mentee_matched")
    assert email.to_email == mentor.email
    assert "Maya Mentee has now been matched with a mentor" in email.body_text


def test_a_mentor_who_leaves_closes_requests_as_mentor_left(client_for, mentor_profile, mentee):
    req = MentorshipRequestFactory(mentee=MenteeProfileFactory(user=mentee).user)
    mentor = req.mentor
    membership = Membership.objects.get(user=mentor, role="mentor")

    close_requests_of_leaver(membership)

    req.refresh_from_db()
    assert (req.status, req.close_reason) == (Status.CLOSED, "mentor_left")
    html = text_of(client_for(mentee).get(req.get_absolute_url()))
    assert "Closed — the mentor left the programme" in html
    assert "has stepped back from mentoring" in html


def test_an_away_close_has_its_own_wording_for_each_party(
    client_for, mentee_profile, mentor_profile
):
    req = MentorshipRequestFactory(mentee=mentee_profile.user, mentor=mentor_profile.user)
    until = timezone.localdate() + timedelta(days=30)
    availability.go_away(mentor_profile.user, until=until, note="Back after my course")

    mentee_page = text_of(client_for(mentee_profile.user).get(req.get_absolute_url()))
    assert "Closed — the mentor is away" in mentee_page
    assert "Their note: “Back after my course”" in mentee_page
    assert "you can approach another mentor now" in mentee_page
    mentor_page = text_of(client_for(mentor_profile.user).get(req.get_absolute_url()))
    assert "Closed — you were away" in mentor_page


def test_an_expired_request_has_its_own_wording(client_for, mentee_profile):
    req = MentorshipRequestFactory(mentee=mentee_profile.user, expired=True)

    html = text_of(client_for(mentee_profile.user).get(req.get_absolute_url()))

    assert "Expired — no answer in time" in html
    assert "It is nothing you did" in html


def test_the_requests_page_keeps_a_constant_number_of_queries(
    client_for, mentee_profile, django_assert_max_num_queries
):
    for reason in ("matched_elsewhere", "mentor_away", "mentor_hidden", "mentor_left"):
        MentorshipRequestFactory(
            mentee=mentee_profile.user,
            status="closed",
            close_reason=reason,
            closed_at=timezone.now(),
            closing_note="Closed.",
        )
    client = client_for(mentee_profile.user)
    url = reverse("matching:request-list")
    client.get(url)

    with django_assert_max_num_queries(8):
        html = text_of(client.get(url))
    assert "Closed — the mentor stopped taking requests" in html


def test_the_report_counts_matched_elsewhere_apart_from_withdrawals():
    inside = local(2025, 4, 10)
    for _ in range(6):
        MentorshipRequestFactory(
            created_at=inside,
            status="closed",
            close_reason="matched_elsewhere",
            closed_at=inside,
        )
    MentorshipRequestFactory(created_at=inside, withdrawn=True)
    for reason in ("mentor_away", "mentor_hidden", "mentor_left"):
        MentorshipRequestFactory(
            created_at=inside, status="closed", close_reason=reason, closed_at=inside
        )

    report = build_report(START, END)

    assert report.figure("Closed: the mentee found a mentor").shown == "6"
    assert report.figure("Withdrawn by the mentee").shown == "<5"
    assert report.figure("Closed: the mentor was away or paused").shown == "<5"
    assert report.figure("Closed: the mentor left the programme").shown == "<5"
    assert report.figure("Requests sent").shown == "10"


def test_the_data_export_says_why_the_scheme_closed_a_request(matched, mentee):
    rows = personal_data(sender=None, user=mentee)["Requests you sent"]

    [row] = [r for r in rows if r["To"] == "Daniel Mentor"]
    assert row["Status"] == "Closed"
    assert row["Closed by the scheme because"] == "The mentee found a mentor"
    assert row["Closed"] == matched.closed_at


def test_accepting_with_a_welcome_note(client_for, mentee_profile, mentor_profile):
    req = MentorshipRequestFactory(mentee=mentee_profile.user, mentor=mentor_profile.user)
    client = client_for(mentor_profile.user)
    assert "A welcome note to Maya (optional)" in text_of(client.get(req.get_absolute_url()))

    client.post(
        reverse("matching:request-accept", args=[req.pk]),
        {"welcome": "  Delighted to help. Shall we meet next week?  "},
    )

    req.refresh_from_db()
    assert (req.status, req.response_message) == (
        Status.ACCEPTED,
        "Delighted to help. Shall we meet next week?",
    )
    [email] = Outbox.objects.filter(kind="request_accepted")
    assert "Delighted to help. Shall we meet next week?" in email.body_text
    assert "Delighted to help" in email.body_html
    page = text_of(client_for(mentee_profile.user).get(req.get_absolute_url()))
    assert "A welcome note from Daniel Mentor" in page
    assert "Delighted to help. Shall we meet next week?" in page


def test_a_too_long_welcome_note_is_refused_and_kept(client_for, mentee_profile, mentor_profile):
    req = MentorshipRequestFactory(mentee=mentee_profile.user, mentor=mentor_profile.user)

    response = client_for(mentor_profile.user).post(
        reverse("matching:request-accept", args=[req.pk]), {"welcome": "x" * 1001}
    )

    assert response.status_code == 400
    assert "Please keep your note under 1,000 characters (you wrote 1001)" in text_of(response)
    req.refresh_from_db()
    assert req.is_pending


def test_the_request_page_says_when_it_expires_and_when_the_mentor_was_reminded(
    clock, client_for, mentee_profile, mentor_profile
):
    req = MentorshipRequestFactory(
        mentee=mentee_profile.user, mentor=mentor_profile.user, created_at=timezone.now()
    )
    client = client_for(mentee_profile.user)
    days = req.programme.request_expiry_days
    expires = timezone.localtime(req.created_at + timedelta(days=days))

    html = text_of(client.get(req.get_absolute_url()))
    assert f'Expires on <time datetime="{expires:%Y-%m-%dT%H:%M:%S}' in html
    assert "last reminded" not in html

    clock.shift(timedelta(days=req.programme.request_first_reminder_days))
    remind_unanswered_requests()
    req.refresh_from_db()
    assert req.reminded_at == timezone.now()
    html = text_of(client.get(req.get_absolute_url()))
    reminded = timezone.localtime(req.reminded_at)
    assert f'Daniel was last reminded on <time datetime="{reminded:%Y-%m-%dT%H:%M}' in html


def test_the_expiry_shown_counts_from_the_return_of_a_mentor_who_kept_it_waiting(
    clock, client_for, mentee_profile, mentor_profile
):
    req = MentorshipRequestFactory(mentee=mentee_profile.user, mentor=mentor_profile.user)
    until = timezone.localdate() + timedelta(days=40)
    availability.go_away(mentor_profile.user, until=until, keep_waiting=True)
    expires = availability.return_moment(until) + timedelta(days=req.programme.request_expiry_days)

    html = text_of(client_for(mentee_profile.user).get(req.get_absolute_url()))

    assert f"{expires.day} {expires:%B}</time> if not answered" in html
