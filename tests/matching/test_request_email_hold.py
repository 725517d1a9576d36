"""The mentor's "new request" email waits a few minutes in the outbox, so a request withdrawn
inside that window sends nothing to anyone (issue 10: 15 send/withdraw cycles put 30 emails in
a mentor's inbox in 3.5 s)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from matching.models import MentorshipRequest
from matching.services import (
    accept_request,
    create_mentorship,
    decline_request,
    send_request,
    withdraw_request,
)
from mentoring.models import Outbox
from tests.factories import MentorProfileFactory
from tests.matching.conftest import MESSAGE

pytestmark = pytest.mark.django_db

START = datetime(2030, 3, 4, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(START, tick=False)
    return time_machine


@pytest.fixture(autouse=True)
def _hold(settings):
    settings.REQUEST_EMAIL_HOLD_MINUTES = 5


def _will_be_sent_to(user) -> list[str]:
    return list(
        Outbox.objects.filter(to_email=user.email, status=Outbox.Status.QUEUED).values_list(
            "kind", flat=True
        )
    )


def _received_by(mailoutbox, user) -> list[str]:
    return [m.subject for m in mailoutbox if m.to == [user.email]]


def test_the_new_request_email_is_not_sent_before_the_hold_ends(
    clock, django_capture_on_commit_callbacks, mailoutbox, mentee_profile, mentor_profile
):
    with django_capture_on_commit_callbacks(execute=True):
        send_request(mentee=mentee_profile.user, mentor=mentor_profile.user, message=MESSAGE)

    assert mailoutbox == []
    row = Outbox.objects.get(kind="request_received")
    assert row.next_attempt_at == START + timedelta(minutes=5)


def test_withdrawn_inside_the_hold_the_mentor_gets_no_email_at_all(
    clock,
    django_capture_on_commit_callbacks,
    mailoutbox,
    mentee_profile,
    mentor_profile,
    after_the_hold,
):
    mentee, mentor = mentee_profile.user, mentor_profile.user
    with django_capture_on_commit_callbacks(execute=True):
        req = send_request(mentee=mentee, mentor=mentor, message=MESSAGE)
    clock.shift(timedelta(minutes=4, seconds=59))
    with django_capture_on_commit_callbacks(execute=True):
        withdraw_request(req, by=mentee)

    assert _will_be_sent_to(mentor) == []
    assert list(Outbox.objects.filter(to_email=mentor.email).values_list("kind", "status")) == [
        ("request_received", Outbox.Status.CANCELLED)
    ]
    after_the_hold()
    assert mailoutbox == []


def test_withdrawn_after_the_hold_the_mentor_gets_both_emails(
    clock,
    django_capture_on_commit_callbacks,
    mailoutbox,
    mentee_profile,
    mentor_profile,
    after_the_hold,
):
    mentee, mentor = mentee_profile.user, mentor_profile.user
    with django_capture_on_commit_callbacks(execute=True):
        req = send_request(mentee=mentee, mentor=mentor, message=MESSAGE)
    after_the_hold()
    with django_capture_on_commit_callbacks(execute=True):
        withdraw_request(req, by=mentee)

    assert _received_by(mailoutbox, mentor) == [
        "Maya Mentee would like you to be their mentor",
        "Maya Mentee has withdrawn their request",
    ]


def test_answered_on_the_site_inside_the_hold_the_mentor_gets_no_new_request_email(
    clock,
    django_capture_on_commit_callbacks,
    mailoutbox,
    mentee_profile,
    mentor_profile,
    after_the_hold,
):
    mentee, mentor = mentee_profile.user, mentor_profile.user
    with django_capture_on_commit_callbacks(execute=True):
        req = send_request(mentee=mentee, mentor=mentor, message=MESSAGE)
        decline_request(req, by=mentor, reason="not_available")
    after_the_hold()

    assert _received_by(mailoutbox, mentor) == []
    assert len(_received_by(mailoutbox, mentee)) == 1


def test_matched_inside_the_hold_the_other_mentor_hears_nothing(
    clock,
    django_capture_on_commit_callbacks,
    mailoutbox,
    mentee_profile,
    mentor_profile,
    after_the_hold,
):
    mentee, mentor = mentee_profile.user, mentor_profile.user
    other = MentorProfileFactory().user
    with django_capture_on_commit_callbacks(execute=True):
        waiting = send_request(mentee=mentee, mentor=other, message=MESSAGE)
        accept_request(send_request(mentee=mentee, mentor=mentor, message=MESSAGE), by=mentor)
    after_the_hold()

    waiting.refresh_from_db()
    assert waiting.status == MentorshipRequest.Status.CLOSED
    assert waiting.close_reason == MentorshipRequest.CloseReason.MATCHED_ELSEWHERE
    assert _will_be_sent_to(other) == []
    assert _received_by(mailoutbox, other) == []
    assert _received_by(mailoutbox, mentor) == []
    assert len(_received_by(mailoutbox, mentee)) == 1  # accepted


def test_matched_centrally_inside_the_hold_the_pair_get_only_the_introductions(
    clock,
    django_capture_on_commit_callbacks,
    mailoutbox,
    mentee_profile,
    mentor_profile,
    admin_user,
    after_the_hold,
):
    mentee, mentor = mentee_profile.user, mentor_profile.user
    with django_capture_on_commit_callbacks(execute=True):
        send_request(mentee=mentee, mentor=mentor, message=MESSAGE)
        create_mentorship(mentor=mentor, mentee=mentee, by=admin_user)
    after_the_hold()

    assert sorted(m.subject for m in mailoutbox) == [
        "Meet your mentee, Maya Mentee",
        "Meet your mentor, Daniel Mentor",
    ]


def _cycles(client, mentee, mentors, clock, commits) -> None:
    """The reproduction: Interested, then Withdraw, fifteen times in about 3.5 seconds. Each
    POST commits on its own (`commits` runs its on-commit work, as a real commit would)."""
    for mentor_profile in mentors:
        with commits(execute=True):
            client.post(
                reverse("matching:request-create", args=[mentor_profile.pk]),
                {"message": MESSAGE},
            )
        req = MentorshipRequest.objects.pending().filter(mentee=mentee).first()
        if req is not None:
            with commits(execute=True):
                client.post(reverse("matching:request-withdraw", args=[req.pk]))
        clock.shift(timedelta(milliseconds=230))


def test_fifteen_send_withdraw_cycles_put_nothing_in_the_mentors_inbox(
    clock,
    client_for,
    django_capture_on_commit_callbacks,
    mailoutbox,
    mentee_profile,
    mentor_profile,
    after_the_hold,
):
    mentee = mentee_profile.user
    _cycles(
        client_for(mentee), mentee, [mentor_profile] * 15, clock, django_capture_on_commit_callbacks
    )
    after_the_hold()

    # The wait after a withdrawal stops the second request; the first was withdrawn in its hold.
    assert MentorshipRequest.objects.filter(mentee=mentee).count() == 1
    assert _received_by(mailoutbox, mentor_profile.user) == []
    assert mailoutbox == []


def test_fifteen_cycles_over_fifteen_mentors_stop_at_the_rate_limit_and_send_nothing(
    clock,
    client_for,
    django_capture_on_commit_callbacks,
    mailoutbox,
    mentee_profile,
    after_the_hold,
):
    mentee = mentee_profile.user
    mentors = [MentorProfileFactory() for _ in range(15)]
    _cycles(client_for(mentee), mentee, mentors, clock, django_capture_on_commit_callbacks)
    after_the_hold()

    assert MentorshipRequest.objects.filter(mentee=mentee).count() == 5
    assert mailoutbox == []


def test_without_the_hold_the_rate_limit_alone_bounds_the_emails(
    clock,
    settings,
    client_for,
    django_capture_on_commit_callbacks,
    mailoutbox,
    mentee_profile,
):
    settings.REQUEST_EMAIL_HOLD_MINUTES = 0
    mentee = mentee_profile.user
    mentors = [MentorProfileFactory() for _ in range(15)]
    _cycles(client_for(mentee), mentee, mentors, clock, django_capture_on_commit_callbacks)

    # Five requests, each a "new request" and a "withdrawn" email: 10 rather than 30.
    assert len(mailoutbox) == 10


def _withdraw_copy(client_for, req) -> str:
    html = client_for(req.mentee).get(req.get_absolute_url()).content.decode()
    start = html.index('id="withdraw-title"')
    return html[start : html.index("</section>", start)]


def test_inside_the_hold_the_page_says_the_mentor_will_never_hear_of_a_withdrawn_request(
    clock, client_for, mentee_profile, mentor_profile
):
    req = send_request(mentee=mentee_profile.user, mentor=mentor_profile.user, message=MESSAGE)

    copy = _withdraw_copy(client_for, req)

    assert f"{mentor_profile.user.get_short_name()} will never hear of it" in copy
    assert "will be told" not in copy


def test_once_the_email_went_the_page_says_the_mentor_will_be_told(
    clock, client_for, after_the_hold, mentee_profile, mentor_profile
):
    req = send_request(mentee=mentee_profile.user, mentor=mentor_profile.user, message=MESSAGE)
    after_the_hold()

    copy = _withdraw_copy(client_for, req)

    assert f"{mentor_profile.user.get_short_name()} will be told there is nothing to do" in copy
    assert "never hear" not in copy
