"""Many new rows at once, as fast as the database takes them.

On PostgreSQL the rows go in with COPY: their primary keys are drawn from the table's
sequence first, each value is prepared by its own field (so encrypted fields encrypt,
JSON fields serialise, exactly as on a save), and COPY streams them. Elsewhere Django's
`bulk_create` does the same job more slowly. Either way the objects come back with their
primary keys set, inside the caller's transaction. No signals, no `save()`: callers are
domain actions that write their own audit rows.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.utils import timezone

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
    """How to get the value COPY writes for a field that is not plain (`_is_plain`): an
    encrypted one encrypts, a JSON one serialises, an automatic time is taken, as a save
    would."""

    real = connections[DEFAULT_DB_ALIAS]  # not the per-access proxy, for each value
    # Django's own JSON field only (an encrypted one seals every value with its own nonce):
    # an empty list or object is prepared once.
    plain_json = type(field) is models.JSONField
    empty: dict[type, Any] = {}

    def prepared(obj: models.Model) -> Any:
        value = field.pre_save(obj, add=True)
        if plain_json and type(value) in (list, dict) and not value:
            kind = type(value)
            if kind not in empty:
                empty[kind] = field.get_db_prep_save(value, real)
            return empty[kind]
        return field.get_db_prep_save(value, real)

    return prepared


# Values of these exact types go to the driver as they are (the common case, checked first).
_AS_THEY_ARE = frozenset({str, int, bool, float, type(None), dt.date, dt.datetime})


def _plain(value: Any) -> Any:
    if type(value) in _AS_THEY_ARE:
        return value
    # Choices members are str or int subclasses: the driver is given the plain value.
    if isinstance(value, str) and type(value) is not str:
        return str(value)
    if isinstance(value, int) and type(value) not in (int, bool):
        return int(value)
    return value


def chunk_size() -> int:
    """How many values one `among` statement takes: an array is one parameter on
    PostgreSQL; SQLite takes a few thousand placeholders."""
    return 50_000 if connection.vendor == "postgresql" else 5000


def among(rows: models.QuerySet[Any], field: str, values: Sequence[Any]) -> models.QuerySet[Any]:
    """`rows` whose text `field` is one of `values` (at most `chunk_size()` of them). On
    PostgreSQL the values go as one array (`= ANY(%s)`): an IN list of thousands of
    placeholders costs more to write, parse and plan than the lookup itself."""
    if connection.vendor != "postgresql":
        return rows.filter(**{f"{field}__in": values})
    meta = rows.model._meta
    quote = connection.ops.quote_name
    column = f"{quote(meta.db_table)}.{quote(meta.get_field(field).column)}"
    texts = [str(value) for value in values]
    # Quoted names from the model; the values are one parameter.
    return rows.filter(
        RawSQL(f"{column} = ANY(%s::text[])", (texts,), output_field=BooleanField())  # noqa: S611
    )


def existing(rows: models.QuerySet[Any], field: str, values: Sequence[Any]) -> set[Any]:
    """Which of many `values` of a text `field` are among `rows`."""
    found: set[Any] = set()
    size = chunk_size()
    for start in range(0, len(values), size):
        chunk = values[start : start + size]
        found |= set(among(rows, field, chunk).values_list(field, flat=True))
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
    # The plain columns first, read in one call per object; then those a field prepares.
    plain = [f for f in fields if _is_plain(f) and not _automatic(f)]
    others = [f for f in fields if f not in plain]
    read_plain = operator.attrgetter(*(f.attname for f in plain)) if plain else None
    with connection.cursor() as cursor:
        ids = _new_ids(cursor, model, len(objects))
        for obj, new_id in zip(objects, ids, strict=True):
            obj.pk = new_id
        preparers = [_preparer(f) for f in others]
        with _copy(cursor, model, [pk, *plain, *others]) as copy:
            for obj in objects:
                values = read_plain(obj) if read_plain else ()
                if len(plain) == 1:
                    values = (values,)
                copy.write_row(
                    [obj.pk, *map(_plain, values), *(prepare(obj) for prepare in preparers)]
                )
    for obj in objects:
        obj._state.adding = False
        obj._state.db = connection.alias
    return objects


def insert_values(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    keys: bool = False,
) -> list[int]:
    """Many rows the caller needs no object of, each the values of `columns` (attribute
    names, e.g. `person_id`): no model instance is built on PostgreSQL, which is most of
    the cost (a wide model's constructor visits every field). Every other column takes
    its default; values are prepared by their fields as `insert` prepares them. With
    `keys`, the new rows' primary keys come back, in order."""
    if not rows:
        return []
    if connection.vendor != "postgresql":
        made = model._default_manager.bulk_create(
            [model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=BATCH
        )
        return [obj.pk for obj in made] if keys else []
    meta = model._meta
    by_attname = {f.attname: f for f in meta.concrete_fields if f is not meta.pk}
    given = [by_attname[name] for name in columns]
    # The other columns' defaults: a plain one is taken once for every row (one time for
    # all, as one statement would); one its field prepares (an encrypted value, with its
    # own nonce) is prepared for each row.
    rest = [f for f in by_attname.values() if f.attname not in columns]
    constant = [f for f in rest if _is_plain(f)]
    prepared = [f for f in rest if not _is_plain(f)]
    tail = [_plain(_default(f)) for f in constant]
    plain = [_is_plain(f) for f in given]
    real = connections[DEFAULT_DB_ALIAS]
    with connection.cursor() as cursor:
        # Without `keys` the primary key is left to the table's own default (its identity
        # sequence): drawing every key first costs a round trip of them all.
        ids = _new_ids(cursor, model, len(rows)) if keys else []
        heads = [[key] for key in ids] if keys else [[]] * len(rows)
        order = [*([meta.pk] if keys else []), *given, *constant, *prepared]
        simple = all(plain) and not prepared  # the common case: nothing to prepare
        with _copy(cursor, model, order) as copy:
            for head, row in zip(heads, rows, strict=True):
                if simple:
                    copy.write_row([*head, *map(_plain, row), *tail])
                    continue
                values = [
                    _plain(v) if p else f.get_db_prep_save(v, real)
                    for f, p, v in zip(given, plain, row, strict=True)
                ]
                own = [f.get_db_prep_save(_default(f), real) for f in prepared]
                copy.write_row([*head, *values, *tail, *own])
    return ids


def _automatic(field: models.Field[Any, Any]) -> bool:
    return bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))


def _is_plain(field: models.Field[Any, Any]) -> bool:
    """Django's own field classes whose value the driver takes as it is (Haven's
    encrypted fields subclass them, and prepare their values)."""
    return isinstance(field, PLAIN) and type(field).__module__.startswith("django.")


def _default(field: models.Field[Any, Any]) -> Any:
    if _automatic(field):
        return timezone.now()
    return field.get_default()


def _new_ids(cursor: Any, model: type[models.Model], count: int) -> list[int]:
    """`count` primary keys drawn from the table's sequence."""
    meta = model._meta
    assert meta.pk is not None  # noqa: S101 - every Haven model has one
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
        [meta.db_table, meta.pk.column, count],
    )
    return [row[0] for row in cursor.fetchall()]


def _copy(cursor: Any, model: type[models.Model], fields: Sequence[Any]) -> Any:
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    return cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN")  # psycopg's own cursor
