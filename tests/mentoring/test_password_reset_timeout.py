"""A password reset link works for an hour, not Django's default three days (issue 10)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

START = datetime(2030, 1, 7, 9, 0, tzinfo=UTC)


@pytest.fixture
def reset_link(client, mentee, time_machine, mailoutbox, django_capture_on_commit_callbacks):
    time_machine.move_to(START, tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": mentee.email})
    [message] = mailoutbox
    return re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", message.body).group(1)


def test_reset_link_works_within_the_hour(client, reset_link, time_machine):
    time_machine.move_to(START + timedelta(minutes=59), tick=False)

    response = client.get(reset_link)

    # allauth takes the key into the session and redirects to the new-password form.
    assert response.status_code == 302


def test_reset_link_older_than_an_hour_is_refused(client, mentee, reset_link, time_machine):
    time_machine.move_to(START + timedelta(hours=1, seconds=1), tick=False)

    response = client.get(reset_link)

    assert response.status_code == 200
    assert response.context["token_fail"] is True
    response = client.post(
        reset_link, {"password1": "a-brand-new-passphrase", "password2": "a-brand-new-passphrase"}
    )
    mentee.refresh_from_db()
    assert mentee.check_password(PASSWORD)
