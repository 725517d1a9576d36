"""Issue 19: every participant-facing text is marked for translation and has a Welsh translation.

(a) Each template outside the staff-only directories is read with Django's template Lexer: any
letters left in its text once the tags, {% translate %}/{% blocktranslate %} blocks, comments,
scripts and entities are taken out are an unmarked string, and so is a letter in a user-visible
attribute (alt, title, placeholder, aria-label, a submit button's value).
(b) makemessages runs into a temporary copy of the Welsh catalogue: every msgid that comes from a
participant template or module must have a non-empty, non-fuzzy msgstr in locale/cy, and the
committed .mo must be the compiled .po. Each directory passes or fails on its own, naming the
template (or module) and the text. Fix: mark it, translate it in locale/cy/LC_MESSAGES/django.po,
`make messages` (README: "Welsh").
"""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.template.base import Lexer, TokenType

BASE = Path(settings.BASE_DIR)
TEMPLATES = BASE / "templates"
CATALOGUE = BASE / "locale" / "cy" / "LC_MESSAGES" / "django.po"
# Staff-only templates, not translated (the back office stays in English):
EXCLUDED = {
    "admin": "the Django admin and the coordinators' back office (staff only)",
}
# The participant template directories, each checked on its own ("" is templates/ itself).
DIRECTORIES = [""] + sorted(
    p.name for p in TEMPLATES.iterdir() if p.is_dir() and p.name not in EXCLUDED
)
# Every module's marked strings must be translated, except the staff-only ones (the admin
# modules and management commands, which makemessages skips: MAKEMESSAGES_IGNORE, and these).
STAFF_ONLY_MODULES = ("mentoring/backoffice/",)

_TRANSLATED_BLOCKS = {"blocktranslate": "endblocktranslate", "blocktrans": "endblocktrans"}
_SKIPPED_BLOCKS = {"comment": "endcomment", "verbatim": "endverbatim", **_TRANSLATED_BLOCKS}
_ATTRIBUTES = re.compile(r'\b(alt|title|placeholder|aria-label)\s*=\s*"([^"]*)"', re.I)
_SUBMIT_VALUE = re.compile(
    r'<(?:input)\b[^>]*\btype="(?:submit|button|reset)"[^>]*\bvalue="([^"]*)"', re.I
)
_LETTERS = re.compile(r"[^\W\d_]{2,}|\b[^\W\d_]\b")
PLACEHOLDER = "\x00"
# A fragment or path built around a {% url %} ("#meeting-", "/accounts/"), not words.
_URL_PART = re.compile(r"^[#/?][\w\-/=&.]*$")


def _template_text(source: str) -> str:
    """The template with its tags, variables and translated or commented parts replaced by a
    placeholder: what is left is the text a person reads as written."""
    out: list[str] = []
    closing = None
    for token in Lexer(source).tokenize():
        if closing is not None:
            if token.token_type == TokenType.BLOCK and token.contents.split()[0] == closing:
                closing = None
            continue
        if token.token_type == TokenType.TEXT:
            out.append(token.contents)
        elif token.token_type == TokenType.BLOCK:
            bits = token.contents.split()
            closing = _SKIPPED_BLOCKS.get(bits[0])
            if bits[0] == "block" and bits[1].endswith("_class"):
                closing = "endblock"  # CSS classes ({% block main_class %}), not words
            out.append(PLACEHOLDER)
        else:
            out.append(PLACEHOLDER)
    return "".join(out)


def unmarked_texts(source: str) -> list[str]:
    """Every piece of readable English in a template that is not marked for translation."""
    text = _template_text(source)
    text = re.sub(r"<(script|style)\b.*?</\1>", PLACEHOLDER, text, flags=re.S | re.I)
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    found = []
    for _name, value in _ATTRIBUTES.findall(text):
        if _LETTERS.search(value.replace(PLACEHOLDER, " ")):
            found.append(value.replace(PLACEHOLDER, "…"))
    for value in _SUBMIT_VALUE.findall(text):
        if _LETTERS.search(value.replace(PLACEHOLDER, " ")):
            found.append(value.replace(PLACEHOLDER, "…"))
    text = re.sub(r"<[!/]?[a-zA-Z\x00][^>]*>", " ", text)
    text = re.sub(r"&(#\d+|#x[0-9a-f]+|\w+);", " ", text, flags=re.I)
    for chunk in re.split(r"\s*\x00\s*|\n\s*\n", text):
        chunk = " ".join(chunk.split())
        if _LETTERS.search(chunk) and not _URL_PART.match(chunk):
            found.append(chunk)
    return found


def _templates(directory: str) -> list[Path]:
    if directory == "":
        return sorted(p for p in TEMPLATES.glob("*") if p.is_file())
    return sorted(p for p in (TEMPLATES / directory).rglob("*") if p.is_file())


def test_the_lexer_check_finds_unmarked_text_and_passes_marked_text():
    source = (
        '{% load i18n %}<h1 title="Hello">{% translate "Home" %}</h1>\n'
        "<p>{% blocktranslate %}Hi {{ name }}{% endblocktranslate %} &middot; {{ x }}</p>"
        '{# a note #}<a href="{% url "home" %}">Back home</a>'
        '<input type="submit" value="Save"><script>var a = "b";</script>'
    )
    assert unmarked_texts(source) == ["Hello", "Save", "Back home"]


@pytest.mark.parametrize("directory", DIRECTORIES, ids=lambda d: f"templates/{d}")
def test_participant_templates_mark_every_text(directory):
    problems = [
        f"{path.relative_to(BASE)}: {text!r}"
        for path in _templates(directory)
        for text in unmarked_texts(path.read_text())
    ]
    assert not problems, "Unmarked text (wrap it in {% translate %}):\n" + "\n".join(problems)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """makemessages (the options `make messages` uses) into a copy of the Welsh catalogue, run in
    a copy of the sources: makemessages writes temporary files beside each template, and test
    workers (or other checkouts' runs) must not trip over each other's."""
    sources = tmp_path_factory.mktemp("sources")
    for path in BASE.iterdir():
        if path.name == "templates" or (path / "__init__.py").exists():
            shutil.copytree(path, sources / path.name, ignore=_NOT_SOURCES)
    locale = sources / "locale"
    target = locale / "cy" / "LC_MESSAGES"
    target.mkdir(parents=True)
    shutil.copy(CATALOGUE, target / "django.po")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(sources)
        settings.LOCALE_PATHS = [locale]
        try:
            call_command(
                "makemessages",
                locale=["cy"],
                ignore_patterns=MAKEMESSAGES_IGNORE,
                no_obsolete=True,
                verbosity=0,
            )
        finally:
            settings.LOCALE_PATHS = [BASE / "locale"]
    return polib.pofile(str(target / "django.po"))


_NOT_SOURCES = shutil.ignore_patterns("__pycache__", "static", "locale", "migrations", "*.mo")
# Keep in step with the Makefile's `messages` target.
MAKEMESSAGES_IGNORE = [
    ".venv",
    "node_modules",
    "tests",
    "bench",
    "static",
    "templates/admin",
    "locale",
    "*admin.py",
    "*/management/*",
]


def _missing(catalogue, belongs) -> list[str]:
    return [
        f"{', '.join(f for f, _line in entry.occurrences)}: {entry.msgid!r}"
        + (" (fuzzy)" if entry.fuzzy else " (untranslated)")
        for entry in catalogue
        if not entry.obsolete
        and any(belongs(path) for path, _line in entry.occurrences)
        and (entry.fuzzy or not entry.translated())
    ]


@pytest.mark.parametrize("directory", DIRECTORIES, ids=lambda d: f"templates/{d}")
def test_participant_templates_are_translated_into_welsh(extracted, directory):
    prefix = f"templates/{directory}/" if directory else "templates/"
    missing = _missing(
        extracted,
        lambda path: path.startswith(prefix) and (directory or path.count("/") == 1),
    )
    assert not missing, "No Welsh in locale/cy (translate, then make messages):\n" + "\n".join(
        missing
    )


def test_participant_modules_are_translated_into_welsh(extracted):
    missing = _missing(
        extracted,
        lambda path: path.endswith(".py") and not path.startswith(STAFF_ONLY_MODULES),
    )
    assert not missing, "No Welsh in locale/cy:\n" + "\n".join(missing)


def test_the_committed_mo_is_the_compiled_po(tmp_path):
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "-o", str(compiled), str(CATALOGUE)], check=True)  # noqa: S603, S607
    with compiled.open("rb") as fresh, CATALOGUE.with_suffix(".mo").open("rb") as committed:
        assert gettext.GNUTranslations(committed)._catalog == (  # type: ignore[attr-defined]
            gettext.GNUTranslations(fresh)._catalog  # type: ignore[attr-defined]
        ), "Run `make messages` and commit locale/cy/LC_MESSAGES/django.mo"


def test_the_catalogue_uses_welsh_plural_forms():
    header = polib.pofile(str(CATALOGUE)).metadata["Plural-Forms"]
    assert header == ("nplurals=4; plural=(n==1) ? 0 : (n==2) ? 1 : (n != 8 && n != 11) ? 2 : 3;")
