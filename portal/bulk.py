"""Writing many new rows at once: the dossier import, the demo generator and the indicator
snapshot refresh."""

from collections.abc import Iterable, Mapping
from itertools import chain, islice
from typing import Any, cast

from django.db import connection, models
from psycopg import sql

BATCH_SIZE = 2000


def insert_rows(model: type[models.Model], rows: Iterable[Mapping[str, Any]]) -> int:
    """Insert new rows given as {attname: value}; other fields take the model's defaults.
    Returns how many rows were written. Rows are consumed as they come: a generator is
    never held whole in memory.

    On PostgreSQL by COPY: bulk_create sends a batch as one array per column, and psycopg
    builds those arrays in Python, quoting every timestamp, name and JSON document; that
    cost most of the time at 2,400 rows/s (docs/PERFORMANCE.md)."""
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return 0
    rows = chain([first], rows)
    if connection.vendor != "postgresql":
        written = 0
        while batch := [model(**row) for row in islice(rows, BATCH_SIZE)]:
            model._default_manager.bulk_create(batch)
            written += len(batch)
        return written
    return _copy(model, rows)


def _copy(model: type[models.Model], rows: Iterable[Mapping[str, Any]]) -> int:
    meta = model._meta
    fields = [field for field in meta.concrete_fields if field is not meta.auto_field]
    json_fields = [field for field in fields if isinstance(field, models.JSONField)]
    # A callable default (a new UUID, an empty dict) is called for every row that lacks
    # the field, as bulk_create would; the rest are taken once from an unsaved instance.
    fresh = [field for field in fields if field.has_default() and callable(field.default)]
    template = model()
    defaults = {field.attname: field.pre_save(template, add=True) for field in fields}
    for field in fields:
        if field not in json_fields:
            defaults[field.attname] = field.get_db_prep_save(defaults[field.attname], connection)
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(meta.db_table),
        sql.SQL(", ").join(sql.Identifier(cast(str, field.column)) for field in fields),
    )
    written = 0
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            values = {**defaults, **row}
            for field in fresh:
                if field.attname not in row:
                    values[field.attname] = field.get_default()
            for field in json_fields:
                values[field.attname] = field.get_db_prep_save(values[field.attname], connection)
            copy.write_row([values[field.attname] for field in fields])
            written += 1
    return written
