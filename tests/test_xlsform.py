"""The screening as an XLSForm: it converts with pyxform and passes ODK Validate (Java),
asks every indicator in the six languages with the child wording only for a child, and
carries the ruleset version as the form's version."""

from __future__ import annotations

import io
import os
import shutil
import tempfile
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from pyxform.xls2xform import convert

from haven.interop import xlsform
from haven.screening_engine import default_catalogue

REQUIRED = os.environ.get("CI") == "true" or bool(os.environ.get("HAVEN_REQUIRE_BROWSER"))


def sheets() -> dict[str, list[dict[str, object]]]:
    book = openpyxl.load_workbook(io.BytesIO(xlsform.workbook()))
    found = {}
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        found[sheet.title] = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    return found


def test_every_question_in_six_languages_child_wording_for_a_child() -> None:
    catalogue = default_catalogue()
    survey = {row["name"]: row for row in sheets()["survey"]}
    columns = [f"label::{suffix}" for _code, suffix in xlsform.languages()]
    assert len(columns) == 6
    for indicator in catalogue.indicators:
        adult, child = survey[indicator.id], survey[indicator.id + xlsform.CHILD_SUFFIX]
        assert adult["relevant"] == "${is_child} = 0"
        assert child["relevant"] == "${is_child} = 1"
        assert adult["label::Khmer (km)"] == indicator.question("km", child=False)
        assert child["label::Burmese (my)"] == indicator.question("my", child=True)
        assert all(adult[column] for column in columns)
    assert survey["age_at_events"]["type"] == "integer"
    assert survey["ready_rights_explained"]["constraint"] == ". = 'yes'"
    answers = [row["name"] for row in sheets()["choices"] if row["list_name"] == "answer"]
    assert answers == ["yes", "no", "unknown", "declined"]
    (settings,) = sheets()["settings"]
    assert settings["version"] == catalogue.ruleset.version


def test_it_converts_and_passes_odk_validate() -> None:
    if shutil.which("java") is None:
        if REQUIRED:
            pytest.fail("ODK Validate needs Java: apt-get install openjdk-17-jre-headless")
        pytest.skip("no Java here: ODK Validate cannot run")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "screening.xlsx"
        path.write_bytes(xlsform.workbook())
        warnings: list[str] = []
        result = convert(xlsform=str(path), validate=True, warnings=warnings)
    assert warnings == []
    assert 'id="haven_screening"' in result.xform
    assert f'version="{default_catalogue().ruleset.version}"' in result.xform


def test_the_command() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "screening.xlsx"
        out = io.StringIO()
        call_command("xlsform", "export", "--output", str(path), stdout=out)
        assert path.stat().st_size > 10_000
        assert "in 6 languages" in out.getvalue()
        with pytest.raises(CommandError):
            call_command("xlsform", "export", "--output", str(Path(folder) / "x.csv"))
