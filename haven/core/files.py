"""Files Haven writes for an operator: all of them or none, never half of one."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path


def write_atomically(files: Sequence[tuple[Path, bytes]]) -> None:
    """Write each body to a temporary file beside its path, then rename them all into
    place; on any failure nothing is left behind."""
    written: list[tuple[str, Path]] = []
    try:
        for path, body in files:
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".haven-")
            written.append((temporary, path))
            with os.fdopen(handle, "wb") as stream:
                stream.write(body)
        for temporary, path in written:
            os.replace(temporary, path)
    finally:
        for temporary, _path in written:
            Path(temporary).unlink(missing_ok=True)
