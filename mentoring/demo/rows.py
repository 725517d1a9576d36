"""Writing demo rows fast: primary keys taken from the sequences up front, rows sent with COPY.

Rows written this way are new rows with their starting values, not state changes: the services
stay the one place each state changes."""

from __future__ import annotations

from django.db import connection


def next_ids(model, count: int) -> list[int]:
    if count <= 0:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, count],
        )
        return [row[0] for row in cursor.fetchall()]


def copy_rows(model, rows: list[dict]) -> None:
    """COPY rows (dicts of column -> value, all with the same keys) into the model's table."""
    if not rows:
        return
    columns = list(rows[0])
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {model._meta.db_table} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[c] for c in columns])
