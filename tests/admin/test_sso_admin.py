"""Single sign-on providers in the admin: superusers only, and a client secret is typed in but
never shown back."""

from __future__ import annotations

import pytest
from allauth.socialaccount.models import SocialAccount, SocialApp
from django.contrib.auth.models import Permission
from django.urls import reverse

from tests.factories import ProgrammeFactory, UserFactory

pytestmark = pytest.mark.django_db

SECRET = "s3cr3t-client-value-0123456789"  # noqa: S105


@pytest.fixture
def app():
    return SocialApp.objects.create(
        provider="openid_connect",
        provider_id="university",
        name="University login",
        client_id="mentoring",
        secret=SECRET,
        settings={"server_url": "https://login.example.ac.uk"},
    )


def _change_url(app) -> str:
    return reverse("admin:socialaccount_socialapp_change", args=[app.pk])


def test_a_superuser_edits_a_provider_without_seeing_its_secret(client_for, admin_user, app):
    client = client_for(admin_user)

    page = client.get(_change_url(app))

    assert page.status_code == 200
    assert SECRET not in page.text
    assert "A secret is set" in page.text
    index = client.get(reverse("admin:index")).text
    assert reverse("admin:socialaccount_socialapp_changelist") in index


def test_an_empty_secret_keeps_the_one_there_is_and_a_typed_one_replaces_it(
    client_for, admin_user, app
):
    client = client_for(admin_user)
    form = {
        "provider": "openid_connect",
        "provider_id": "university",
        "name": "University sign-in",
        "client_id": "mentoring",
        "secret": "",
        "key": "",
        "settings": '{"server_url": "https://login.example.ac.uk"}',
    }

    kept = client.post(_change_url(app), form)
    app.refresh_from_db()
    assert kept.status_code == 302
    assert (app.name, app.secret) == ("University sign-in", SECRET)

    client.post(_change_url(app), {**form, "secret": "a-new-secret"})
    app.refresh_from_db()
    assert app.secret == "a-new-secret"


@pytest.fixture(params=["this programme", "another programme"])
def coordinator(request):
    """A coordinator, even one given every permission on providers and linked accounts."""
    user = UserFactory(is_staff=True)
    if request.param == "this programme":
        from tests.factories import default_programme

        default_programme().coordinators.add(user)
    else:
        ProgrammeFactory(name="Elsewhere").coordinators.add(user)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="socialaccount"))
    return user


def test_coordinators_cannot_see_providers_or_linked_accounts(client_for, coordinator, app):
    client = client_for(coordinator)
    SocialAccount.objects.create(user=coordinator, provider="university", uid="c1")

    assert client.get(reverse("admin:socialaccount_socialapp_changelist")).status_code == 403
    assert client.get(_change_url(app)).status_code == 403
    assert client.get(reverse("admin:socialaccount_socialaccount_changelist")).status_code == 403
    assert (
        reverse("admin:socialaccount_socialapp_changelist")
        not in client.get(reverse("admin:index")).text
    )


def test_a_superuser_may_unlink_an_account_but_not_edit_it(client_for, admin_user):
    account = SocialAccount.objects.create(user=admin_user, provider="university", uid="a1")
    client = client_for(admin_user)

    page = client.get(reverse("admin:socialaccount_socialaccount_change", args=[account.pk]))
    client.post(
        reverse("admin:socialaccount_socialaccount_delete", args=[account.pk]), {"post": "yes"}
    )

    assert page.status_code == 200
    assert 'name="uid"' not in page.text  # read only
    assert not SocialAccount.objects.exists()


def test_anonymous_people_are_sent_to_sign_in(client, app):
    response = client.get(_change_url(app))

    assert response.status_code == 302
    assert "login" in response.url
