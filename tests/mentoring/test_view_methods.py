"""Every page of the project says which HTTP methods it takes (`@require_safe`, `@require_POST`,
or `@require_http_methods(["GET", "POST"])` for a form page), so any other method is a 405
before the view runs. Django's decorators leave no mark on the function, so each view is called
with a method none of them accepts."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter

from accounts.models import User

OWN_VIEW_MODULES = {
    "accounts.views",
    "profiles.views",
    "matching.views",
    "sessions_log.views",
    "mentoring.views",
    "mentoring.backoffice.views",
}
# A page is GET and HEAD (`require_safe`: link checkers and monitors ask with HEAD).
ALLOWED = {"GET, HEAD", "POST", "GET, POST"}


def _patterns(patterns, prefix: str = ""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def _module(view) -> str:
    while hasattr(view, "__wrapped__"):
        view = view.__wrapped__
    return view.__module__


def _own_views():
    return [
        pytest.param(pattern, id=route)
        for route, pattern in _patterns(get_resolver().url_patterns)
        if _module(pattern.callback) in OWN_VIEW_MODULES
    ]


def test_the_walk_finds_every_app():
    found = {_module(p.values[0].callback) for p in _own_views()}

    assert found == OWN_VIEW_MODULES


@pytest.mark.parametrize("pattern", _own_views())
def test_every_view_names_its_methods(pattern):
    request = RequestFactory().generic("PUT", "/")
    request.user = User(email="staff@example.org", is_staff=True)  # past every sign-in check
    request._dont_enforce_csrf_checks = True
    kwargs = {
        name: 1 if isinstance(converter, IntConverter) else "word"
        for name, converter in pattern.pattern.converters.items()
    }

    response = pattern.callback(request, **kwargs)

    assert response.status_code == 405, f"{pattern.name or pattern.callback} ran on a PUT"
    assert response["Allow"] in ALLOWED


@pytest.mark.django_db
def test_a_page_answers_head_like_get(client):
    # Link checkers and uptime monitors ask with HEAD.
    assert client.head("/privacy/").status_code == 200
