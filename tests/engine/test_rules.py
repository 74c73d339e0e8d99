"""Engine rules on a small hand-checkable catalogue."""

from __future__ import annotations

from typing import Any

import pytest

from haven.screening_engine import Catalogue, InputError, assess, parse_input, to_json
from haven.screening_engine.model import Result

ADULT_PRESUMED = {
    "dec_strong": "yes",
    "dec_weak": "yes",
    "exp_hours": "yes",
    "exp_no_pay": "yes",
    "coe_documents": "yes",
    "coe_threats": "yes",
}


def run(catalogue: Catalogue, **data: Any) -> Result:
    return assess(catalogue, parse_input(catalogue, data))


@pytest.mark.parametrize(
    ("answers", "positive", "rule"),
    [
        ({"dec_strong": "yes"}, False, None),
        ({"dec_strong": "yes", "dec_weak": "yes"}, True, "one strong and one medium or weak"),
        ({"dec_medium_1": "yes", "dec_medium_2": "yes"}, False, None),
        (
            {"dec_medium_1": "yes", "dec_medium_2": "yes", "dec_medium_3": "yes"},
            True,
            "three medium",
        ),
        (
            {"dec_medium_1": "yes", "dec_medium_2": "yes", "dec_weak": "yes"},
            True,
            "two medium and one weak",
        ),
        ({"dec_medium_1": "yes", "dec_weak": "yes"}, False, None),
    ],
)
def test_dimension_combination_rule(
    fixture_catalogue: Catalogue, answers: dict[str, str], positive: bool, rule: str | None
) -> None:
    result = run(fixture_catalogue, age_at_events=30, exploitation=["labour"], answers=answers)
    dimension = result.sets["adult_labour"].dimensions["deceptive_recruitment"]
    assert dimension.positive is positive
    assert dimension.rule == rule


def test_adult_presumed_by_act_means_and_purpose(fixture_catalogue: Catalogue) -> None:
    result = run(
        fixture_catalogue, age_at_events=30, exploitation=["labour"], answers=ADULT_PRESUMED
    )
    assert result.outcome == "presumed_victim"
    assert result.sets["adult_labour"].presumed
    assert result.elements["means"] is not None and result.elements["means"].met
    assert result.ilo_ec.met  # recruitment, exploitation and destination: the stricter rule too
    assert result.route.id == "adult"


def test_means_at_destination_suffice_without_recruitment(fixture_catalogue: Catalogue) -> None:
    """Recruited fairly, coerced on arrival: presumed, though the ILO/EC combination is not met."""
    answers = {
        "act_recruited": "yes",
        "exp_hours": "yes",
        "exp_no_pay": "yes",
        "coe_documents": "yes",
        "coe_threats": "yes",
    }
    result = run(fixture_catalogue, age_at_events=30, exploitation=["labour"], answers=answers)
    assert result.outcome == "presumed_victim"
    assert result.route.means == ("coercion_at_destination",)
    assert "coercion at destination" in result.route.text
    assert not result.ilo_ec.met
    assert "exploitation" in result.ilo_ec.dimensions


def test_without_means_an_adult_shows_indicators_only(fixture_catalogue: Catalogue) -> None:
    answers = {"act_recruited": "yes", "exp_hours": "yes", "exp_no_pay": "yes"}
    result = run(fixture_catalogue, age_at_events=30, exploitation=["labour"], answers=answers)
    assert result.outcome == "indicators_present"
    assert result.route.id == "concern"
    assert result.route.missing == ("means",)


def test_forced_sexual_services_are_the_purpose(fixture_catalogue: Catalogue) -> None:
    answers = {"act_recruited": "yes", "coe_documents": "yes", "coe_threats": "yes"}
    answers["exp_no_choice_clients"] = "yes"
    result = run(fixture_catalogue, age_at_events=25, exploitation=["sexual"], answers=answers)
    assert result.outcome == "presumed_victim"
    assert "purpose_alone" in result.route.purpose
    assert "sexual_exploitation" in result.flags


def test_an_act_alone_indicates_nothing(fixture_catalogue: Catalogue) -> None:
    result = run(fixture_catalogue, age_at_events=30, answers={"act_recruited": "yes"})
    assert result.outcome == "not_indicated"
    assert result.route.id == "seen_only"
    assert "act_recruited" in result.seen


def test_child_needs_no_means(fixture_catalogue: Catalogue) -> None:
    result = run(
        fixture_catalogue,
        age_at_events=15,
        exploitation=["labour"],
        answers={"act_recruited": "yes", "exp_hours": "yes", "exp_no_pay": "yes"},
    )
    assert result.outcome == "presumed_victim"
    assert result.elements["means"] is None
    assert "child" in result.flags
    assert result.sets["child_labour"].rule is not None
    step_ids = [s.id for s in result.next_steps]
    assert "appoint_guardian_notify_child_protection" in step_ids


def test_age_at_events_counts_not_age_now(fixture_catalogue: Catalogue) -> None:
    result = run(
        fixture_catalogue,
        age_at_events=17,
        answers={"act_recruited": "yes", "exp_hours": "yes", "exp_no_pay": "yes"},
    )
    assert result.child_rules


def test_unknown_age_possibly_child_applies_child_rules(fixture_catalogue: Catalogue) -> None:
    result = run(
        fixture_catalogue,
        age_at_events=None,
        possibly_child=True,
        answers={"act_recruited": "yes", "exp_hours": "yes", "exp_no_pay": "yes"},
    )
    assert result.outcome == "presumed_victim"
    assert {"child", "age_uncertain"} <= set(result.flags)
    assert "treat_as_child_until_age_assessed" in [s.id for s in result.next_steps]


def test_sexual_sets_apply_when_sexual_exploitation_named(fixture_catalogue: Catalogue) -> None:
    result = run(fixture_catalogue, age_at_events=30, exploitation=["sexual"], answers={})
    assert result.sets["adult_sexual"].applicable
    assert not result.sets["adult_labour"].applicable
    assert "sexual_exploitation" not in result.flags  # the form of work alone is no evidence
    assert result.outcome == "not_indicated"


def test_form_of_work_flags_only_with_coercion(fixture_catalogue: Catalogue) -> None:
    free = run(fixture_catalogue, age_at_events=30, exploitation=["sexual"], answers={})
    coerced = run(
        fixture_catalogue,
        age_at_events=30,
        exploitation=["sexual"],
        answers={"coe_threats": "yes"},
    )
    assert "sexual_exploitation" not in free.flags
    assert "sexual_exploitation" in coerced.flags


def test_unknown_and_declined_are_unexplored_not_no(fixture_catalogue: Catalogue) -> None:
    answers = {"act_recruited": "yes", "exp_hours": "yes", "exp_no_pay": "yes"}
    answers |= {"coe_documents": "unknown", "coe_threats": "declined"}
    result = run(fixture_catalogue, age_at_events=30, exploitation=["labour"], answers=answers)
    assert result.outcome == "indicators_present"
    assert dict(result.unexplored) == {"coe_documents": "unknown", "coe_threats": "declined"}
    assert "coe_documents" not in result.next_questions  # answered: never asked again


def test_suggests_the_question_that_would_change_the_outcome(fixture_catalogue: Catalogue) -> None:
    answers = {
        "act_recruited": "yes",
        "exp_hours": "yes",
        "exp_no_pay": "yes",
        "coe_documents": "yes",
        "dec_strong": "no",
        "smuggling_paid_crossing": "no",
        "protection_medical": "no",
    }
    result = run(fixture_catalogue, age_at_events=30, exploitation=["labour"], answers=answers)
    assert result.outcome == "indicators_present"
    # coe_documents (strong) plus one more coercion sign completes the means.
    assert result.suggestions[0].id == "coe_threats"
    assert result.suggestions[0].reason == "would_change_outcome"
    assert result.next_questions[0] == "coe_threats"


def test_child_missing_act_suggests_act_questions(fixture_catalogue: Catalogue) -> None:
    result = run(
        fixture_catalogue,
        age_at_events=14,
        exploitation=["labour"],
        answers={"exp_hours": "yes", "exp_no_pay": "yes"},
    )
    assert result.outcome == "indicators_present"
    assert result.suggestions[0].id == "act_recruited"
    assert result.suggestions[0].reason == "would_change_outcome"


def test_forced_labour_needs_involuntariness_and_penalty(fixture_catalogue: Catalogue) -> None:
    only_involuntary = run(fixture_catalogue, age_at_events=30, answers={"exp_hours": "yes"})
    assert "forced_labour" not in only_involuntary.flags
    both = run(
        fixture_catalogue, age_at_events=30, answers={"exp_hours": "yes", "coe_documents": "yes"}
    )
    assert "forced_labour" in both.flags


def test_smuggling_and_trafficking_together(fixture_catalogue: Catalogue) -> None:
    answers = {
        **ADULT_PRESUMED,
        "smuggling_paid_crossing": "yes",
        "smuggling_hidden_transport": "yes",
    }
    result = run(fixture_catalogue, age_at_events=30, exploitation=["labour"], answers=answers)
    assert result.outcome == "presumed_victim"
    assert "smuggling" in result.flags
    assert "smuggling_and_trafficking_together" in [s.id for s in result.next_steps]


def test_medical_need_comes_first(fixture_catalogue: Catalogue) -> None:
    result = run(fixture_catalogue, age_at_events=30, answers={"protection_medical": "yes"})
    assert result.next_steps[0].id == "suspend_for_medical_care"
    assert "medical_urgent" in result.flags


def test_protection_flags(fixture_catalogue: Catalogue) -> None:
    result = run(
        fixture_catalogue,
        age_at_events=30,
        answers={"protection_fear_return": "yes", "protection_no_documents": "yes"},
    )
    assert {"international_protection", "stateless_risk"} <= set(result.flags)


def test_forced_criminality_flag(fixture_catalogue: Catalogue) -> None:
    result = run(fixture_catalogue, age_at_events=30, answers={"exp_scam_compound": "yes"})
    assert "forced_criminality" in result.flags


def test_explanation_names_evidence_rule_and_ruleset(fixture_catalogue: Catalogue) -> None:
    result = run(
        fixture_catalogue, age_at_events=30, exploitation=["labour"], answers=ADULT_PRESUMED
    )
    assert "Fixture statement dec_strong" in result.explanation
    assert "fixture-1" in result.explanation
    assert "probability" not in result.explanation.lower()


def test_json_shape_is_the_contract(fixture_catalogue: Catalogue) -> None:
    payload = to_json(run(fixture_catalogue, age_at_events=30, answers=ADULT_PRESUMED))
    assert set(payload) >= {
        "ruleset",
        "outcome",
        "sets",
        "elements",
        "flags",
        "next_steps",
        "unexplored",
        "explanation",
    }
    assert set(payload["elements"]["act"]) >= {"met", "evidence"}
    assert payload["ilo_ec"]["met"] in (True, False)
    assert isinstance(payload["next_questions"], list)


def test_bad_input_names_every_offending_key(fixture_catalogue: Catalogue) -> None:
    with pytest.raises(InputError) as raised:
        parse_input(
            fixture_catalogue,
            {
                "age_at_events": "seventeen",
                "possibly_child": "yes",
                "exploitation": ["fishing"],
                "answers": {"no_such_indicator": "yes", "dec_strong": "maybe"},
                "extra": 1,
            },
        )
    text = "\n".join(raised.value.problems)
    for key in (
        "age_at_events",
        "possibly_child",
        "fishing",
        "no_such_indicator",
        "dec_strong",
        "extra",
    ):
        assert key in text
