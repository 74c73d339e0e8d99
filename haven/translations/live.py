"""The wordings in use and the review state of every text, as this process knows them.

Accepted wordings and reviews change rarely and are read on every page, so each process
keeps them in memory and checks a generation number in the shared cache at most every
HAVEN_TRANSLATION_REFRESH_SECONDS (a change made in this process applies at once). Applied
to gettext (interface) and to the screening catalogue (questions, statements, messages).
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import trans_real

from haven.screening_engine import catalogue as screening_catalogue
from haven.translations import sources
from haven.translations.models import Override, Part, Review, ReviewState

GENERATION_KEY = "haven:translations:generation"
Text = tuple[str, str, str]  # language, part, key


@dataclass
class _Known:
    generation: str | None = None
    checked: float = float("-inf")
    wordings: dict[Text, str] = field(default_factory=dict)
    reviews: dict[Text, tuple[str, str]] = field(default_factory=dict)  # state, digest
    interface_drafts: dict[str, bool] = field(default_factory=dict)  # language -> any?


_known = _Known()
_lock = threading.Lock()


def changed() -> None:
    """After a review or an accepted wording: every process reloads, this one at once."""
    generation = secrets.token_hex(8)
    cache.set(GENERATION_KEY, generation, timeout=None)
    _load(generation)


def refresh(*, force: bool = False) -> None:
    """Reload when another process changed something (checked at most every N seconds)."""
    every = settings.HAVEN_TRANSLATION_REFRESH_SECONDS
    now = time.monotonic()
    if not force and (every is None or now - _known.checked < every):
        return
    _known.checked = now
    generation = cache.get(GENERATION_KEY)
    if force or generation != _known.generation:
        _load(generation)


def _load(generation: str | None) -> None:
    with _lock:
        wordings = {
            (o.language, o.part, o.key): o.text
            for o in Override.objects.only("language", "part", "key", "text")
        }
        reviews = {
            (r.language, r.part, r.key): (r.state, r.text_digest)
            for r in Review.objects.only("language", "part", "key", "state", "text_digest")
        }
        interface_changed = _interface(wordings) != _interface(_known.wordings)
        _known.wordings, _known.reviews = wordings, reviews
        _known.interface_drafts = {}
        _known.generation = generation
        _known.checked = time.monotonic()
        screening_catalogue.use_wordings(
            {text: value for text, value in wordings.items() if text[1] != Part.INTERFACE}
        )
        if interface_changed:
            _install_interface(wordings)


def _interface(wordings: dict[Text, str]) -> dict[Text, str]:
    return {text: value for text, value in wordings.items() if text[1] == Part.INTERFACE}


def _install_interface(wordings: dict[Text, str]) -> None:
    """Reload the compiled catalogues and lay the accepted interface wordings over them
    (as Django does when a .mo file changes during development)."""
    trans_real._translations = {}  # type: ignore[attr-defined]
    trans_real._default = None  # type: ignore[attr-defined]
    for (language, _part, key), text in _interface(wordings).items():
        entry = sources.find(language, Part.INTERFACE, key)
        if entry is None:
            continue
        catalog = trans_real.translation(language)._catalog  # type: ignore[attr-defined]
        name = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        catalog[(name, 0) if entry.plural else name] = text


def reset() -> None:
    """Forget everything loaded (tests: each starts from the shipped texts)."""
    with _lock:
        had_interface = bool(_interface(_known.wordings))
        _known.__init__()  # type: ignore[misc]
        screening_catalogue.use_wordings({})
        if had_interface:
            _install_interface({})


def interface_has_drafts(language: str) -> bool:
    """Whether any page text in `language` is not reviewed (the interface says so)."""
    if language == settings.LANGUAGE_CODE:
        return False
    found = _known.interface_drafts.get(language)
    if found is None:
        found = any(
            state(language, entry) != ReviewState.REVIEWED
            for entry in sources.entries(language, Part.INTERFACE)
        )
        _known.interface_drafts[language] = found
    return found


def wording(language: str, entry: sources.Entry) -> str:
    """The text in use: an accepted wording, else the shipped translation."""
    return _known.wordings.get((language, entry.part, entry.key), entry.shipped)


def overridden(language: str, entry: sources.Entry) -> bool:
    return (language, entry.part, entry.key) in _known.wordings


def state(language: str, entry: sources.Entry) -> str:
    """Reviewed or needs change only for the very wording in use; else a draft."""
    text = wording(language, entry)
    if not text:
        return ReviewState.MISSING
    found = _known.reviews.get((language, entry.part, entry.key))
    if found is None or found[1] != sources.digest(text):
        return ReviewState.DRAFT
    return found[0]


def question_state(language: str, indicator: str, *, child: bool) -> str:
    """The review state of one interview question as the screener reads it."""
    if language == settings.LANGUAGE_CODE:
        return ReviewState.REVIEWED
    key = f"{indicator}:{'child' if child else 'adult'}"
    entry = sources.find(language, Part.QUESTION, key)
    return state(language, entry) if entry else ReviewState.MISSING
