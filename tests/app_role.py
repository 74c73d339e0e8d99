"""On PostgreSQL the suite runs as an application role that owns nothing, as production
does (`haven.core.dbroles`): the test database is created and migrated by the connecting
superuser (the owner), then every connection switches to the application role.

`as_owner()` switches back for what only the owner may do: a test that tampers with the
audit tables as a database administrator could, or one that creates databases.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created

from haven.core import dbroles

ROLE = "haven_test_app"
_active = False


def _create_role() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "DO $$ BEGIN "
            f"IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{ROLE}') THEN "
            f"CREATE ROLE {ROLE} NOLOGIN; END IF; END $$"
        )


def _set_role(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    if _active and connection.vendor == "postgresql" and connection.alias == "default":
        with connection.cursor() as cursor:
            cursor.execute(f"SET ROLE {ROLE}")


def start() -> None:
    """Create the role, grant it the application's privileges, and use it from now on."""
    global _active  # noqa: PLW0603 - one switch for the whole session
    if connection.vendor != "postgresql":
        return
    _create_role()
    dbroles.grant(connection, ROLE)
    _active = True
    connection_created.connect(_set_role, dispatch_uid="haven-test-app-role")
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {ROLE}")


def current_role() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        row = cursor.fetchone()
    return str(row[0]) if row else ""


@contextmanager
def as_owner() -> Iterator[None]:
    """Act as the owner (the superuser that created the test database) for a while."""
    global _active  # noqa: PLW0603
    if connection.vendor != "postgresql":
        yield
        return
    was, _active = _active, False
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")
    try:
        yield
    finally:
        _active = was
        if was and connection.connection is not None:
            with connection.cursor() as cursor:
                cursor.execute(f"SET ROLE {ROLE}")
