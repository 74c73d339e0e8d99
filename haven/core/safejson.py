"""JSON from outside Haven, parsed within limits.

Every JSON document Haven reads from a file, an upload or the environment goes through
`loads`: it refuses input larger than `max_bytes` before parsing, and nesting deeper than
`max_depth` by an iterative scan of the brackets (outside strings), so that a hostile
file of 100,000 nested brackets is refused with a message instead of exhausting the
stack of the parser. The messages name no content of the document.
"""

from __future__ import annotations

import json
import os
from typing import Any

# Generous for everything Haven reads (the deepest is a screening answers file or a
# cross-border envelope, a handful of levels), far below Python's recursion limit.
DEFAULT_MAX_DEPTH = 32

_OPEN = frozenset(b"[{")
_CLOSE = frozenset(b"]}")
_QUOTE = ord('"')
_BACKSLASH = ord("\\")


class UnsafeJSONError(ValueError):
    """The document is too large, nested too deep, or not JSON. Nothing was parsed."""


class TooLargeError(UnsafeJSONError):
    pass


class TooDeepError(UnsafeJSONError):
    pass


def _as_bytes(data: str | bytes | bytearray) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else bytes(data)


def check_size(data: str | bytes | bytearray, *, max_bytes: int) -> bytes:
    """`data` as bytes, or `TooLargeError` if it is larger than `max_bytes`."""
    if isinstance(data, str) and len(data) > max_bytes:  # cheap before encoding
        raise TooLargeError(f"The JSON document is larger than {max_bytes} bytes.")
    raw = _as_bytes(data)
    if len(raw) > max_bytes:
        raise TooLargeError(f"The JSON document is larger than {max_bytes} bytes.")
    return raw


def nesting_depth(raw: bytes, *, stop_above: int | None = None) -> int:
    """The deepest nesting of arrays and objects in `raw`, ignoring brackets inside
    strings. Iterative, so any depth is measured without recursion; stops early once
    `stop_above` is passed."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == _BACKSLASH:
                escaped = True
            elif byte == _QUOTE:
                in_string = False
        elif byte == _QUOTE:
            in_string = True
        elif byte in _OPEN:
            depth += 1
            if depth > deepest:
                deepest = depth
                if stop_above is not None and deepest > stop_above:
                    return deepest
        elif byte in _CLOSE:
            depth -= 1
    return deepest


def loads(
    data: str | bytes | bytearray, *, max_bytes: int, max_depth: int = DEFAULT_MAX_DEPTH
) -> Any:
    """Parse `data` as JSON, refusing it (`UnsafeJSONError`, a ValueError) when it is
    larger than `max_bytes`, nested deeper than `max_depth`, or not valid JSON."""
    raw = check_size(data, max_bytes=max_bytes)
    if nesting_depth(raw, stop_above=max_depth) > max_depth:
        raise TooDeepError(f"The JSON document is nested deeper than {max_depth} levels.")
    try:
        return json.loads(raw)
    except RecursionError:  # the scan makes this unreachable; kept as a second guard
        raise TooDeepError(f"The JSON document is nested deeper than {max_depth} levels.") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise UnsafeJSONError(f"not valid JSON ({_where(error)})") from None


def _where(error: ValueError) -> str:
    if isinstance(error, json.JSONDecodeError):
        return f"{error.msg} at line {error.lineno}, column {error.colno}"
    return "the text is not UTF-8"


def load_file(
    path: str | os.PathLike[str], *, max_bytes: int, max_depth: int = DEFAULT_MAX_DEPTH
) -> Any:
    """`loads` of a file, reading no more than `max_bytes` + 1 bytes of it."""
    with open(path, "rb") as handle:
        raw = handle.read(max_bytes + 1)
    return loads(raw, max_bytes=max_bytes, max_depth=max_depth)
