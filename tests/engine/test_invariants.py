"""Legal invariants as property tests, on the shipped catalogue and the fixture."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from haven.screening_engine import Catalogue, assess, default_catalogue, load_catalogue
from haven.screening_engine.model import (
    ANSWERS,
    EXPLOITATION_FORMS,
    OUTCOMES,
    ScreeningInput,
)
from tests.engine.conftest import FIXTURE

RANK = {outcome: n for n, outcome in enumerate(OUTCOMES)}
# Real signs of trafficking (ruleset.toml [concern]), besides forced-labour elements.
CONCERN = {
    "deceptive_recruitment",
    "coercive_recruitment",
    "exploitation",
    "coercion_at_destination",
}
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@dataclass(frozen=True)
class Named:
    """Ids of the indicators each invariant talks about, per catalogue."""

    catalogue: Catalogue
    border: tuple[str, ...]
    sex_work: str
    recruiter_known: str
    irregular_status: tuple[str, ...]
    life_better: str
    paid_crossing: str


def shipped() -> Named:
    catalogue = default_catalogue()
    ids = catalogue.by_id
    irregular = tuple(i for i in ids if "irregular" in i or "illegal_status" in i)
    return Named(
        catalogue,
        ("context_crossed_border",),
        "context_works_in_sex_industry",
        "context_recruiter_known_personally",
        irregular,
        "context_says_life_better_now",
        "smuggling_paid_for_crossing",
    )


def fixture() -> Named:
    return Named(
        load_catalogue(FIXTURE),
        ("context_crossed_border",),
        "context_sex_industry",
        "context_recruiter_known",
        ("vuln_irregular_status",),
        "context_recruiter_known",  # the fixture has no such item: a context answer stands in
        "smuggling_paid_crossing",
    )


CATALOGUES = {"shipped": shipped, "fixture": fixture}


@pytest.fixture(params=sorted(CATALOGUES), scope="module")
def named(request: pytest.FixtureRequest) -> Named:
    return CATALOGUES[request.param]()


def inputs(catalogue: Catalogue) -> st.SearchStrategy[ScreeningInput]:
    ids = [i.id for i in catalogue.indicators]
    return st.builds(
        ScreeningInput,
        age_at_events=st.one_of(st.none(), st.integers(0, 80)),
        possibly_child=st.booleans(),
        exploitation=st.lists(st.sampled_from(EXPLOITATION_FORMS), max_size=3).map(tuple),
        answers=st.dictionaries(st.sampled_from(ids), st.sampled_from(ANSWERS), max_size=60),
    )


def with_answer(screening: ScreeningInput, ident: str, answer: str) -> ScreeningInput:
    return replace(screening, answers={**screening.answers, ident: answer})  # type: ignore[dict-item]


def test_named_indicators_exist(named: Named) -> None:
    for ident in (*named.border, named.sex_work, named.recruiter_known, *named.irregular_status):
        assert ident in named.catalogue.by_id
    assert named.irregular_status


def test_one_more_yes_never_lowers_the_outcome_or_removes_a_flag(named: Named) -> None:
    catalogue = named.catalogue
    ids = [i.id for i in catalogue.indicators]

    @PROPERTY
    @given(inputs(catalogue), st.sampled_from(ids))
    def check(screening: ScreeningInput, ident: str) -> None:
        before = assess(catalogue, screening)
        after = assess(catalogue, with_answer(screening, ident, "yes"))
        assert RANK[after.outcome] >= RANK[before.outcome]
        assert set(before.flags) <= set(after.flags)

    check()


def test_the_outcome_never_contradicts_the_elements_it_shows(named: Named) -> None:
    """Adult: presumed exactly when act, means and purpose are met. Child: act and purpose,
    and means are never asked for."""
    catalogue = named.catalogue

    @PROPERTY
    @given(inputs(catalogue))
    def check(screening: ScreeningInput) -> None:
        result = assess(catalogue, screening)
        elements = result.elements
        shown = [e for e in elements.values() if e is not None]
        assert (result.outcome == "presumed_victim") == all(e.met for e in shown)
        if result.child_rules:
            assert elements["means"] is None
        else:
            assert elements["means"] is not None

    check()


def test_a_child_never_needs_means(named: Named) -> None:
    catalogue = named.catalogue

    @PROPERTY
    @given(inputs(catalogue), st.integers(0, 17))
    def check(screening: ScreeningInput, age: int) -> None:
        result = assess(catalogue, replace(screening, age_at_events=age))
        act, purpose = result.elements["act"], result.elements["purpose"]
        assert act is not None and purpose is not None
        assert (result.outcome == "presumed_victim") == (act.met and purpose.met)
        assert result.elements["means"] is None

    check()


def test_an_act_alone_is_not_indicated(named: Named) -> None:
    catalogue = named.catalogue
    acts = [i.id for i in catalogue.indicators if i.dimension == "act"]
    others = [i.id for i in catalogue.indicators if i.dimension != "act"]

    @PROPERTY
    @given(
        inputs(catalogue),
        st.lists(st.sampled_from(acts), min_size=1, unique=True),
        st.dictionaries(st.sampled_from(others), st.sampled_from(("no", "unknown", "declined"))),
    )
    def check(screening: ScreeningInput, yes: list[str], rest: dict[str, str]) -> None:
        only_acts = replace(screening, answers={**rest, **dict.fromkeys(yes, "yes")})
        assert assess(catalogue, only_acts).outcome == "not_indicated"

    check()


def test_vulnerability_context_and_smuggling_alone_raise_no_concern(named: Named) -> None:
    """Poverty, irregular status, fear of the authorities, an act, context and smuggling signs
    alone give "not indicated" for trafficking; what was seen is still listed."""
    catalogue = named.catalogue
    weak = [
        i.id
        for i in catalogue.indicators
        if i.dimension not in CONCERN and not i.forced_labour_element
    ]

    @PROPERTY
    @given(inputs(catalogue), st.lists(st.sampled_from(weak), min_size=1, unique=True))
    def check(screening: ScreeningInput, yes: list[str]) -> None:
        result = assess(catalogue, replace(screening, answers=dict.fromkeys(yes, "yes")))
        assert result.outcome == "not_indicated"
        assert set(result.seen) == set(yes)

    check()


def test_a_free_sex_workers_answers_never_raise_sexual_exploitation(named: Named) -> None:
    catalogue = named.catalogue
    # She answers "no" or "don't know" to every sign of deception, coercion or exploitation;
    # anything else (an act, vulnerability, context, her own wishes) may be yes.
    signs = {
        i.id
        for i in catalogue.indicators
        if i.dimension in CONCERN or i.forced_labour_element or "sexual_exploitation" in i.flags
    }
    free = [i.id for i in catalogue.indicators if i.id not in signs]

    @PROPERTY
    @given(
        st.one_of(st.none(), st.integers(18, 60)),
        st.dictionaries(st.sampled_from(free), st.sampled_from(ANSWERS)),
        st.dictionaries(st.sampled_from(sorted(signs)), st.sampled_from(("no", "unknown"))),
    )
    def check(age: int | None, chosen: dict[str, str], refused: dict[str, str]) -> None:
        answers = {**chosen, **refused, named.sex_work: "yes"}
        screening = ScreeningInput(age, False, ("sexual",), answers)  # type: ignore[arg-type]
        result = assess(catalogue, screening)
        assert "sexual_exploitation" not in result.flags
        assert result.outcome != "presumed_victim"

    check()


def test_regular_status_never_lowers_the_verdict(named: Named) -> None:
    catalogue = named.catalogue

    @PROPERTY
    @given(inputs(catalogue))
    def check(screening: ScreeningInput) -> None:
        regular, irregular, unsaid = screening, screening, screening
        for ident in named.irregular_status:
            regular = with_answer(regular, ident, "no")
            irregular = with_answer(irregular, ident, "yes")
            unsaid = replace(
                unsaid, answers={k: v for k, v in unsaid.answers.items() if k != ident}
            )
        outcome = RANK[assess(catalogue, regular).outcome]
        assert outcome == RANK[assess(catalogue, unsaid).outcome]
        assert outcome <= RANK[assess(catalogue, irregular).outcome]

    check()


def test_life_better_now_never_lowers_the_verdict(named: Named) -> None:
    catalogue = named.catalogue

    @PROPERTY
    @given(inputs(catalogue))
    def check(screening: ScreeningInput) -> None:
        better = assess(catalogue, with_answer(screening, named.life_better, "yes"))
        worse = assess(catalogue, with_answer(screening, named.life_better, "no"))
        assert better.outcome == worse.outcome
        assert better.flags == worse.flags

    check()


def test_paid_irregular_crossing_is_smuggling(named: Named) -> None:
    catalogue = named.catalogue

    @PROPERTY
    @given(inputs(catalogue))
    def check(screening: ScreeningInput) -> None:
        result = assess(catalogue, with_answer(screening, named.paid_crossing, "yes"))
        assert "smuggling" in result.flags

    check()


def test_answered_questions_are_never_asked_again(named: Named) -> None:
    catalogue = named.catalogue

    @PROPERTY
    @given(inputs(catalogue))
    def check(screening: ScreeningInput) -> None:
        result = assess(catalogue, screening)
        assert not set(result.next_questions) & set(screening.answers)
        assert len(result.next_questions) == len(set(result.next_questions))

    check()


def test_no_border_crossing_is_ever_required(named: Named) -> None:
    catalogue = named.catalogue

    @PROPERTY
    @given(inputs(catalogue))
    def check(screening: ScreeningInput) -> None:
        crossed = screening
        stayed = screening
        for ident in named.border:
            crossed, stayed = with_answer(crossed, ident, "yes"), with_answer(stayed, ident, "no")
        assert assess(catalogue, stayed).outcome == assess(catalogue, crossed).outcome

    check()


def test_form_of_work_alone_never_presumes(named: Named) -> None:
    catalogue = named.catalogue
    for age in (None, 15, 30):
        screening = ScreeningInput(
            age_at_events=age,
            possibly_child=False,
            exploitation=("sexual",),
            answers={named.sex_work: "yes"},
        )
        assert assess(catalogue, screening).outcome != "presumed_victim"


def test_without_any_trafficking_indicator_nothing_is_presumed(named: Named) -> None:
    catalogue = named.catalogue
    other = [i.id for i in catalogue.indicators if i.kind != "trafficking"]

    @PROPERTY
    @given(inputs(catalogue), st.lists(st.sampled_from(other), unique=True))
    def check(screening: ScreeningInput, yes: list[str]) -> None:
        only_other = replace(screening, answers=dict.fromkeys(yes, "yes"))
        assert assess(catalogue, only_other).outcome == "not_indicated"

    check()


def test_irregular_status_alone_never_presumes(named: Named) -> None:
    catalogue = named.catalogue
    for age in (None, 15, 30):
        for exploitation in ((), ("labour",), ("sexual",)):
            answers = dict.fromkeys(named.irregular_status, "yes")
            screening = ScreeningInput(age, False, exploitation, answers)  # type: ignore[arg-type]
            assert assess(catalogue, screening).outcome != "presumed_victim"


def test_relationship_with_recruiter_never_lowers_the_result(named: Named) -> None:
    catalogue = named.catalogue

    @PROPERTY
    @given(inputs(catalogue))
    def check(screening: ScreeningInput) -> None:
        known = assess(catalogue, with_answer(screening, named.recruiter_known, "yes"))
        unknown = assess(catalogue, with_answer(screening, named.recruiter_known, "no"))
        assert RANK[known.outcome] >= RANK[unknown.outcome]

    check()


def test_smuggling_never_lowers_trafficking(named: Named) -> None:
    catalogue = named.catalogue
    smuggling = [i.id for i in catalogue.indicators if i.kind == "smuggling"]

    @PROPERTY
    @given(inputs(catalogue))
    def check(screening: ScreeningInput) -> None:
        smuggled = replace(
            screening, answers={**screening.answers, **dict.fromkeys(smuggling, "yes")}
        )
        assert (
            RANK[assess(catalogue, smuggled).outcome] >= RANK[assess(catalogue, screening).outcome]
        )

    check()
