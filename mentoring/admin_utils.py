"""Admin helpers: bounded counts for tables that grow large, "needs attention" filters, CSV
exports, and the scoping of everything in a programme to the programmes a person coordinates."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from itertools import chain

from django.contrib import admin
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.db.models.constants import LOOKUP_SEP
from django.http import Http404, HttpRequest, StreamingHttpResponse
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


# Programmes: a coordinator sees their programmes' people and pairs only ------------------------
# This module is the base layer and imports no app: the programme model is reached through the
# lookup path of each admin (it ends at a foreign key to the programme), so the same mixin scopes
# every app's admin without knowing the Programme class.


def _path_info(model, lookup: str) -> tuple[type, bool]:
    """The model a lookup path ends at (its last field's related model) and whether the path
    crosses a to-many relation (then a plain filter would repeat rows)."""
    many = False
    for name in lookup.split(LOOKUP_SEP):
        field = model._meta.get_field(name)
        many = many or field.many_to_many or field.one_to_many
        model = field.related_model
    return model, many


def coordinated_programmes(request: HttpRequest):
    """The programmes the signed-in person runs, as a queryset (every programme for a
    superuser). The programme model is the one behind the user's `coordinated_programmes`."""
    user = request.user
    model = user._meta.get_field("coordinated_programmes").related_model
    if user.is_active and user.is_superuser:
        return model._default_manager.all()
    return model._default_manager.filter(coordinators=user.pk)


def programme_choices(request: HttpRequest) -> list[tuple[int, str]]:
    """(id, name) of the programmes the signed-in person runs (every programme for a
    superuser), read once a request."""
    cached = getattr(request, "_coordinated_programmes", None)
    if cached is None:
        cached = list(coordinated_programmes(request).values_list("pk", "name"))
        request._coordinated_programmes = cached  # type: ignore[attr-defined]
    return cached


def coordinated_programme_ids(request: HttpRequest) -> list[int] | None:
    """The ids of the programmes the signed-in person runs; None for a superuser, who sees
    everything."""
    if request.user.is_active and request.user.is_superuser:
        return None
    return [pk for pk, _ in programme_choices(request)]


class ProgrammeFilter(admin.SimpleListFilter):
    """ "By programme" with the programmes the person runs only, and only when there are two
    or more (no chooser where there is nothing to choose)."""

    title = "programme"
    parameter_name = "programme"

    def lookups(self, request, model_admin):
        choices = [(str(pk), name) for pk, name in programme_choices(request)]
        return choices if len(choices) > 1 else []

    def queryset(self, request, queryset):
        value = self.value()
        if not value or not value.isdigit():
            return queryset
        return queryset.filter(self.model_admin.in_programmes(request, [int(value)]))

    def __init__(self, request, params, model, model_admin):
        self.model_admin = model_admin
        super().__init__(request, params, model, model_admin)


class ProgrammeScopedMixin:
    """For the admin of anything that belongs to a programme: a person who is not a superuser
    sees only the rows of the programmes they coordinate (`Programme.coordinators`), in the
    list, its filters and actions, the CSV, autocomplete and the choices of related fields, and
    gets a 404 for the change, delete and history pages of any other row.

    `programme_lookup` is the path from the model to its programme ("programme",
    "mentorship__programme", "user__memberships__programme"); a path through a to-many relation
    is filtered with EXISTS, so a row in two of the person's programmes is listed once.
    `programme_lookup_filters` narrows that to-many row (e.g. {"user__memberships__role":
    "mentor"}) within the same EXISTS.
    """

    programme_lookup: str = "programme"
    programme_lookup_filters: dict[str, object] = {}

    def in_programmes(self, request: HttpRequest, ids: Iterable[int]):
        """The condition "in one of the programmes `ids`" on this admin's model."""
        ids = list(ids)
        lookup = {f"{self.programme_lookup}__in": ids, **self.programme_lookup_filters}
        _, many = _path_info(self.model, self.programme_lookup)
        if not many:
            return Q(**lookup)
        manager = self.model._default_manager
        return Exists(manager.filter(pk=OuterRef("pk"), **lookup))

    def scope(self, request: HttpRequest, queryset):
        ids = coordinated_programme_ids(request)
        if ids is None:
            return queryset
        return queryset.filter(self.in_programmes(request, ids))

    def get_queryset(self, request):
        return self.scope(request, super().get_queryset(request))

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        return [ProgrammeFilter, *filters] if ProgrammeFilter not in filters else filters

    def get_field_queryset(self, db, db_field, request):
        """Choices of a related field: the person's programmes, or the rows of a scoped admin
        as that admin lists them."""
        related = db_field.remote_field.model
        if related is _path_info(self.model, self.programme_lookup)[0]:
            return coordinated_programmes(request)
        related_admin = self.admin_site._registry.get(related)
        if isinstance(related_admin, ProgrammeScopedMixin):
            return related_admin.get_queryset(request)
        return super().get_field_queryset(db, db_field, request)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None and coordinated_programme_ids(request) is not None:
            # Another programme's row is not there for this person: not "deleted", not found.
            raise Http404("No such object.")
        return obj
