"""Find and re-seal encrypted columns, for key status and rotation."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from django.apps import apps
from django.db import connection, transaction
from django.db.models import Model

from haven.core import crypto
from haven.core.fields import EncryptedTextField

BATCH = 500


def encrypted_columns() -> Iterator[tuple[type[Model], EncryptedTextField]]:
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                yield model, field


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
    return usage


def rotate() -> dict[str, int]:
    """Re-seal every value not under the primary key. Returns counts per column."""
    primary = crypto.key_ring().primary
    quote = connection.ops.quote_name
    done: dict[str, int] = {}
    for model, field in encrypted_columns():
        stale = [(pk, tok) for pk, tok in _rows(model, field) if crypto.key_id_of(tok) != primary]
        table, column = quote(model._meta.db_table), quote(field.column)
        pk_column = quote(model._meta.pk.column)
        for start in range(0, len(stale), BATCH):
            with transaction.atomic(), connection.cursor() as cursor:
                for pk, token in stale[start : start + BATCH]:
                    plain = crypto.decrypt(token, field.crypto_context)
                    cursor.execute(
                        f"UPDATE {table} SET {column} = %s "  # noqa: S608
                        f"WHERE {pk_column} = %s AND {column} = %s",
                        [crypto.encrypt(plain, field.crypto_context), pk, token],
                    )
        if stale:
            done[f"{model._meta.label_lower}.{field.name}"] = len(stale)
    return done
