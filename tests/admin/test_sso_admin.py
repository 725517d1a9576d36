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


def _add(client, provider: str, settings: str):
    return client.post(
        reverse("admin:socialaccount_socialapp_add"),
        {
            "provider": provider,
            "provider_id": f"{provider}-idp",
            "name": "University login",
            "client_id": "university",
            "secret": "",
            "key": "",
            "settings": settings,
        },
    )


def test_settings_given_as_one_domain_or_unreadable_are_handled_beside_the_field(
    client_for, admin_user
):
    client = client_for(admin_user)

    unreadable = _add(
        client, "saml", '{"idp": "x", "entity_id": "e", "sso_url": "s", "x509cert": "M"}'
    )
    assert "These settings cannot be read" in unreadable.text
    assert not SocialApp.objects.exists()

    _add(
        client,
        "openid_connect",
        '{"server_url": "https://login.example.ac.uk", "email_domains": "Uni.example.ac.uk",'
        ' "trusted_email_domains": "uni.example.ac.uk"}',
    )
    app = SocialApp.objects.get()
    assert app.settings["email_domains"] == ["uni.example.ac.uk"]
    assert app.settings["verified_email"] == ["uni.example.ac.uk"]


def test_a_saml_provider_added_in_the_admin_cannot_loosen_the_environments_rules(
    client_for, admin_user
):
    _add(
        client_for(admin_user),
        "saml",
        '{"entity_id": "https://idp.example.ac.uk", "sso_url": "https://idp.example.ac.uk/sso",'
        ' "x509cert": "MIIC", "idp": {"metadata_url": "https://elsewhere.example.com/md"},'
        ' "advanced": {"reject_deprecated_algorithm": false, "strict": false}}',
    )

    settings = SocialApp.objects.get().settings
    assert settings["advanced"] == {"want_assertion_signed": True, "strict": True}
    assert settings["idp"] == {
        "entity_id": "https://idp.example.ac.uk",
        "sso_url": "https://idp.example.ac.uk/sso",
        "x509cert": "MIIC",
    }


def test_a_new_programmes_page_offers_only_real_choices_to_sign_in_with(client_for, admin_user):
    page = client_for(admin_user).get(reverse("admin:profiles_programme_add"))

    choices = page.context["adminform"].form.fields["single_sign_on"].choices
    assert choices == [("", "Any way of signing in (email and password or any provider)")]
