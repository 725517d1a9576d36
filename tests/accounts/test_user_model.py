from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.db import IntegrityError, transaction

from accounts.models import User

pytestmark = pytest.mark.django_db


def test_emails_differing_only_in_case_cannot_both_exist():
    User.objects.create_user("A@x.org", password="pw", full_name="Ann")

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("a@x.org", password="pw", full_name="Another Ann")

    assert User.objects.count() == 1


def test_create_user_lowercases_the_domain_and_hashes_the_password():
    user = User.objects.create_user("Ann@Example.ORG", password="s3cret-pass", full_name="Ann")

    assert user.email == "Ann@example.org"
    assert user.password != "s3cret-pass"
    assert user.check_password("s3cret-pass")
    assert not user.is_staff and not user.is_superuser


def test_create_user_without_an_email_is_refused():
    with pytest.raises(ValueError, match="email address is required"):
        User.objects.create_user("", password="pw")


def test_create_superuser_is_staff_and_superuser():
    user = User.objects.create_superuser("boss@example.org", password="pw", full_name="Boss")

    assert user.is_staff and user.is_superuser and user.is_active
    assert user.check_password("pw")


def test_create_superuser_refuses_to_be_anything_less():
    with pytest.raises(ValueError, match="is_staff=True"):
        User.objects.create_superuser("boss@example.org", password="pw", is_staff=False)


def test_authenticate_finds_the_user_whatever_the_case_of_the_email():
    user = User.objects.create_user("ann@example.org", password="s3cret-pass", full_name="Ann")

    assert authenticate(username="ANN@EXAMPLE.ORG", password="s3cret-pass") == user


def test_str_is_the_full_name_or_else_the_email():
    assert str(User(email="ann@example.org", full_name="Ann Lee")) == "Ann Lee"
    assert str(User(email="ann@example.org", full_name="")) == "ann@example.org"


def test_short_name_is_the_first_name():
    assert User(email="ann@example.org", full_name="Ann Lee").get_short_name() == "Ann"
    assert User(email="ann@example.org", full_name="").get_short_name() == "ann@example.org"
