"""mentoring.prepared: a query built once per process gives the rows the ORM gives, and refuses
what would make its SQL depend on its inputs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import User
from mentoring.prepared import PreparedQuery
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
    # Dates come back aware, as from the ORM.
    UserFactory()
    (row,) = PreparedQuery(people, **SENTINELS).rows(
        pk=-1, joined_after=datetime(2000, 1, 1, tzinfo=UTC)
    )
    assert row["date_joined"].tzinfo is not None


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


def test_a_queryset_of_models_is_refused():
    def whole_rows(*, pk: int):
        return User.objects.filter(pk=pk)

    with pytest.raises(ValueError):
        PreparedQuery(whole_rows, pk=-900_000_102).rows(pk=1)
