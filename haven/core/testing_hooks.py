"""A pause point for crash tests: hold a process inside a transaction so a test can kill it.

Production never pauses: without HAVEN_TEST_PAUSE_DIR in the environment `pause_point`
returns at once. With it, `pause_point(name)` does nothing unless the file
`$HAVEN_TEST_PAUSE_DIR/<name>` exists (the test's "gate"); then it creates
`<name>.reached` to say it is there and sleeps for as long as the gate exists. The test
waits for the marker, then kills the process (tests/test_crash.py) or removes the gate.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

ENV = "HAVEN_TEST_PAUSE_DIR"


def _folder() -> str:
    """The gate folder; never in production, whatever the environment says."""
    return "" if settings.PRODUCTION else os.environ.get(ENV, "")


def pause_point(name: str) -> None:
    """Wait here while the test's gate file `name` exists; a no-op in production."""
    folder = _folder()
    if not folder:
        return
    gate = Path(folder) / name
    if not gate.exists():
        return
    (Path(folder) / f"{name}.reached").touch()
    while gate.exists():
        time.sleep(0.02)


def pausing(name: str, callback: Callable[[int], None] | None) -> Callable[[int], None] | None:
    """`callback` (a progress report), followed by `pause_point(name)` when tests ask for it.

    Returns `callback` itself unless HAVEN_TEST_PAUSE_DIR is set."""
    if not _folder():
        return callback

    def report(n: int) -> None:
        if callback is not None:
            callback(n)
        pause_point(name)

    return report
