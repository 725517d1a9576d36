import pytest

from tests.factories import JobHistoryEntryFactory, MenteeProfileFactory, MentorProfileFactory

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


def test_without_a_mentee_profile_the_page_asks_for_one(client_for, stranger):
    profile = MentorProfileFactory()

    response = client_for(stranger).get(profile.get_absolute_url())

    assert response.context["interest"]["state"] == "needs_profile"
    assert "Create my mentee profile" in response.content.decode()


def test_the_profile_page_needs_at_most_five_queries(client_for, django_assert_max_num_queries):
    viewer = MenteeProfileFactory().user
    profile = MentorProfileFactory()
    JobHistoryEntryFactory.create_batch(5, profile=profile)
    client = client_for(viewer)

    with django_assert_max_num_queries(5):
        client.get(profile.get_absolute_url())
