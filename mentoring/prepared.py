"""Queries whose SQL the ORM builds once per process, then runs again with other values, as
SQLAlchemy's "baked" queries do.

A page that asks one question with many subqueries (what may this person do on this mentor's
page?) spends far more CPU having the ORM build and compile the SQL than Postgres spends
answering it, and the SQL is the same every time: only the values change. `PreparedQuery`
builds the queryset once with placeholder values (`sentinels`: values no real input has),
compiles it, and notes which of the statement's parameters each placeholder became. Later runs
put the real values in those places and run the same SQL, with the ORM's own converters on the
columns (JSON, arrays, dates), so each row is the dict `.values()` gives.

It suits a `.values()` queryset whose SQL does not depend on its inputs' values: inputs are
compared and filtered on, never `None` (which would make `IS NULL`), never lists (whose length
shapes an `IN`), and each reaches the statement as itself (pass a derived value, such as a
month's start, as an input of its own). Compiling checks this: it builds the query twice, with
two sets of placeholders and the second under another time zone and language, and refuses it
unless both give the same SQL and the same other parameters (a value derived from an input, a
time zone a lookup passes, a translated word would differ), and unless each placeholder became
a parameter and none went into the SQL's text; a run refuses values of another type than their
placeholders. Compiled queries are forgotten when a setting changes (tests), as Django's own
caches are. A query runs on the database its queryset chose when compiled (there is one).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.signals import setting_changed
from django.db import connections
from django.db.models import QuerySet
from django.dispatch import receiver
from django.utils import timezone, translation


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[tuple[str | None, Any], ...]  # (input name, or None and the constant)
    names: tuple[str, ...]  # the columns, as .values() names them
    converters: tuple[tuple[int, tuple[Callable, ...], Any], ...]  # (column, converters, expr)
    alias: str


_PREPARED: weakref.WeakSet[PreparedQuery] = weakref.WeakSet()


class PreparedQuery:
    """A `.values()` query whose SQL is compiled once per process (the module's docstring)."""

    def __init__(self, build: Callable[..., QuerySet], /, **sentinels: Any) -> None:
        """`build(**inputs)` makes the `.values()` queryset; `sentinels` are the placeholder
        value of each input: values no real input has, of the type real ones have (whole
        numbers, dates and times)."""
        self._build = build
        self._sentinels = sentinels
        self._compiled: _Compiled | None = None
        self._lock = threading.Lock()
        _PREPARED.add(self)

    def rows(self, **inputs: Any) -> list[dict[str, Any]]:
        """The queryset's rows for these inputs, as `list(build(**inputs))` gives them."""
        if inputs.keys() != self._sentinels.keys():
            raise TypeError(f"expected the inputs {sorted(self._sentinels)}")
        for name, value in inputs.items():
            if type(value) is not type(self._sentinels[name]):
                raise TypeError(f"{name} must be a {type(self._sentinels[name]).__name__}")
        compiled = self._compiled or self.compile()
        params = [inputs[name] if name else constant for name, constant in compiled.params]
        connection = connections[compiled.alias]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            fetched = cursor.fetchall()
        rows = []
        for values in map(list, fetched):
            for position, converters, expression in compiled.converters:
                for converter in converters:
                    values[position] = converter(values[position], expression, connection)
            rows.append(dict(zip(compiled.names, values, strict=True)))
        return rows

    def compile(self) -> _Compiled:
        """The query's SQL and what goes in it, made and checked on first use."""
        with self._lock:
            if self._compiled is None:
                first = _compile_queryset(self._build(**self._sentinels), self._sentinels)
                others = {name: _another(value) for name, value in self._sentinels.items()}
                with timezone.override(_OTHER_ZONE), translation.override(_OTHER_LANGUAGE):
                    second = _compile_queryset(self._build(**others), others)
                if (first.sql, first.params) != (second.sql, second.params):
                    raise ValueError(
                        "the query's SQL or its other parameters depend on its inputs, the time "
                        "zone or the language: it cannot be prepared"
                    )
                self._compiled = first
            return self._compiled

    def forget(self) -> None:
        with self._lock:
            self._compiled = None


def prepared_queries() -> list[PreparedQuery]:
    """Every prepared query made so far (the tests compile them all)."""
    return list(_PREPARED)


@receiver(setting_changed)
def _forget_all(**kwargs: Any) -> None:
    for query in list(_PREPARED):
        query.forget()


# The second build's time zone and language: unlike any the scheme uses.
_OTHER_ZONE = "Pacific/Chatham"
_OTHER_LANGUAGE = "cy"


def _another(sentinel: Any) -> Any:
    """A second placeholder of the same type, unequal to the first."""
    if isinstance(sentinel, bool) or not isinstance(sentinel, int | datetime | date):
        raise TypeError("placeholders are whole numbers, dates or times")
    if isinstance(sentinel, int):
        return sentinel - 7
    return sentinel + timedelta(days=400)


def _compile_queryset(queryset: QuerySet, sentinels: dict[str, Any]) -> _Compiled:
    """The queryset's SQL, its parameters with each placeholder named, its column names and
    converters (as django.db.models.query.ValuesIterable and SQLCompiler.results_iter)."""
    query = queryset.query
    compiler = query.get_compiler(using=queryset.db)
    sql, raw_params = compiler.as_sql()
    params: list[tuple[str | None, Any]] = []
    found: set[str] = set()
    for value in raw_params:
        name = next(
            (n for n, s in sentinels.items() if type(value) is type(s) and value == s), None
        )
        params.append((name, None) if name else (None, value))
        if name:
            found.add(name)
    if missing := set(sentinels) - found:
        raise ValueError(f"placeholders not among the query's parameters: {sorted(missing)}")
    for name, sentinel in sentinels.items():
        if str(sentinel) in sql:
            raise ValueError(f"the placeholder of {name} went into the SQL's text")
    if query.selected:
        names = list(query.selected)
    else:
        names = [*query.extra_select, *query.values_select, *query.annotation_select]
    fields = [column[0] for column in compiler.select[0 : compiler.col_count]]
    if len(names) != len(fields):
        raise ValueError("only a .values() queryset of plain columns can be prepared")
    converters = compiler.get_converters(fields)
    return _Compiled(
        sql=sql,
        params=tuple(params),
        names=tuple(names),
        converters=tuple(
            (position, tuple(convs), expression)
            for position, (convs, expression) in converters.items()
        ),
        alias=queryset.db,
    )
