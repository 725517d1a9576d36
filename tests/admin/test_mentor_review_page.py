"""Review that is a review (issue 18): the queue is oldest first and says how long each mentor
has waited; a review page shows the profile as mentees will see it, with Approve and Request
changes, for the coordinators of the mentor's programmes only; the change form's arrays are
checkboxes; "Visible to mentees" is whether the directory lists them."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from mentoring.models import Outbox, SchemeSettings
from profiles import search
from profiles.models import Membership, MentorProfile, Training
from tests.admin.test_programme_admin import _form_data
from tests.factories import (
    MenteeProfileFactory,
    MentorProfileFactory,
    ProgrammeFactory,
    UserFactory,
    default_programme,
)
from tests.support import local_noon

pytestmark = pytest.mark.django_db

QUEUE = "/admin/profiles/mentorprofile/?review=queue"


def _coordinator(email, programme):
    user = UserFactory(email=email, full_name=email.split("@")[0].title(), is_staff=True)
    user.groups.add(Group.objects.get(name="Scheme coordinator"))
    programme.coordinators.add(user)
    return user


@pytest.fixture
def coordinator(db):
    return _coordinator("cora@example.org", default_programme())


@pytest.fixture
def other_coordinator(db):
    return _coordinator("otto@example.org", ProgrammeFactory(name="Other scheme"))


def _submitted(name, days_ago, **kwargs):
    profile = MentorProfileFactory(
        user__full_name=name,
        review_status=MentorProfile.ReviewStatus.SUBMITTED,
        submitted_at=local_noon(days_ago),
        **kwargs,
    )
    Membership.objects.filter(user=profile.user).update(status=Membership.Status.PENDING)
    profile.refresh_from_db()
    return profile


def _review_url(profile):
    return reverse("admin:profiles_mentorprofile_review", args=[profile.pk])


def test_the_queue_is_oldest_first_with_days_waiting_and_a_review_link(client_for, coordinator):
    newer = _submitted("Nia Newer", 2)
    older = _submitted("Olive Older", 40)
    response = client_for(coordinator).get(QUEUE)
    assert response.status_code == 200
    assert [p.pk for p in response.context["cl"].result_list] == [older.pk, newer.pk]
    html = response.content.decode()
    assert "Waiting 40 days" in html and "Waiting 2 days" in html
    assert html.index("Waiting 40 days") < html.index("Waiting 2 days")
    assert _review_url(older) in html


def test_visible_to_mentees_is_the_directory_listing_not_the_shown_switch(client_for, coordinator):
    waiting = _submitted("Wanda Waiting", 1)  # shown (is_active) but not listed
    listed = MentorProfileFactory(user__full_name="Lee Listed")
    assert waiting.is_active and not waiting.is_listed and listed.is_listed
    response = client_for(coordinator).get("/admin/profiles/mentorprofile/")
    cl = response.context["cl"]
    column = cl.model_admin.visible
    rows = {p.pk: column(p) for p in cl.result_list}
    assert rows[waiting.pk] is False and rows[listed.pk] is True


def test_visible_to_mentees_means_listed_in_one_of_the_coordinators_programmes(
    client_for, coordinator, other_coordinator
):
    """Approved and listed in the default programme, still waiting in Otto's: Otto's list says
    "not visible" (his directory does not show them), Cora's says visible; a mentor who left
    every programme is visible nowhere. The filter and the dashboard's figure agree."""
    other = other_coordinator.coordinated_programmes.get()
    both = MentorProfileFactory(user__full_name="Bea Both")
    Membership.objects.create(
        user=both.user, programme=other, role=Membership.Role.MENTOR, status="pending"
    )
    gone = MentorProfileFactory(user__full_name="Gil Gone")
    Membership.objects.filter(user=gone.user).delete()
    search.update_search_documents([gone.pk])
    gone.refresh_from_db()
    assert gone.is_listed and gone.programme_ids == []  # the flag alone would say "visible"

    def visible(user):
        cl = client_for(user).get("/admin/profiles/mentorprofile/").context["cl"]
        return {p.user.full_name: cl.model_admin.visible(p) for p in cl.result_list}

    def listed(user):
        cl = client_for(user).get("/admin/profiles/mentorprofile/?listed=yes").context["cl"]
        return {p.user.full_name for p in cl.result_list}

    assert visible(other_coordinator) == {"Bea Both": False}
    assert visible(coordinator)["Bea Both"] is True
    assert listed(other_coordinator) == set()
    assert listed(coordinator) == {"Bea Both"}
    admin = UserFactory(is_staff=True, is_superuser=True)
    assert visible(admin)["Gil Gone"] is False
    assert "Gil Gone" not in listed(admin)


def test_the_queue_costs_the_same_queries_for_1_or_20_waiting(
    client_for, coordinator, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(coordinator)
    client.get(QUEUE)
    _submitted("First", 3)
    with CaptureQueriesContext(connection) as one:
        assert client.get(QUEUE).status_code == 200
    for n in range(19):
        _submitted(f"Mentor {n}", n)
    with CaptureQueriesContext(connection) as twenty:
        response = client.get(QUEUE)
    assert len(response.context["cl"].result_list) == 20
    assert len(one) == len(twenty)


def test_the_review_page_shows_the_profile_as_mentees_see_it(client_for, coordinator):
    profile = _submitted("Rita Review", 5, key_areas="I run the regional finance team.")
    response = client_for(coordinator).get(_review_url(profile))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Rita Review" in html
    assert "I run the regional finance team." in html
    assert "Key areas of success and responsibility" in html
    assert 'name="approve"' in html and 'name="request_changes"' in html
    assert "Waiting 5 days" in html
    # Read-only: none of the mentor's words is an input.
    assert 'name="key_areas"' not in html and 'name="headline"' not in html


def test_approve_from_the_review_page(client_for, coordinator):
    profile = _submitted("Amy Approve", 3)
    client = client_for(coordinator)
    response = client.post(_review_url(profile), {"approve": "1"})
    assert response.status_code == 302 and response["Location"].endswith("?review=queue")
    profile.refresh_from_db()
    assert profile.review_status == MentorProfile.ReviewStatus.APPROVED
    assert profile.reviewed_by == coordinator
    assert Outbox.objects.filter(kind="profile_approved", to_email=profile.user.email).count() == 1
    client.post(_review_url(profile), {"approve": "1"})  # a double submit is harmless
    assert Outbox.objects.filter(kind="profile_approved", to_email=profile.user.email).count() == 1


def test_request_changes_needs_a_message_shown_next_to_the_field(client_for, coordinator):
    profile = _submitted("Cal Changes", 3)
    client = client_for(coordinator)
    response = client.post(_review_url(profile), {"request_changes": "1", "message": "  "})
    assert response.status_code == 200
    assert response.context["form"].errors["message"]
    assert "This field is required" in response.content.decode()
    profile.refresh_from_db()
    assert profile.review_status == MentorProfile.ReviewStatus.SUBMITTED

    data = {"request_changes": "1", "message": "Please add your job history."}
    assert client.post(_review_url(profile), data).status_code == 302
    assert client.post(_review_url(profile), data).status_code == 302  # double submit
    profile.refresh_from_db()
    assert profile.review_status == MentorProfile.ReviewStatus.CHANGES_REQUESTED
    assert profile.review_note == "Please add your job history."
    sent = Outbox.objects.filter(kind="profile_changes_requested", to_email=profile.user.email)
    assert sent.count() == 1


def test_request_changes_refused_when_approved_in_a_programme_they_do_not_run(
    client_for, coordinator
):
    elsewhere = ProgrammeFactory(name="Elsewhere scheme")
    profile = _submitted("Eve Elsewhere", 3)
    Membership.objects.create(
        user=profile.user,
        programme=elsewhere,
        role=Membership.Role.MENTOR,
        status=Membership.Status.APPROVED,
        approved_at=timezone.now(),
    )
    response = client_for(coordinator).post(
        _review_url(profile), {"request_changes": "1", "message": "Shorter headline, please."}
    )
    assert response.status_code == 200
    assert "Elsewhere scheme" in response.content.decode()
    profile.refresh_from_db()
    assert profile.review_status == MentorProfile.ReviewStatus.SUBMITTED


def test_another_programmes_coordinator_gets_not_found(client_for, other_coordinator):
    profile = _submitted("Nora Notyours", 3)
    client = client_for(other_coordinator)
    assert client.get(_review_url(profile)).status_code == 404
    assert client.post(_review_url(profile), {"approve": "1"}).status_code == 404
    profile.refresh_from_db()
    assert profile.review_status == MentorProfile.ReviewStatus.SUBMITTED


def test_a_participant_and_staff_without_approve_permission_are_refused(client_for):
    profile = _submitted("Pat Participant", 3)
    participant = UserFactory(email="pip@example.org")
    response = client_for(participant).get(_review_url(profile))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    viewer = UserFactory(email="vic@example.org", is_staff=True)
    default_programme().coordinators.add(viewer)
    assert client_for(viewer).post(_review_url(profile), {"approve": "1"}).status_code == 403
    profile.refresh_from_db()
    assert profile.review_status == MentorProfile.ReviewStatus.SUBMITTED


def test_anonymous_goes_to_the_admin_sign_in(client_for):
    profile = _submitted("Ann Anonymous", 3)
    response = client_for(None).get(_review_url(profile))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_a_superuser_reviews_any_profile(client_for, admin_user):
    profile = _submitted("Sue Super", 3)
    assert client_for(admin_user).get(_review_url(profile)).status_code == 200
    assert (
        client_for(admin_user)
        .get(reverse("admin:profiles_mentorprofile_review", args=[987654]))
        .status_code
        == 404
    )


def test_meeting_formats_are_checkboxes_and_save(client_for, admin_user):
    profile = MentorProfileFactory(formats=["video"])
    client = client_for(admin_user)
    url = reverse("admin:profiles_mentorprofile_change", args=[profile.pk])
    response = client.get(url)
    html = response.content.decode()
    assert 'type="checkbox" name="formats" value="in_person"' in html
    assert 'type="checkbox" name="formats" value="video"' in html and "checked" in html
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if name == "photo" or value is None:
            continue
        if hasattr(value, "pk"):
            value = value.pk
        data[name] = value
    data.update(
        {
            "formats": ["in_person", "phone"],
            "areas": [a.pk for a in profile.areas.all()],
            "jobs-TOTAL_FORMS": "0",
            "jobs-INITIAL_FORMS": "0",
            "jobs-MIN_NUM_FORMS": "0",
            "jobs-MAX_NUM_FORMS": "1000",
        }
    )
    data = {k: v for k, v in data.items() if v is not False}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    profile.refresh_from_db()
    assert profile.formats == ["in_person", "phone"]


def test_recruitment_months_are_checkboxes_and_save(client_for, admin_user):
    settings_row = SchemeSettings.load()
    client = client_for(admin_user)
    url = reverse("admin:mentoring_schemesettings_change", args=[settings_row.pk])
    response = client.get(url)
    html = response.content.decode()
    assert 'type="checkbox" name="recruitment_months" value="3"' in html
    assert 'type="checkbox" name="recruitment_months" value="11"' in html
    form = response.context["adminform"].form
    data = {
        name: form.initial.get(name, field.initial)
        for name, field in form.fields.items()
        if form.initial.get(name, field.initial) not in (None, False)
    }
    data["recruitment_months"] = ["4", "10"]
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert SchemeSettings.objects.get().recruitment_months == [4, 10]


def test_a_mentees_preferred_formats_are_checkboxes_and_save(client_for, admin_user):
    profile = MenteeProfileFactory(preferred_formats=["video"])
    client = client_for(admin_user)
    url = reverse("admin:profiles_menteeprofile_change", args=[profile.pk])
    page = client.get(url)
    html = page.content.decode()
    assert 'type="checkbox" name="preferred_formats" value="phone"' in html
    assert 'name="preferred_formats" value="video"' in html

    data = {**_form_data(page), "preferred_formats": ["phone", "in_person"]}
    data["areas"] = [a.pk for a in profile.areas.all()]
    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    profile.refresh_from_db()
    assert sorted(profile.preferred_formats) == ["in_person", "phone"]


def test_the_page_says_before_approving_that_required_training_is_missing(client_for, coordinator):
    programme = default_programme()
    Training.objects.create(
        programme=programme, name="Mentor briefing", audience="mentors", required=True
    )
    profile = _submitted("Tara Untrained", 2)

    html = client_for(coordinator).get(_review_url(profile)).content.decode()

    assert "Approving waits for training:" in html
    assert "Tara Untrained has not completed mentor training yet" in html
    assert "Mentor briefing" in html


def test_the_page_says_nothing_of_training_when_none_is_missing(client_for, coordinator):
    html = client_for(coordinator).get(_review_url(_submitted("Tom Ready", 2))).content.decode()

    assert "Approving waits for training" not in html
