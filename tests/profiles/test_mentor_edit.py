import pytest
from django.urls import reverse

from profiles.models import MentorProfile
from tests.factories import ExpertiseAreaFactory, MentorProfileFactory

pytestmark = pytest.mark.django_db
URL = reverse("profiles:mentor-edit")
SUBMIT = reverse("profiles:mentor-submit")


def _valid(area, **overrides):
    data = {
        "headline": "Finance director who moved from engineering",
        "job_title": "Finance Director",
        "organisation": "Northbridge Capital",
        "industry": "finance",
        "country": "GB",
        "key_areas": "I lead a team of 24 and set up the graduate programme.",
        "areas": [str(area.pk)],
        "formats": ["video", "phone"],
        "frequency": "monthly",
        "capacity": "2",
        "jobs-TOTAL_FORMS": "1",
        "jobs-INITIAL_FORMS": "0",
        "jobs-MIN_NUM_FORMS": "0",
        "jobs-MAX_NUM_FORMS": "15",
        "jobs-0-title": "Structural Engineer",
        "jobs-0-organisation": "Atlas Infrastructure",
        "jobs-0-start_year": "2004",
        "jobs-0-end_year": "2012",
        "jobs-0-description": "Bridges and rail.",
    }
    data.update(overrides)
    return data


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_new_mentor_creates_a_profile_with_job_history(client_for, mentor):
    area = ExpertiseAreaFactory(name="Changing sector")

    response = client_for(mentor).post(URL, _valid(area))

    assert response.status_code == 302
    profile = MentorProfile.objects.get(user=mentor)
    assert profile.review_status == "draft"
    assert profile.area_ids == [area.pk]
    assert [j.organisation for j in profile.jobs.all()] == ["Atlas Infrastructure"]
    assert profile.capacity == 2


def test_save_and_submit_sends_the_profile_for_review(client_for, mentor):
    response = client_for(mentor).post(SUBMIT, _valid(ExpertiseAreaFactory()), follow=True)

    profile = MentorProfile.objects.get(user=mentor)
    assert profile.review_status == "submitted"
    assert profile.submitted_at is not None
    assert "The scheme team will review your profile" in response.content.decode()


def test_without_required_review_a_submitted_profile_goes_live(client_for, mentor, settings):
    settings.SCHEME_MENTOR_APPROVAL_REQUIRED = False

    response = client_for(mentor).post(SUBMIT, _valid(ExpertiseAreaFactory()), follow=True)

    profile = MentorProfile.objects.get(user=mentor)
    assert profile.review_status == "approved"
    assert MentorProfile.objects.listed().filter(pk=profile.pk).exists()
    assert "Your profile is live" in response.content.decode()


def test_the_owner_of_a_draft_saves_what_they_typed_and_submits_it(client_for):
    profile = MentorProfileFactory(review_status="draft", submitted_at=None)

    response = client_for(profile.user).post(
        SUBMIT, _valid(ExpertiseAreaFactory(), headline="Now in finance"), follow=True
    )

    profile.refresh_from_db()
    assert (profile.headline, profile.review_status) == ("Now in finance", "submitted")
    assert response.redirect_chain == [(URL, 302)]
    assert "The scheme team will review your profile" in response.content.decode()


def test_the_submit_button_posts_the_form_to_its_own_url(client_for, mentor):
    html = client_for(mentor).get(URL).content.decode()

    assert f'action="{URL}"' in html
    assert f'formaction="{SUBMIT}"' in html


def test_saving_alone_does_not_submit(client_for, mentor):
    client_for(mentor).post(URL, _valid(ExpertiseAreaFactory(), submit_for_review="1"))

    assert MentorProfile.objects.get(user=mentor).review_status == "draft"


def test_anonymous_cannot_submit(client):
    response = client.post(SUBMIT, _valid(ExpertiseAreaFactory()))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not MentorProfile.objects.exists()


def test_an_incomplete_profile_is_refused_with_the_reasons_and_what_was_typed_is_kept(
    client_for, mentor
):
    data = _valid(ExpertiseAreaFactory(), headline="", job_title="")

    response = client_for(mentor).post(SUBMIT, data)

    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"headline", "job_title"}
    assert form["organisation"].value() == "Northbridge Capital"
    assert response.context["formset"].forms[0]["title"].value() == "Structural Engineer"
    assert 'id="error-summary"' in response.content.decode()
    assert not MentorProfile.objects.filter(user=mentor).exists()


def test_an_invalid_form_sent_for_review_is_explained_and_kept(client_for, mentor):
    response = client_for(mentor).post(SUBMIT, _valid(ExpertiseAreaFactory(), capacity="0"))

    assert response.status_code == 200
    assert "greater than or equal to 1" in " ".join(response.context["form"].errors["capacity"])
    assert response.context["form"]["organisation"].value() == "Northbridge Capital"
    assert f'action="{URL}"' in response.content.decode()
    assert not MentorProfile.objects.filter(user=mentor).exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("capacity", "0", "greater than or equal to 1"),
        ("capacity", "11", "less than or equal to 10"),
        ("capacity", "two", "Enter a whole number"),
        ("graduation_year", "1850", "Enter a year between 1940"),
        ("headline", "x" * 121, "at most 120 characters"),
        ("key_areas", "", "This field is required"),
        ("formats", [], "Choose at least one way you can meet"),
        ("areas", [], "Choose at least one area you can help with"),
        ("industry", "astrology", "Select a valid choice"),
    ],
)
def test_bad_input_is_explained_beside_the_field_and_kept(
    client_for, mentor, field, value, message
):
    data = _valid(ExpertiseAreaFactory(), **{field: value})

    response = client_for(mentor).post(URL, data)

    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    assert form["organisation"].value() == "Northbridge Capital"
    assert 'id="error-summary"' in response.content.decode()
    assert not MentorProfile.objects.filter(user=mentor).exists()


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2012", "2004", "The end year cannot be before the start year."),
        ("1900", "", "Enter a year between 1940"),
        ("2999", "", "Enter a year between 1940"),
        ("abc", "", "Enter a whole number"),
    ],
)
def test_bad_job_years_are_explained_and_kept(client_for, mentor, start, end, message):
    data = _valid(ExpertiseAreaFactory(), **{"jobs-0-start_year": start, "jobs-0-end_year": end})

    response = client_for(mentor).post(URL, data)

    assert response.status_code == 200
    job_form = response.context["formset"].forms[0]
    assert message in str(job_form.errors)
    assert job_form["title"].value() == "Structural Engineer"


def test_html_in_a_profile_is_shown_as_text(client_for, mentor, mentee, set_scheme):
    # The mentor joins the one programme with their first profile, and mentees see its mentors.
    set_scheme(mentor_approval_required=False)
    data = _valid(ExpertiseAreaFactory(), headline="<script>alert('x')</script> Mentor")
    client_for(mentor).post(URL, data)
    profile = MentorProfile.objects.get(user=mentor)
    profile.review_status = "approved"
    profile.save()

    html = client_for(mentee).get(profile.get_absolute_url()).content.decode()

    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; Mentor" in html


def test_capacity_cannot_go_below_current_mentees(client_for):
    profile = MentorProfileFactory(capacity=3)
    MentorProfile.objects.filter(pk=profile.pk).update(mentee_count=2)

    response = client_for(profile.user).post(URL, _valid(ExpertiseAreaFactory(), capacity="1"))

    assert "You mentor 2 people at the moment" in " ".join(
        response.context["form"].errors["capacity"]
    )


def test_hiding_a_profile_takes_it_out_of_the_directory_at_once(client_for, mentee):
    profile = MentorProfileFactory(user__full_name="Hiding Hal")
    client_for(profile.user).post(reverse("profiles:mentor-active"), {"active": "0"})

    directory = client_for(mentee).get(reverse("profiles:directory"))
    page = client_for(mentee).get(profile.get_absolute_url())

    assert "Hiding Hal" not in directory.content.decode()
    assert page.status_code == 404


def test_showing_a_hidden_profile_lists_it_again(client_for, mentee):
    profile = MentorProfileFactory(user__full_name="Back Bo", is_active=False)

    client_for(profile.user).post(reverse("profiles:mentor-active"), {"active": "1"})

    assert "Back Bo" in client_for(mentee).get(reverse("profiles:directory")).content.decode()


def test_the_active_toggle_ignores_an_offsite_next(client_for):
    profile = MentorProfileFactory()

    response = client_for(profile.user).post(
        reverse("profiles:mentor-active"), {"active": "0", "next": "https://evil.example/"}
    )

    assert response["Location"] == URL


def test_confirming_up_to_date_sets_the_date(client_for):
    profile = MentorProfileFactory(confirmed_at=None)

    client_for(profile.user).post(reverse("profiles:mentor-confirm"))

    profile.refresh_from_db()
    assert profile.confirmed_at is not None


@pytest.mark.parametrize("name", ["mentor-active", "mentor-confirm", "mentor-submit"])
def test_profile_actions_are_post_only(client_for, name):
    profile = MentorProfileFactory()

    assert client_for(profile.user).get(reverse(f"profiles:{name}")).status_code == 405


@pytest.mark.parametrize("name", ["mentor-active", "mentor-confirm"])
def test_profile_actions_without_a_profile_are_404(client_for, stranger, name):
    assert client_for(stranger).post(reverse(f"profiles:{name}")).status_code == 404


def test_the_form_shows_how_complete_the_profile_is(client_for):
    profile = MentorProfileFactory(moves_experience="", help_offered="")

    response = client_for(profile.user).get(URL)

    assert response.context["completeness"] < 100
    assert "moves between countries or industries" in response.content.decode()


def test_a_new_mentor_starts_with_the_schemes_default_capacity(client_for, mentor, set_scheme):
    set_scheme(default_capacity=3)

    response = client_for(mentor).get(URL)

    assert response.context["form"]["capacity"].value() == 3
