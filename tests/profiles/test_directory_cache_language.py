"""The cached directory page is written in one language: its key names the language, so a
Welsh reader never gets the cards an English reader's request put in the cache (issue 19)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation

from profiles.cache import cache_key
from tests.factories import MentorProfileFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = reverse("profiles:directory")
MARCH = datetime(2026, 3, 10, 12, tzinfo=ZoneInfo("Europe/London"))


def test_the_key_names_the_language():
    with translation.override("en-gb"):
        english = cache_key("q=x", [1], programme_id=1)
    with translation.override("cy"):
        welsh = cache_key("q=x", [1], programme_id=1)

    assert english != welsh


def test_a_welsh_reader_does_not_get_the_english_cards(client_for):
    MentorProfileFactory(user__full_name="Cached Carys", confirmed_at=MARCH)
    english_reader = UserFactory(language="en-gb")
    welsh_reader = UserFactory(language="cy")

    english = client_for(english_reader).get(URL).content.decode()
    welsh = client_for(welsh_reader).get(URL).content.decode()
    english_again = client_for(english_reader).get(URL).content.decode()

    # The card says when the profile was confirmed; the month is written in the page's language.
    assert "Cached Carys" in english and "March 2026" in english
    assert "Cached Carys" in welsh and "Mawrth 2026" in welsh
    assert "March 2026" not in welsh
    assert "March 2026" in english_again and "Mawrth 2026" not in english_again
