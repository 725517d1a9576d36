import pytest
from django.urls import reverse

from tests.factories import (
    JobHistoryEntryFactory,
    MenteeProfileFactory,
    MentorProfileFactory,
    MentorshipFactory,
    MentorshipRequestFactory,
)
from tests.support import interested_url, text_of

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_sign_in(client):
    profile = MentorProfileFactory()

    response = client.get(profile.get_absolute_url())

    assert response.status_code == 302


def test_a_mentee_sees_everything_needed_to_decide(client_for):
    viewer = MenteeProfileFactory().user
    profile = MentorProfileFactory(
        key_areas="Built the graduate programme", moves_experience="Moved from Lagos to Leeds"
    )
    JobHistoryEntryFactory(profile=profile, organisation="Harbour Bank")

    html = client_for(viewer).get(profile.get_absolute_url()).content.decode()

    for text in (
        "Built the graduate programme",
        "Moved from Lagos to Leeds",
        "Harbour Bank",
        "Video call",
        "Interested",
    ):
        assert text in html
    assert profile.user.email not in html


@pytest.mark.parametrize(
    "hidden",
    [{"review_status": "submitted"}, {"is_active": False}, {"user__is_active": False}],
)
def test_an_unlisted_profile_is_404_to_others(client_for, stranger, hidden):
    profile = MentorProfileFactory(**hidden)

    assert client_for(stranger).get(profile.get_absolute_url()).status_code == 404


def test_the_owner_sees_their_own_unlisted_profile(client_for):
    profile = MentorProfileFactory(review_status="submitted")

    response = client_for(profile.user).get(profile.get_absolute_url())

    assert response.status_code == 200
    assert response.context["interest"]["state"] == "own"


def test_staff_see_any_profile(client_for, admin_user):
    profile = MentorProfileFactory(review_status="submitted")

    assert client_for(admin_user).get(profile.get_absolute_url()).status_code == 200


def test_the_profile_page_needs_at_most_five_queries(client_for, django_assert_max_num_queries):
    viewer = MenteeProfileFactory().user
    profile = MentorProfileFactory()
    JobHistoryEntryFactory.create_batch(5, profile=profile)
    client = client_for(viewer)

    with django_assert_max_num_queries(5):
        client.get(profile.get_absolute_url())


# What the Interested button says


def _profile_page(client_for, viewer, profile, django_assert_max_num_queries):
    client = client_for(viewer)
    with django_assert_max_num_queries(5):
        response = client.get(profile.get_absolute_url())
    assert response.status_code == 200
    return response


def test_profile_offers_interested_to_a_mentee(
    client_for, mentee_profile, mentor_profile, django_assert_max_num_queries
):
    response = _profile_page(
        client_for, mentee_profile.user, mentor_profile, django_assert_max_num_queries
    )

    assert response.context["interest"]["state"] == "available"
    assert f'href="{interested_url(mentor_profile)}"' in text_of(response)


def test_profile_links_to_the_request_already_sent(
    client_for, pending, mentee, mentor_profile, django_assert_max_num_queries
):
    response = _profile_page(client_for, mentee, mentor_profile, django_assert_max_num_queries)

    html = text_of(response)
    assert "You have already asked Daniel; your request is waiting for an answer." in html
    assert f'href="{pending.get_absolute_url()}"' in html
    assert interested_url(mentor_profile) not in html


def test_profile_links_to_the_mentorship_when_paired(
    client_for, mentorship, mentee, mentor_profile, django_assert_max_num_queries
):
    response = _profile_page(client_for, mentee, mentor_profile, django_assert_max_num_queries)

    html = text_of(response)
    assert "Daniel is your mentor." in html
    assert f'href="{mentorship.get_absolute_url()}"' in html
    assert interested_url(mentor_profile) not in html


def test_profile_says_when_the_mentor_is_full(
    client_for, mentee_profile, mentor_profile, django_assert_max_num_queries
):
    MentorshipFactory(mentor=mentor_profile.user)
    MentorshipFactory(mentor=mentor_profile.user)

    response = _profile_page(
        client_for, mentee_profile.user, mentor_profile, django_assert_max_num_queries
    )

    html = text_of(response)
    assert "Daniel has no free place at the moment." in html
    assert f"{reverse('profiles:directory')}?available=1" in html
    assert interested_url(mentor_profile) not in html


def test_profile_says_it_is_your_own(client_for, mentor_profile, django_assert_max_num_queries):
    response = _profile_page(
        client_for, mentor_profile.user, mentor_profile, django_assert_max_num_queries
    )

    html = text_of(response)
    assert "This is your own profile, as mentees see it." in html
    assert interested_url(mentor_profile) not in html


def test_profile_asks_for_a_mentee_profile_first(
    client_for, mentor_profile, stranger, django_assert_max_num_queries
):
    response = _profile_page(client_for, stranger, mentor_profile, django_assert_max_num_queries)

    html = text_of(response)
    assert response.context["interest"]["state"] == "needs_profile"
    assert "create your mentee profile" in html
    assert "Create my mentee profile" in html
    assert f'href="{reverse("profiles:mentee-edit")}"' in html
    assert interested_url(mentor_profile) not in html


def test_profile_says_when_the_pending_limit_is_reached(
    set_scheme, settings, client_for, mentee_profile, mentor_profile, django_assert_max_num_queries
):
    set_scheme(max_pending_requests=3)
    for _ in range(3):
        MentorshipRequestFactory(mentee=mentee_profile.user)

    response = _profile_page(
        client_for, mentee_profile.user, mentor_profile, django_assert_max_num_queries
    )

    html = text_of(response)
    assert "You already have 3 requests waiting for an answer." in html
    assert f'href="{reverse("matching:request-list")}"' in html
    assert interested_url(mentor_profile) not in html


def test_profile_says_when_the_mentee_already_has_a_mentor(
    set_scheme, settings, client_for, mentee_profile, mentor_profile, django_assert_max_num_queries
):
    set_scheme(max_active_mentorships=1)
    MentorshipFactory(mentee=mentee_profile.user)

    response = _profile_page(
        client_for, mentee_profile.user, mentor_profile, django_assert_max_num_queries
    )

    html = text_of(response)
    assert "You already have a mentor." in html
    assert f'href="{reverse("matching:mentorship-list")}"' in html
    assert interested_url(mentor_profile) not in html


def test_profile_counts_one_pending_request_in_the_singular(
    set_scheme, settings, client_for, mentee_profile, mentor_profile, django_assert_max_num_queries
):
    set_scheme(max_pending_requests=1)
    MentorshipRequestFactory(mentee=mentee_profile.user)

    response = _profile_page(
        client_for, mentee_profile.user, mentor_profile, django_assert_max_num_queries
    )

    assert "You already have 1 request waiting for an answer." in text_of(response)


def test_profile_tells_staff_an_unlisted_mentor_is_hidden(
    client_for, admin_user, django_assert_max_num_queries
):
    profile = MentorProfileFactory(review_status="submitted")

    response = _profile_page(client_for, admin_user, profile, django_assert_max_num_queries)

    assert "This profile is not visible to mentees at the moment." in text_of(response)
    assert interested_url(profile) not in text_of(response)
