"""Every catalogue is complete, well-formed, marked as a draft, and in step with the code."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

from haven.core import burmese

LOCALE = Path(settings.LOCALE_PATHS[0])
TRANSLATED = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
PLACEHOLDER = re.compile(r"%\([a-z_]+\)s")


def catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("language", TRANSLATED)
def test_catalogue_is_complete_and_not_fuzzy(language: str) -> None:
    po = catalogue(language)
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_placeholders_survive_translation(language: str) -> None:
    for entry in catalogue(language).translated_entries():
        expected = sorted(PLACEHOLDER.findall(entry.msgid))
        translations = list(entry.msgstr_plural.values()) if entry.msgstr_plural else [entry.msgstr]
        for text in translations:
            assert sorted(PLACEHOLDER.findall(text)) == expected, entry.msgid


def test_no_burmese_wording_reads_as_zawgyi() -> None:
    """A reviewer's file comes back through the Zawgyi check (haven.translations): a
    shipped Unicode wording that the detector takes for Zawgyi would refuse the file."""
    flagged = [
        entry.msgid
        for entry in catalogue("my").translated_entries()
        for text in (entry.msgstr_plural.values() if entry.msgstr_plural else [entry.msgstr])
        if burmese.looks_like_zawgyi(text)
    ]
    assert flagged == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_machine_drafts_say_so(language: str) -> None:
    # The shipped catalogues are machine drafts; review state is kept per text, per
    # deployment (haven.translations), not in these files.
    assert "machine-draft" in catalogue(language).metadata.get("X-Haven-Draft", "")


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs gettext's xgettext")
def test_catalogues_hold_every_string_in_the_code(tmp_path: Path) -> None:
    """Extract the strings afresh from a copy of the code and compare with the catalogue."""
    copy = tmp_path / "haven"
    shutil.copytree(LOCALE.parent, copy, ignore=shutil.ignore_patterns("*.mo", "__pycache__"))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "django",
            "makemessages",
            "-l",
            "km",
            "--no-location",
            "--no-obsolete",
            "-v",
            "0",
        ],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    fresh = {
        (e.msgctxt, e.msgid) for e in polib.pofile(str(copy / "locale/km/LC_MESSAGES/django.po"))
    }
    committed = {(e.msgctxt, e.msgid) for e in catalogue("km")}
    assert len(fresh) > 100
    assert fresh - committed == set(), "run makemessages in haven/ and translate the new strings"
