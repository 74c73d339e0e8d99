"""The advice-script library: what an operator reads or sends to a caller, as data files
(haven/hotline/advice/*.toml), one per script, with its text in each of Haven's languages.

English is written by the project; other languages are machine drafts until a fluent
speaker has reviewed them (`draft = true` in the file), and the page says so. A script
missing in a language falls back to English. Calls record the keys of the scripts given.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

ADVICE_DIR = Path(__file__).parent / "advice"
FALLBACK = "en"


@dataclass(frozen=True)
class Script:
    key: str
    language: str  # the language the text is in (the fallback when not translated)
    title: str
    steps: tuple[str, ...]
    draft: bool
    topics: tuple[str, ...]


def _order(item: tuple[str, dict[str, Any]]) -> tuple[int, str]:
    return int(item[1].get("order", 99)), item[0]


@cache
def _library() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for path in sorted(ADVICE_DIR.glob("*.toml")):
        with path.open("rb") as handle:
            data = tomllib.load(handle)
        found[str(data["key"])] = data
    return dict(
        sorted(found.items(), key=lambda item: (int(str(item[1].get("order", 99))), item[0]))
    )


def script_keys() -> list[str]:
    return list(_library())


def keys_set() -> frozenset[str]:
    return frozenset(_library())


def script(key: str, language: str) -> Script:
    data = _library()[key]
    texts = data["text"]
    chosen = language if language in texts else FALLBACK
    text = texts[chosen]
    topics = data.get("topics", [])
    return Script(
        key=key,
        language=chosen,
        title=str(text["title"]),
        steps=tuple(str(step) for step in text["steps"]),
        draft=bool(text.get("draft", False)),
        topics=tuple(str(t) for t in topics),
    )


def scripts(language: str) -> list[Script]:
    """Every script in `language` (English where it has no text in that language)."""
    return [script(key, language) for key in script_keys()]


def title(key: str, language: str) -> str:
    return script(key, language).title if key in _library() else key
