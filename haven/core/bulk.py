"""Many new rows at once, as fast as the database takes them.

On PostgreSQL the rows go in with COPY: their primary keys are drawn from the table's
sequence first, each value is prepared by its own field (so encrypted fields encrypt,
JSON fields serialise, exactly as on a save), and COPY streams them. Elsewhere Django's
`bulk_create` does the same job more slowly. Either way the objects come back with their
primary keys set, inside the caller's transaction. No signals, no `save()`: callers are
domain actions that write their own audit rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db import connection, models

M = TypeVar("M", bound=models.Model)
BATCH = 2000
# Fields whose Python value the driver takes as it is: reading the attribute is all the
# preparation they need (Django's own would only check and pass it through).
PLAIN = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.DateField,
    models.FloatField,
    models.ForeignKey,
)


def _preparer(field: models.Field[Any, Any]) -> Callable[[models.Model], Any]:
    """How to get the value COPY writes for `field` of an object."""
    # Django's own field classes only: Haven's (encrypted ones) prepare their values.
    exact = isinstance(field, PLAIN) and type(field).__module__.startswith("django.")
    automatic = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    if exact and not automatic:
        attname = field.attname
        return lambda obj: _plain(getattr(obj, attname))

    def prepared(obj: models.Model) -> Any:
        return field.get_db_prep_save(field.pre_save(obj, add=True), connection)

    return prepared


def _plain(value: Any) -> Any:
    # Choices members are str or int subclasses: the driver is given the plain value.
    if isinstance(value, str) and type(value) is not str:
        return str(value)
    if isinstance(value, int) and type(value) not in (int, bool):
        return int(value)
    return value


def existing(rows: models.QuerySet[Any], field: str, values: Sequence[Any]) -> set[Any]:
    """Which of many `values` of `field` are among `rows`, asked a few thousand at a time
    (one IN list per statement stays within what the databases take)."""
    found: set[Any] = set()
    for start in range(0, len(values), 5000):
        chunk = values[start : start + 5000]
        found |= set(rows.filter(**{f"{field}__in": chunk}).values_list(field, flat=True))
    return found


def insert(model: type[M], objects: Sequence[M]) -> Sequence[M]:
    if not objects:
        return objects
    if connection.vendor != "postgresql":
        return model._default_manager.bulk_create(objects, batch_size=BATCH)
    meta = model._meta
    pk = meta.pk
    assert pk is not None  # noqa: S101 - every Haven model has one
    fields = [f for f in meta.concrete_fields if f is not pk]
    table = connection.ops.quote_name(meta.db_table)
    names = ", ".join(connection.ops.quote_name(f.column) for f in [pk, *fields])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, pk.column, len(objects)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        for obj, new_id in zip(objects, ids, strict=True):
            obj.pk = new_id
        raw = cursor.cursor  # psycopg's own cursor, for COPY
        preparers = [_preparer(f) for f in fields]
        with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for obj in objects:
                copy.write_row([obj.pk, *(prepare(obj) for prepare in preparers)])
    for obj in objects:
        obj._state.adding = False
        obj._state.db = connection.alias
    return objects
