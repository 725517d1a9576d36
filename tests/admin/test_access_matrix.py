"""Who gets the scheme administration pages: staff only, and in production only with two-factor
authentication. Everyone else is sent to sign in, or refused."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import generate_totp_secret
from allauth.mfa.utils import encrypt
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from tests.factories import MenteeProfileFactory, MentorshipRequestFactory

pytestmark = pytest.mark.django_db

LISTS = [
    "/admin/matching/mentorshiprequest/",
    "/admin/matching/mentorshiprequest/?attention=waiting",
    "/admin/matching/mentorship/?attention=no_meeting",
    "/admin/profiles/mentorprofile/?review=queue",
    "/admin/profiles/menteeprofile/?attention=unmatched",
    "/admin/sessions_log/checkin/?attention=recent",
]
REPORTS = ["/admin/reports/", "/admin/reports/?format=csv&start=2025-01-01&end=2025-12-31"]
PAGES = ["/admin/", *LISTS, "match", *REPORTS]


@pytest.fixture
def url(request, db):
    path = request.param
    if path == "match":
        return reverse("admin:profiles_menteeprofile_match", args=[MenteeProfileFactory().pk])
    return path


def _with_totp(user):
    Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": encrypt(generate_totp_secret())}
    )
    return user


@pytest.mark.parametrize("url", PAGES, indirect=True)
def test_anonymous_people_are_sent_to_sign_in(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    assert client.get(response.url).url.startswith(reverse("account_login"))


@pytest.mark.parametrize("who", ["mentee", "mentor", "stranger"])
@pytest.mark.parametrize("url", PAGES, indirect=True)
def test_people_who_are_not_staff_are_refused(client_for, request, who, url):
    client = client_for(request.getfixturevalue(who))

    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    # allauth's guard on the admin login refuses a signed-in non-staff person outright.
    assert client.get(response.url).status_code == 403


def test_people_who_are_not_staff_cannot_export(client_for, mentee):
    request = MentorshipRequestFactory()

    response = client_for(mentee).post(
        "/admin/matching/mentorshiprequest/",
        {"action": "export_csv", ACTION_CHECKBOX_NAME: [request.pk]},
    )

    assert response.status_code == 302
    assert not response.get("Content-Disposition")


@pytest.mark.parametrize("url", PAGES, indirect=True)
def test_administrators_get_every_page(client_for, admin_user, url):
    assert client_for(admin_user).get(url).status_code == 200


@pytest.mark.parametrize("url", ["/admin/", *REPORTS], indirect=True)
def test_staff_without_model_permissions_still_get_the_home_and_the_reports(
    client_for, staff_user, url
):
    assert client_for(staff_user).get(url).status_code == 200


@pytest.mark.parametrize("url", [*LISTS, "match"], indirect=True)
def test_staff_without_model_permissions_get_no_lists(client_for, staff_user, url):
    assert client_for(staff_user).get(url).status_code == 403


@pytest.mark.parametrize("url", PAGES, indirect=True)
def test_staff_without_two_factor_are_sent_to_set_it_up_when_required(
    client_for, admin_user, settings, url
):
    settings.MFA_REQUIRED_FOR_STAFF = True

    response = client_for(admin_user).get(url)

    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")


@pytest.mark.parametrize("url", PAGES, indirect=True)
def test_staff_with_two_factor_get_every_page_when_required(client_for, admin_user, settings, url):
    settings.MFA_REQUIRED_FOR_STAFF = True

    assert client_for(_with_totp(admin_user)).get(url).status_code == 200
