import pytest
from django.urls import reverse
from django.utils.html import escape

from profiles.models import MenteeProfile
from tests.factories import ExpertiseAreaFactory

pytestmark = pytest.mark.django_db
URL = reverse("profiles:mentee-edit")


def test_a_new_mentee_creates_a_profile_and_is_sent_to_the_directory(client_for, mentee):
    area = ExpertiseAreaFactory()

    response = client_for(mentee).post(
        URL, {"role": "BSc Economics", "goals": "A first job in finance.", "areas": [area.pk]}
    )

    assert response["Location"] == reverse("profiles:directory")
    assert list(MenteeProfile.objects.get(user=mentee).areas.all()) == [area]


def test_choosing_both_roles_continues_to_the_mentor_profile(client_for, mentee):
    response = client_for(mentee).post(
        f"{URL}?then=mentor", {"role": "Finance officer", "goals": "Become a team leader."}
    )

    assert response["Location"] == reverse("profiles:mentor-edit")


def test_missing_goals_are_explained_and_the_rest_kept(client_for, mentee):
    response = client_for(mentee).post(URL, {"role": "BSc History", "goals": ""})

    assert response.status_code == 200
    assert "This field is required." in response.context["form"].errors["goals"]
    assert response.context["form"]["role"].value() == "BSc History"


def test_the_start_page_routes_by_role(client_for, mentee):
    client = client_for(mentee)

    assert client.post(reverse("profiles:start"), {"role": "mentor"})["Location"] == reverse(
        "profiles:mentor-edit"
    )
    assert (
        client.post(reverse("profiles:start"), {"role": "both"})["Location"] == f"{URL}?then=mentor"
    )
    assert client.post(reverse("profiles:start"), {}).status_code == 200


@pytest.mark.parametrize("name", ["profiles:start", "profiles:mentee-edit", "profiles:mentor-edit"])
def test_an_empty_post_is_answered_with_the_missing_fields(client_for, mentee, name):
    # An empty POST is still a POST: the form is bound and says what is missing.
    response = client_for(mentee).post(reverse(name), {})

    assert response.status_code == 200
    form = response.context["form"]
    assert form.is_bound
    field, errors = next(iter(form.errors.items()))
    assert field in form.fields
    assert escape(errors[0]) in response.content.decode()
