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
    MEANS_DIMENSIONS,
    OUTCOMES,
    ScreeningInput,
)
from tests.engine.conftest import FIXTURE

RANK = {outcome: n for n, outcome in enumerate(OUTCOMES)}
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@dataclass(frozen=True)
class Named:
    """Ids of the indicators each invariant talks about, per catalogue."""

    catalogue: Catalogue
    border: tuple[str, ...]
    sex_work: str
    recruiter_known: str
    irregular_status: tuple[str, ...]


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
    )


def fixture() -> Named:
    return Named(
        load_catalogue(FIXTURE),
        ("context_crossed_border",),
        "context_sex_industry",
        "context_recruiter_known",
        ("vuln_irregular_status",),
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


def test_a_child_never_needs_means(named: Named) -> None:
    catalogue = named.catalogue
    means_only = [
        i.id
        for i in catalogue.indicators
        if i.dimension in MEANS_DIMENSIONS and "act" not in i.palermo
    ]

    @PROPERTY
    @given(inputs(catalogue), st.integers(0, 17))
    def check(screening: ScreeningInput, age: int) -> None:
        child = replace(screening, age_at_events=age)
        without_means = replace(
            child, answers={k: ("no" if k in means_only else v) for k, v in child.answers.items()}
        )
        presumed = assess(catalogue, child).outcome == "presumed_victim"
        assert (assess(catalogue, without_means).outcome == "presumed_victim") == presumed
        assert assess(catalogue, child).elements["means"] is None

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
