"""Passwords of at least 12 characters, and none from the list of common passwords."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.urls import reverse

from accounts.models import User
from mentoring.management.commands.seed_demo import DEFAULT_PASSWORD
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _sign_up(client, password: str):
    return client.post(
        reverse("account_signup"),
        {
            "full_name": "Priya Patel",
            "email": "priya@example.org",
            "password1": password,
            "password2": password,
        },
    )


def test_an_eleven_character_password_is_refused_beside_the_field(client):
    response = _sign_up(client, "xk3!qpz9Lm2")

    assert response.status_code == 200
    errors = response.context["form"].errors["password1"]
    assert any("at least 12 characters" in error for error in errors)
    assert 'value="priya@example.org"' in response.content.decode()
    assert not User.objects.exists()


def test_a_common_password_is_refused_even_when_long_enough(client):
    response = _sign_up(client, "password1234")

    errors = response.context["form"].errors["password1"]
    assert any("too common" in error for error in errors)
    assert not User.objects.exists()


def test_a_twelve_character_password_is_accepted(client):
    response = _sign_up(client, "xk3!qpz9Lm2w")

    assert response.status_code == 302
    assert User.objects.filter(email="priya@example.org").exists()


@pytest.mark.parametrize("password", [DEFAULT_PASSWORD, PASSWORD], ids=["demo", "tests"])
def test_the_demo_and_test_passwords_meet_the_rules(password):
    validate_password(password)
