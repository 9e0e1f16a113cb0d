"""Fast bulk writes for the polling hot path.

On PostgreSQL rows go through ``COPY`` into a temporary table and one
``INSERT ... SELECT ... ON CONFLICT`` into the real one: the same effect as
``bulk_create(ignore_conflicts=...)`` / ``update_conflicts=...`` at close to
``COPY`` speed. Elsewhere (the embedded SQLite default) Django's bulk_create.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterable, Sequence
from datetime import datetime

from django.db import IntegrityError, connection, models, transaction


def _text(value: object) -> str:
    """One value in COPY's text format."""
    kind = type(value)
    if kind is int:
        return str(value)
    if value is None:
        return "\\N"
    if kind is bool:
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def copy_upsert(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    conflict: Sequence[str],
    update: Sequence[str] = (),
) -> None:
    """Insert ``rows`` (tuples in ``columns`` order); on a conflict on ``conflict`` update ``update`` or skip."""
    rows = list(rows)
    if not rows:
        return
    if connection.vendor != "postgresql":
        attnames = [model._meta.get_field(name).attname for name in columns]
        objects = [model(**dict(zip(attnames, row, strict=True))) for row in rows]
        if update:
            model.objects.bulk_create(
                objects, update_conflicts=True, unique_fields=list(conflict), update_fields=list(update), batch_size=500
            )
        else:
            model.objects.bulk_create(objects, ignore_conflicts=True, batch_size=500)
        return
    table = model._meta.db_table
    db_columns = [model._meta.get_field(name).column for name in columns]
    conflict_columns = [model._meta.get_field(name).column for name in conflict]
    buffer = io.StringIO("".join("\t".join(_text(v) for v in row) + "\n" for row in rows))
    column_list = ", ".join(db_columns)
    action = (
        "DO UPDATE SET "
        + ", ".join(f"{model._meta.get_field(n).column} = EXCLUDED.{model._meta.get_field(n).column}" for n in update)
        if update
        else "DO NOTHING"
    )
    staging = f"_bulk_{table}_{zlib.crc32(column_list.encode())}"
    with connection.cursor() as cursor:
        # Only the columns, none of the constraints: the real table checks them on INSERT.
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} ON COMMIT DELETE ROWS AS "
            f"SELECT {column_list} FROM {table} WITH NO DATA"
        )
        with connection.wrap_database_errors:
            cursor.cursor.copy_expert(f"COPY {staging} ({column_list}) FROM STDIN", buffer)
        cursor.execute(
            f"INSERT INTO {table} ({column_list}) SELECT {column_list} FROM {staging} "
            f"ON CONFLICT ({', '.join(conflict_columns)}) {action}"
        )
        # emptied at commit anyway; emptied now too in case the transaction stages this table again
        cursor.execute(f"DELETE FROM {staging}")


def copy_insert_new(
    model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[object]], *, conflict: Sequence[str]
) -> None:
    """Insert rows that are expected to be new; any that already exist are skipped.

    The common case (no conflict) is a plain ``COPY`` into the table. A unique violation,
    which only a concurrent writer of the same rows can cause, rolls back to a savepoint
    and takes the staging path with ``ON CONFLICT DO NOTHING``.
    """
    rows = list(rows)
    if not rows:
        return
    if connection.vendor != "postgresql":
        copy_upsert(model, columns, rows, conflict=conflict)
        return
    column_list = ", ".join(model._meta.get_field(name).column for name in columns)
    buffer = io.StringIO("".join("\t".join(_text(v) for v in row) + "\n" for row in rows))
    try:
        with transaction.atomic(), connection.cursor() as cursor, connection.wrap_database_errors:
            cursor.cursor.copy_expert(f"COPY {model._meta.db_table} ({column_list}) FROM STDIN", buffer)
    except IntegrityError:
        copy_upsert(model, columns, rows, conflict=conflict)
