"""Print the PostgreSQL URL the test suite should use, or nothing when none is reachable.

HAVEN_TEST_POSTGRES wins when set (and must then work); otherwise a local server on
127.0.0.1:5432 with trust authentication and a database named `test` is tried.
"""

from __future__ import annotations

import os
import sys

import psycopg

LOCAL = "postgres://postgres@127.0.0.1:5432/test"


def reachable(url: str) -> bool:
    try:
        with psycopg.connect(url.replace("postgres://", "postgresql://", 1), connect_timeout=3):
            return True
    except psycopg.Error:
        return False


def main() -> int:
    explicit = os.environ.get("HAVEN_TEST_POSTGRES", "")
    if explicit:
        if not reachable(explicit):
            print("HAVEN_TEST_POSTGRES is set but the server cannot be reached.", file=sys.stderr)
            return 1
        print(explicit)
        return 0
    if reachable(LOCAL):
        print(LOCAL)
    return 0


if __name__ == "__main__":
    sys.exit(main())
