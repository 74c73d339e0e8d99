"""Find and re-seal encrypted columns, for key status and rotation."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

from django.apps import apps
from django.db import connection, transaction
from django.db.models import Model

from haven.core import crypto
from haven.core.fields import EncryptedTextField

BATCH = 2000


def encrypted_columns() -> Iterator[tuple[type[Model], EncryptedTextField]]:
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                yield model, field


# Values sealed inside another library's JSON column: (model label, JSON field, keys,
# encryption context). allauth's second-factor secrets are sealed with Haven's key ring
# by haven.accounts.adapter.MFAAdapter, so rotation must reach them too.
SEALED_IN_JSON = [("mfa.Authenticator", "data", ("secret", "seed"), "mfa.authenticator")]


def _json_tokens() -> Iterator[tuple[Model, str, str, str]]:
    """(row, field, key, token) for every value sealed inside a JSON column."""
    for label, field, keys, _context in SEALED_IN_JSON:
        for row in apps.get_model(label).objects.order_by("pk"):
            data = getattr(row, field) or {}
            for key in keys:
                token = data.get(key)
                if isinstance(token, str) and token.startswith(f"{crypto.TOKEN_PREFIX}$"):
                    yield row, field, key, token


def _rotate_json() -> int:
    """Re-seal the values inside JSON columns that are not under the primary key."""
    primary = crypto.key_ring().primary
    count = 0
    for label, field, keys, context in SEALED_IN_JSON:
        model = apps.get_model(label)
        for pk in model.objects.order_by("pk").values_list("pk", flat=True):
            with transaction.atomic():
                row = model.objects.select_for_update().filter(pk=pk).first()
                data = dict(getattr(row, field) or {}) if row is not None else {}
                stale = [
                    key
                    for key in keys
                    if isinstance(data.get(key), str) and crypto.key_id_of(data[key]) != primary
                ]
                if not stale:
                    continue
                for key, sealed in zip(
                    stale, crypto.reseal([data[key] for key in stale], context), strict=True
                ):
                    data[key] = sealed
                model.objects.filter(pk=pk).update(**{field: data})
                count += len(stale)
    return count


def _rows(model: type[Model], field: EncryptedTextField) -> Iterator[tuple[Any, str]]:
    quote = connection.ops.quote_name
    table, column, pk = (
        quote(model._meta.db_table),
        quote(field.column),
        quote(model._meta.pk.column),
    )
    with connection.cursor() as cursor:
        # Names come from model metadata, never from input.
        cursor.execute(f"SELECT {pk}, {column} FROM {table} WHERE {column} IS NOT NULL")  # noqa: S608
        yield from cursor.fetchall()


def key_usage() -> Counter[str]:
    """How many stored values each data key seals."""
    usage: Counter[str] = Counter()
    for model, field in encrypted_columns():
        for _pk, token in _rows(model, field):
            usage[crypto.key_id_of(token)] += 1
    for _row, _field, _key, token in _json_tokens():
        usage[crypto.key_id_of(token)] += 1
    return usage


Progress = Callable[[int], None]


def stale_count() -> int:
    """How many stored values are sealed under a key other than the primary."""
    primary_prefix = f"{crypto.TOKEN_PREFIX}${crypto.key_ring().primary}$%"
    total = 0
    with connection.cursor() as cursor:
        for model, field in encrypted_columns():
            table, column = _names(model, field)
            cursor.execute(
                f"SELECT COUNT(*) FROM {table} WHERE {column} IS NOT NULL "  # noqa: S608
                f"AND {column} NOT LIKE %s",
                [primary_prefix],
            )
            total += cursor.fetchone()[0]
    primary = crypto.key_ring().primary
    total += sum(crypto.key_id_of(token) != primary for *_where, token in _json_tokens())
    return total


def _names(model: type[Model], field: EncryptedTextField) -> tuple[str, str]:
    quote = connection.ops.quote_name
    return quote(model._meta.db_table), quote(field.column)


def rotate(batch: int = BATCH, progress: Progress | None = None) -> dict[str, int]:
    """Re-seal every value not under the primary key. Returns counts per column.

    Column by column in primary-key order, one transaction per batch of `batch` values,
    each written by a single UPDATE. Stopped at any point, it leaves every value readable
    (under the old key or the new one) and a rerun carries on: values already under the
    primary key are not read again. A value changed since it was read is left for the
    change, which sealed it under the primary key already."""
    primary_prefix = f"{crypto.TOKEN_PREFIX}${crypto.key_ring().primary}$%"
    done: dict[str, int] = {}
    for model, field in encrypted_columns():
        table, column = _names(model, field)
        pk = connection.ops.quote_name(model._meta.pk.column)
        # Names come from model metadata, never from input.
        select = (
            f"SELECT {pk}, {column} FROM {table} WHERE {column} IS NOT NULL "  # noqa: S608
            f"AND {column} NOT LIKE %s AND {pk} > %s ORDER BY {pk} LIMIT %s"
        )
        first = select.replace(f"AND {pk} > %s ", "")
        last: Any = None
        count = 0
        while True:
            with transaction.atomic(), connection.cursor() as cursor:
                if last is None:
                    cursor.execute(first, [primary_prefix, batch])
                else:
                    cursor.execute(select, [primary_prefix, last, batch])
                rows = cursor.fetchall()
                if not rows:
                    break
                sealed = crypto.reseal([token for _pk, token in rows], field.crypto_context)
                values = ", ".join(["(%s, %s, %s)"] * len(rows))
                cursor.execute(
                    f"WITH v(id, token, sealed) AS (VALUES {values}) "  # noqa: S608
                    f"UPDATE {table} SET {column} = v.sealed FROM v "
                    # The range lets the database find the batch's rows by primary key
                    # instead of scanning the table for each batch.
                    f"WHERE {table}.{pk} = v.id AND {table}.{column} = v.token "
                    f"AND {table}.{pk} BETWEEN %s AND %s",
                    [
                        *(
                            x
                            for (key, token), new in zip(rows, sealed, strict=True)
                            for x in (key, token, new)
                        ),
                        rows[0][0],
                        rows[-1][0],
                    ],
                )
            last = rows[-1][0]
            count += len(rows)
            if progress is not None:
                progress(len(rows))
        if count:
            done[f"{model._meta.label_lower}.{field.name}"] = count
    resealed = _rotate_json()
    if resealed:
        done["mfa.authenticator.data"] = resealed
    return done
