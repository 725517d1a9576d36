"""Admin helpers: bounded counts for tables that grow large, "needs attention" filters, CSV
exports."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from itertools import chain

from django.contrib import admin
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Q
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
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


class AttentionFilter(admin.SimpleListFilter):
    """ "Needs attention" on a changelist: `rules` maps a value of `?attention=` to its label and
    a function of the request returning the `Q` (the rules live in the apps' selectors)."""

    title = "needs attention"
    parameter_name = "attention"
    rules: dict[str, tuple[str, Callable[[HttpRequest], Q]]] = {}

    def lookups(self, request, model_admin):
        return [(value, label) for value, (label, _) in self.rules.items()]

    def queryset(self, request, queryset):
        rule = self.rules.get(self.value())
        if rule is None:
            return queryset
        return queryset.filter(rule[1](request))


# CSV exports -------------------------------------------------------------------------------
# A spreadsheet runs a cell starting with one of these as a formula; people's own text (names,
# job titles) must never be able to do that.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_cell(value) -> str:
    """One cell's text. Every value that came from text is neutralised, each item of a list or
    many-to-many column too, and the joined cell once more."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | Decimal):
        return str(value)  # a number cannot be a formula, and -3 must stay a number
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "all"):  # a prefetched many-to-many manager
        value = list(value.all())
    if isinstance(value, list | tuple):
        text = ", ".join(csv_cell(v) for v in value)
    else:
        text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def csv_response(rows: Iterable[Iterable], filename: str) -> StreamingHttpResponse:
    """Stream `rows` (the header first) as a CSV download that Excel opens as UTF-8."""
    writer = csv.writer(_Echo())
    lines = (writer.writerow([csv_cell(v) for v in row]) for row in rows)
    response = StreamingHttpResponse(
        chain(["\ufeff"], lines), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _resolve(obj, path: str):
    for name in path.split("."):
        obj = getattr(obj, name, None)
        if obj is None:
            return None
    return obj() if callable(obj) and not hasattr(obj, "all") else obj


class CsvExportMixin:
    """ "Export selected to CSV" for a changelist: add "export_csv" to the admin's `actions`.

    `csv_columns` lists (header, attribute path) pairs, e.g. ("Mentor", "mentor.full_name") or
    ("Status", "get_status_display"); `csv_select_related` and `csv_prefetch_related` load what
    they need. Rows are read in chunks and streamed, so "select all" on a large table is fine.
    """

    csv_columns: list[tuple[str, str]] = []
    csv_select_related: list[str] = []
    csv_prefetch_related: list[str] = []
    CSV_CHUNK = 1000

    # Reading rows out is viewing them: anyone who may see the list may export it.
    @admin.action(description="Export selected to CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        qs = queryset.select_related(*self.csv_select_related).prefetch_related(
            *self.csv_prefetch_related
        )
        headers = [header for header, _ in self.csv_columns]
        rows = (
            [_resolve(obj, path) for _, path in self.csv_columns]
            for obj in qs.iterator(chunk_size=self.CSV_CHUNK)
        )
        stamp = timezone.localdate().isoformat()
        return csv_response(
            chain([headers], rows),
            f"{self.model._meta.verbose_name_plural}-{stamp}.csv".replace(" ", "-"),
        )
