"""The header every page draws ({% site_header %}): drawn once per process for each set of the
values it shows, never stale, and its sign-out form still carries the request's CSRF token."""

from __future__ import annotations

import re

import pytest
from django.template import Template
from django.template.base import Node, Variable, VariableNode
from django.template.defaulttags import IfNode, URLNode
from django.template.loader import get_template
from django.templatetags.i18n import BlockTranslateNode
from django.test import Client
from django.urls import reverse
from django.utils import translation

from matching import conversations
from matching.services import send_request
from mentoring.templatetags import site_header
from profiles.context_processors import VISIBLE_COUNT_KEY
from tests.factories import default_programme
from tests.support import text_of

pytestmark = pytest.mark.django_db

HOME = reverse("home")
NAV = {
    "home": reverse("home"),
    "directory": reverse("profiles:directory"),
    "requests": reverse("matching:request-list"),
    "mentorships": reverse("matching:mentorship-list"),
    "inbox": reverse("matching:inbox"),
}


def _header(html: str) -> str:
    return re.search(r"<header.*?</header>", html, re.S).group(0)


def _read(expression) -> set[str]:
    """The variables a filter expression reads (none for a literal such as "home")."""
    var = expression.var
    return {var.lookups[0]} if isinstance(var, Variable) and var.lookups else set()


def _condition_reads(condition) -> set[str]:
    if condition is None:  # {% else %}
        return set()
    if condition.id == "literal":  # a variable or a literal in the condition
        return _read(condition.value)
    return _condition_reads(condition.first) | _condition_reads(getattr(condition, "second", None))


def _names_read(nodelist) -> set[str]:
    """The first name of every variable a template reads: in {{ }}, {% if %}, {% url %}
    arguments and {% blocktranslate %} counters and values."""
    names: set[str] = set()
    for node in nodelist.get_nodes_by_type(VariableNode):
        names |= _read(node.filter_expression)
    for node in nodelist.get_nodes_by_type(IfNode):
        for condition, _ in node.conditions_nodelists:
            names |= _condition_reads(condition)
    for node in nodelist.get_nodes_by_type(URLNode):
        for expression in [node.view_name, *node.args, *node.kwargs.values()]:
            names |= _read(expression)
    for node in nodelist.get_nodes_by_type(BlockTranslateNode):
        for expression in [node.counter, *node.extra_context.values()]:
            if expression is not None:
                names |= _read(expression)
    return names


# What the header may be made of: words, values, conditions, links and translations. Anything
# else ({% now %}, {% include %}, {% csrf_token %}, {% with %}, a tag of ours) could read
# something outside the key, or escape this check.
ALLOWED_NODES = {
    "TextNode",
    "VariableNode",
    "IfNode",
    "URLNode",
    "TranslateNode",
    "BlockTranslateNode",
    "CommentNode",
    "LoadNode",
}


def test_the_header_reads_nothing_but_its_key():
    template: Template = get_template("includes/header.html").template
    nodes = template.nodelist
    kinds = {type(node).__name__ for node in nodes.get_nodes_by_type(Node)}
    assert kinds <= ALLOWED_NODES, f"the header uses {kinds - ALLOWED_NODES}"
    made_here = {n.asvar for n in nodes.get_nodes_by_type(URLNode) if n.asvar} | {"counter"}
    allowed = set(site_header.HeaderKey._fields) | {"csrf_input"} | made_here
    read = _names_read(nodes)
    assert {"signed_in", "unread", "short_name"} <= read, "the check finds the variables"
    assert read <= allowed, f"the header reads {read - allowed} outside its key"


def test_the_same_header_is_drawn_once(client_for, mentee):
    site_header._drawn.cache_clear()
    client = client_for(mentee)
    first = _header(text_of(client.get(NAV["requests"])))
    again = _header(text_of(client.get(NAV["requests"])))
    info = site_header._drawn.cache_info()
    assert (info.misses, info.hits) == (1, 1)
    # The token differs from page to page (Django masks it afresh); the rest is the same.
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert token.sub("", first) == token.sub("", again)
    assert 'name="csrfmiddlewaretoken"' in first


@pytest.mark.parametrize("current", sorted(NAV))
def test_the_current_page_is_marked_in_the_header(client_for, mentee, current):
    header = _header(text_of(client_for(mentee).get(NAV[current])))
    marked = re.findall(r'href="([^"]+)" aria-current="page"', header)
    assert marked == [NAV[current]]


def _shown_name(header: str) -> str:
    return re.search(r"dropdown-toggle[^>]*>\s*([^<]*?)\s*</button>", header).group(1)


def test_a_new_name_shows_at_once(client_for, mentee):
    client = client_for(mentee)
    assert _shown_name(_header(text_of(client.get(HOME)))) == "Maya"
    mentee.full_name = "Mia Jones"
    mentee.save()
    assert _shown_name(_header(text_of(client.get(HOME)))) == "Mia"


def test_a_new_message_shows_in_the_badge_at_once(
    client_for, mentee, mentor, mentor_profile, mentee_profile
):
    client = client_for(mentor)
    assert "unread-badge" not in _header(text_of(client.get(HOME)))
    request = send_request(
        mentee=mentee, mentor=mentor, programme=default_programme(), message="Hello there"
    )
    conversations.post_message(
        conversations.conversation_for_request(request), author=mentee, body="One more thing"
    )
    header = _header(text_of(client.get(HOME)))
    assert '<span class="badge rounded-pill text-bg-primary unread-badge"' in header
    assert "(1 unread conversation)" in header


def test_staff_see_the_administration_link(client_for, mentee, admin_user):
    admin = reverse("admin:index")
    assert admin not in _header(text_of(client_for(mentee).get(HOME)))
    assert admin in _header(text_of(client_for(admin_user).get(HOME)))


def test_anonymous_visitors_see_sign_in_and_no_form():
    header = _header(text_of(Client().get(reverse("accessibility"))))
    assert reverse("account_login") in header
    assert "csrfmiddlewaretoken" not in header
    assert "<!--" not in header


def test_the_header_speaks_the_pages_language(client_for, mentee):
    mentee.language = "cy"
    mentee.save()
    header = _header(text_of(client_for(mentee).get(HOME)))
    with translation.override("cy"):
        assert translation.gettext("Sign out") in header
    assert "Sign out" not in header


def test_signing_out_from_the_header_works_with_its_token(mentee):
    client = Client(enforce_csrf_checks=True)
    client.force_login(mentee)
    header = _header(text_of(client.get(HOME)))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', header).group(1)
    response = client.post(reverse("account_logout"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert client.get(HOME).wsgi_request.user.is_anonymous


def test_the_header_reads_its_two_counts_in_one_round_trip(client_for, mentee, monkeypatch):
    client = client_for(mentee)
    client.get(HOME)  # both counts are now in the cache
    calls = []
    real = site_header.cache

    class Spy:
        def __getattr__(self, name):
            method = getattr(real, name)

            def call(*args, **kwargs):
                calls.append((name, args))
                return method(*args, **kwargs)

            return call

    monkeypatch.setattr(site_header, "cache", Spy())
    header = _header(text_of(client.get(NAV["requests"])))
    assert calls == [("get_many", ([conversations.unread_key(mentee.pk), VISIBLE_COUNT_KEY],))]
    assert "unread-badge" not in header


def test_a_changed_template_is_drawn_again_in_development(client_for, mentee):
    from pathlib import Path

    from django.utils.autoreload import file_changed

    from sessions_log import views as pair_views

    client_for(mentee).get(HOME)
    pair_views._blank_end_form("en-gb")
    assert site_header._drawn.cache_info().currsize >= 1
    file_changed.send(sender=None, file_path=Path("templates/includes/header.html"))
    assert site_header._drawn.cache_info().currsize == 0
    assert pair_views._blank_end_form.cache_info().currsize == 0
