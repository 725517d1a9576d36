"""Admin helpers for tables that grow large."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db import connection
from django.utils.functional import cached_property


class BoundedCountPaginator(Paginator):
    """Counts at most COUNT_LIMIT + 1 rows; an unfiltered changelist uses Postgres's estimate.

    The admin's page links then stop at the limit, which is where a person would filter
    anyway, and a changelist of 100,000 rows never counts them all.
    """

    COUNT_LIMIT = 10_000

    @cached_property
    def count(self) -> int:
        qs = self.object_list
        if not qs.query.where:
            estimate = _estimated_rows(qs.model._meta.db_table)
            if estimate > self.COUNT_LIMIT:
                return estimate
        return qs.order_by().values("pk")[: self.COUNT_LIMIT + 1].count()


def _estimated_rows(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [table])
        row = cursor.fetchone()
    return max(int(row[0]), 0) if row else 0


class LargeTableAdminMixin:
    """For changelists of tables that reach 100k rows: no full count, bounded pagination."""

    paginator = BoundedCountPaginator
    show_full_result_count = False
    list_per_page = 50
