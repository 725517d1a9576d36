"""Accounts in the admin: a staff member who is not a superuser cannot raise anyone's rights (their
own included), edit or delete a staff account, set a password, or read two-factor secrets, even
when given every permission on accounts, groups, email addresses and authenticators."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from profiles.models import Membership
from tests.factories import PASSWORD, UserFactory, default_programme

pytestmark = pytest.mark.django_db


def _member(user):
    """In the programme the account manager coordinates: staff who are not superusers see only
    the accounts of their programmes' people (the scoping has its own tests)."""
    Membership.objects.create(user=user, programme=default_programme(), role="mentee")
    return user


@pytest.fixture
def account_manager(db):
    """Staff with every permission on accounts, groups, email addresses and authenticators."""
    user = UserFactory(full_name="Amal Manager", email="amal@example.org", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["accounts", "auth", "account", "mfa"]
        )
    )
    default_programme().coordinators.add(user)
    return _member(user)


@pytest.fixture
def person(db):
    return _member(UserFactory(full_name="Pat Person", email="pat@example.org"))


def _change(client, user, **fields):
    data = {"email": user.email, "full_name": user.full_name, "is_active": "on", **fields}
    return client.post(reverse("admin:accounts_user_change", args=[user.pk]), data)


def test_staff_cannot_grant_staff_superuser_groups_or_permissions(
    client_for, account_manager, person
):
    group = Group.objects.get(name="Scheme coordinator")
    permission = Permission.objects.get(codename="change_user")

    response = _change(
        client_for(account_manager),
        person,
        full_name="Pat Renamed",
        is_staff="on",
        is_superuser="on",
        groups=[group.pk],
        user_permissions=[permission.pk],
    )

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.full_name == "Pat Renamed"
    assert not person.is_staff
    assert not person.is_superuser
    assert not person.groups.exists()
    assert not person.user_permissions.exists()


def test_staff_cannot_grant_themselves_anything(client_for, account_manager):
    account_manager.user_permissions.clear()
    account_manager.user_permissions.add(Permission.objects.get(codename="change_user"))

    response = _change(client_for(account_manager), account_manager, is_superuser="on")

    # Their own account is a staff account: not theirs to edit here either.
    assert response.status_code == 403
    account_manager.refresh_from_db()
    assert not account_manager.is_superuser


def test_staff_see_the_access_fields_read_only(client_for, account_manager, person):
    response = client_for(account_manager).get(
        reverse("admin:accounts_user_change", args=[person.pk])
    )

    assert response.status_code == 200
    for field in ["email", "is_staff", "is_superuser", "groups", "user_permissions"]:
        assert f'name="{field}"'.encode() not in response.content
    assert b'name="full_name"' in response.content


def test_superusers_grant_staff_and_groups(client_for, admin_user, person):
    group = Group.objects.get(name="Scheme coordinator")

    response = _change(client_for(admin_user), person, is_staff="on", groups=[group.pk])

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.is_staff
    assert list(person.groups.all()) == [group]


def test_staff_cannot_change_a_participants_email_address(client_for, account_manager, person):
    # The address is where a password reset goes: changing it would hand over the account.
    response = _change(client_for(account_manager), person, email="mine@example.org")

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.email == "pat@example.org"


def test_superusers_change_a_participants_email_address(client_for, admin_user, person):
    response = _change(client_for(admin_user), person, email="pat.new@example.org")

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.email == "pat.new@example.org"


def test_the_last_superuser_is_refused_before_the_confirmation(client_for, admin_user):
    client = client_for(admin_user)
    url = reverse("admin:accounts_user_delete", args=[admin_user.pk])

    assert client.get(url).status_code == 403
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "delete_selected", ACTION_CHECKBOX_NAME: [admin_user.pk], "post": "yes"},
    )

    assert response.status_code == 403
    admin_user.refresh_from_db()
    assert admin_user.is_active


@pytest.mark.parametrize("who", ["superuser", "other staff"])
def test_staff_cannot_edit_a_staff_account(client_for, account_manager, who):
    target = _member(
        UserFactory(full_name="Root Person", is_staff=True, is_superuser=who == "superuser")
    )

    response = _change(client_for(account_manager), target, email="mine@example.org")

    assert response.status_code == 403
    target.refresh_from_db()
    assert target.email != "mine@example.org"


def test_staff_cannot_delete_a_superuser(client_for, account_manager, admin_user):
    _member(admin_user)
    client = client_for(account_manager)

    page = client.post(reverse("admin:accounts_user_delete", args=[admin_user.pk]), {"post": "yes"})
    action = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "delete_selected", ACTION_CHECKBOX_NAME: [admin_user.pk], "post": "yes"},
    )

    assert page.status_code == 403
    assert action.status_code == 403
    assert type(admin_user).objects.filter(pk=admin_user.pk).exists()


def test_staff_cannot_set_a_password(client_for, account_manager, person):
    client = client_for(account_manager)
    url = reverse("admin:auth_user_password_change", args=[person.pk])

    page = client.get(url)
    post = client.post(
        url, {"password1": "a-new-long-password", "password2": "a-new-long-password"}
    )

    assert page.status_code == 403
    assert post.status_code == 403
    person.refresh_from_db()
    assert person.check_password(PASSWORD)


def test_staff_get_no_link_to_set_a_password(client_for, account_manager, person):
    response = client_for(account_manager).get(
        reverse("admin:accounts_user_change", args=[person.pk])
    )

    url = reverse("admin:auth_user_password_change", args=[person.pk])
    assert url.encode() not in response.content


def test_superusers_set_a_password(client_for, admin_user, person):
    response = client_for(admin_user).post(
        reverse("admin:auth_user_password_change", args=[person.pk]),
        {
            "password1": "a-new-long-password-7",
            "password2": "a-new-long-password-7",
            "usable_password": "true",
        },
    )

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.check_password("a-new-long-password-7")


def test_staff_cannot_add_accounts(client_for, account_manager, admin_user):
    url = reverse("admin:accounts_user_add")

    assert client_for(account_manager).get(url).status_code == 403
    assert client_for(admin_user).get(url).status_code == 200


def test_staff_cannot_give_a_group_permissions(client_for, account_manager):
    group = Group.objects.create(name="Readers")
    everything = Permission.objects.values_list("pk", flat=True)

    response = client_for(account_manager).post(
        reverse("admin:auth_group_change", args=[group.pk]),
        {"name": "Readers", "permissions": list(everything)},
    )

    assert response.status_code == 403
    assert not group.permissions.exists()


@pytest.mark.parametrize("model", ["account/emailaddress", "mfa/authenticator"])
def test_email_addresses_and_authenticators_are_for_superusers_only(
    client_for, account_manager, admin_user, model
):
    url = f"/admin/{model}/"

    assert client_for(account_manager).get(url).status_code == 403
    assert client_for(admin_user).get(url).status_code == 200


def test_staff_cannot_verify_email_addresses(client_for, account_manager):
    person = UserFactory(verified=False)
    address = EmailAddress.objects.create(user=person, email=person.email, verified=False)

    client_for(account_manager).post(
        "/admin/account/emailaddress/",
        {"action": "make_verified", ACTION_CHECKBOX_NAME: [address.pk], "index": 0},
    )

    address.refresh_from_db()
    assert not address.verified


def test_an_authenticator_page_never_shows_its_secret(client_for, admin_user, person):
    secret = generate_totp_secret()
    authenticator = TOTP.activate(person, secret).instance
    stored = Authenticator.objects.get(pk=authenticator.pk).data["secret"]
    client = client_for(admin_user)

    change = client.get(reverse("admin:mfa_authenticator_change", args=[authenticator.pk]))
    listing = client.get(reverse("admin:mfa_authenticator_changelist"))

    assert change.status_code == 200
    for response in (change, listing):
        assert secret.encode() not in response.content
        assert stored.encode() not in response.content
        assert b'name="data"' not in response.content
    assert b"Pat Person" in listing.content
