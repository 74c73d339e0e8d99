"""Disclosure control, k-anonymity and differentially private counts: what leaves Haven as
statistics cannot be traced back to a person. No database: these are pure functions."""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from haven.stats.anonymise import (
    Ladder,
    age_band_ladder,
    category_ladder,
    k_anonymise,
    region_ladder,
    year_ladder,
)
from haven.stats.disclosure import Protected, Rules, protect, protect_counts
from haven.stats.privacy import noisy_counts

# --- disclosure: helpers ---------------------------------------------------------------------

_PRIME = 2**61 - 1


def _entries(counts: Sequence[Sequence[int]], p: Protected) -> list[tuple[int, int | None]]:
    """(true value, shown value) for every cell, row total, column total, then the total."""
    n_rows, n_columns = len(counts), len(p.columns)
    true_cells = [n for row in counts for n in row]
    true_rows = [sum(row) for row in counts]
    true_columns = [sum(row[j] for row in counts) for j in range(n_columns)]
    true = [*true_cells, *true_rows, *true_columns, sum(true_rows)]
    shown = [
        *(p.cells[i][j] for i in range(n_rows) for j in range(n_columns)),
        *p.row_totals,
        *p.column_totals,
        p.total,
    ]
    return list(zip(true, shown, strict=True))


def _lines(n_rows: int, n_columns: int) -> list[tuple[list[int], int]]:
    """The additions a reader can use, over the entry numbering of `_entries`."""
    cells = n_rows * n_columns
    total = cells + n_rows + n_columns
    return [
        *(([i * n_columns + j for j in range(n_columns)], cells + i) for i in range(n_rows)),
        *(
            ([i * n_columns + j for i in range(n_rows)], cells + n_rows + j)
            for j in range(n_columns)
        ),
        ([cells + i for i in range(n_rows)], total),
        ([cells + n_rows + j for j in range(n_columns)], total),
    ]


def _recoverable(counts: Sequence[Sequence[int]], p: Protected) -> set[int]:
    """Hidden entries that the shown ones determine, by any combination of the additions.

    A hidden entry h is determined exactly when the unit vector e_h lies in the row space of
    the additions restricted to the hidden entries. The additions form a network matrix
    (totally unimodular), so ranks over the integers modulo a large prime are the true ranks.
    """
    entries = _entries(counts, p)
    hidden = {e for e, (_, shown) in enumerate(entries) if shown is None}
    basis: dict[int, dict[int, int]] = {}  # pivot -> row, reduced: zero at other pivots

    def reduce(row: dict[int, int]) -> dict[int, int]:
        row = dict(row)
        for pivot, base in basis.items():
            factor = row.get(pivot, 0)
            if factor:
                for e, c in base.items():
                    row[e] = (row.get(e, 0) - factor * c) % _PRIME
        return {e: c for e, c in row.items() if c}

    for parts, total in _lines(len(counts), len(p.columns)):
        row = {e: 1 for e in parts if e in hidden}
        if total in hidden:
            row[total] = _PRIME - 1
        row = reduce(row)
        if not row:
            continue
        pivot = min(row)
        inverse = pow(row[pivot], -1, _PRIME)
        row = {e: c * inverse % _PRIME for e, c in row.items()}
        for other, base in basis.items():
            factor = base.get(pivot, 0)
            if factor:
                basis[other] = {
                    e: c
                    for e in set(base) | set(row)
                    if (c := (base.get(e, 0) - factor * row.get(e, 0)) % _PRIME)
                }
        basis[pivot] = row
    return {h for h in hidden if not reduce({h: 1})}


def _rounded(n: int, base: int) -> int:
    lower = n - n % base
    result = lower + base if 2 * (n - lower) >= base else lower
    return base if result == 0 and n > 0 else result


# --- disclosure: worked examples --------------------------------------------------------------


def test_one_small_cell_in_a_two_by_two_hides_all_four_cells() -> None:
    p = protect(["a", "b"], ["x", "y"], [[3, 20], [30, 40]])
    assert p.cells == ((None, None), (None, None))
    # Totals come from the true counts and are rounded on their own.
    assert p.row_totals == (25, 70)
    assert p.column_totals == (35, 60)
    assert p.total == 95
    assert (p.primary, p.secondary) == (1, 3)
    # Every cell is hidden, though only one was small; the margins still show.
    assert p.all_suppressed
    assert not p.empty
    assert _recoverable([[3, 20], [30, 40]], p) == set()


def test_a_table_of_small_counts_is_all_suppressed() -> None:
    p = protect(["a", "b"], ["x", "y"], [[1, 2], [3, 4]])
    assert p.cells == ((None, None), (None, None))
    assert p.row_totals == (None, None)  # 3 and 7
    assert p.column_totals == (None, None)  # 4 and 6
    assert p.total is None  # 10 is small too
    assert p.all_suppressed
    assert not p.empty


def test_zeros_are_shown_and_never_hidden_to_protect_others() -> None:
    p = protect(["a", "b"], ["x", "y"], [[0, 5], [0, 40]])
    assert p.cells[0][0] == 0
    assert p.cells[1][0] == 0
    assert p.column_totals[0] == 0
    # The small 5 takes the 40 below it (the zero beside it cannot help), and so the row totals.
    assert p.cells[0][1] is None
    assert p.cells[1][1] is None
    assert p.row_totals == (None, None)
    assert p.column_totals[1] == 45
    assert _recoverable([[0, 5], [0, 40]], p) == set()


def test_an_empty_table_shows_zeros() -> None:
    p = protect(["a", "b"], ["x"], [[0], [0]])
    assert p.empty
    assert p.all_suppressed  # nothing non-zero is shown
    assert p.cells == ((0,), (0,))
    assert (p.total, p.primary, p.secondary) == (0, 0, 0)
    assert protect([], [], []).empty


def test_two_blocks_joined_by_one_hidden_cell_get_a_second_link() -> None:
    # Rows and columns alone: 3 and 3 and 5 are small; row 0 then hides the 15, row 1 the
    # other 15, column 1 its total, the row totals line the 18. Every line has two hidden
    # entries, yet the 3 at (0, 2) is row 0's total 18, less column 0's 50 - 30, less row 2's 5:
    # it is the only link between two blocks of hidden entries. More must be hidden.
    counts = [[15, 0, 3], [30, 15, 3], [5, 0, 0]]
    p = protect(["a", "b", "c"], ["x", "y", "z"], counts, Rules(threshold=11, base=1))
    assert p.cells[0][2] is None
    assert _recoverable(counts, p) == set()
    assert p.secondary >= 5


def test_rounding_is_to_the_nearest_multiple_halves_up() -> None:
    rules = Rules(threshold=2, base=10)
    p = protect_counts({"a": 14, "b": 15, "c": 25, "d": 96}, rules)
    assert p.cells == ((10,), (20,), (30,), (100,))
    assert p.total == 150  # 150 exactly: rounded on its own, not the sum of rounded cells
    assert protect_counts({"a": 14}, Rules(threshold=2, base=1)).cells == ((14,),)


def test_a_shown_count_never_rounds_to_zero() -> None:
    p = protect_counts({"a": 4, "b": 30}, Rules(threshold=3, base=10))
    assert p.cells == ((10,), (30,))
    assert p.total == 30  # 34


def test_a_one_column_table_has_its_row_totals_equal_to_its_cells() -> None:
    p = protect_counts({"a": 3, "b": 20, "c": 0, "d": 40})
    assert p.columns == ("count",)
    assert p.cells == ((None,), (None,), (0,), (40,))
    assert p.row_totals == (None, None, 0, 40)
    assert p.total == 65
    # The hidden 3 and the 20 hidden with it, each counted once though shown twice.
    assert (p.primary, p.secondary) == (1, 1)


def test_a_one_row_table_protects_its_cells_through_the_total() -> None:
    counts = [[5, 20, 30]]
    p = protect(["all"], ["x", "y", "z"], counts)
    assert p.cells == ((None, None, 30),)
    assert p.column_totals == (None, None, 30)
    assert p.row_totals == (55,)
    assert (p.primary, p.secondary) == (1, 1)
    assert _recoverable(counts, p) == set()


def test_protect_is_deterministic() -> None:
    rng = random.Random(7)  # noqa: S311 - reproducible test data, not secrets
    counts = [[rng.randint(0, 30) for _ in range(5)] for _ in range(5)]
    labels = ["a", "b", "c", "d", "e"]
    assert protect(labels, labels, counts) == protect(labels, labels, counts)


@pytest.mark.parametrize(
    ("rows", "columns", "counts"),
    [
        (["a"], ["x"], [[-1]]),
        (["a", "b"], ["x", "y"], [[1, 2], [3]]),
        (["a"], ["x"], [[1], [2]]),
        (["a"], ["x"], [[1.5]]),
    ],
)
def test_protect_refuses_bad_tables(
    rows: list[str], columns: list[str], counts: list[list[int]]
) -> None:
    with pytest.raises(ValueError):
        protect(rows, columns, counts)


@pytest.mark.parametrize(("threshold", "base"), [(1, 5), (0, 5), (11, 0)])
def test_rules_refuse_a_threshold_below_2_or_a_base_below_1(threshold: int, base: int) -> None:
    with pytest.raises(ValueError):
        Rules(threshold=threshold, base=base)


# --- disclosure: properties ------------------------------------------------------------------


@st.composite
def _tables(draw: st.DrawFn) -> tuple[list[list[int]], Rules]:
    n_rows = draw(st.integers(1, 6))
    n_columns = draw(st.integers(1, 6))
    value = st.one_of(st.just(0), st.integers(1, 15), st.integers(0, 40))
    counts = draw(
        st.lists(
            st.lists(value, min_size=n_columns, max_size=n_columns),
            min_size=n_rows,
            max_size=n_rows,
        )
    )
    return counts, Rules(threshold=draw(st.integers(2, 15)), base=draw(st.integers(1, 10)))


@settings(max_examples=200, deadline=None)
@given(_tables())
def test_protected_tables_hide_small_counts_and_cannot_be_undone(
    table: tuple[list[list[int]], Rules],
) -> None:
    counts, rules = table
    rows = [f"r{i}" for i in range(len(counts))]
    columns = [f"c{j}" for j in range(len(counts[0]))]
    p = protect(rows, columns, counts, rules)
    entries = _entries(counts, p)
    for true, shown in entries:
        if true == 0:
            assert shown == 0  # zeros stay zeros
        elif shown is not None:
            assert true >= rules.threshold  # no small count is shown
            assert shown == _rounded(true, rules.base)
            assert shown > 0
            assert shown % rules.base == 0
    for parts, total in _lines(len(rows), len(columns)):
        hidden = sum(entries[e][1] is None for e in [*parts, total])
        assert hidden != 1
    assert _recoverable(counts, p) == set()
    if len(columns) == 1:
        assert p.row_totals == tuple(row[0] for row in p.cells)
    assert p.all_suppressed == all(v in (0, None) for row in p.cells for v in row)


# --- k-anonymity ------------------------------------------------------------------------------

REGIONS = {"TH": "South-East Asia", "MM": "South-East Asia", "NP": "South Asia"}


def _people(n: int, seed: int = 1) -> list[dict[str, str]]:
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    bands = ["0-11", "12-17", "18-24", "25-34", "35-44", "45-59", "60+", "unknown"]
    return [
        {
            "id": str(i),
            "age": rng.choice(bands),
            "citizenship": rng.choice(["TH", "MM", "NP", "KH", "VN"]),
            "year": str(rng.randint(2018, 2025)),
            "sex": rng.choice(["Feminine", "Masculine"]),
            "note": "kept as it is",
        }
        for i in range(n)
    ]


def _ladders() -> list[Ladder]:
    return [
        age_band_ladder("age"),
        region_ladder("citizenship", REGIONS),
        year_ladder("year"),
        category_ladder("sex", "sex"),
    ]


def _classes(records: Sequence[dict[str, str]], columns: Sequence[str]) -> Counter[tuple[str, ...]]:
    return Counter(tuple(r[c] for c in columns) for r in records)


def test_k_anonymise_generalises_until_every_group_has_k() -> None:
    people = _people(400)
    release = k_anonymise(people, _ladders(), k=5, max_suppressed=0.05)
    assert release.quasi_identifiers == ("age", "citizenship", "year", "sex")
    assert release.k == 5
    assert release.total == 400
    assert release.suppressed + len(release.records) == 400
    assert release.suppressed <= 0.05 * 400
    assert min(_classes(release.records, release.quasi_identifiers).values()) >= 5
    assert set(release.generalisation) == {"age", "citizenship", "year", "sex"}
    assert release.generalisation != dict.fromkeys(release.generalisation, "as recorded")
    for ladder in _ladders():
        names = {"as recorded", *(name for name, _ in ladder.steps)}
        assert release.generalisation[ladder.column] in names
    # Other columns are kept as they are, and the records keep their order.
    by_id = {p["id"]: p for p in people}
    ids = [r["id"] for r in release.records]
    assert ids == sorted(ids, key=int)
    for record in release.records:
        assert record["note"] == by_id[record["id"]]["note"]
        assert set(record) == set(by_id[record["id"]])


def test_k_anonymise_names_the_steps_applied() -> None:
    # Six ages, all different: child or adult groups 4 adults and leaves 2 children, within
    # the third allowed to be suppressed. Sex needs nothing.
    people = [
        {"age": band, "sex": "Feminine"}
        for band in ["0-11", "12-17", "18-24", "25-34", "35-44", "45-59"]
    ]
    ladders = [age_band_ladder("age"), category_ladder("sex")]
    release = k_anonymise(people, ladders, k=3, max_suppressed=0.34)
    assert release.generalisation == {"age": "child/adult", "sex": "as recorded"}
    assert [r["age"] for r in release.records] == ["18+"] * 4
    assert release.suppressed == 2
    # With nothing allowed to be suppressed, age goes all the way.
    strict = k_anonymise(people, ladders, k=3, max_suppressed=0)
    assert strict.generalisation == {"age": "suppressed", "sex": "as recorded"}
    assert strict.suppressed == 0
    assert [r["age"] for r in strict.records] == ["*"] * 6


def test_k_anonymise_suppresses_everything_when_nothing_reaches_k() -> None:
    people = [{"age": "18-24", "sex": "Feminine"}, {"age": "0-11", "sex": "Masculine"}]
    release = k_anonymise(people, [age_band_ladder("age"), category_ladder("sex")], k=3)
    assert release.records == []
    assert release.suppressed == 2
    assert release.generalisation == {"age": "suppressed", "sex": "suppressed"}


def test_k_anonymise_is_deterministic() -> None:
    people = _people(300, seed=3)
    assert k_anonymise(people, _ladders(), k=4) == k_anonymise(people, _ladders(), k=4)


def test_k_anonymise_of_nothing() -> None:
    release = k_anonymise([], _ladders(), k=5)
    assert (release.records, release.suppressed, release.total) == ([], 0, 0)


@pytest.mark.parametrize(
    ("k", "max_suppressed", "ladders"),
    [
        (1, 0.05, None),
        (5, -0.1, None),
        (5, 1.5, None),
        (5, math.nan, None),
        (5, 0.05, [category_ladder("missing")]),
        (5, 0.05, []),
        (5, 0.05, [category_ladder("sex"), category_ladder("sex")]),
    ],
)
def test_k_anonymise_refuses_bad_parameters(
    k: int, max_suppressed: float, ladders: list[Ladder] | None
) -> None:
    with pytest.raises(ValueError):
        k_anonymise(_people(10), _ladders() if ladders is None else ladders, k, max_suppressed)


def test_a_ladder_must_end_by_suppressing() -> None:
    ladder = Ladder("sex", (("sex", lambda v: v), ("first letter", lambda v: v[:1])))
    with pytest.raises(ValueError, match="must map every value"):
        k_anonymise(_people(50), [ladder], k=100)


def test_ready_made_ladders() -> None:
    def steps(ladder: Ladder, value: str) -> list[tuple[str, str]]:
        return [(name, generalise(value)) for name, generalise in ladder.steps]

    age = age_band_ladder("age")
    assert steps(age, "12-17") == [
        ("age bands", "12-17"),
        ("child/adult", "0-17"),
        ("suppressed", "*"),
    ]
    assert steps(age, "0-11")[1] == ("child/adult", "0-17")
    assert steps(age, "18-24")[1] == ("child/adult", "18+")
    assert steps(age, "60+")[1] == ("child/adult", "18+")
    assert steps(age, "unknown")[1] == ("child/adult", "unknown")
    with pytest.raises(ValueError, match="both children and adults"):
        steps(age, "15-19")

    year = year_ladder("year")
    assert steps(year, "2024") == [
        ("year", "2024"),
        ("3-year period", "2023-2025"),
        ("suppressed", "*"),
    ]
    assert [year.steps[1][1](y) for y in ("2022", "2023", "2025", "2026")] == [
        "2020-2022",
        "2023-2025",
        "2023-2025",
        "2026-2028",
    ]
    assert year.steps[1][1]("unknown") == "unknown"

    region = region_ladder("citizenship", REGIONS)
    assert steps(region, "TH") == [
        ("country", "TH"),
        ("region", "South-East Asia"),
        ("suppressed", "*"),
    ]
    assert steps(region, "FR")[1] == ("region", "other")

    assert steps(category_ladder("industry"), "fishing") == [
        ("category", "fishing"),
        ("suppressed", "*"),
    ]
    assert category_ladder("industry", "industry").steps[0][0] == "industry"


@st.composite
def _datasets(draw: st.DrawFn) -> tuple[list[dict[str, str]], int, float]:
    row = st.fixed_dictionaries(
        {
            "age": st.sampled_from(["0-11", "12-17", "18-24", "25-34", "60+", "unknown"]),
            "citizenship": st.sampled_from(["TH", "MM", "NP", "KH"]),
            "year": st.sampled_from(["2019", "2020", "2023", "2024"]),
            "sex": st.sampled_from(["Feminine", "Masculine"]),
        }
    )
    people = draw(st.lists(row, max_size=60))
    for i, person in enumerate(people):
        person["id"] = str(i)
    return people, draw(st.integers(2, 6)), draw(st.sampled_from([0.0, 0.05, 0.2, 1.0]))


@settings(max_examples=150, deadline=None)
@given(_datasets())
def test_every_released_combination_is_shared_by_k(
    dataset: tuple[list[dict[str, str]], int, float],
) -> None:
    people, k, max_suppressed = dataset
    ladders = _ladders()
    release = k_anonymise(people, ladders, k, max_suppressed)
    classes = _classes(release.records, release.quasi_identifiers)
    assert all(size >= k for size in classes.values())
    assert release.suppressed + len(release.records) == release.total == len(people)
    at_top = all(release.generalisation[ladder.column] == ladder.steps[-1][0] for ladder in ladders)
    assert at_top or release.suppressed <= max_suppressed * len(people)
    by_id = {p["id"]: p for p in people}
    for record in release.records:
        assert record["id"] in by_id


def test_k_anonymise_copes_with_many_records() -> None:
    people = _people(50_000, seed=5)
    release = k_anonymise(people, _ladders(), k=10)
    assert release.total == 50_000
    assert min(_classes(release.records, release.quasi_identifiers).values()) >= 10


# --- differential privacy ---------------------------------------------------------------------


@pytest.mark.parametrize("epsilon", [0, -1, 10.5, math.nan, math.inf])
def test_noisy_counts_refuse_epsilon_out_of_range(epsilon: float) -> None:
    with pytest.raises(ValueError):
        noisy_counts({("a",): 1}, epsilon)


def test_noisy_counts_refuse_negative_counts() -> None:
    with pytest.raises(ValueError):
        noisy_counts({("a",): -1}, 1.0)


def test_noisy_counts_add_laplace_noise_of_scale_one_over_epsilon() -> None:
    counts: dict[tuple[str, ...], int] = {(f"cell{i}", "x"): 1000 for i in range(2000)}
    noisy = noisy_counts(counts, 1.0)
    assert noisy.labels == tuple(counts)
    assert (noisy.epsilon, noisy.scale, noisy.sensitivity) == (1.0, 1.0, 1)
    differences = [abs(n - 1000) for n in noisy.counts]
    assert any(differences)
    mean = sum(differences) / len(differences)
    # Discrete Laplace with P(x) proportional to exp(-|x|/scale): E|X| = 2a / (1 - a^2) with
    # a = exp(-1/scale), 0.85 for scale 1; the mean of 2,000 has a standard error near 0.024.
    a = math.exp(-1 / noisy.scale)
    assert abs(mean - 2 * a / (1 - a * a)) < 0.15
    assert 0.5 * noisy.scale <= mean <= 1.5 * noisy.scale


def test_noisy_counts_never_go_below_zero() -> None:
    noisy = noisy_counts({(str(i),): 0 for i in range(500)}, 0.1)
    assert min(noisy.counts) == 0
    assert max(noisy.counts) > 0
    assert noisy.scale >= 10


def test_noisy_counts_keep_within_epsilon_when_one_over_epsilon_rounds_down() -> None:
    noisy = noisy_counts({("a",): 5, ("b",): 7}, 3.0)
    assert noisy.scale >= 1 / 3
    assert noisy.labels == (("a",), ("b",))
    assert noisy_counts({}, 1.0).counts == ()
