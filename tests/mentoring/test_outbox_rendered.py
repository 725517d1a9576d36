"""The outbox shows a superuser the email as sent (issue 18, item 5): the HTML part in a
sandboxed frame under a strict policy and the text part, every link's secret masked; never an
email carrying a sign-in or reset link, and nothing of it to coordinators."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from mentoring.models import Outbox
from profiles.models import Membership
from tests.factories import ProgrammeFactory, UserFactory, default_programme

pytestmark = pytest.mark.django_db

TOKEN = "eyJ1IjoxMjN9:1vRkQ2:Zt8u3kq0Vb7yWcXe9LmNpQrS"
UNSUBSCRIBE = f"http://testserver/email/unsubscribe/{TOKEN}/"
SIGNED = "http://testserver/programmes/careers/join/Q2FyZWVyczEyMzQ1Njc4OTA/"


@pytest.fixture
def reminder(mentee) -> Outbox:
    Membership.objects.create(user=mentee, programme=default_programme(), role="mentee")
    return Outbox.objects.create(
        kind="request_reminder",
        recipient=mentee,
        to_email=mentee.email,
        subject="A request is waiting",
        body_text=f"Hello Maya,\n\nStop reminders: {UNSUBSCRIBE}\nJoin: {SIGNED}?k=secret",
        body_html=(
            f'<html><body><p>Hello <strong>Maya</strong>,</p><a href="{UNSUBSCRIBE}">Stop</a>'
            f'<a href="{SIGNED}?k=secret&amp;x=1">Join</a><script>alert(1)</script></body></html>'
        ),
        dedupe_key="rendered:1",
        message_id="<rendered-1@example.org>",
    )


@pytest.fixture
def coordinator(mentee):
    user = UserFactory(email="cora@example.org", is_staff=True)
    user.groups.add(Group.objects.get(name="Scheme coordinator"))
    default_programme().coordinators.add(user)
    return user


@pytest.fixture
def other_coordinator():
    user = UserFactory(email="olu@example.org", is_staff=True)
    user.groups.add(Group.objects.get(name="Scheme coordinator"))
    ProgrammeFactory(slug="other").coordinators.add(user)
    return user


def _change(row):
    return reverse("admin:mentoring_outbox_change", args=[row.pk])


def _frame(row):
    return reverse("admin-outbox-email-html", args=[row.pk])


def test_a_superuser_sees_the_email_as_sent_with_its_secrets_masked(
    client_for, admin_user, reminder
):
    client = client_for(admin_user)

    page = client.get(_change(reminder)).content.decode()
    frame = client.get(_frame(reminder))

    assert "Email as sent" in page
    assert (
        f'<iframe class="email-frame" sandbox="" title="The email as its recipient saw it" src="{_frame(reminder)}">'
        in page
    )
    assert "Stop reminders: http://testserver/email/unsubscribe/[redacted]/" in page
    assert frame.status_code == 200
    html = frame.content.decode()
    assert "<strong>Maya</strong>" in html  # rendered HTML, not escaped source
    assert 'href="http://testserver/email/unsubscribe/[redacted]/"' in html
    assert 'href="http://testserver/programmes/careers/join/[redacted]/?[redacted]"' in html
    for secret in (TOKEN, "Q2FyZWVyczEyMzQ1Njc4OTA", "k=secret"):
        assert secret not in page and secret not in html
    policy = frame["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy
    assert frame["X-Frame-Options"] == "SAMEORIGIN"


def _directives(response) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return {
        part.split(" ", 1)[0]: (part.split(" ", 1) + [""])[1]
        for part in (p.strip() for p in policy.split(";"))
        if part
    }


def test_an_emails_frame_submits_no_form_moves_no_link_and_is_sandboxed(
    client_for, admin_user, reminder
):
    # The frame's policy replaces the site's: directives that do not fall back to default-src
    # are named, and the page is sandboxed even when opened on its own, outside its frame.
    client = client_for(admin_user)
    outbox = client.get(_frame(reminder))
    preview = client.get(reverse("admin-email-preview-html", args=["request_received"]))

    for response in (outbox, preview):
        assert response.status_code == 200
        directives = _directives(response)
        assert directives["form-action"] == "'none'"
        assert directives["base-uri"] == "'none'"
        assert directives["sandbox"] == ""  # no allow-scripts, allow-forms, allow-same-origin
        assert directives["default-src"] == "'none'"
        assert directives["frame-ancestors"] == "'self'"


PRIVATE_WORDS = "I have been struggling with my manager, please keep this between us"


@pytest.mark.parametrize(
    "kind", ["message_notification", "message_digest", "agreement_proposed", "agreement_agreed"]
)
def test_an_email_quoting_a_pairs_private_words_is_never_shown(
    client_for, admin_user, reminder, kind
):
    # No one reads a pair's conversation or agreement notes in the admin (the README's roles
    # table): not even a superuser through the outbox.
    reminder.kind = kind
    reminder.body_text = f"Hello Maya,\n\n{PRIVATE_WORDS}\n"
    reminder.body_html = f"<html><body><p>{PRIVATE_WORDS}</p></body></html>"
    reminder.save()
    client = client_for(admin_user)

    page = client.get(_change(reminder)).content.decode()

    assert "Not shown: this email carries a pair&#x27;s private words." in page
    assert PRIVATE_WORDS not in page
    assert "email-frame" not in page
    assert client.get(_frame(reminder)).status_code == 404


def test_only_the_emails_meant_to_be_hidden_are(client_for, admin_user, reminder):
    # Emails that quote words the admin already shows staff (a request's message), or that
    # share a report with the coordinators on purpose, stay readable.
    client = client_for(admin_user)
    for kind in ("request_received", "message_reported", "meeting_recap"):
        reminder.kind = kind
        reminder.save()

        page = client.get(_change(reminder)).content.decode()

        assert "Not shown" not in page and "Hello <strong>Maya</strong>" not in page
        assert "Stop reminders" in page
        assert client.get(_frame(reminder)).status_code == 200


def test_an_email_carrying_a_sign_in_or_reset_link_is_never_shown(client_for, admin_user, reminder):
    reminder.kind = "password_reset_key"
    reminder.save()
    client = client_for(admin_user)

    page = client.get(_change(reminder)).content.decode()

    assert "Not shown: this email carries a sign-in, confirmation or reset link." in page
    assert "Stop reminders" not in page
    assert client.get(_frame(reminder)).status_code == 404


@pytest.mark.parametrize("who", ["coordinator", "other_coordinator"])
def test_coordinators_never_see_an_emails_content(request, client_for, reminder, who):
    client = client_for(request.getfixturevalue(who))

    page = client.get(_change(reminder))

    assert page.status_code == (200 if who == "coordinator" else 404)
    assert "Email as sent" not in page.content.decode()
    assert "Stop reminders" not in page.content.decode()
    assert client.get(_frame(reminder)).status_code == 403


def test_anonymous_is_sent_to_sign_in(client, reminder):
    response = client.get(_frame(reminder))

    assert response.status_code == 302 and "login" in response["Location"]
