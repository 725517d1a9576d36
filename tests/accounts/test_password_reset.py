from __future__ import annotations

import re

import pytest
from django.urls import reverse

from mentoring.models import Outbox
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _reset(client, email: str):
    return client.post(reverse("account_reset_password"), {"email": email}, follow=True)


def test_reset_shows_the_same_page_for_known_and_unknown_emails(client, mentee):
    known = _reset(client, "maya@example.org")
    unknown = _reset(client, "nobody@example.org")

    assert known.redirect_chain == unknown.redirect_chain
    assert known.redirect_chain == [(reverse("account_reset_password_done"), 302)]
    assert known.status_code == unknown.status_code == 200
    assert known.templates[0].name == unknown.templates[0].name


def test_reset_link_from_the_outbox_sets_a_new_password(
    client, mentee, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _reset(client, "maya@example.org")

    assert Outbox.objects.get().kind == "password_reset_key"
    [message] = mailoutbox
    assert message.to == ["maya@example.org"]
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", message.body).group(1)
    assert link in message.alternatives[0].content

    # allauth moves the key from the URL into the session, then shows the form.
    form_url = client.get(link).url
    response = client.post(
        form_url, {"password1": "a-brand-new-passphrase", "password2": "a-brand-new-passphrase"}
    )

    assert response.status_code == 302
    mentee.refresh_from_db()
    assert mentee.check_password("a-brand-new-passphrase")
    assert not mentee.check_password(PASSWORD)


def test_reset_for_an_unknown_email_sends_nothing(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    # Emailing "you have no account" would let anyone make the scheme mail any address (the
    # page is the same either way: see the first test).
    with django_capture_on_commit_callbacks(execute=True):
        _reset(client, "nobody@example.org")

    assert not Outbox.objects.exists()
    assert mailoutbox == []
