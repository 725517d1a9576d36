"""No secret is readable in the Outbox admin, and authentication emails lose their content once
sent (issue 10, item 1: a view-only staff member used to read a live password-reset link there)."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import allauth
import pytest
from django.contrib.auth.models import Permission
from django.core.mail import EmailMultiAlternatives
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.urls import reverse

from accounts.models import User
from mentoring import delivery, emails
from mentoring.models import Outbox
from profiles.models import Membership
from tests.factories import UserFactory, default_programme

pytestmark = pytest.mark.django_db

RESET_LINK = re.compile(r"/accounts/password/reset/key/(\S+)/")


@pytest.fixture
def viewer(db, mentee):
    """Staff who may only view the outbox: the person the issue's reproduction used. They
    coordinate the programme Maya is in (staff see their programmes' people's emails)."""
    user = UserFactory(full_name="Val Viewer", email="val@example.org", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_outbox"))
    default_programme().coordinators.add(user)
    Membership.objects.create(user=mentee, programme=default_programme(), role="mentee")
    return user


@pytest.fixture
def reset_row(client, mentee) -> Outbox:
    """A password reset for Maya, still queued: its link is live and in the row."""
    client.post(reverse("account_reset_password"), {"email": mentee.email})
    row = Outbox.objects.get(kind="password_reset_key")
    assert RESET_LINK.search(row.body_text)
    return row


def _reset_key(row: Outbox) -> str:
    return RESET_LINK.search(row.body_text).group(1)


def _outbox_pages(row: Outbox) -> list[str]:
    return [
        reverse("admin:mentoring_outbox_changelist"),
        reverse("admin:mentoring_outbox_change", args=[row.pk]),
        reverse("admin:mentoring_outbox_history", args=[row.pk]),
    ]


@pytest.mark.parametrize("who", ["viewer", "admin_user"])
def test_outbox_admin_pages_never_show_a_reset_link(request, client_for, reset_row, who):
    user = request.getfixturevalue(who)
    key = _reset_key(reset_row)
    client = client_for(user)

    for url in _outbox_pages(reset_row):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert key not in html, url
        assert "/accounts/password/reset/key/" not in html, url


@pytest.mark.parametrize("who", ["viewer", "admin_user"])
def test_outbox_change_page_shows_the_metadata(request, client_for, reset_row, who):
    client = client_for(request.getfixturevalue(who))

    html = client.get(reverse("admin:mentoring_outbox_change", args=[reset_row.pk])).content
    html = html.decode()

    for label in ["Kind", "To email", "Status", "Attempts", "Next attempt at"]:
        assert label in html
    # The subject may be about a programme a coordinator does not run: superusers only.
    assert ("Subject" in html) == (who == "admin_user")
    assert "password_reset_key" in html
    assert "maya@example.org" in html
    for hidden in ["Body text", "Body html", "Headers", "Context"]:
        assert hidden not in html


@pytest.mark.parametrize("who", ["viewer", "admin_user"])
def test_outbox_search_does_not_look_inside_the_content(request, client_for, reset_row, who):
    client = client_for(request.getfixturevalue(who))

    response = client.get(
        reverse("admin:mentoring_outbox_changelist"), {"q": _reset_key(reset_row)}
    )

    assert response.status_code == 200
    assert response.context["cl"].result_count == 0


@pytest.mark.parametrize("who", ["viewer", "admin_user"])
@pytest.mark.parametrize(
    "lookup",
    ["body_text__contains", "body_html__startswith", "headers__has_key", "context__icontains"],
)
def test_outbox_changelist_refuses_filters_on_the_content(
    request, client_for, reset_row, who, lookup
):
    # Otherwise ?body_text__contains=<guess> reveals the link one character at a time.
    client = client_for(request.getfixturevalue(who))

    response = client.get(reverse("admin:mentoring_outbox_changelist"), {lookup: "reset"})

    assert response.status_code == 400


def test_outbox_changelist_still_filters_on_its_metadata(client_for, viewer, reset_row):
    response = client_for(viewer).get(
        reverse("admin:mentoring_outbox_changelist"),
        {"status__exact": "queued", "kind": "password_reset_key"},
    )

    assert response.status_code == 200
    assert response.context["cl"].result_count == 1


def test_password_reset_email_is_blanked_in_the_transaction_that_sends_it(
    client, mentee, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": mentee.email})

    # Maya still gets her link...
    [message] = mailoutbox
    assert RESET_LINK.search(message.body)
    # ...but the row keeps no trace of it.
    row = Outbox.objects.get()
    assert row.status == Outbox.Status.SENT
    assert (row.body_text, row.body_html, row.headers, row.context) == ("", "", {}, {})
    assert row.subject
    assert row.to_email == mentee.email


def test_signup_confirmation_email_is_blanked_once_sent(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("account_signup"),
            {
                "full_name": "Priya Patel",
                "email": "priya@example.org",
                "password1": "a-long-unusual-passphrase",
                "password2": "a-long-unusual-passphrase",
            },
        )

    assert "/accounts/confirm-email/" in mailoutbox[0].body
    row = Outbox.objects.get(kind="email_confirmation_signup")
    assert (row.body_text, row.body_html) == ("", "")


def test_account_already_exists_email_is_blanked_once_sent(
    client, mentee, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("account_signup"),
            {
                "full_name": "Maya Again",
                "email": mentee.email,
                "password1": "a-long-unusual-passphrase",
                "password2": "a-long-unusual-passphrase",
            },
        )

    row = Outbox.objects.get(kind="account_already_exists")
    assert row.status == Outbox.Status.SENT
    assert (row.body_text, row.body_html) == ("", "")
    assert len(mailoutbox) == 1


@pytest.mark.parametrize("kind", sorted(delivery.SECRET_KINDS))
def test_every_secret_kind_is_blanked_once_sent(kind, mailoutbox):
    message = EmailMultiAlternatives(
        "Your code", "Your code is 417-902", to=["maya@example.org"], headers={"X-Code": "417"}
    )
    message.attach_alternative("<p>Your code is 417-902</p>", "text/html")
    row = emails.queue_message(kind, message)

    assert delivery.deliver(row.pk) is True

    assert "417-902" in mailoutbox[0].body
    row.refresh_from_db()
    assert (row.body_text, row.body_html, row.headers, row.context) == ("", "", {}, {})


def test_other_kinds_keep_their_content_after_sending(mailoutbox):
    message = EmailMultiAlternatives(
        "Password changed", "Your password was changed.", to=["m@x.org"]
    )
    row = emails.queue_message("password_changed", message)

    delivery.deliver(row.pk)

    row.refresh_from_db()
    assert row.status == Outbox.Status.SENT
    assert row.body_text == "Your password was changed."


def test_a_failed_secret_email_keeps_its_content_for_the_retry(settings):
    settings.MAILERS = {"default": {"BACKEND": "tests.mailers.FailingBackend"}}
    message = EmailMultiAlternatives("Reset", "https://x.org/reset/abc/", to=["m@x.org"])
    row = emails.queue_message("password_reset_key", message)

    assert delivery.deliver(row.pk) is False

    row.refresh_from_db()
    assert row.status == Outbox.Status.QUEUED
    assert row.body_text == "https://x.org/reset/abc/"


_SENTINELS = {
    "code": "SENTINEL-CODE",
    "key": "SENTINEL-KEY",
    "activate_url": "SENTINEL-ACTIVATE-URL",
    "password_reset_url": "SENTINEL-RESET-URL",
    "signup_url": "SENTINEL-SIGNUP-URL",
}


def _allauth_email_prefixes() -> list[str]:
    root = Path(allauth.__file__).parent / "templates"
    return sorted(
        path.relative_to(root).as_posix().removesuffix("_message.txt")
        for path in root.glob("*/email/*_message.txt")
    )


@pytest.mark.parametrize("prefix", _allauth_email_prefixes())
def test_every_allauth_email_carrying_a_key_code_or_link_is_a_secret_kind(prefix):
    # Rendered (with our overrides) once with a code and once with links: a new allauth email
    # that puts a key in its body fails here until it joins SECRET_KINDS.
    ctx = {
        "user": User(full_name="Maya Mentee", email="maya@example.org"),
        "email": "maya@example.org",
        "current_site": SimpleNamespace(name="Mentoring", domain="testserver"),
    }
    bodies = [
        render_to_string(f"{prefix}_message.{ext}", {**ctx, **values})
        for ext in ["txt", "html"]
        for values in [_SENTINELS, {k: v for k, v in _SENTINELS.items() if k != "code"}]
        if ext == "txt" or _has_template(f"{prefix}_message.html")
    ]
    carries_secret = any(s in body for body in bodies for s in _SENTINELS.values())

    kind = prefix.rsplit("/", 1)[-1]
    assert carries_secret == (kind in delivery.SECRET_KINDS)


def _has_template(name: str) -> bool:
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return False
    return True


def test_outbox_offers_no_export(client_for, admin_user, reset_row):
    # An export would carry the rows out of the admin; the outbox has none to offer.
    response = client_for(admin_user).get(reverse("admin:mentoring_outbox_changelist"))

    actions = {value for value, _ in response.context["action_form"].fields["action"].choices}
    assert actions == {"", "delete_selected", "retry_now"}
