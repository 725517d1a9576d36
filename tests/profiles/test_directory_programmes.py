"""The directory lists the mentors of one programme: the one named in `?programme=`, or the
one the person belongs to; a programme's directory is for its members and staff; and in a
programme that keeps mentors outside the mentee's line management, their manager and
colleagues are never listed (nor served to them from another person's cached page)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from profiles.models import MentorProfile
from tests.factories import (
    MenteeProfileFactory,
    MentorProfileFactory,
    ProgrammeFactory,
    UserFactory,
)
from tests.support import text_of

pytestmark = pytest.mark.django_db
URL = reverse("profiles:directory")


def _names(response) -> list[str]:
    return sorted(card["mentor"].user.full_name for card in response.context["cards"])


@pytest.fixture
def careers(db):
    return ProgrammeFactory(name="Alumni career mentoring", slug="careers", position=1)


@pytest.fixture
def staff(db):
    return ProgrammeFactory(
        name="Professional staff mentoring",
        slug="staff",
        position=2,
        outside_line_management=True,
    )


@pytest.fixture
def careers_mentee(careers):
    return MenteeProfileFactory(user__full_name="Cara Careers", programmes=[careers]).user


@pytest.fixture
def staff_mentee(staff):
    return MenteeProfileFactory(
        user__full_name="Sid Staff",
        department="Finance Office",
        line_manager_email="boss@example.ac.uk",
        programmes=[staff],
    ).user


def test_a_careers_mentee_never_sees_a_staff_only_mentor(
    client_for, careers, staff, careers_mentee
):
    MentorProfileFactory(user__full_name="Carl Careers", programmes=[careers])
    MentorProfileFactory(user__full_name="Stella Staffonly", programmes=[staff])
    client = client_for(careers_mentee)

    plain = client.get(URL)
    searched = client.get(URL, {"q": "Stella"})

    assert _names(plain) == ["Carl Careers"]
    assert _names(searched) == []
    assert "Stella" not in text_of(plain)


def test_asking_for_another_programmes_directory_explains_how_to_join_it(
    client_for, careers, staff, careers_mentee
):
    MentorProfileFactory(user__full_name="Stella Staffonly", programmes=[staff])

    response = client_for(careers_mentee).get(URL, {"programme": "staff"})

    html = text_of(response)
    assert response.status_code == 200
    assert "Join Professional staff mentoring to see its mentors" in html
    assert f'href="{reverse("profiles:programme-detail", args=["staff"])}"' in html
    assert "Stella" not in html
    assert "cards" not in response.context


def test_a_mentor_in_two_programmes_appears_in_both_directories(
    client_for, careers, staff, careers_mentee, staff_mentee
):
    MentorProfileFactory(user__full_name="Bea Both", programmes=[careers, staff])

    assert _names(client_for(careers_mentee).get(URL)) == ["Bea Both"]
    assert _names(client_for(staff_mentee).get(URL)) == ["Bea Both"]


def test_a_member_of_several_programmes_starts_at_the_first_and_can_choose(
    client_for, careers, staff
):
    person = MenteeProfileFactory(programmes=[staff, careers]).user
    MentorProfileFactory(user__full_name="Carl Careers", programmes=[careers])
    MentorProfileFactory(user__full_name="Stan Staff", programmes=[staff])
    client = client_for(person)

    first = client.get(URL)
    chosen = client.get(URL, {"programme": "staff"})

    assert _names(first) == ["Carl Careers"]  # careers comes first by position
    assert _names(chosen) == ["Stan Staff"]
    html = text_of(chosen)
    assert '<nav class="programme-chooser mb-3" aria-label="Programmes">' in html
    assert f'href="{URL}?programme=careers"' in html
    assert f'href="{URL}?programme=staff" aria-current="page"' in html
    assert "Find a mentor <span" in html and "in Professional staff mentoring" in html


def test_the_filters_and_pages_keep_the_programme(client_for, careers, staff):
    person = MenteeProfileFactory(programmes=[careers, staff]).user
    MentorProfileFactory.create_batch(21, programmes=[staff], industry="law")

    response = client_for(person).get(URL, {"programme": "staff", "industry": "law"})

    html = text_of(response)
    assert len(response.context["cards"]) == 20
    assert '<input type="hidden" name="programme" value="staff">' in html
    assert "?programme=staff&amp;industry=law&amp;page=2" in html


def test_one_programme_needs_no_chooser_and_no_parameter(client_for, careers, careers_mentee):
    MentorProfileFactory(user__full_name="Carl Careers", programmes=[careers])

    response = client_for(careers_mentee).get(URL)

    html = text_of(response)
    assert _names(response) == ["Carl Careers"]
    assert "programme-chooser" not in html
    assert 'name="programme"' not in html


def test_a_person_in_no_programme_is_shown_the_programmes_to_join(client_for, careers, staff):
    MentorProfileFactory(user__full_name="Carl Careers", programmes=[careers])

    response = client_for(UserFactory()).get(URL)

    html = text_of(response)
    assert response.status_code == 200
    assert "Join one as a mentee to see its mentors" in html
    assert f'href="{reverse("profiles:programme-detail", args=["careers"])}"' in html
    assert f'href="{reverse("profiles:programme-detail", args=["staff"])}"' in html
    assert "Carl Careers" not in html


@pytest.mark.parametrize("slug", ["no-such-programme", "draft"])
def test_an_unknown_or_draft_programme_is_404(client_for, careers, careers_mentee, slug):
    ProgrammeFactory(name="Draft programme", slug="draft", status="draft")

    assert client_for(careers_mentee).get(URL, {"programme": slug}).status_code == 404


def test_staff_may_read_any_programmes_directory(client_for, admin_user, careers, staff):
    MentorProfileFactory(user__full_name="Stan Staff", programmes=[staff])
    draft = ProgrammeFactory(name="Draft programme", slug="draft", status="draft")
    MentorProfileFactory(user__full_name="Dora Draft", programmes=[draft])
    client = client_for(admin_user)

    assert _names(client.get(URL, {"programme": "staff"})) == ["Stan Staff"]
    assert _names(client.get(URL, {"programme": "draft"})) == ["Dora Draft"]


def test_a_coordinator_reads_the_directories_of_their_programmes_only(client_for, careers, staff):
    MentorProfileFactory(user__full_name="Stan Staff", programmes=[staff])
    MentorProfileFactory(user__full_name="Carl Careers", programmes=[careers])
    pilot = ProgrammeFactory(name="Pilot", slug="pilot", status="draft")
    MentorProfileFactory(user__full_name="Pia Pilot", programmes=[pilot])
    coordinator = UserFactory(is_staff=True)
    staff.coordinators.add(coordinator)
    client = client_for(coordinator)

    assert _names(client.get(URL)) == ["Stan Staff"]  # their programme first
    careers_page = client.get(URL, {"programme": "careers"})
    assert careers_page.status_code == 200  # how to join it, not its mentors
    assert "Carl Careers" not in text_of(careers_page)
    assert client.get(URL, {"programme": "pilot"}).status_code == 404


def test_anonymous_is_sent_to_sign_in_whatever_the_programme(client, careers):
    response = client.get(URL, {"programme": "careers"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_central_matching_programme_points_to_its_application(client_for):
    central = ProgrammeFactory(name="Central", slug="central", matching="central")
    person = MenteeProfileFactory(programmes=[central]).user

    html = text_of(client_for(person).get(URL))

    assert "the coordinators match mentees with mentors" in html
    assert f'href="{reverse("profiles:programme-apply", args=["central"])}"' in html


# Outside line management


def test_a_staff_mentee_never_sees_their_line_manager_or_a_colleague(
    client_for, staff, staff_mentee
):
    MentorProfileFactory(
        user__full_name="Boss Barbara", user__email="Boss@Example.ac.uk", programmes=[staff]
    )
    MentorProfileFactory(
        user__full_name="Colleague Colm", department="finance office", programmes=[staff]
    )
    MentorProfileFactory(
        user__full_name="Other Olga", department="Library Services", programmes=[staff]
    )
    client = client_for(staff_mentee)

    response = client.get(URL)
    searched = client.get(URL, {"q": "Barbara"})

    assert _names(response) == ["Other Olga"]
    assert _names(searched) == []
    assert "your line manager and colleagues in your department are not listed" in text_of(response)


def test_the_rule_belongs_to_the_programme_that_has_it(client_for, careers, staff):
    person = MenteeProfileFactory(
        department="Finance Office", line_manager_email="boss@example.ac.uk", programmes=[careers]
    ).user
    MentorProfileFactory(
        user__full_name="Boss Barbara", user__email="boss@example.ac.uk", programmes=[careers]
    )

    assert _names(client_for(person).get(URL)) == ["Boss Barbara"]


def test_the_cache_never_serves_one_mentees_exclusions_to_another(client_for, staff):
    finance = MenteeProfileFactory(department="Finance Office", programmes=[staff]).user
    library = MenteeProfileFactory(department="Library Services", programmes=[staff]).user
    MentorProfileFactory(
        user__full_name="Fin Finance", department="Finance Office", programmes=[staff]
    )
    MentorProfileFactory(
        user__full_name="Lib Library", department="Library Services", programmes=[staff]
    )

    first = client_for(finance).get(URL)
    second = client_for(library).get(URL)
    again = client_for(finance).get(URL)

    assert _names(first) == ["Lib Library"]
    assert "Fin Finance" in text_of(second) and "Lib Library" not in text_of(second)
    assert "Lib Library" in text_of(again) and "Fin Finance" not in text_of(again)


def test_mentees_with_the_same_exclusions_share_a_cached_page(client_for, staff):
    first = MenteeProfileFactory(department="Finance Office", programmes=[staff]).user
    second = MenteeProfileFactory(department="finance  office", programmes=[staff]).user
    MentorProfileFactory.create_batch(3, department="Estates", programmes=[staff])
    client_for(first).get(URL)

    with CaptureQueriesContext(connection) as cached:
        client_for(second).get(URL)
    with CaptureQueriesContext(connection) as uncached:
        client_for(UserFactory(is_staff=True)).get(URL, {"programme": "staff"})

    assert len(cached) < len(uncached)


def test_a_programme_scoped_page_costs_the_same_queries_whatever_the_results(
    client_for, careers, staff
):
    viewer = MenteeProfileFactory(
        department="Finance Office",
        line_manager_email="boss@example.ac.uk",
        programmes=[careers, staff],
    ).user
    client = client_for(viewer)
    counts = {}
    for total in (1, 20, 50):
        existing = MentorProfile.objects.in_programme(staff).count()
        MentorProfileFactory.create_batch(total - existing, programmes=[staff, careers])
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL, {"programme": "staff", "format": "video"})
        assert response.status_code == 200
        counts[total] = len(queries)

    # The viewer with their areas and programmes (one), the page of mentors, and past one page
    # a bounded count; the session and the signed-in person come from the cache.
    assert counts[1] == counts[20] == 2
    assert counts[50] == counts[20] + 1


def test_a_staff_mentee_with_nothing_recorded_is_asked_for_their_department(client_for, staff):
    person = MenteeProfileFactory(programmes=[staff]).user
    MentorProfileFactory(programmes=[staff])

    html = text_of(client_for(person).get(URL))

    assert "Add your department and line manager to your profile" in html
    assert f'href="{reverse("profiles:mentee-edit")}"' in html


def test_staff_paging_a_draft_programme_stay_in_it(client_for, admin_user, careers):
    draft = ProgrammeFactory(name="Draft programme", slug="draft", status="draft")
    MentorProfileFactory.create_batch(21, programmes=[draft])

    html = text_of(client_for(admin_user).get(URL, {"programme": "draft"}))

    assert "?programme=draft&amp;page=2" in html
