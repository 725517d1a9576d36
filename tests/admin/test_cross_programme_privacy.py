"""What a coordinator sees of a person who also takes part in programmes they do not run: an
email's subject may be about another programme (the outbox shows its kind, recipient, times and
status only), and a mentee's department and line manager are for the coordinators of a
programme that keeps mentors outside line management."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from mentoring.models import Outbox
from tests.factories import MenteeProfileFactory, ProgrammeFactory, UserFactory

pytestmark = pytest.mark.django_db

SUBJECT = "Careers Student would like you to be their mentor"


@pytest.fixture
def staff():
    return ProgrammeFactory(slug="staff", outside_line_management=True, matching="central")


@pytest.fixture
def careers():
    return ProgrammeFactory(slug="careers")


def _coordinator(programme, email: str):
    user = UserFactory(email=email, is_staff=True)
    user.groups.add(Group.objects.get(name="Scheme coordinator"))
    programme.coordinators.add(user)
    return user


@pytest.fixture
def coordinator(staff):
    return _coordinator(staff, "cora@example.org")


@pytest.fixture
def careers_email(staff, careers):
    """An email about careers to a person who is a mentee in staff and a mentor in careers."""
    person = MenteeProfileFactory(programmes=[staff]).user
    return Outbox.objects.create(
        kind="request_received",
        recipient=person,
        to_email=person.email,
        subject=SUBJECT,
        body_text="…",
        dedupe_key="privacy:1",
        message_id="<privacy-1@example.org>",
        status=Outbox.Status.FAILED,
        attempts=5,
    )


def test_a_coordinator_sees_an_emails_kind_recipient_and_status_never_its_subject(
    client_for, coordinator, careers_email
):
    client = client_for(coordinator)

    listing = client.get(reverse("admin:mentoring_outbox_changelist"))
    page = client.get(reverse("admin:mentoring_outbox_change", args=[careers_email.pk]))

    assert listing.status_code == page.status_code == 200
    assert [row.pk for row in listing.context["cl"].result_list] == [careers_email.pk]
    for response in (listing, page):
        html = response.content.decode()
        assert SUBJECT not in html
        assert "request_received" in html
        assert careers_email.to_email in html
    assert "subject" not in listing.context["cl"].list_display
    assert "Failed" in page.content.decode()


def test_a_coordinator_cannot_find_an_email_by_its_subject(client_for, coordinator, careers_email):
    client = client_for(coordinator)
    url = reverse("admin:mentoring_outbox_changelist")

    searched = client.get(url, {"q": "would like you"})
    filtered = client.get(url, {"subject__contains": "would like"})

    assert list(searched.context["cl"].result_list) == []
    # A filter on the subject in the URL is refused, as one on an email's content is.
    assert filtered.status_code == 400
    # Their own address (the recipient) still finds it.
    by_address = client.get(url, {"q": careers_email.to_email})
    assert [row.pk for row in by_address.context["cl"].result_list] == [careers_email.pk]


def test_a_superuser_sees_and_searches_the_subject(client_for, admin_user, careers_email):
    client = client_for(admin_user)
    url = reverse("admin:mentoring_outbox_changelist")

    listing = client.get(url, {"q": "would like you"})
    page = client.get(reverse("admin:mentoring_outbox_change", args=[careers_email.pk]))

    assert [row.pk for row in listing.context["cl"].result_list] == [careers_email.pk]
    assert SUBJECT in listing.content.decode()
    assert SUBJECT in page.content.decode()


def _mentee_with_line_manager(*programmes):
    return MenteeProfileFactory(
        programmes=list(programmes),
        department="Finance",
        line_manager_email="boss@example.org",
    )


def _change_page(client, profile):
    return client.get(reverse("admin:profiles_menteeprofile_change", args=[profile.pk]))


def test_the_coordinator_of_a_line_management_programme_reads_them_only(
    client_for, coordinator, staff
):
    profile = _mentee_with_line_manager(staff)
    client = client_for(coordinator)

    response = _change_page(client, profile)

    html = response.content.decode()
    assert "Finance" in html and "boss@example.org" in html
    form = response.context["adminform"].form
    assert "department" not in form.fields and "line_manager_email" not in form.fields
    # Saving the page changes nothing of them.
    client.post(
        reverse("admin:profiles_menteeprofile_change", args=[profile.pk]),
        {"department": "Sales", "line_manager_email": "other@example.org"},
    )
    profile.refresh_from_db()
    assert (profile.department, profile.line_manager_email) == ("Finance", "boss@example.org")


def test_the_coordinator_of_another_programme_never_sees_them(client_for, staff, careers):
    careers_coordinator = _coordinator(careers, "carl@example.org")
    profile = _mentee_with_line_manager(staff, careers)

    response = _change_page(client_for(careers_coordinator), profile)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Finance" not in html and "boss@example.org" not in html
    assert "department" not in response.context["adminform"].form.fields
    assert "line_manager_email" not in response.context["adminform"].form.fields
    assert "Line manager" not in html


def test_a_superuser_reads_them(client_for, admin_user, careers):
    profile = _mentee_with_line_manager(careers)

    html = _change_page(client_for(admin_user), profile).content.decode()

    assert "Finance" in html and "boss@example.org" in html


@pytest.mark.parametrize("outside_line_management", [True, False])
def test_the_applicants_queue_names_the_department_only_where_the_rule_applies(
    client_for, outside_line_management
):
    programme = ProgrammeFactory(
        slug="central", matching="central", outside_line_management=outside_line_management
    )
    coordinator = _coordinator(programme, "queue@example.org")
    profile = _mentee_with_line_manager(programme)
    profile.user.memberships.filter(programme=programme).update(applied_at=timezone.now())

    response = client_for(coordinator).get(
        reverse("admin:profiles_menteeprofile_applicants", args=[programme.pk])
    )

    assert [m.user_id for m in response.context["queue"]] == [profile.user_id]
    assert ("Finance" in response.content.decode()) == outside_line_management
