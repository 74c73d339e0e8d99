"""The command-line contract: `haven indicators`, `haven screen`, `haven bench screening`."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from haven.screening_engine import catalogue as catalogue_module
from haven.screening_engine import load_catalogue
from tests.engine.conftest import FIXTURE

CONTRACT_KEYS = {
    "ruleset",
    "outcome",
    "route",
    "key_reasons",
    "ilo_ec",
    "sets",
    "elements",
    "flags",
    "forced_labour",
    "smuggling",
    "seen",
    "next_steps",
    "next_questions",
    "unexplored",
    "explanation",
}
INDICATOR_KEYS = {
    "id",
    "kind",
    "dimension",
    "grades",
    "statement",
    "questions",
    "palermo",
    "ilo_forced_labour",
    "htcds",
    "sources",
}


@pytest.fixture(autouse=True)
def _fixture_catalogue(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    fixture = load_catalogue(FIXTURE)
    monkeypatch.setattr(catalogue_module, "default_catalogue", lambda: fixture)
    for module in ("indicators", "screen", "bench"):
        monkeypatch.setattr(
            f"haven.screening.management.commands.{module}.default_catalogue", lambda: fixture
        )
    yield


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def write(tmp_path: Path, content: object, name: str = "answers.json") -> str:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return str(path)


def test_indicators_json_has_every_contract_field() -> None:
    out, _err = run("indicators", "--format", "json")
    payload = json.loads(out)
    assert payload["ruleset"] == "fixture-1"
    assert payload["indicators"]
    for indicator in payload["indicators"]:
        assert set(indicator) >= INDICATOR_KEYS


def test_screen_prints_the_contract(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        {
            "age_at_events": 15,
            "possibly_child": False,
            "exploitation": ["labour"],
            "answers": {
                "act_recruited": "yes",
                "exp_hours": "yes",
                "exp_no_pay": "yes",
                "coe_threats": "unknown",
            },
        },
    )
    out, _err = run("screen", "--answers", path, "--format", "json")
    payload = json.loads(out)
    assert set(payload) == CONTRACT_KEYS
    assert payload["outcome"] == "presumed_victim"
    assert payload["elements"]["means"] is None
    assert "child" in payload["flags"]
    assert payload["unexplored"]["answers"] == [{"id": "coe_threats", "answer": "unknown"}]


@pytest.mark.parametrize(
    ("content", "named"),
    [
        ({"answers": {"no_such_indicator": "yes"}}, ["no_such_indicator"]),
        ({"answers": {"exp_hours": "maybe"}}, ["exp_hours"]),
        ({"answers": {"a_bad_id": "yes", "exp_hours": "perhaps"}}, ["a_bad_id", "exp_hours"]),
        ({"age_at_events": "old"}, ["age_at_events"]),
        ({"age_at_events": -1}, ["age_at_events"]),
        ({"possibly_child": "no"}, ["possibly_child"]),
        ({"exploitation": ["fishing"]}, ["fishing"]),
        ({"exploitation": "labour"}, ["exploitation"]),
        ({"answers": []}, ["answers"]),
        ({"surprise": 1}, ["surprise"]),
        ([1, 2], ["JSON object"]),
        ("{not json", ["not valid JSON"]),
    ],
)
def test_screen_refuses_bad_input_with_exit_2_naming_each_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: object, named: list[str]
) -> None:
    path = write(tmp_path, content)
    out = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("screen", "--answers", path, "--format", "json", stdout=out)
    assert raised.value.returncode == 2
    for key in named:
        assert key in str(raised.value)
    assert out.getvalue() == ""


def test_screen_refuses_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError) as raised:
        call_command("screen", "--answers", str(tmp_path / "missing.json"))
    assert raised.value.returncode == 2


def test_screen_jsonl_evaluates_one_line_each(tmp_path: Path) -> None:
    lines = [
        {"age_at_events": 30, "answers": {}},
        {
            "age_at_events": 14,
            "answers": {"act_recruited": "yes", "exp_hours": "yes", "exp_no_pay": "yes"},
        },
    ]
    path = write(tmp_path, "\n".join(json.dumps(line) for line in lines) + "\n", "a.jsonl")
    out, _err = run("screen", "--answers-jsonl", path)
    outcomes = [json.loads(line)["outcome"] for line in out.splitlines()]
    assert outcomes == ["not_indicated", "presumed_victim"]


def test_screen_jsonl_names_the_bad_line_and_prints_nothing(tmp_path: Path) -> None:
    path = write(tmp_path, '{"answers": {}}\n{"answers": {"nope": "yes"}}\n', "a.jsonl")
    out = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("screen", "--answers-jsonl", path, stdout=out)
    assert "line 2" in str(raised.value)
    assert "nope" in str(raised.value)
    assert out.getvalue() == ""


def test_screen_explains_in_the_chosen_language(tmp_path: Path) -> None:
    path = write(tmp_path, {"age_at_events": 30, "answers": {}})
    out, _err = run("screen", "--answers", path, "--format", "text", "--lang", "en")
    assert "fixture-1" in out


def test_bench_prints_assessments_per_second() -> None:
    out, _err = run("bench", "screening", "--count", "50", "--rounds", "1")
    assert "assessments per second" in out
    assert "baseline" in out
