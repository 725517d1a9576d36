"""Issue 19: allauth ships no Welsh, so the words of its pages a person reaches here (email
addresses, reauthentication, two-factor authentication, linked university logins, sign-out),
its messages and its forms' and adapters' errors are listed in accounts/allauth_words.py and
translated in locale/cy. These tests read allauth's own templates and adapters, so a word an
upgrade adds or changes fails here rather than showing English on a Welsh page."""

from __future__ import annotations

import shutil
from pathlib import Path

import allauth
import polib
import pytest
from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from tests.factories import UserFactory

ALLAUTH_TEMPLATES = Path(allauth.__file__).parent / "templates"
# Pages of features this site does not turn on (settings: no phone numbers, passkeys, security
# keys, sign-in codes or "trust this browser"; sign-up is never closed).
NOT_ENABLED_TEMPLATES = (
    "phone",
    "webauthn",
    "passkey",
    "login_code",
    "trust",
    "confirm_email_verification_code",
    "base_confirm_code",
    "signup_closed",
)
# Words inside {% if %} blocks for those features on pages that are used.
NOT_ENABLED_WORDS = {
    "Sign in with a passkey",
    "Sign up using a passkey",
    "Send me a sign-in code",
    "Use a security key",
    "No security keys have been added.",
    "You have added %(count)s security key.",
    "Security Keys",
    "Enter Password Reset Code",
}


@pytest.fixture(scope="module")
def allauth_page_words(tmp_path_factory) -> polib.POFile:
    """makemessages over a copy of allauth's account, socialaccount and mfa templates (pages and
    messages) of the features in use."""
    root = tmp_path_factory.mktemp("allauth")
    for app in ("account", "socialaccount", "mfa"):
        shutil.copytree(ALLAUTH_TEMPLATES / app, root / app, ignore=shutil.ignore_patterns("email"))
    for path in list(root.rglob("*")):
        if path.is_file() and any(p in str(path.relative_to(root)) for p in NOT_ENABLED_TEMPLATES):
            path.unlink()
    (root / "locale").mkdir()
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        settings.LOCALE_PATHS = [root / "locale"]
        try:
            call_command("makemessages", locale=["xx"], extensions=["html", "txt"], verbosity=0)
        finally:
            settings.LOCALE_PATHS = [Path(settings.BASE_DIR) / "locale"]
    return polib.pofile(str(root / "locale" / "xx" / "LC_MESSAGES" / "django.po"))


def _in(language: str, msgid: str, plural: str) -> str:
    with translation.override(language):
        return translation.ngettext(msgid, plural, 1) if plural else translation.gettext(msgid)


def _untranslated(entries) -> list[str]:
    """Welsh falls back to British English (locale/en_GB rewords some of allauth's words), so a
    word is translated when its Welsh differs from both."""
    return [
        msgid
        for msgid, plural in entries
        if msgid not in NOT_ENABLED_WORDS
        and _in("cy", msgid, plural) in {msgid, _in("en-gb", msgid, plural)}
    ]


def test_every_word_of_allauths_pages_in_use_has_welsh(allauth_page_words):
    assert len(allauth_page_words) > 100  # the pages were read
    missing = _untranslated((e.msgid, e.msgid_plural) for e in allauth_page_words)
    assert not missing, (
        "allauth words with no Welsh: list them in accounts/allauth_words.py, translate them in "
        "locale/cy, then make messages:\n" + "\n".join(missing)
    )


@pytest.mark.parametrize(
    "adapter", [DefaultAccountAdapter, DefaultMFAAdapter, DefaultSocialAccountAdapter]
)
def test_every_error_allauths_adapters_give_has_welsh(adapter):
    """The errors a form shows beside its fields (a wrong password, an expired link, a wrong
    authenticator code...). Those about usernames and phone numbers do not arise here."""
    errors = [
        message
        for key, message in adapter.error_messages.items()
        if "username" not in key and "phone" not in key
    ]
    assert errors
    missing = []
    for message in errors:
        with translation.override("en-gb"):
            english = str(message)
        with translation.override("cy"):
            if str(message) == english:
                missing.append(english)
    assert not missing


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "welsh"),
    [
        ("account_email", "Newid e-bost"),
        ("socialaccount_connections", "Cyfrifon cysylltiedig"),
        ("mfa_index", "Dilysu dau gam"),
        ("account_logout", "Ydych chi’n siŵr eich bod am allgofnodi?"),
    ],
)
def test_a_welsh_speakers_account_pages_are_in_welsh(client, url, welsh):
    person = UserFactory(language="cy")
    client.force_login(person)

    html = client.get(reverse(url)).content.decode()

    assert welsh in html
    assert '<html lang="cy">' in html


@pytest.mark.django_db
def test_a_wrong_password_is_refused_in_welsh(client):
    UserFactory(email="sian@example.org", language="cy")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cy"

    response = client.post(
        reverse("account_login"), {"login": "sian@example.org", "password": "not-it"}
    )

    assert "Nid yw’r cyfeiriad e-bost a/neu’r cyfrinair a roesoch yn gywir." in (
        response.content.decode()
    )
