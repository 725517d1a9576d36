"""Applying to be matched in a programme whose coordinators match centrally."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from profiles.models import Membership
from tests.factories import (
    MenteeProfileFactory,
    MentorProfileFactory,
    ProgrammeFactory,
    UserFactory,
)
from tests.support import messages_of, text_of

pytestmark = pytest.mark.django_db

APPLICATION = "A mentor who moved from research into university administration."


@pytest.fixture
def staff():
    return ProgrammeFactory(name="Professional staff mentoring", slug="staff", matching="central")


@pytest.fixture
def applicant(staff):
    return MenteeProfileFactory(
        user__full_name="Priya Patel", programmes=[staff], department="Finance"
    ).user


def _url(programme) -> str:
    return reverse("profiles:programme-apply", args=[programme.slug])


def _membership(user, programme) -> Membership:
    return Membership.objects.get(user=user, programme=programme, role="mentee")


def test_an_approved_mentee_is_offered_to_apply(client_for, staff, applicant):
    html = text_of(client_for(applicant).get(staff.get_absolute_url()))

    assert f'href="{_url(staff)}"' in html
    assert "Apply to be matched" in html


def test_the_form_offers_the_programmes_mentors_only(client_for, staff, applicant):
    # Fixed words: a random organisation ("Smith & Sons") is escaped in the page.
    MentorProfileFactory(
        user__full_name="Hana Here",
        job_title="Head of Planning",
        organisation="Library",
        programmes=[staff],
    )
    MentorProfileFactory(user__full_name="Olu Other")  # the default programme only

    response = client_for(applicant).get(_url(staff))

    html = text_of(response)
    assert response.status_code == 200
    assert "Hana Here, Head of Planning at Library" in html
    assert "Olu Other" not in html


def test_applying_saves_it_and_the_page_then_shows_what_was_sent(client_for, staff, applicant):
    wanted = MentorProfileFactory(user__full_name="Hana Here", programmes=[staff]).user
    client = client_for(applicant)

    response = client.post(
        _url(staff), {"application": APPLICATION, "preferred_mentors": [wanted.pk]}
    )

    assert response.url == _url(staff)
    assert messages_of(response) == [
        "Thank you: your application is with the coordinators, who will match you and email you."
    ]
    membership = _membership(applicant, staff)
    assert membership.application == APPLICATION
    assert membership.applied_at is not None
    assert list(membership.preferred_mentors.all()) == [wanted]
    html = text_of(client.get(_url(staff)))
    assert "will match you with a mentor and email you" in html
    assert "Mentors you would like: Hana Here." in html
    assert APPLICATION in html
    assert "Update my application" in html


def test_an_application_can_be_changed(client_for, staff, applicant):
    client = client_for(applicant)
    client.post(_url(staff), {"application": APPLICATION})
    client.get(_url(staff))  # reads the first "thank you"
    first = _membership(applicant, staff).applied_at

    response = client.post(_url(staff), {"application": "Someone in estates, please."})

    assert messages_of(response) == ["Your application is updated."]
    membership = _membership(applicant, staff)
    assert membership.application == "Someone in estates, please."
    assert membership.applied_at == first


def test_an_empty_application_is_refused_next_to_the_field_keeping_the_choice(
    client_for, staff, applicant
):
    wanted = MentorProfileFactory(user__full_name="Hana Here", programmes=[staff]).user

    response = client_for(applicant).post(
        _url(staff), {"application": "   ", "preferred_mentors": [wanted.pk]}
    )

    html = text_of(response)
    assert response.status_code == 200
    assert response.context["form"].errors["application"] == [
        "Tell the coordinators what you are looking for in a mentor."
    ]
    assert (
        '<p id="error_1_id_application"><strong>Tell the coordinators what you are looking for'
        in html
    )
    assert re.search(
        rf'<input type="checkbox" name="preferred_mentors" value="{wanted.pk}"[^>]* checked', html
    )
    assert _membership(applicant, staff).applied_at is None


def test_a_mentor_of_another_programme_is_refused(client_for, staff, applicant):
    elsewhere = MentorProfileFactory(user__full_name="Olu Other").user

    response = client_for(applicant).post(
        _url(staff), {"application": APPLICATION, "preferred_mentors": [elsewhere.pk]}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["preferred_mentors"] == [
        "Choose among the mentors of this programme."
    ]
    assert APPLICATION in text_of(response)
    assert _membership(applicant, staff).applied_at is None


def test_at_most_three_preferred_mentors(client_for, staff, applicant):
    mentors = [MentorProfileFactory(programmes=[staff]).user for _ in range(4)]

    response = client_for(applicant).post(
        _url(staff), {"application": APPLICATION, "preferred_mentors": [m.pk for m in mentors]}
    )

    assert response.context["form"].errors["preferred_mentors"] == ["Choose at most 3 mentors."]


def test_searching_for_a_mentor_keeps_what_was_typed(client_for, staff, applicant, settings):
    for n in range(31):
        MentorProfileFactory(user__full_name=f"Alex Mentor {n:02}", programmes=[staff])
    wanted = MentorProfileFactory(user__full_name="Zed Zephyr", programmes=[staff]).user
    client = client_for(applicant)

    first = client.get(_url(staff))
    assert "Zed Zephyr" not in text_of(first)  # beyond the first 30
    assert 'name="q"' in text_of(first)

    response = client.post(_url(staff), {"application": APPLICATION, "q": "zephyr", "search": "1"})

    html = text_of(response)
    assert "Zed Zephyr" in html
    assert "Alex Mentor" not in html
    assert APPLICATION in html
    assert not response.context["form"].errors
    assert _membership(applicant, staff).applied_at is None
    assert wanted.pk in [
        c[0] for c in response.context["form"]["preferred_mentors"].field.widget.choices
    ]


def test_a_staff_programme_invites_recording_department_and_line_manager(client_for):
    programme = ProgrammeFactory(
        name="Staff", slug="staff-olm", matching="central", outside_line_management=True
    )
    mentee = MenteeProfileFactory(programmes=[programme]).user

    html = text_of(client_for(mentee).get(_url(programme)))

    assert "Add your department and your line manager" in html
    assert f'href="{reverse("profiles:mentee-edit")}"' in html


def test_the_line_manager_is_not_offered(client_for):
    programme = ProgrammeFactory(slug="staff-olm", matching="central", outside_line_management=True)
    manager = MentorProfileFactory(
        user__full_name="Morgan Manager", user__email="morgan@uni.example", programmes=[programme]
    ).user
    mentee = MenteeProfileFactory(programmes=[programme], line_manager_email="morgan@uni.example")
    client = client_for(mentee.user)

    assert "Morgan Manager" not in text_of(client.get(_url(programme)))
    response = client.post(
        _url(programme), {"application": APPLICATION, "preferred_mentors": [manager.pk]}
    )
    assert "preferred_mentors" in response.context["form"].errors


def test_a_programme_where_mentees_choose_has_no_application(client_for):
    programme = ProgrammeFactory(slug="choice", matching="choice")
    mentee = MenteeProfileFactory(programmes=[programme]).user

    assert client_for(mentee).get(_url(programme)).status_code == 404


def test_someone_not_in_the_programme_is_sent_to_join_first(client_for, staff):
    stranger = UserFactory()

    response = client_for(stranger).post(_url(staff), {"application": APPLICATION})

    assert response.url == staff.get_absolute_url()
    assert messages_of(response) == ["Join Professional staff mentoring as a mentee first."]
    assert not Membership.objects.filter(user=stranger).exists()


def test_a_draft_programme_is_404(client_for):
    programme = ProgrammeFactory(slug="pilot", matching="central", status="draft")
    mentee = MenteeProfileFactory(programmes=[programme]).user

    assert client_for(mentee).get(_url(programme)).status_code == 404


def test_applying_needs_sign_in(client, staff):
    response = client.get(_url(staff))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_each_mentee_sees_only_their_own_application(client_for, staff, applicant):
    client_for(applicant).post(_url(staff), {"application": APPLICATION})
    other = MenteeProfileFactory(programmes=[staff]).user

    response = client_for(other).get(_url(staff))

    assert APPLICATION not in text_of(response)
    assert response.context["membership"].user == other
