"""The link in a coordinator's invitation: sign up or sign in with the invited address, press
"Join the programme", and take part in the invited role (issue 19). A GET never joins."""

from __future__ import annotations

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import signing
from django.urls import reverse

from accounts.models import User
from profiles import invitations
from profiles.models import Membership, ProgrammeInvitation
from tests.factories import PASSWORD, ProgrammeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme():
    # By invitation only: the invitation is what opens it.
    return ProgrammeFactory(name="Alumni careers", slug="careers", invitation_only=True)


def invite(programme, email="ann@example.org", role="mentee"):
    invitation = ProgrammeInvitation.objects.create(
        programme=programme, email=email, name="Ann New", role=role
    )
    return invitation, invitations.invitation_path(invitation)


def test_a_new_person_signs_up_with_the_invited_address_and_joins(client, programme, settings):
    settings.ACCOUNT_ALLOWED_EMAIL_DOMAINS = ["uni.ac.uk"]  # the invitation covers it
    invitation, url = invite(programme)

    page = client.get(url)
    assert page.status_code == 200
    signup_url = page.context["signup_url"]
    assert "email=ann%40example.org" in signup_url
    form = client.get(signup_url)
    assert form.context["form"].initial["email"] == "ann@example.org"
    signed_up = client.post(
        signup_url,
        {
            "full_name": "Ann New",
            "email": "ann@example.org",
            "password1": "a-long-unusual-passphrase",
            "password2": "a-long-unusual-passphrase",
        },
    )
    # The link proved the address: signed in at once and back on the invitation.
    assert signed_up.status_code == 302
    assert signed_up.url == url
    assert not Membership.objects.exists()  # a GET joins nobody
    joined = client.post(url)

    user = User.objects.get(email="ann@example.org")
    assert EmailAddress.objects.get(user=user).verified
    membership = Membership.objects.get(user=user)
    assert (membership.programme, membership.role, membership.status) == (
        programme,
        "mentee",
        "approved",
    )
    assert membership.by_invitation
    assert joined.url == reverse("profiles:mentee-edit")
    invitation.refresh_from_db()
    assert invitation.accepted_by == user and invitation.accepted_at


def test_an_existing_person_signs_in_and_joins_once(client, programme):
    person = UserFactory(email="ann@example.org")
    invitation, url = invite(programme, email="ANN@example.org", role="mentor")

    login_url = client.get(url).context["login_url"]
    signed_in = client.post(login_url, {"login": "ann@example.org", "password": PASSWORD})
    assert signed_in.url == url
    client.post(url)
    client.post(url)  # a double click

    membership = Membership.objects.get(user=person)
    # A mentor still waits for the coordinators' approval.
    assert (membership.role, membership.status) == ("mentor", "pending")
    assert Membership.objects.filter(user=person).count() == 1
    assert client.get(url).context["accepted"] is True


def test_someone_else_signed_in_is_told_whom_it_is_for(client_for, programme, stranger):
    _, url = invite(programme)

    response = client_for(stranger).get(url)
    posted = client_for(stranger).post(url)

    assert response.status_code == 403
    page = response.content.decode()
    assert "This invitation is for ann@example.org" in page
    assert reverse("account_logout") in page
    assert posted.status_code == 403
    assert not Membership.objects.filter(user=stranger).exists()


def test_an_expired_link(client, programme, clock):
    _, url = invite(programme)

    clock.shift(timedelta(days=31))
    response = client.get(url)

    assert response.status_code == 410
    assert "This invitation has expired" in response.content.decode()


def test_a_tampered_or_foreign_link(client, programme):
    invitation, url = invite(programme)
    other = ProgrammeFactory(name="Staff network", slug="staff")
    forged = signing.dumps(invitation.pk, salt="another-salt", compress=True)

    tampered = client.get(url[:-3] + "xx/")
    wrong_salt = client.get(reverse("profiles:programme-invited", args=["careers", forged]))
    elsewhere = client.get(url.replace("/careers/", f"/{other.slug}/"))

    for response in (tampered, wrong_salt, elsewhere):
        assert response.status_code == 404
        assert "This invitation link is not valid" in response.content.decode()


def test_an_invitation_used_by_one_account_is_not_used_again(client_for, programme):
    first = UserFactory(email="ann@example.org")
    invitation, url = invite(programme)
    client_for(first).post(url)
    # The same address, moved to another account later.
    EmailAddress.objects.filter(user=first).delete()
    first.email = "ann.old@example.org"
    first.save()
    second = UserFactory(email="ann@example.org")

    response = client_for(second).post(url)

    assert response.status_code == 410
    assert not Membership.objects.filter(user=second).exists()
