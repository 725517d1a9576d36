"""Each matching email: sent once, to the right person, with text and HTML parts and an
absolute link to the exact page (SITE_URL is http://testserver in tests)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from matching import availability, jobs, services
from tests.factories import (
    DEFAULT_PROGRAMME,
    MentorProfileFactory,
    MentorshipRequestFactory,
    ProgrammeFactory,
)
from tests.matching.conftest import MESSAGE
from tests.support import html_part

pytestmark = pytest.mark.django_db
SITE = "http://testserver"


def _only_email(mailoutbox):
    assert len(mailoutbox) == 1, [m.subject for m in mailoutbox]
    return mailoutbox[0]


def _assert_in_both_parts(message, *fragments: str) -> None:
    """Each fragment is in the text and the HTML part; a URL is a link in the HTML."""
    html = html_part(message)
    for fragment in fragments:
        assert fragment in message.body, fragment
        if fragment.startswith("http"):
            assert f'href="{fragment}"' in html, fragment
        else:
            assert fragment in html, fragment


def _request_url(req) -> str:
    return SITE + reverse("matching:request-detail", args=[req.pk])


def _mentorship_url(mentorship) -> str:
    return SITE + reverse("sessions_log:mentorship-detail", args=[mentorship.pk])


DIRECTORY = SITE + reverse("profiles:directory")
# Emails about a request or a mentorship send the mentee back to its programme's directory.
PROGRAMME_DIRECTORY = f"{DIRECTORY}?programme={DEFAULT_PROGRAMME}"


def test_request_received_goes_to_the_mentor_with_the_message_and_the_mentee(
    django_capture_on_commit_callbacks, mailoutbox, mentee_profile, mentor_profile, after_the_hold
):
    with django_capture_on_commit_callbacks(execute=True):
        req = services.send_request(
            mentee=mentee_profile.user, mentor=mentor_profile.user, message=MESSAGE
        )
    after_the_hold()

    email = _only_email(mailoutbox)
    assert email.to == ["daniel@example.org"]
    assert email.subject == "Maya Mentee would like you to be their mentor"
    _assert_in_both_parts(
        email,
        "Hello Daniel",
        "would like you to be their mentor in Mentoring scheme.",
        "Could we meet once a month by video?",
        "BSc Economics (Final year)",
        "A graduate job in finance.",
        _request_url(req),
    )


def test_the_emails_name_the_programme_the_request_is_in(
    django_capture_on_commit_callbacks, mailoutbox, mentee_profile, mentor_profile, after_the_hold
):
    staff = ProgrammeFactory(name="Professional staff mentoring", slug="staff")
    for user, role in ((mentee_profile.user, "mentee"), (mentor_profile.user, "mentor")):
        user.memberships.create(
            programme=staff, role=role, status="approved", approved_at=timezone.now()
        )
    with django_capture_on_commit_callbacks(execute=True):
        req = services.send_request(
            mentee=mentee_profile.user, mentor=mentor_profile.user, message=MESSAGE, programme=staff
        )
    after_the_hold()
    with django_capture_on_commit_callbacks(execute=True):
        services.decline_request(req, by=mentor_profile.user, reason="full")

    received, declined = mailoutbox
    _assert_in_both_parts(
        received, "would like you to be their mentor in Professional staff mentoring."
    )
    _assert_in_both_parts(
        declined,
        "Thank you for approaching Daniel Mentor in Professional staff mentoring.",
        f"{DIRECTORY}?programme=staff",
    )
    assert "Professional staff" not in received.subject + declined.subject  # subjects stay short


def test_a_double_submitted_request_emails_the_mentor_once(
    django_capture_on_commit_callbacks, mailoutbox, mentee_profile, mentor_profile, after_the_hold
):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            services.send_request(
                mentee=mentee_profile.user, mentor=mentor_profile.user, message=MESSAGE
            )
    after_the_hold()

    assert len(mailoutbox) == 1


def test_request_accepted_goes_to_the_mentee_with_the_mentors_address_and_first_steps(
    django_capture_on_commit_callbacks, mailoutbox, pending, mentor
):
    with django_capture_on_commit_callbacks(execute=True):
        req = services.accept_request(pending, by=mentor)

    email = _only_email(mailoutbox)
    assert email.to == ["maya@example.org"]
    assert email.subject == "Daniel Mentor has agreed to mentor you"
    _assert_in_both_parts(
        email,
        "Hello Maya",
        "will be your mentor in Mentoring scheme.",
        "daniel@example.org",
        "First steps",
        "Arrange your first meeting",
        _mentorship_url(req.mentorship),
    )
    assert 'href="mailto:daniel@example.org"' in html_part(email)


def test_accepting_twice_emails_the_mentee_once(
    django_capture_on_commit_callbacks, mailoutbox, pending, mentor
):
    with django_capture_on_commit_callbacks(execute=True):
        services.accept_request(pending, by=mentor)
        services.accept_request(pending, by=mentor)

    assert len(mailoutbox) == 1


def test_request_declined_goes_to_the_mentee_with_the_reason_and_the_directory(
    django_capture_on_commit_callbacks, mailoutbox, pending, mentor
):
    with django_capture_on_commit_callbacks(execute=True):
        services.decline_request(
            pending, by=mentor, reason="not_my_area", message="Priya in audit could help."
        )

    email = _only_email(mailoutbox)
    assert email.to == ["maya@example.org"]
    assert email.subject == "About your request to Daniel Mentor"
    _assert_in_both_parts(
        email,
        "Hello Maya",
        "Thank you for approaching Daniel Mentor in Mentoring scheme.",
        "this is not my area of expertise",
        "Priya in audit could help.",
        "approach another mentor",
        PROGRAMME_DIRECTORY,
        _request_url(pending),
    )


def test_declining_twice_emails_the_mentee_once(
    django_capture_on_commit_callbacks, mailoutbox, pending, mentor
):
    with django_capture_on_commit_callbacks(execute=True):
        services.decline_request(pending, by=mentor, reason="full")
        services.decline_request(pending, by=mentor, reason="full")

    assert len(mailoutbox) == 1


def test_request_expired_goes_to_the_mentee(
    django_capture_on_commit_callbacks, mailoutbox, mentee_profile, mentor_profile
):
    req = MentorshipRequestFactory(
        mentee=mentee_profile.user,
        mentor=mentor_profile.user,
        created_at=timezone.now() - timedelta(days=15),
    )

    with django_capture_on_commit_callbacks(execute=True):
        jobs.expire_requests(older_than=timezone.now() - timedelta(days=14))

    email = _only_email(mailoutbox)
    assert email.to == ["maya@example.org"]
    assert email.subject == "Your request to Daniel Mentor has expired"
    _assert_in_both_parts(
        email, "Hello Maya", "not been able to answer", PROGRAMME_DIRECTORY, _request_url(req)
    )


def test_each_expired_request_emails_its_own_mentee_once(
    django_capture_on_commit_callbacks, mailoutbox
):
    old = timezone.now() - timedelta(days=15)
    reqs = [MentorshipRequestFactory(created_at=old) for _ in range(3)]

    with django_capture_on_commit_callbacks(execute=True):
        jobs.expire_requests(older_than=timezone.now() - timedelta(days=14))
        jobs.expire_requests(older_than=timezone.now() - timedelta(days=14))

    assert sorted(m.to[0] for m in mailoutbox) == sorted(r.mentee.email for r in reqs)


def test_request_withdrawn_goes_to_the_mentor(
    django_capture_on_commit_callbacks, mailoutbox, pending, mentee
):
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw_request(pending, by=mentee)
        services.withdraw_request(pending, by=mentee)

    email = _only_email(mailoutbox)
    assert email.to == ["daniel@example.org"]
    assert email.subject == "Maya Mentee has withdrawn their request"
    _assert_in_both_parts(
        email,
        "Hello Daniel",
        "to mentor them in Mentoring scheme, so there is nothing you need to do",
        _request_url(pending),
    )


def test_closed_because_matched_goes_to_each_other_mentor(
    set_scheme, settings, django_capture_on_commit_callbacks, mailoutbox, pending, mentor, mentee
):
    set_scheme(max_active_mentorships=1)
    other_mentor = MentorProfileFactory(user__full_name="Olu Other").user
    other = MentorshipRequestFactory(mentee=mentee, mentor=other_mentor)

    with django_capture_on_commit_callbacks(execute=True):
        services.accept_request(pending, by=mentor)

    by_recipient = {m.to[0]: m for m in mailoutbox}
    assert sorted(by_recipient) == sorted(["maya@example.org", other.mentor.email])
    email = by_recipient[other.mentor.email]
    assert email.subject == "Maya Mentee has found a mentor"
    _assert_in_both_parts(
        email,
        "Hello Olu",
        "their request to you in Mentoring scheme has been closed",
        _request_url(other),
    )


@pytest.mark.parametrize(
    ("ender", "told", "greeting"),
    [
        ("mentee", "daniel@example.org", "Hello Daniel"),
        ("mentor", "maya@example.org", "Hello Maya"),
    ],
)
def test_mentorship_ended_goes_to_the_other_person(
    django_capture_on_commit_callbacks, mailoutbox, mentorship, request, ender, told, greeting
):
    person = request.getfixturevalue(ender)

    with django_capture_on_commit_callbacks(execute=True):
        services.end_mentorship(
            mentorship, by=person, reason="achieved", message="Thank you, it was a pleasure."
        )
        services.end_mentorship(mentorship, by=person, reason="achieved")

    email = _only_email(mailoutbox)
    assert email.to == [told]
    assert email.subject == f"{person.full_name} has ended your mentorship"
    _assert_in_both_parts(
        email,
        greeting,
        "has ended your mentorship in Mentoring scheme (objectives achieved)",
        "Thank you, it was a pleasure.",
        _mentorship_url(mentorship),
    )


def test_mentorship_ended_by_the_mentor_points_the_mentee_to_the_directory(
    django_capture_on_commit_callbacks, mailoutbox, mentorship, mentor
):
    with django_capture_on_commit_callbacks(execute=True):
        services.end_mentorship(mentorship, by=mentor, reason="circumstances")

    _assert_in_both_parts(_only_email(mailoutbox), PROGRAMME_DIRECTORY)


def test_mentorship_ended_does_not_send_the_private_feedback(
    django_capture_on_commit_callbacks, mailoutbox, mentorship, mentee
):
    with django_capture_on_commit_callbacks(execute=True):
        services.end_mentorship(
            mentorship, by=mentee, reason="not_a_fit", rating=2, feedback="He was always late."
        )

    email = _only_email(mailoutbox)
    assert "always late" not in email.body
    assert "always late" not in html_part(email)


def test_central_matching_introduces_both_people(
    django_capture_on_commit_callbacks, mailoutbox, mentee_profile, mentor_profile, admin_user
):
    with django_capture_on_commit_callbacks(execute=True):
        mentorship = services.create_mentorship(
            mentor=mentor_profile.user, mentee=mentee_profile.user, by=admin_user
        )

    by_recipient = {m.to[0]: m for m in mailoutbox}
    assert len(mailoutbox) == 2
    to_mentee = by_recipient["maya@example.org"]
    to_mentor = by_recipient["daniel@example.org"]
    assert to_mentee.subject == "Meet your mentor, Daniel Mentor"
    assert to_mentor.subject == "Meet your mentee, Maya Mentee"
    _assert_in_both_parts(to_mentee, "Hello Maya", "daniel@example.org", "you arrange the meetings")
    _assert_in_both_parts(to_mentor, "Hello Daniel", "maya@example.org", "will be in touch")
    for email in (to_mentee, to_mentor):
        _assert_in_both_parts(
            email, "in Mentoring scheme, who will be", _mentorship_url(mentorship)
        )


def test_central_matching_of_a_pair_with_a_pending_request_sends_only_the_introductions(
    django_capture_on_commit_callbacks, mailoutbox, pending, admin_user
):
    with django_capture_on_commit_callbacks(execute=True):
        services.create_mentorship(mentor=pending.mentor, mentee=pending.mentee, by=admin_user)

    assert sorted(m.subject for m in mailoutbox) == [
        "Meet your mentee, Maya Mentee",
        "Meet your mentor, Daniel Mentor",
    ]


def test_a_refused_change_sends_nothing(
    django_capture_on_commit_callbacks, mailoutbox, pending, mentee
):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(services.MatchingError):
            services.accept_request(pending, by=mentee)

    assert mailoutbox == []


@pytest.mark.parametrize(
    "kind",
    [
        "request_received",
        "request_accepted",
        "request_declined",
        "request_expired",
        "request_withdrawn",
        "request_closed_mentee_matched",
        "mentorship_ended",
        "mentorship_introduction",
    ],
)
def test_every_email_has_a_subject_text_and_html_template(kind):
    from django.template.loader import get_template

    for suffix in ("_subject.txt", ".txt", ".html"):
        assert get_template(f"emails/{kind}{suffix}")


def _proposal(mentee_profile, mentor_profile, admin_user, **fields):
    return MentorshipRequestFactory(
        mentee=mentee_profile.user,
        mentor=mentor_profile.user,
        proposed_by=admin_user,
        message="",
        **fields,
    )


def _assert_not_in_either_part(message, *fragments: str) -> None:
    html = html_part(message)
    for fragment in fragments:
        assert fragment not in message.body, fragment
        assert fragment not in html, fragment


def test_an_expired_proposal_tells_the_mentee_the_scheme_team_will_propose_another(
    django_capture_on_commit_callbacks, mailoutbox, mentee_profile, mentor_profile, admin_user
):
    """The mentee sent no request, and may not be able to choose: no directory link."""
    _proposal(
        mentee_profile, mentor_profile, admin_user, created_at=timezone.now() - timedelta(days=15)
    )

    with django_capture_on_commit_callbacks(execute=True):
        jobs.expire_requests(older_than=timezone.now() - timedelta(days=14))

    email = _only_email(mailoutbox)
    assert email.subject == "Daniel Mentor could not answer the scheme team's proposal in time"
    _assert_in_both_parts(
        email,
        "The scheme team proposed Daniel Mentor as your mentor",
        "The scheme team will propose another mentor for you: you need do nothing.",
    )
    _assert_not_in_either_part(email, "your request in time", "Approach another mentor", DIRECTORY)


def test_a_proposal_kept_waiting_tells_the_mentee_the_scheme_team_will_follow_up(
    django_capture_on_commit_callbacks, mailoutbox, mentee_profile, mentor_profile, admin_user
):
    _proposal(mentee_profile, mentor_profile, admin_user)
    until = timezone.localdate() + timedelta(days=20)

    with django_capture_on_commit_callbacks(execute=True):
        availability.go_away(mentor_profile.user, until=until, keep_waiting=True)

    email = _only_email(mailoutbox)
    assert email.subject == (
        f"Daniel Mentor is away until {until.day} {until:%B}: the scheme team's proposal is "
        "still waiting"
    )
    _assert_in_both_parts(
        email,
        "keep the scheme team's proposal waiting",
        "the scheme team will propose another mentor for you.",
    )
    _assert_not_in_either_part(email, "withdraw it", "look for another mentor", DIRECTORY)


def test_a_declined_proposal_does_not_send_the_mentee_to_the_directory(
    django_capture_on_commit_callbacks, mailoutbox, mentee_profile, mentor_profile, admin_user
):
    proposal = _proposal(mentee_profile, mentor_profile, admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        services.decline_request(proposal, by=mentor_profile.user, reason="full")

    email = _only_email(mailoutbox)
    _assert_in_both_parts(email, "the scheme team will look for another mentor for you")
    _assert_not_in_either_part(email, "approach another mentor", DIRECTORY)
