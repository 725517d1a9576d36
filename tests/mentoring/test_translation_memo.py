"""mentoring.translation_memo: translated messages remembered per language give the answers
Django's own lookup gives, and nothing more."""

import gettext as gettext_module

import pytest
from django.utils import translation
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import gettext, pgettext, trans_real

from mentoring import translation_memo

DJANGO_LOOKUP = gettext_module.GNUTranslations.gettext


def _british_spelling(*, missing_in: str = "") -> tuple[str, str]:
    """A message the en_GB catalogues translate (their fallbacks are English), and that the
    catalogues of `missing_in` do not."""
    with translation.override(missing_in or "en-gb"):
        elsewhere = trans_real.catalog()._catalog if missing_in else {}
    with translation.override("en-gb"):
        for key, value in trans_real.catalog()._catalog.items():
            if isinstance(key, str) and key and value and value != key and key not in elsewhere:
                return key, value
    raise AssertionError("no such message in the en_GB catalogues")


def test_it_is_installed_on_djangos_translation_class():
    # A Django upgrade that renames or replaces what it wraps fails here, not silently.
    assert trans_real.DjangoTranslation.gettext is translation_memo._remembering_gettext
    assert translation_memo._lookup is DJANGO_LOOKUP


@pytest.mark.parametrize("language", ["en-gb", "cy"])
def test_the_same_answers_as_djangos_lookup(language):
    british, _ = _british_spelling()
    messages = ["Find a mentor", "Nothing translates this message", british]
    with translation.override(language):
        expected = [DJANGO_LOOKUP(trans_real._active.value, m) for m in messages]
        # Twice: the first answers come from Django's lookup, the second from memory.
        assert [gettext(m) for m in messages] == expected
        assert [gettext(m) for m in messages] == expected


def test_welsh_and_english_are_remembered_apart():
    with translation.override("cy"):
        assert gettext("Find a mentor") == "Dod o hyd i fentor"
    with translation.override("en-gb"):
        assert gettext("Find a mentor") == "Find a mentor"
    with translation.override("cy"):
        assert gettext("Find a mentor") == "Dod o hyd i fentor"


def test_a_welsh_page_falls_back_to_british_english():
    british, spelt = _british_spelling(missing_in="cy")
    with translation.override("cy"):
        assert gettext(british) == spelt
        assert gettext(british) == spelt


def test_contexts_are_kept_apart():
    with translation.override("cy"):
        assert pgettext("the author of a message", "You") == "Chi"
        assert pgettext("no such context", "Find a mentor") == "Find a mentor"
        assert gettext("Find a mentor") == "Dod o hyd i fentor"


@pytest.fixture
def english():
    """A translation object of its own (the process's may have met django-countries' trick)."""
    return trans_real.DjangoTranslation("en-gb")


def test_a_safe_message_does_not_make_the_next_caller_safe(english):
    # Django's gettext hands the lookup a plain copy of the message; code that calls the
    # translation object itself may hand it a safe string.
    text = "<b>Not in any catalogue</b> but marked safe by one caller"
    assert english.gettext(mark_safe(text)) == text
    assert english._remembered == {text: text}
    plain = english.gettext(text)
    assert plain == text
    assert not isinstance(plain, SafeData)


def test_memory_is_bounded(monkeypatch, english):
    monkeypatch.setattr(translation_memo, "MAX_REMEMBERED", 3)
    for n in range(10):
        assert english.gettext(f"Typed by someone: {n}") == f"Typed by someone: {n}"
    assert len(english._remembered) == 3


def test_django_countries_can_still_interrupt_the_fallbacks(english):
    """django-countries puts a translator of its own in the chain that answers "" while its
    flag is set: nothing answered then is remembered, and nothing remembered answers then."""
    from django_countries import countries, no_translation_fallback

    with translation.override("en-gb"):
        trans_real._active.value = english
        assert gettext("United Kingdom") == "United Kingdom"
        assert "United Kingdom" in english._remembered
        with no_translation_fallback():
            assert gettext("Nothing translates this message") == ""
        assert gettext("Nothing translates this message") == "Nothing translates this message"
        assert countries.name("GB") == "United Kingdom"
        assert gettext("United Kingdom") == "United Kingdom"
