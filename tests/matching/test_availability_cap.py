"""A cap on the requests waiting for a mentor's answer (their own number, or free places + 1),
holding under concurrency; and the limits said before any typing, each error once."""

from __future__ import annotations

import pytest

from matching.models import MentorshipRequest
from matching.services import MatchingError, send_request, waiting_cap
from profiles.models import MentorProfile
from tests.factories import (
    MenteeProfileFactory,
    MentorProfileFactory,
    MentorshipFactory,
    MentorshipRequestFactory,
)
from tests.matching.conftest import MESSAGE
from tests.matching.test_races import _race, _reseed_expertise_areas, racing
from tests.support import interested_url, text_of

__all__ = ["_reseed_expertise_areas"]  # the module's autouse fixture applies here too

CAP_REACHED = "Not taking requests right now"


def _waiting_for(profile: MentorProfile, n: int) -> None:
    for _ in range(n):
        MentorshipRequestFactory(mentor=profile.user, mentee=MenteeProfileFactory().user)


@pytest.mark.django_db
def test_the_default_cap_is_the_free_places_plus_one():
    profile = MentorProfileFactory(capacity=3)
    assert waiting_cap(profile) == 4
    MentorshipFactory(mentor=profile.user)
    profile.refresh_from_db()
    assert waiting_cap(profile) == 3
    profile.waiting_cap = 1
    assert waiting_cap(profile) == 1


@pytest.mark.django_db
def test_a_request_past_the_cap_is_refused_with_a_clear_sentence(mentee_profile, mentor_profile):
    mentor_profile.waiting_cap = 2
    mentor_profile.save()
    _waiting_for(mentor_profile, 2)

    with pytest.raises(MatchingError) as refused:
        send_request(mentee=mentee_profile.user, mentor=mentor_profile.user, message=MESSAGE)

    assert str(refused.value) == (
        "Not taking requests right now: Daniel Mentor already has 2 requests waiting for an "
        "answer. Please approach another mentor, or come back later."
    )


@pytest.mark.django_db
def test_answering_a_request_makes_room_again(mentee_profile, mentor_profile):
    mentor_profile.waiting_cap = 1
    mentor_profile.save()
    _waiting_for(mentor_profile, 1)
    MentorshipRequest.objects.filter(mentor=mentor_profile.user).update(
        status="expired", expired_at=MentorshipRequest.objects.get().created_at
    )

    req = send_request(mentee=mentee_profile.user, mentor=mentor_profile.user, message=MESSAGE)

    assert req.is_pending


@racing
def test_twenty_concurrent_requests_against_a_cap_of_three_leave_exactly_three_waiting():
    profile = MentorProfileFactory(capacity=5, waiting_cap=3)
    mentees = [MenteeProfileFactory().user for _ in range(20)]

    results = _race(
        [
            lambda mentee=mentee: send_request(mentee=mentee, mentor=profile.user, message=MESSAGE)
            for mentee in mentees
        ]
    )

    sent = [r for r in results if isinstance(r, MentorshipRequest)]
    refused = [r for r in results if isinstance(r, MatchingError)]
    assert (len(sent), len(refused)) == (3, 17)
    assert all(CAP_REACHED in str(r) for r in refused)
    assert MentorshipRequest.objects.pending().filter(mentor=profile.user).count() == 3


@pytest.mark.django_db
def test_the_profile_page_says_not_taking_requests_with_the_button_disabled(
    client_for, mentee_profile, mentor_profile
):
    mentor_profile.waiting_cap = 1
    mentor_profile.save()
    _waiting_for(mentor_profile, 1)

    html = text_of(client_for(mentee_profile.user).get(mentor_profile.get_absolute_url()))

    assert CAP_REACHED in html
    assert 'disabled aria-describedby="interest-state">Interested</button>' in html
    assert f'href="{interested_url(mentor_profile)}"' not in html


@pytest.mark.django_db
def test_the_interested_form_says_why_before_any_typing(client_for, mentee_profile, mentor_profile):
    mentor_profile.waiting_cap = 1
    mentor_profile.save()
    _waiting_for(mentor_profile, 1)

    response = client_for(mentee_profile.user).get(interested_url(mentor_profile))

    html = text_of(response)
    assert response.status_code == 200
    assert CAP_REACHED in html
    assert "<textarea" not in html


@pytest.mark.django_db
def test_the_page_and_the_form_say_how_many_requests_the_mentee_has_left(
    client_for, set_scheme, mentee_profile, mentor_profile
):
    set_scheme(max_pending_requests=3)
    MentorshipRequestFactory(mentee=mentee_profile.user)
    client = client_for(mentee_profile.user)
    said = "You can have 3 requests waiting for an answer at a time; 2 left."

    assert said in text_of(client.get(mentor_profile.get_absolute_url()))
    assert said in text_of(client.get(interested_url(mentor_profile)))


@pytest.mark.django_db
def test_the_pending_limit_is_said_before_typing_and_once_after_a_stale_post(
    client_for, set_scheme, mentee_profile, mentor_profile
):
    set_scheme(max_pending_requests=1)
    MentorshipRequestFactory(mentee=mentee_profile.user)
    client = client_for(mentee_profile.user)
    said = "You already have 1 request waiting for an answer."

    form_page = text_of(client.get(interested_url(mentor_profile)))
    assert said in form_page and "<textarea" not in form_page

    # A form opened before the limit was reached, posted now: the error shows once, and the
    # message typed is kept.
    html = text_of(client.post(interested_url(mentor_profile), {"message": MESSAGE}))
    assert html.count(said) == 1
    assert MESSAGE in html


@pytest.mark.django_db
def test_an_away_mentors_form_says_when_they_are_back(client_for, mentee_profile, mentor_profile):
    from datetime import timedelta

    from django.utils import timezone

    from matching import availability

    until = timezone.localdate() + timedelta(days=10)
    availability.go_away(mentor_profile.user, until=until)

    html = text_of(client_for(mentee_profile.user).get(interested_url(mentor_profile)))

    assert f"is away until {until.day} {until:%B}" in html
    assert "<textarea" not in html
