"""Every text Haven shows in another language than English, with its English source and
where it appears: the units a translator reviews.

Parts: the interface catalogues (gettext), the interview questions (adult and child
wording) and indicator statements of the screening catalogue, the engine's explanation
messages, and the directory's service descriptions. Each text has a stable key within
its part.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

import polib
from django.conf import settings
from django.utils.translation import gettext as _

from haven.directory.models import DirectoryService
from haven.screening_engine.catalogue import shipped_catalogue
from haven.translations.models import Part


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Entry:
    part: str
    key: str
    source: str  # the English
    shipped: str  # the translation Haven ships (for the directory: the one stored)
    context: tuple[str, ...] = ()  # where it appears, in plain words
    child: bool = False  # an interview question worded for a child
    indicator: str = ""
    msgid: str = ""  # interface only: how gettext names it
    msgctxt: str = ""
    plural: bool = False


def languages() -> list[tuple[str, str]]:
    """The languages Haven is translated into (English is the source)."""
    return [
        (code, str(name)) for code, name in settings.LANGUAGES if code != settings.LANGUAGE_CODE
    ]


def catalogue_path(language: str) -> Path:
    return Path(settings.LOCALE_PATHS[0]) / language / "LC_MESSAGES" / "django.po"


def entries(language: str, part: str) -> tuple[Entry, ...]:
    if part == Part.INTERFACE:
        path = catalogue_path(language)
        return _interface(str(path), path.stat().st_mtime_ns)
    if part in (Part.QUESTION, Part.STATEMENT, Part.MESSAGE):
        return _catalogue(language, part)
    if part == Part.DIRECTORY:
        return _directory(language)
    raise ValueError(part)


def find(language: str, part: str, key: str) -> Entry | None:
    if part == Part.DIRECTORY:
        return next((e for e in _directory(language, key) if e.key == key), None)
    return _keyed(language, part).get(key)


_indexed: dict[tuple[str, str], tuple[tuple[Entry, ...], dict[str, Entry]]] = {}


def _keyed(language: str, part: str) -> dict[str, Entry]:
    """Entries by key, rebuilt only when the entries themselves were reloaded."""
    found = entries(language, part)
    cached = _indexed.get((language, part))
    if cached is None or cached[0] is not found:
        cached = (found, {e.key: e for e in found})
        _indexed[(language, part)] = cached
    return cached[1]


def interface_key(msgctxt: str, msgid: str) -> str:
    return digest(f"{msgctxt}\x04{msgid}")


@functools.lru_cache(maxsize=8)
def _interface(path: str, _mtime: int) -> tuple[Entry, ...]:
    found = []
    for entry in polib.pofile(path):
        if entry.obsolete:
            continue
        text = entry.msgstr_plural.get(0, "") if entry.msgid_plural else entry.msgstr
        source = f"{entry.msgid} / {entry.msgid_plural}" if entry.msgid_plural else entry.msgid
        places = sorted({file for file, _line in entry.occurrences})
        context = tuple(places[:6]) + ((f"({entry.msgctxt})",) if entry.msgctxt else ())
        found.append(
            Entry(
                part=Part.INTERFACE,
                key=interface_key(entry.msgctxt or "", entry.msgid),
                source=source,
                shipped=text,
                context=context,
                msgid=entry.msgid,
                msgctxt=entry.msgctxt or "",
                plural=bool(entry.msgid_plural),
            )
        )
    return tuple(found)


@functools.lru_cache(maxsize=32)
def _catalogue(language: str, part: str) -> tuple[Entry, ...]:
    catalogue = shipped_catalogue()
    if part == Part.MESSAGE:
        english = catalogue.messages["en"]
        translated = catalogue.messages.get(language, {})
        return tuple(
            Entry(Part.MESSAGE, key, text, translated.get(key, ""), ("engine explanations",))
            for key, text in english.items()
        )
    found = []
    for indicator in catalogue.indicators:
        where = (indicator.id, indicator.group, indicator.topic)
        if part == Part.STATEMENT:
            found.append(
                Entry(
                    Part.STATEMENT,
                    indicator.id,
                    indicator.statement,
                    indicator.statements.get(language, ""),
                    where,
                    indicator=indicator.id,
                )
            )
            continue
        source, worded = indicator.questions["en"], indicator.questions.get(language)
        for form in ("adult", "child"):
            found.append(
                Entry(
                    Part.QUESTION,
                    f"{indicator.id}:{form}",
                    getattr(source, form),
                    getattr(worded, form) if worded else "",
                    (*where, form),
                    child=form == "child",
                    indicator=indicator.id,
                )
            )
    return tuple(found)


def _directory(language: str, key: str = "") -> tuple[Entry, ...]:
    services = (
        DirectoryService.objects.exclude(description="")
        .select_related("provider")
        .order_by("provider__name", "kind", "pk")
    )
    if key:
        services = services.filter(pk=int(key) if key.isascii() and key.isdigit() else 0)
    return tuple(
        Entry(
            Part.DIRECTORY,
            str(service.pk),
            service.description,
            str(service.descriptions.get(language, "")),
            (service.provider.name, str(service.get_kind_display())),
        )
        for service in services
    )


def describe(entry: Entry) -> str:
    """Where the text appears, in one line for the translator."""
    if entry.part == Part.QUESTION:
        return _("Interview question for %(who)s, indicator %(id)s") % {
            "who": _("a child") if entry.child else _("an adult"),
            "id": entry.indicator,
        }
    if entry.part == Part.STATEMENT:
        return _("Statement of indicator %(id)s, shown in results") % {"id": entry.indicator}
    return ", ".join(entry.context)
