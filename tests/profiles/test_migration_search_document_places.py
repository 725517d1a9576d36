"""Profiles migration 0016: every existing mentor's search document is rebuilt with their
country, city, industry and languages, so "Spain" finds the mentors in Spain. Running it twice
is the same as once; a database with no mentors has nothing to rebuild."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from profiles.models import MentorProfile
from profiles.selectors import prefix_query, search_terms
from tests.factories import MentorProfileFactory

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("profiles.migrations.0016_search_document_places")


def _run() -> None:
    """The migration's step as migrate runs it: with a schema editor on the connection."""
    with connection.schema_editor() as editor:
        MIGRATION.rebuild(apps, editor)


def _found(words: str) -> set[int]:
    query = prefix_query(search_terms(words))
    return set(MentorProfile.objects.filter(search_vector=query).values_list("pk", flat=True))


def test_existing_documents_are_rebuilt_with_places_industry_and_languages():
    spain = MentorProfileFactory(country="ES", city="Valencia", languages="Catalan")
    kenya = MentorProfileFactory(country="KE", city="Nairobi", industry="healthcare")
    # Documents as they were before: none of the new words in them.
    MentorProfile.objects.update(search_vector=None)
    assert _found("spain") == set()

    _run()
    _run()  # run twice: the same

    assert _found("spain") == {spain.pk}
    assert _found("valencia catalan") == {spain.pk}
    assert _found("kenya nairobi") == {kenya.pk}
    assert _found("life sciences") == {kenya.pk}


def test_the_migration_does_not_use_the_apps_live_search_code():
    """Frozen SQL and names: a later change to profiles.search cannot break an old upgrade."""
    source = importlib.util.find_spec(MIGRATION.__name__).origin
    with open(source, encoding="utf-8") as f:
        text = f.read()
    assert "from profiles" not in text and "import profiles" not in text
    assert MIGRATION.COUNTRIES["ES"] == "Spain"
    assert MIGRATION.INDUSTRIES["healthcare"] == "Healthcare and life sciences"


def test_a_database_without_mentors_has_nothing_to_rebuild():
    with connection.schema_editor() as editor, CaptureQueriesContext(connection) as queries:
        MIGRATION.rebuild(apps, editor)

    assert len(queries) == 1  # whether there is a mentor; no UPDATE
    assert "UPDATE" not in queries[0]["sql"]
