"""Issue 19: Welsh and English. The switcher changes the page language and is remembered (a
cookie for anyone, User.language for a signed-in person, applied again at their next sign-in);
emails go out in the recipient's language; dates and plurals follow the language."""

from __future__ import annotations

from datetime import date

import pytest
from allauth.account.adapter import get_adapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import ngettext

from mentoring.emails import email_language
from mentoring.models import Outbox
from mentoring.text import counted
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
ENGLISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-GB,en;q=0.9"}


def _switch(client, language: str, next_url: str = "/accessibility/"):
    return client.post(
        reverse("set_language"), {"language": language, "next": next_url}, **ENGLISH_BROWSER
    )


def test_the_switcher_is_on_every_page_and_names_welsh_in_welsh(client):
    html = client.get(reverse("accessibility"), **ENGLISH_BROWSER).content.decode()
    assert 'lang="en-GB"' in html
    assert f'action="{reverse("set_language")}"' in html
    assert 'name="next" value="/accessibility/"' in html
    # The path only: a cached page is shared by every query string.
    page = client.get(reverse("accessibility") + "?utm_source=x").content.decode()
    assert "utm_source" not in page
    assert 'value="cy" lang="cy"' in html and ">Cymraeg</button>" in html


def test_switching_changes_the_language_and_a_cookie_remembers_it(client):
    response = _switch(client, "cy")
    assert response.status_code == 302 and response["Location"] == "/accessibility/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "cy"

    html = client.get("/accessibility/", **ENGLISH_BROWSER).content.decode()
    assert '<html lang="cy">' in html
    assert "Datganiad hygyrchedd" in html and "Accessibility statement" not in html
    # The same switcher leads back to English.
    assert 'value="en-gb" lang="en-gb"' in html and ">English</button>" in html
    _switch(client, "en-gb")
    assert "Accessibility statement" in client.get("/accessibility/").content.decode()


def test_an_unknown_language_changes_nothing(client):
    _switch(client, "xx")
    assert "Accessibility statement" in client.get("/accessibility/").content.decode()


def test_a_signed_in_persons_choice_is_saved_and_applied_at_their_next_sign_in(client, mentee):
    client.force_login(mentee)
    _switch(client, "cy", next_url="/")
    mentee.refresh_from_db()
    assert mentee.language == "cy"

    # Another browser (no cookie, an English Accept-Language): signing in brings Welsh back.
    other = type(client)()
    response = other.post(
        reverse("account_login"),
        {"login": mentee.email, "password": PASSWORD},
        **ENGLISH_BROWSER,
    )
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "cy"
    html = other.get("/", **ENGLISH_BROWSER).content.decode()
    assert "Hafan" in html and '<html lang="cy">' in html


def test_the_saved_language_wins_over_a_stale_cookie(client, mentee):
    mentee.language = "cy"
    mentee.save(update_fields=["language"])
    client.force_login(mentee)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en-gb"
    assert "Hafan" in client.get("/", **ENGLISH_BROWSER).content.decode()


def test_anonymous_switching_saves_nobody(client, mentee):
    _switch(client, "cy")
    mentee.refresh_from_db()
    assert mentee.language == ""


def test_the_language_page_saves_the_choice(client, mentee):
    client.force_login(mentee)
    url = reverse("accounts:language-edit")
    assert (
        "Language of your pages and emails" in client.get(url, **ENGLISH_BROWSER).content.decode()
    )
    response = client.post(url, {"language": "cy"}, follow=True, **ENGLISH_BROWSER)
    mentee.refresh_from_db()
    assert mentee.language == "cy"
    html = response.content.decode()
    assert "Mae eich tudalennau a’ch negeseuon e-bost bellach yn Gymraeg." in html
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "cy"


def test_the_language_page_refuses_a_language_the_site_does_not_offer(client, mentee):
    client.force_login(mentee)
    response = client.post(reverse("accounts:language-edit"), {"language": "fr"})
    assert response.status_code == 200
    assert "Choose a language." in response.content.decode()
    mentee.refresh_from_db()
    assert mentee.language == ""


def test_the_language_page_asks_an_anonymous_visitor_to_sign_in(client):
    response = client.get(reverse("accounts:language-edit"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_an_email_to_a_welsh_speaker_is_in_welsh_whoever_sends_it(
    django_capture_on_commit_callbacks,
):
    """Rendered while the site speaks English (another person's request): the recipient's saved
    language decides, for the subject and the body."""
    welsh = UserFactory(email="gwen@example.org", full_name="Gwen Morgan", language="cy")
    english = UserFactory(email="ed@example.org", full_name="Ed Jones")
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1")
    with translation.override("en-gb"), allauth_context.request_context(request):
        with django_capture_on_commit_callbacks(execute=False):
            get_adapter().send_notification_mail("account/email/password_changed", welsh)
            get_adapter().send_notification_mail("account/email/password_changed", english)
    cy = Outbox.objects.get(to_email=welsh.email)
    assert cy.subject.endswith("Newidiwyd eich cyfrinair")
    assert f"Newidiwyd cyfrinair eich cyfrif {settings.SCHEME_NAME}." in cy.body_text
    assert "Helo gan" in cy.body_text and "was changed" not in cy.body_text
    en = Outbox.objects.get(to_email=english.email)
    assert en.subject.endswith("Your password was changed")


def test_an_email_is_in_the_sites_language_when_the_person_chose_none():
    assert email_language(UserFactory(language="")) == settings.LANGUAGE_CODE
    assert email_language(UserFactory(language="cy")) == "cy"
    assert email_language(UserFactory(language="klingon")) == settings.LANGUAGE_CODE
    assert email_language(None) == settings.LANGUAGE_CODE


def test_dates_use_welsh_month_and_day_names():
    day = date(2026, 3, 5)
    with translation.override("cy"):
        assert date_format(day, "j F Y") == "5 Mawrth 2026"
        assert date_format(day, "l j F") == "Dydd Iau 5 Mawrth"
    with translation.override("en-gb"):
        assert date_format(day, "j F Y") == "5 March 2026"


@pytest.mark.parametrize(
    ("n", "english", "welsh"),
    [
        (1, "Your mentor", "Eich mentor"),
        (2, "Your mentors", "Eich mentoriaid"),
        (3, "Your mentors", "Eich mentoriaid"),
        (8, "Your mentors", "Eich mentoriaid"),
    ],
)
def test_plurals_follow_the_language(n, english, welsh):
    with translation.override("en-gb"):
        assert ngettext("Your mentor", "Your mentors", n) == english
    with translation.override("cy"):
        assert ngettext("Your mentor", "Your mentors", n) == welsh


def test_welsh_has_four_plural_forms():
    """n == 1, n == 2, 8 and 11, and the rest: each picks its own form of the catalogue."""
    forms = {1: "y broblem isod", 2: "y 2 problem", 3: "y 3 problem", 8: "y 8 problem"}
    with translation.override("cy"):
        for n, words in forms.items():
            text = ngettext(
                "Please correct the problem below",
                "Please correct the %(counter)s problems below",
                n,
            ) % {"counter": n}
            assert words in text, (n, text)
        catalog = translation.trans_real.translation("cy")
        assert catalog.plural(1) == 0 and catalog.plural(2) == 1  # type: ignore[attr-defined]
        assert catalog.plural(3) == 2 and catalog.plural(8) == 3  # type: ignore[attr-defined]
        assert catalog.plural(11) == 3 and catalog.plural(20) == 2  # type: ignore[attr-defined]


def test_counted_agrees_in_both_languages():
    with translation.override("en-gb"):
        assert counted(1, "person", "people") == "1 person"
        assert counted(2, "person", "people") == "2 people"
        assert counted(1200, "mentor") == "1,200 mentors"
        assert counted(3, "thing") == "3 things"  # not in the catalogue: English as before
    with translation.override("cy"):
        assert counted(1, "day") == "1 diwrnod"
        assert counted(2, "day") == "2 diwrnod"
        assert counted(8, "meeting") == "8 cyfarfod"


def test_allauths_sign_in_page_is_welsh_too(client):
    """allauth ships no Welsh: its words are in our catalogue (accounts/allauth_words.py)."""
    html = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="cy").content.decode()
    assert "Mewngofnodi" in html and "Wedi anghofio eich cyfrinair?" in html
    assert "Os nad ydych wedi creu cyfrif eto" in html and "Remember me" not in html
    english = client.get(reverse("account_login"), **ENGLISH_BROWSER).content.decode()
    assert "Sign in" in english and "Remember me" in english  # locale/en_GB's wording


def test_time_since_and_allauths_messages_are_welsh():
    """Django's Welsh catalogue has no units for `timesince`; allauth ships no Welsh: ours gives
    both (home, the requests and the inbox say how long ago)."""
    from datetime import timedelta

    from django.utils import timezone, translation
    from django.utils.timesince import timesince

    with translation.override("cy"):
        ago = timesince(timezone.now() - timedelta(days=2, hours=5)).replace("\xa0", " ")
        signed_in = translation.gettext("Successfully signed in as %(name)s.") % {"name": "Maya"}
    assert ago == "2 ddiwrnod, 5 awr"
    assert signed_in == "Rydych wedi mewngofnodi fel Maya."
