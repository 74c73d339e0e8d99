"""Least privilege on PostgreSQL: the application's role owns nothing.

Production uses two roles. A migration role owns the schema and runs `haven migrate`; the
application role, which gunicorn connects as, gets only what the pages and commands need.
On the audit tables that is reading and appending (and moving the head forward): no
UPDATE or DELETE of entries, no TRUNCATE anywhere, and, owning no table, it cannot disable
a trigger, and it cannot set `session_replication_role` (superusers only). `haven migrate`
re-grants after every migration when `HAVEN_APP_DB_ROLE` names the application role, so a
new table is never left out.
"""

from __future__ import annotations

import re
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

GRANTS = """
GRANT USAGE ON SCHEMA public TO {role};
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role};
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role};
REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM {role};
REVOKE UPDATE, DELETE ON audit_auditentry FROM {role};
REVOKE DELETE ON audit_audithead FROM {role};
REVOKE INSERT, UPDATE, DELETE ON django_migrations FROM {role};
"""


def valid_role(name: str) -> bool:
    return bool(ROLE_NAME.match(name))


def grant(connection: BaseDatabaseWrapper, role: str) -> None:
    """Give `role` the application's privileges on every table, and nothing more."""
    if connection.vendor != "postgresql":
        return
    if not valid_role(role):
        raise ValueError(f"not a PostgreSQL role name Haven accepts: {role!r}")
    quoted = connection.ops.quote_name(role)
    with connection.cursor() as cursor:
        for statement in GRANTS.format(role=quoted).strip().splitlines():
            cursor.execute(statement)


def grant_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """post_migrate: re-grant to HAVEN_APP_DB_ROLE, if set, after every migration."""
    from django.conf import settings  # noqa: PLC0415
    from django.db import connections  # noqa: PLC0415

    role = settings.HAVEN_APP_DB_ROLE
    if role:
        grant(connections[using], role)
