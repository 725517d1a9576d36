"""The review of advice conversations and informal pairs (issue 14): deleting an account with an
informal record waiting, no wait or rate limit from someone else's informal record, only the
engagements a programme allows, the advice requests a mentor can hold, the double submit and
the pairs that refuse a long-term request, the status texts of informal records, reply times
and the scheme emails of an ended pair."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.privacy import delete_account
from matching import engagements, jobs
from matching.admin import applicants
from matching.match_scoring import candidates
from matching.models import Engagement, Mentorship, MentorshipRequest
from matching.services import (
    MatchingError,
    accept_request,
    create_mentorship,
    decline_request,
    end_mentorship,
    send_request,
    withdraw_request,
)
from matching.templatetags.request_status import status_for
from profiles.models import Membership
from tests.factories import (
    MenteeProfileFactory,
    MentorProfileFactory,
    MentorshipRequestFactory,
    UserFactory,
    default_programme,
)
from tests.matching.conftest import MESSAGE

pytestmark = pytest.mark.django_db

TOPIC = "Moving from research into policy work"


@pytest.fixture
def programme(db):
    """The default programme, allowing all three engagements."""
    programme = default_programme()
    programme.engagement_types = [Engagement.LONG_TERM, Engagement.ADVICE, Engagement.INFORMAL]
    programme.save()
    return programme


@pytest.fixture
def owen(programme):
    """Owen, a mentor with two places who offers two advice conversations a month."""
    return MentorProfileFactory(
        user__full_name="Owen Mentor",
        user__email="owen@example.org",
        capacity=2,
        advice_per_month=2,
        programmes=[programme],
    ).user


@pytest.fixture
def mia(programme):
    """Mia, a mentee."""
    return MenteeProfileFactory(
        user__full_name="Mia Mentee", user__email="mia@example.org", programmes=[programme]
    ).user


def _informal(by, programme, other, role):
    return engagements.record_informal(
        by=by, programme=programme, other_email=other.email, my_role=role
    )


def _ask(mentee, mentor, engagement=Engagement.LONG_TERM, message=MESSAGE):
    return send_request(
        mentee=mentee,
        mentor=mentor,
        message=message,
        engagement=engagement,
        topic=TOPIC if engagement == Engagement.ADVICE else "",
    )


# Deleting an account


def test_a_mentee_deleting_their_account_declines_the_informal_pair_their_mentor_recorded(
    programme, owen, mia
):
    req = _informal(owen, programme, mia, "mentor")

    delete_account(mia)

    req.refresh_from_db()
    assert req.status == MentorshipRequest.Status.DECLINED


def test_a_mentor_deleting_their_account_withdraws_their_record_and_declines_the_mentees(
    programme, owen, mia
):
    theirs = _informal(owen, programme, mia, "mentor")
    other_mentee = MenteeProfileFactory(programmes=[programme]).user
    recorded_by_mentee = _informal(other_mentee, programme, owen, "mentee")

    delete_account(owen)

    theirs.refresh_from_db()
    recorded_by_mentee.refresh_from_db()
    assert theirs.status == MentorshipRequest.Status.WITHDRAWN
    assert recorded_by_mentee.status == MentorshipRequest.Status.DECLINED


# Waits and rate limits


def test_declining_an_informal_record_leaves_no_wait_and_it_is_no_request_sent(
    programme, owen, mia, settings
):
    settings.REQUEST_RATE_LIMIT_PER_HOUR = 1
    req = _informal(owen, programme, mia, "mentor")
    decline_request(req, by=mia, reason=MentorshipRequest.DeclineReason.OTHER)

    asked = _ask(mia, owen)

    assert asked.status == MentorshipRequest.Status.PENDING
    assert asked.engagement == Engagement.LONG_TERM


def test_a_mentor_who_declined_a_long_term_request_still_makes_the_mentee_wait(
    programme, owen, mia
):
    decline_request(_ask(mia, owen), by=owen, reason=MentorshipRequest.DeclineReason.NOT_AVAILABLE)

    with pytest.raises(MatchingError) as exc:
        _ask(mia, owen, message="Could we try again?")
    assert "Owen declined your last request." in str(exc.value)


# The engagements a programme allows


def test_a_programme_without_long_term_mentoring_refuses_a_long_term_request(programme, owen, mia):
    programme.engagement_types = [Engagement.ADVICE]
    programme.save()

    with pytest.raises(MatchingError) as exc:
        _ask(mia, owen)
    assert str(exc.value) == "Mentoring scheme does not offer long-term mentoring."
    assert not MentorshipRequest.objects.exists()
    assert _ask(mia, owen, Engagement.ADVICE).engagement == Engagement.ADVICE


def test_central_matching_refuses_a_programme_without_long_term_mentoring(programme, owen, mia):
    programme.engagement_types = [Engagement.ADVICE, Engagement.INFORMAL]
    programme.save()
    coordinator = UserFactory(is_staff=True)
    coordinator.groups.add(Group.objects.get(name="Scheme coordinator"))
    programme.coordinators.add(coordinator)

    with pytest.raises(MatchingError) as exc:
        create_mentorship(mentor=owen, mentee=mia, by=coordinator)
    assert str(exc.value) == "Mentoring scheme does not offer long-term mentoring."
    assert not Mentorship.objects.exists()


def test_central_matching_leaves_a_waiting_advice_request_alone(programme, owen, admin_user):
    other = MenteeProfileFactory(programmes=[programme]).user
    advice = _ask(other, owen, Engagement.ADVICE)
    mentee = MenteeProfileFactory(programmes=[programme]).user

    pair = create_mentorship(mentor=owen, mentee=mentee, by=admin_user)

    assert pair.engagement == Engagement.LONG_TERM
    advice.refresh_from_db()
    assert advice.status == MentorshipRequest.Status.PENDING


# The advice requests a mentor can hold


def test_advice_requests_waiting_count_against_the_mentors_monthly_number(programme, owen):
    first, second, third = (MenteeProfileFactory(programmes=[programme]).user for _ in range(3))
    accept_request(_ask(first, owen, Engagement.ADVICE), by=owen)
    _ask(second, owen, Engagement.ADVICE)

    with pytest.raises(MatchingError) as exc:
        _ask(third, owen, Engagement.ADVICE)
    assert "already has as many advice requests waiting" in str(exc.value)
    # Long-term requests are another matter.
    assert _ask(third, owen).engagement == Engagement.LONG_TERM


# Double submits and existing pairs


def test_a_repeat_with_the_same_message_but_another_engagement_is_no_double_submit(
    programme, owen, mia
):
    advice = _ask(mia, owen, Engagement.ADVICE)
    assert _ask(mia, owen, Engagement.ADVICE) == advice  # the double submit

    with pytest.raises(MatchingError) as exc:
        _ask(mia, owen)
    assert str(exc.value) == "You already have a request waiting for Owen Mentor's answer."
    assert MentorshipRequest.objects.count() == 1


def test_a_long_term_request_during_an_advice_conversation_waits_for_its_end(programme, owen, mia):
    accept_request(_ask(mia, owen, Engagement.ADVICE), by=owen)

    with pytest.raises(MatchingError) as exc:
        _ask(mia, owen)
    assert str(exc.value) == (
        "Your advice conversation with Owen Mentor is still under way. Once it is complete you "
        "can ask them to mentor you."
    )


def test_a_long_term_request_beside_an_informal_pair_says_so(programme, owen, mia):
    accept_request(_informal(owen, programme, mia, "mentor"), by=mia)

    with pytest.raises(MatchingError) as exc:
        _ask(mia, owen)
    assert str(exc.value).startswith(
        "You already have an informal pair with Owen Mentor in Mentoring scheme."
    )


def test_a_long_term_mentor_is_already_your_mentor(programme, owen, mia):
    accept_request(_ask(mia, owen), by=owen)

    with pytest.raises(MatchingError) as exc:
        _ask(mia, owen, message="Another message")
    assert str(exc.value) == "Owen Mentor is already your mentor."


# Central matching's queue


def test_the_queue_ignores_advice_and_informal_pairs(programme, owen, mia):
    programme.mentor_places_cap = 1
    programme.save()
    Membership.objects.filter(user=mia, programme=programme).update(applied_at=timezone.now())
    accept_request(_ask(mia, owen, Engagement.ADVICE), by=owen)
    other = MenteeProfileFactory(programmes=[programme]).user
    accept_request(_informal(owen, programme, other, "mentor"), by=other)

    assert list(applicants(programme).values_list("user", flat=True)) == [mia.pk]
    assert list(candidates(programme).values_list("user", flat=True)) == [owen.pk]


# Status texts of informal records


def test_a_mentor_who_withdrew_their_own_record_reads_withdrawn_by_you(programme, owen, mia):
    req = withdraw_request(_informal(owen, programme, mia, "mentor"), by=owen)

    assert status_for(req, owen).label == "Withdrawn by you"
    assert status_for(req, mia).label == "Withdrawn by Owen Mentor"


def test_an_expired_informal_record_tells_nobody_was_told(programme, owen, mia):
    req = _informal(mia, programme, owen, "mentee")
    req.status, req.expired_at = MentorshipRequest.Status.EXPIRED, timezone.now()
    req.save(update_fields=["status", "expired_at"])

    mine, theirs = status_for(req, mia), status_for(req, owen)

    assert mine.label == theirs.label == "Expired — not confirmed in time"
    assert mine.explanation.startswith("Owen Mentor did not confirm your record")
    assert theirs.explanation.startswith("You did not confirm Mia Mentee's record")
    for shown in (mine, theirs):
        assert "was told" not in shown.explanation
        assert "did not answer" not in shown.explanation


# Reply times


def test_confirming_an_informal_record_is_no_reply_time(programme, owen):
    profile = owen.mentor_profile
    for _ in range(3):
        MentorshipRequestFactory(
            mentor=owen,
            programme=programme,
            engagement=Engagement.INFORMAL,
            status="accepted",
            responded_at=timezone.now(),
        )

    jobs.update_reply_times()

    profile.refresh_from_db(fields=["reply_hours", "replies_counted"])
    assert (profile.reply_hours, profile.replies_counted) == (None, 0)


# Scheme emails of an ended pair


def test_an_ended_informal_pair_cannot_opt_in_to_scheme_emails(programme, owen, mia):
    req = _informal(owen, programme, mia, "mentor")
    accept_request(req, by=mia)
    pair = end_mentorship(req.mentorship, by=mia, reason=Mentorship.EndReason.values[0])

    with pytest.raises(MatchingError) as exc:
        engagements.set_scheme_emails(pair, by=owen, on=True)
    assert str(exc.value) == "This pair has ended, so the scheme sends it no more emails."
    pair.refresh_from_db()
    assert pair.scheme_emails is False
