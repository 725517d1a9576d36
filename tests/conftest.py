from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from accounts.user_cache import cached_row
from mentoring.celery import app as celery_app
from tests.factories import MenteeProfileFactory, MentorProfileFactory, UserFactory
from tests.support import START


@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.SITE_URL = "http://testserver"
    settings.MFA_REQUIRED_FOR_STAFF = False
    # allauth counts sign-ups, logins and resets in the cache, and the locmem cache outlives a
    # test: start each test with no attempts on record.
    cache.clear()


@pytest.fixture(autouse=True, scope="session")
def _eager_celery():
    """Tasks run in-process unless a test starts a real worker (those tests change this)."""
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield


@pytest.fixture
def mentee(db):
    return UserFactory(full_name="Maya Mentee", email="maya@example.org")


@pytest.fixture
def mentor(db):
    return UserFactory(full_name="Daniel Mentor", email="daniel@example.org")


@pytest.fixture
def mentor_profile(mentor):
    """Daniel's mentor profile, with two places."""
    return MentorProfileFactory(user=mentor, capacity=2)


@pytest.fixture
def mentee_profile(mentee):
    """Maya's mentee profile."""
    return MenteeProfileFactory(
        user=mentee, role="BSc Economics", stage="Final year", goals="A graduate job in finance."
    )


@pytest.fixture
def stranger(db):
    return UserFactory(full_name="Sasha Stranger", email="sasha@example.org")


@pytest.fixture
def admin_user(db):
    return UserFactory(
        full_name="Ada Admin", email="ada@example.org", is_staff=True, is_superuser=True
    )


@pytest.fixture
def client_for():
    def make(user) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
            # As after a first page: the person's row is in the cache (accounts/user_cache.py),
            # so a test's first request counts the same queries as its later ones.
            cached_row(user.pk)
        return client

    return make


@pytest.fixture
def set_scheme(db):
    """Change the rules for one test: `set_scheme(max_pending_requests=1)` changes the scheme
    settings (the defaults of new programmes) and the default programme the factories use."""
    from mentoring.models import SchemeSettings
    from tests.factories import default_programme

    renamed = {"training_required": "mentor_training_required"}

    def change(**values):
        record = SchemeSettings.load()
        programme = default_programme()
        for name, value in values.items():
            if hasattr(record, name):
                setattr(record, name, value)
            setattr(programme, renamed.get(name, name), value)
        record.save()
        programme.save()
        return record

    return change


@pytest.fixture
def clock(time_machine):
    """Time stands still at START until a test moves it (`clock.shift(...)`, `clock.move_to(...)`)."""
    time_machine.move_to(START, tick=False)
    return time_machine
