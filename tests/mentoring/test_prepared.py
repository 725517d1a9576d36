"""mentoring.prepared: a query built once per process gives the rows the ORM gives, and refuses
what would make its SQL depend on its inputs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db.models import F, Q
from django.db.models.functions import JSONObject
from django.utils import timezone

from accounts.models import User
from mentoring.prepared import PreparedQuery, prepared_queries
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SENTINELS = {"pk": -900_000_101, "joined_after": datetime(1901, 1, 1, tzinfo=UTC)}


def people(*, pk: int, joined_after: datetime):
    return (
        User.objects.filter(Q(pk=pk) | Q(date_joined__gt=joined_after))
        .order_by("pk")
        .values("pk", "full_name", "date_joined", twice=F("pk") * 2)
    )


def test_the_rows_are_the_orms_for_any_inputs():
    prepared = PreparedQuery(people, **SENTINELS)
    ada, bea, cy = (UserFactory(full_name=n) for n in ("Ada", "Bea", "Cy"))
    now = timezone.now()
    for inputs in (
        {"pk": ada.pk, "joined_after": now},
        {"pk": cy.pk, "joined_after": now - timedelta(days=1)},
        {"pk": 0, "joined_after": now + timedelta(days=1)},
    ):
        assert prepared.rows(**inputs) == list(people(**inputs))
    assert prepared.rows(pk=bea.pk, joined_after=now)[0]["twice"] == 2 * bea.pk


def test_converters_run_as_the_orms_do():
    # A JSON column comes back as the ORM gives it (a dict, not its text).
    def with_json(*, pk: int):
        return User.objects.filter(pk=pk).values(j=JSONObject(name="full_name", id="pk"))

    ada = UserFactory(full_name="Ada")
    (row,) = PreparedQuery(with_json, pk=-900_000_103).rows(pk=ada.pk)
    assert row == {"j": {"name": "Ada", "id": ada.pk}} == next(iter(with_json(pk=ada.pk)))


@pytest.mark.parametrize(
    "inputs",
    [
        {"pk": None, "joined_after": datetime(2000, 1, 1, tzinfo=UTC)},  # None would be IS NULL
        {"pk": "1", "joined_after": datetime(2000, 1, 1, tzinfo=UTC)},
        {"pk": 1},
    ],
)
def test_other_inputs_than_its_placeholders_are_refused(inputs):
    with pytest.raises(TypeError):
        PreparedQuery(people, **SENTINELS).rows(**inputs)


def test_a_placeholder_that_is_not_a_parameter_is_refused():
    def shifted(*, pk: int, joined_after: datetime):
        # A derived value is not its input: pass it as an input of its own.
        return people(pk=pk, joined_after=joined_after - timedelta(days=1))

    with pytest.raises(ValueError, match="joined_after"):
        PreparedQuery(shifted, **SENTINELS).rows(pk=1, joined_after=timezone.now())


def test_a_value_derived_from_an_input_beside_it_is_refused():
    # The input reaches the SQL as itself, and a value made from it would be kept as made
    # from the placeholder: building twice shows it.
    def also_shifted(*, pk: int, joined_after: datetime):
        return people(pk=pk, joined_after=joined_after).filter(
            last_login__lt=joined_after + timedelta(days=1)
        )

    with pytest.raises(ValueError, match="depend on"):
        PreparedQuery(also_shifted, **SENTINELS).rows(pk=1, joined_after=timezone.now())


def test_sql_that_depends_on_the_time_zone_is_refused():
    # A lookup by local date passes the active time zone's name: the first visitor's would
    # have served everyone.
    def joined_on(*, pk: int, joined_after: datetime):
        return people(pk=pk, joined_after=joined_after).filter(date_joined__date__gte="2000-01-01")

    with pytest.raises(ValueError, match="time zone"):
        PreparedQuery(joined_on, **SENTINELS).rows(pk=1, joined_after=timezone.now())


def test_a_changed_setting_makes_each_query_compile_again(settings):
    prepared = PreparedQuery(people, **SENTINELS)
    prepared.rows(pk=1, joined_after=timezone.now())
    assert prepared._compiled is not None

    settings.REQUEST_RATE_LIMIT_PER_DAY = 1

    assert prepared._compiled is None


def test_every_prepared_query_of_the_app_compiles():
    # A query that cannot be prepared fails here rather than on its page's first request.
    import matching.selectors
    import profiles.selectors
    import sessions_log.home

    made = prepared_queries()
    for module in (matching.selectors, profiles.selectors, sessions_log.home):
        for value in vars(module).values():
            if isinstance(value, PreparedQuery):
                assert value in made
                value.compile()
    assert len({q for q in made if q._compiled is not None}) >= 6


def test_a_queryset_of_models_is_refused():
    def whole_rows(*, pk: int):
        return User.objects.filter(pk=pk)

    with pytest.raises(ValueError):
        PreparedQuery(whole_rows, pk=-900_000_102).rows(pk=1)
