"""Every write that changes a directory card refreshes the cached directory at once, whichever
path makes it (profiles.cache.directory_changed): each test first puts the page in the cache,
then makes one change the way a person (or a job) makes it, and reads the page again."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from matching import jobs as matching_jobs
from matching import services
from matching.models import Mentorship
from profiles import tokens
from profiles.models import Membership
from profiles.services import approve_membership, leave_programme
from tests.factories import (
    ExpertiseAreaFactory,
    MenteeProfileFactory,
    MentorProfileFactory,
    MentorshipFactory,
    MentorshipRequestFactory,
    ProgrammeFactory,
    UserFactory,
    default_programme,
)

pytestmark = pytest.mark.django_db
URL = reverse("profiles:directory")


@pytest.fixture
def viewer(client_for):
    """A mentee's browser, with the directory already in the cache."""
    client = client_for(MenteeProfileFactory().user)
    return client


def _page(client) -> str:
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


def _order(html: str, *names: str) -> list[str]:
    return sorted(names, key=html.index)


def test_confirming_on_the_profile_page_refreshes_the_card_and_the_order(viewer, client_for):
    MentorProfileFactory(
        user__full_name="Early Erin", confirmed_at=timezone.now() - timedelta(days=30)
    )
    late = MentorProfileFactory(user__full_name="Late Lou", confirmed_at=None)
    html = _page(viewer)
    assert "Profile not yet confirmed this year" in html
    assert _order(html, "Early Erin", "Late Lou") == ["Early Erin", "Late Lou"]

    client_for(late.user).post(reverse("profiles:mentor-confirm"))

    html = _page(viewer)
    assert "Profile not yet confirmed this year" not in html
    assert _order(html, "Early Erin", "Late Lou") == ["Late Lou", "Early Erin"]


def test_confirming_by_the_emailed_link_refreshes_the_card(viewer, client):
    late = MentorProfileFactory(user__full_name="Late Lou", confirmed_at=None)
    assert "Profile not yet confirmed this year" in _page(viewer)

    response = client.post(
        reverse("profiles:mentor-confirm-link", args=[tokens.confirm_token(late)])
    )

    assert response.status_code == 200
    assert "Profile not yet confirmed this year" not in _page(viewer)


def test_editing_the_profile_refreshes_the_card(viewer, client_for):
    area = ExpertiseAreaFactory(name="Changing sector")
    profile = MentorProfileFactory(areas=[area], headline="Old headline")
    assert "Old headline" in _page(viewer)

    response = client_for(profile.user).post(
        reverse("profiles:mentor-edit"),
        {
            "headline": "Engineer turned finance director",
            "job_title": profile.job_title,
            "organisation": profile.organisation,
            "industry": "finance",
            "country": "GB",
            "key_areas": profile.key_areas,
            "areas": [str(area.pk)],
            "formats": ["video"],
            "frequency": "monthly",
            "capacity": "2",
            "jobs-TOTAL_FORMS": "0",
            "jobs-INITIAL_FORMS": "0",
            "jobs-MIN_NUM_FORMS": "0",
            "jobs-MAX_NUM_FORMS": "15",
        },
    )

    assert response.status_code == 302
    html = _page(viewer)
    assert "Engineer turned finance director" in html
    assert "Old headline" not in html


@pytest.mark.parametrize("hide_first", [True, False], ids=["hide", "show"])
def test_hiding_and_showing_a_profile_refreshes_the_directory(viewer, client_for, hide_first):
    profile = MentorProfileFactory(user__full_name="Hiding Hal", is_active=hide_first)
    assert ("Hiding Hal" in _page(viewer)) is hide_first

    client_for(profile.user).post(
        reverse("profiles:mentor-active"), {"active": "0" if hide_first else "1"}
    )

    assert ("Hiding Hal" in _page(viewer)) is not hide_first


def test_approving_a_profile_in_the_admin_lists_it_at_once(viewer, client_for, admin_user):
    profile = MentorProfileFactory(user__full_name="Waiting Wes", review_status="submitted")
    assert "Waiting Wes" not in _page(viewer)

    response = client_for(admin_user).post(
        reverse("admin:profiles_mentorprofile_changelist"),
        {"action": "approve", "_selected_action": [str(profile.pk)]},
    )

    assert response.status_code == 302
    assert "Waiting Wes" in _page(viewer)


def test_accepting_a_request_and_ending_the_pair_refresh_the_places(viewer):
    mentor = MentorProfileFactory(user__full_name="Full Finn", capacity=1)
    assert "1 place left" in _page(viewer)

    services.accept_request(MentorshipRequestFactory(mentor=mentor.user), by=mentor.user)
    html = _page(viewer)
    assert "1 place left" not in html and "Full" in html

    pair = Mentorship.objects.get(mentor=mentor.user)
    services.end_mentorship(pair, by=mentor.user, reason="achieved")
    assert "1 place left" in _page(viewer)


def test_a_pair_made_by_the_factory_path_of_take_place_refreshes_the_places(viewer):
    mentor = MentorProfileFactory(capacity=1)
    assert "1 place left" in _page(viewer)

    MentorshipFactory(mentor=mentor.user)

    assert "1 place left" not in _page(viewer)


def test_approving_and_leaving_a_membership_refresh_the_programmes_directory(client_for):
    careers = ProgrammeFactory(name="Careers", mentor_approval_required=True)
    viewer = client_for(MenteeProfileFactory(programmes=[careers]).user)
    profile = MentorProfileFactory(user__full_name="Joining Jo", programmes=[])
    membership = Membership.objects.create(
        user=profile.user, programme=careers, role=Membership.Role.MENTOR
    )
    coordinator = UserFactory(is_staff=True)
    careers.coordinators.add(coordinator)
    assert "Joining Jo" not in _page(viewer)

    approve_membership(membership, by=coordinator)
    assert "Joining Jo" in _page(viewer)

    leave_programme(membership, by=profile.user)
    assert "Joining Jo" not in _page(viewer)


def test_changing_a_mentors_areas_in_the_admin_refreshes_the_card(viewer, client_for, admin_user):
    old, new = ExpertiseAreaFactory(name="Bookkeeping"), ExpertiseAreaFactory(name="Negotiation")
    profile = MentorProfileFactory(areas=[old])
    assert "Bookkeeping" in _page(viewer).split('aria-label="Mentors"')[1]

    # What the admin's change form does with the areas field (form.save_m2m).
    profile.areas.set([new])

    cards = _page(viewer).split('aria-label="Mentors"')[1]
    assert "Negotiation" in cards and "Bookkeeping" not in cards


def test_renaming_an_area_in_the_admin_refreshes_the_cards(viewer, client_for, admin_user):
    area = ExpertiseAreaFactory(name="Bookkeeping")
    MentorProfileFactory(areas=[area])
    assert "Bookkeeping" in _page(viewer)

    response = client_for(admin_user).post(
        reverse("admin:profiles_expertisearea_change", args=[area.pk]),
        {"name": "Accounts and bookkeeping", "slug": area.slug, "description": "", "position": 0},
    )

    assert response.status_code == 302
    assert "Accounts and bookkeeping" in _page(viewer)


def test_the_reply_time_job_refreshes_the_cards(viewer):
    profile = MentorProfileFactory()
    now = timezone.now()
    for _ in range(3):
        MentorshipRequestFactory(
            mentor=profile.user,
            declined=True,
            created_at=now - timedelta(hours=30),
            responded_at=now - timedelta(hours=10),
        )
    assert "Usually replies" not in _page(viewer)

    matching_jobs.update_reply_times()

    assert "Usually replies within a day" in _page(viewer)


def test_a_second_programmes_directory_is_refreshed_too(client_for):
    careers = ProgrammeFactory(name="Careers")
    default_programme()
    viewer = client_for(MenteeProfileFactory(programmes=[careers, default_programme()]).user)
    profile = MentorProfileFactory(programmes=[careers], confirmed_at=None)
    careers_url = f"{URL}?programme=careers"
    assert "Profile not yet confirmed this year" in viewer.get(careers_url).content.decode()

    viewer_of_mentor = client_for(profile.user)
    viewer_of_mentor.post(reverse("profiles:mentor-confirm"))

    assert "Profile not yet confirmed this year" not in viewer.get(careers_url).content.decode()
