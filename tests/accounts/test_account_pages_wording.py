"""allauth's account pages read like ours: drawn in our layout, British English, sentence case
(locale/en_GB overrides allauth's own strings)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PO = Path(settings.BASE_DIR) / "locale" / "en_GB" / "LC_MESSAGES" / "django.po"


def _catalogue() -> list[tuple[str, str]]:
    text = PO.read_text()
    pairs = re.findall(r'^msgid "((?:[^"\\]|\\.)+)"\nmsgstr "((?:[^"\\]|\\.)*)"$', text, re.M)
    unescape = lambda s: s.encode().decode("unicode_escape").encode("latin-1").decode()  # noqa: E731
    return [(unescape(a), unescape(b)) for a, b in pairs]


def test_the_compiled_catalogue_matches_the_source():
    pairs = _catalogue()
    assert len(pairs) > 50
    with translation.override("en-gb"):
        for msgid, msgstr in pairs:
            assert translation.gettext(msgid) == msgstr, msgid


@pytest.fixture
def person(db):
    user = UserFactory(email="rosa@example.org", full_name="Rosa Santos")
    # The factory records the address; this page lists it as the verified, primary one.
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return user


SIGNED_IN = {
    "account_email": ["Email address", "Change email"],
    "account_change_password": ["Change password", "Current password", "New password (again)"],
    "mfa_index": ["Two-factor authentication", "Authenticator app", "Recovery codes"],
    "account_logout": ["Sign out"],
    "account_reauthenticate": ["Confirm it is you", "Please enter your password again"],
    "account_reset_password": ["Reset your password", "You are already signed in as"],
}
ANONYMOUS = {
    "account_login": ["Sign in", "Remember me", "Forgotten your password?"],
    "account_signup": ["Sign up", "Password (again)"],
    "account_reset_password": ["Reset your password", "Reset my password"],
    "account_reset_password_done": ["Reset your password"],
    "account_email_verification_sent": ["Verify your email address", "finish signing up"],
}
TITLE_CASE = re.compile(
    r"Change Password|Current Password|New Password|Email Address|Two-Factor|Authenticator App|"
    r"Recovery Codes|Sign In|Sign Up|Sign Out|Remember Me|Reset My|Password Reset|Confirm Access|"
    r"Forgot Password|finalize|logged in"
)


def _main(html: str) -> str:
    return html.split('<main id="main"', 1)[1].split("</main>", 1)[0]


@pytest.mark.parametrize("name", SIGNED_IN)
def test_signed_in_account_pages_are_in_our_words_and_layout(client_for, person, name):
    response = client_for(person).get(reverse(name))

    assert response.status_code == 200
    html = response.text
    assert 'class="visually-hidden-focusable skip-link"' in html  # our base layout
    main = _main(html)
    for words in SIGNED_IN[name]:
        assert words in main, words
    assert not TITLE_CASE.search(main), TITLE_CASE.search(main)


@pytest.mark.parametrize("name", ANONYMOUS)
def test_signed_out_account_pages_are_in_our_words_and_layout(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 200
    main = _main(response.text)
    for words in ANONYMOUS[name]:
        assert words in main, words
    assert not TITLE_CASE.search(main), TITLE_CASE.search(main)


def test_the_manage_pages_share_one_settings_menu(client_for, person):
    html = client_for(person).get(reverse("account_change_password")).text

    nav = re.search(r'<nav aria-label="Account settings".*?</nav>', html, re.S).group(0)
    assert 'aria-current="page"' in nav
    for label in ("Email addresses", "Password", "Two-factor authentication"):
        assert f">{label}</a>" in nav


def test_the_email_address_page_draws_its_fields_like_ours(client_for, person):
    """allauth's single-field element (the email change page) uses our form style: a label above,
    a styled input, and an error tied to its field."""
    client = client_for(person)

    page = client.get(reverse("account_email")).content.decode()

    assert 'class="form-control"' in page
    assert 'class="form-label" for="current_email"' in page

    response = client.post(reverse("account_email"), {"action_add": "", "email": "not an address"})

    html = response.content.decode()
    assert 'class="form-control is-invalid"' in html
    assert 'aria-describedby="id_email-error' in html
    assert 'id="id_email-error"' in html
