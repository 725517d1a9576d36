"""Templates get the signed-in person's own object as `user` (accounts.context_processors), the
same person `request.user` is, and Django's `perms` still."""

from __future__ import annotations

import pytest
from django.contrib.auth import login
from django.contrib.auth.context_processors import PermWrapper
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.cache import SessionStore
from django.test import RequestFactory
from django.urls import reverse
from django.utils.functional import LazyObject

from accounts.context_processors import user as user_context
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_signed_in_person_is_their_own_object(client_for):
    person = UserFactory(full_name="Ada Lovelace")

    response = client_for(person).get(reverse("home"))

    user = response.context["user"]
    assert not isinstance(user, LazyObject)
    assert user == person and user.full_name == "Ada Lovelace"
    assert user is response.wsgi_request.user._wrapped
    assert isinstance(response.context["perms"], PermWrapper)
    assert "Welcome, Ada" in response.text


def test_nobody_signed_in_is_anonymous(client):
    response = client.get(reverse("home"))

    user = response.context["user"]
    assert isinstance(user, AnonymousUser) and not isinstance(user, LazyObject)


def test_a_person_signed_in_during_the_request_is_the_one_shown():
    # After a login the view's request.user is the person (set by django.contrib.auth.login),
    # not the lazy one from the start of the request.
    person = UserFactory(email="ada@example.org", full_name="Ada Lovelace")
    request = RequestFactory().get("/")
    request.session = SessionStore()
    request.user = AnonymousUser()
    login(request, person, backend="django.contrib.auth.backends.ModelBackend")

    assert user_context(request) == {"user": person}
