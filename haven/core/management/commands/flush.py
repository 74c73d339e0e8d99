"""Django's flush, able to empty the audit tables on PostgreSQL (the test suite's use).

The audit tables refuse TRUNCATE unless their owner says so for the session
(migration audit 0007); this flush says so, and is refused outright in production.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands import flush
from django.db import connections


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("flush is refused in production (HAVEN_ENV=production).")
        connection = connections[options["database"]]
        if connection.vendor != "postgresql":
            super().handle(**options)
            return
        with connection.cursor() as cursor:
            cursor.execute("SET haven.audit_maintenance = 'on'")
        try:
            super().handle(**options)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET haven.audit_maintenance")
