"""The mentee profile asks for a department and a line manager only where a programme keeps
mentors outside the mentee's line management."""

from __future__ import annotations

import pytest
from django.urls import reverse

from profiles.models import MenteeProfile
from tests.factories import MenteeProfileFactory, ProgrammeFactory, UserFactory
from tests.support import text_of

pytestmark = pytest.mark.django_db
URL = reverse("profiles:mentee-edit")


@pytest.fixture
def staff(db):
    return ProgrammeFactory(name="Professional staff", slug="staff", outside_line_management=True)


@pytest.fixture
def careers(db):
    return ProgrammeFactory(name="Alumni careers", slug="careers")


def test_a_mentee_in_a_staff_programme_is_asked_and_told_who_sees_it(client_for, staff):
    person = MenteeProfileFactory(programmes=[staff]).user

    response = client_for(person).get(URL)

    html = text_of(response)
    assert {"department", "line_manager_email"} <= set(response.context["form"].fields)
    assert "Only the programme's coordinators see your line manager's address." in html


def test_the_department_and_line_manager_are_saved(client_for, staff):
    profile = MenteeProfileFactory(programmes=[staff])

    client_for(profile.user).post(
        URL,
        {
            "role": "Finance officer",
            "goals": "Become a team leader.",
            "department": "Finance Office",
            "line_manager_email": "boss@example.ac.uk",
        },
    )

    profile.refresh_from_db()
    assert (profile.department, profile.line_manager_email) == (
        "Finance Office",
        "boss@example.ac.uk",
    )


def test_a_bad_address_is_explained_beside_it_and_the_rest_kept(client_for, staff):
    person = MenteeProfileFactory(programmes=[staff]).user

    response = client_for(person).post(
        URL,
        {
            "role": "Finance officer",
            "goals": "Become a team leader.",
            "department": "Finance Office",
            "line_manager_email": "not an address",
        },
    )

    form = response.context["form"]
    assert response.status_code == 200
    assert form.errors["line_manager_email"] == ["Enter a valid email address."]
    assert 'id="id_line_manager_email_error"' in text_of(response)
    assert form["department"].value() == "Finance Office"


def test_a_careers_mentee_is_not_asked_and_keeps_what_was_recorded(client_for, careers):
    profile = MenteeProfileFactory(
        programmes=[careers], department="Old Dept", line_manager_email="old@example.org"
    )

    form_page = client_for(profile.user).get(URL)
    client_for(profile.user).post(URL, {"role": "BSc History", "goals": "A job in a museum."})

    assert "line_manager_email" not in form_page.context["form"].fields
    assert "line manager" not in text_of(form_page)
    profile.refresh_from_db()
    assert profile.line_manager_email == "old@example.org"


def test_a_first_profile_where_the_only_programme_is_a_staff_one_asks(client_for, staff):
    response = client_for(UserFactory()).post(
        URL,
        {
            "role": "Finance officer",
            "goals": "Become a team leader.",
            "department": "Finance Office",
        },
    )

    assert MenteeProfile.objects.get().department == "Finance Office"
    assert response.status_code == 302


def test_a_first_profile_among_several_programmes_is_not_asked(client_for, staff, careers):
    response = client_for(UserFactory()).get(URL)

    assert "department" not in response.context["form"].fields
