"""Disclosure control (reports.disclosure): intervals, rounding, suppression, pooling.

No database: everything here is pure computation. The property tests run many
seeded random tables through ``protect_table`` and check the published result
with code that shares nothing with the implementation: plain sums for the
per-line rules and a linear-programming attacker (scipy's HiGHS) who knows
every shown figure *unrounded* and derives the tightest range for every hidden
cell.

Shares and intervals are published as whole percentages, computed from the
counts as shown (rounded ones across institutions): the tests compare them at
that precision, with the exact fraction rounded half up (:func:`percent`).
"""

import math
import warnings
from dataclasses import FrozenInstanceError, dataclass
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog
from statsmodels.stats.proportion import proportion_confint

from reports.disclosure.attacker import first_weak_cell
from reports.disclosure.institutions import OTHER_INSTITUTIONS, institutions_to_pool, pool_unconsented
from reports.disclosure.intervals import wilson_interval, wilson_intervals
from reports.disclosure.protect import TOTAL, ProtectedTable, protect_mean, protect_table
from reports.disclosure.rules import Reason, Thresholds, ViewRules, round_to_base

DEFAULT = Thresholds()
STRICTER = Thresholds(min_group_within=15, min_group_cross=30, min_count=10, rounding_base=10)
SMALL_GROUPS_ALLOWED = Thresholds(min_group_within=1, min_group_cross=1)


# --------------------------------------------------------------------------- helpers


def percent(k, n) -> float:
    """k / n as a whole percentage (a proportion with two decimals), halves up, from the exact fraction."""
    return math.floor(Fraction(int(k) * 100, int(n)) + Fraction(1, 2)) / 100


def two_decimals(values) -> np.ndarray:
    return np.round(np.asarray(values, dtype="float64"), 2)


def extended(counts) -> np.ndarray:
    """The table with its totals row and column, computed independently."""
    raw = np.asarray(counts, dtype=np.int64)
    m, n = raw.shape
    out = np.zeros((m + 1, n + 1), dtype=np.int64)
    out[:m, :n] = raw
    out[:m, n] = raw.sum(axis=1)
    out[m, :n] = raw.sum(axis=0)
    out[m, n] = raw.sum()
    return out


def attacker_ranges(table: np.ndarray, hidden: np.ndarray, *, zeros_known: bool, only=None) -> dict:
    """Tightest (low, high) an attacker can derive for each hidden cell by linear programming.

    The attacker sees every shown cell exactly, knows that every row and column
    adds up to its total and that counts are non-negative. With
    ``zeros_known`` they are also told which hidden cells are 0. ``only``: a
    boolean mask of the cells to compute ranges for (default all).
    """
    rows, cols = table.shape
    m, n = rows - 1, cols - 1
    unknown = [
        (i, j)
        for i in range(rows)
        for j in range(cols)
        if hidden[i, j] and not (zeros_known and table[i, j] == 0)
    ]
    if not unknown:
        return {}
    position = {cell: k for k, cell in enumerate(unknown)}
    equations, constants = [], []
    lines = [[((i, j), 1) for j in range(n)] + [((i, n), -1)] for i in range(rows)]
    lines += [[((i, j), 1) for i in range(m)] + [((m, j), -1)] for j in range(cols)]
    for line in lines:
        coefficients, constant = np.zeros(len(unknown)), 0.0
        for cell, sign in line:
            if cell in position:
                coefficients[position[cell]] += sign
            else:
                constant -= sign * table[cell]
        if coefficients.any():
            equations.append(coefficients)
            constants.append(constant)
    a_eq = np.array(equations) if equations else None
    b_eq = np.array(constants) if constants else None
    ranges = {}
    for k, cell in enumerate(unknown):
        if only is not None and not only[cell]:
            continue
        objective = np.zeros(len(unknown))
        objective[k] = 1
        low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        assert low.status == 0
        ranges[cell] = (low.fun, -high.fun if high.status == 0 else np.inf)
    return ranges


def random_counts(rng: np.random.Generator) -> pd.DataFrame:
    """A table with the awkward cases mixed in: zeros, counts 1..4, small rows, single-category rows."""
    m, n = int(rng.integers(1, 9)), int(rng.integers(1, 6))
    small = rng.random((m, n)) < 0.3
    values = np.where(small, rng.integers(0, 5, (m, n)), rng.integers(5, 45, (m, n)))
    values[rng.random(m) < 0.2] //= 4  # rows near or below the minimum group size
    values[rng.random((m, n)) < 0.1] = 0
    if rng.random() < 0.2:
        values[rng.integers(m)] = 0
        values[rng.integers(m), rng.integers(n)] = rng.integers(1, 30)  # one category only
    return pd.DataFrame(values, index=[f"p{i}" for i in range(m)], columns=[f"c{j}" for j in range(n)])


def random_cases(seed: int, count: int):
    rng = np.random.default_rng(seed)
    for k in range(count):
        thresholds = [DEFAULT, STRICTER, SMALL_GROUPS_ALLOWED][k % 3]
        yield random_counts(rng), thresholds, bool(k % 2)


def hidden_and_table(result: ProtectedTable, counts: pd.DataFrame):
    return result.suppressed.to_numpy(), extended(counts), result.reasons.to_numpy()


@dataclass
class Case:
    counts: pd.DataFrame
    thresholds: Thresholds
    cross: bool
    result: ProtectedTable
    hidden: np.ndarray  # of the table with totals
    table: np.ndarray  # unrounded, with totals
    reasons: np.ndarray


@pytest.fixture(scope="module")
def corpus() -> list[Case]:
    """240 seeded random tables, both views, three sets of thresholds; computed once."""
    cases = []
    for seed in range(3):
        for counts, thresholds, cross in random_cases(seed, 80):
            result = protect_table(counts, thresholds=thresholds, cross_institution=cross)
            cases.append(Case(counts, thresholds, cross, result, *hidden_and_table(result, counts)))
    return cases


# --------------------------------------------------------------------------- Wilson intervals


def test_wilson_matches_statsmodels_on_a_grid():
    grid = [(k, n) for n in (1, 2, 3, 4, 5, 9, 10, 19, 20, 21, 50, 137) for k in range(n + 1)]
    grid += [(k, 1000) for k in (0, 1, 5, 250, 500, 999, 1000)]
    successes = np.array([k for k, _ in grid])
    sizes = np.array([n for _, n in grid])
    expected_low, expected_high = proportion_confint(successes, sizes, alpha=0.10, method="wilson")
    low, high = wilson_intervals(successes, sizes)
    np.testing.assert_allclose(low, expected_low, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(high, expected_high, rtol=1e-12, atol=1e-14)
    for k, n in grid[::7]:
        assert wilson_interval(k, n) == pytest.approx(
            proportion_confint(k, n, alpha=0.10, method="wilson"), rel=1e-12, abs=1e-14
        )


@pytest.mark.parametrize("confidence", [0.80, 0.95, 0.99])
def test_wilson_other_confidence_levels(confidence):
    for k, n in [(0, 7), (3, 7), (7, 7), (12, 40)]:
        expected = proportion_confint(k, n, alpha=1 - confidence, method="wilson")
        assert wilson_interval(k, n, confidence) == pytest.approx(expected, rel=1e-12, abs=1e-14)


def test_wilson_edges_are_exact_and_empty_groups_give_nan_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert wilson_interval(0, 10)[0] == 0.0
        assert wilson_interval(10, 10)[1] == 1.0
        assert wilson_interval(0, 10)[1] == pytest.approx(0.2129419700834071)
        assert all(np.isnan(wilson_interval(0, 0)))
        low, high = wilson_intervals(np.array([0, 0, 3]), np.array([0, 5, 5]))
    assert np.isnan(low[0]) and np.isnan(high[0])
    assert low[1] == 0.0 and 0 < high[1] < 1
    assert 0 < low[2] < 0.6 < high[2] < 1


def test_wilson_interval_contains_the_share_and_stays_in_unit_range():
    rng = np.random.default_rng(7)
    sizes = rng.integers(1, 500, 2000)
    successes = rng.integers(0, sizes + 1)
    low, high = wilson_intervals(successes, sizes)
    share = successes / sizes
    assert np.all((low >= 0) & (low <= share) & (share <= high) & (high <= 1))
    # Narrower with more respondents at the same share.
    widths = np.subtract(*wilson_intervals(np.array([5, 50, 500]), np.array([10, 100, 1000]))[::-1])
    assert widths[0] > widths[1] > widths[2]


def test_wilson_keeps_pandas_labels_and_missing_values():
    successes = pd.Series([1, 5, np.nan], index=["a", "b", "c"])
    low, high = wilson_intervals(successes, pd.Series([10, 5, 8], index=["a", "b", "c"]))
    assert list(low.index) == ["a", "b", "c"]
    assert high["b"] == 1.0 and np.isnan(low["c"])
    frame = pd.DataFrame({"x": [1, 2], "y": [3, 4]}, index=["r1", "r2"])
    low, high = wilson_intervals(frame, np.array([[10], [20]]))
    assert isinstance(low, pd.DataFrame) and list(low.columns) == ["x", "y"]
    assert low.loc["r2", "y"] == pytest.approx(wilson_interval(4, 20)[0])


@pytest.mark.parametrize(
    ("successes", "n", "confidence"), [(6, 5, 0.9), (-1, 5, 0.9), (1, -5, 0.9), (1, 5, 0.0), (1, 5, 1.0)]
)
def test_wilson_rejects_impossible_input(successes, n, confidence):
    with pytest.raises(ValueError):
        wilson_interval(successes, n, confidence)


# --------------------------------------------------------------------------- rounding


def test_rounding_follows_hesa():
    counts = list(range(14))
    expected = [0, 0, 0, 5, 5, 5, 5, 5, 10, 10, 10, 10, 10, 15]
    assert [round_to_base(c) for c in counts] == expected
    assert round_to_base(np.array(counts)).tolist() == expected
    assert round_to_base(1234) == 1235 and round_to_base(1232) == 1230
    assert isinstance(round_to_base(7), int)


def test_rounding_keeps_the_container_and_missing_values():
    series = pd.Series([0, 2, 3, 8, None], index=list("abcde"), dtype="Int64")
    rounded = round_to_base(series)
    assert rounded.dtype == "Int64" and list(rounded.index) == list("abcde")
    assert rounded.iloc[:4].tolist() == [0, 0, 5, 10] and rounded.isna().iloc[4]
    frame = pd.DataFrame({"a": [12.0, np.nan], "b": [13, 17]})
    rounded = round_to_base(frame)
    assert rounded["a"].iloc[0] == 10 and np.isnan(rounded["a"].iloc[1])
    assert rounded["b"].tolist() == [15, 15]


def test_rounding_other_bases():
    assert round_to_base(np.array([4, 5, 14, 15]), 10).tolist() == [0, 10, 10, 20]  # halves go up
    assert round_to_base(np.array([1, 2, 3]), 3).tolist() == [0, 3, 3]
    for base in (0, 1):
        assert round_to_base(np.array([1, 2, 3]), base).tolist() == [1, 2, 3]


@pytest.mark.parametrize("bad", [lambda: round_to_base(-1), lambda: round_to_base(np.array([3, -2]))])
def test_rounding_rejects_negative_counts(bad):
    with pytest.raises(ValueError):
        bad()


def test_rounding_rejects_a_bad_base():
    with pytest.raises(ValueError):
        round_to_base(3, -5)


# --------------------------------------------------------------------------- thresholds


def test_threshold_defaults_follow_the_spec():
    own, cross = DEFAULT.for_view(cross_institution=False), DEFAULT.for_view(cross_institution=True)
    assert (own.min_group, own.min_count, own.rounding_base, own.confidence) == (10, 5, 0, 0.90)
    assert (cross.min_group, cross.min_count, cross.rounding_base, cross.confidence) == (20, 5, 5, 0.90)
    assert DEFAULT.own_institution() == own and DEFAULT.cross_institution() == cross
    assert cross.as_dict() == {
        "cross_institution": True,
        "min_group": 20,
        "min_count": 5,
        "rounding_base": 5,
        "confidence": 0.90,
    }


def test_thresholds_from_settings_mapping():
    thresholds = Thresholds.from_mapping({"MIN_GROUP_WITHIN": 12, "min_group_cross": 25})
    assert thresholds == Thresholds(min_group_within=12, min_group_cross=25)
    assert Thresholds.from_mapping(None) == DEFAULT
    with pytest.raises(ValueError, match="min_groep"):
        Thresholds.from_mapping({"min_groep": 12})


@pytest.mark.parametrize(
    "kwargs",
    [
        {"min_count": 0},
        {"min_group_within": 0},
        {"min_group_cross": -1},
        {"rounding_base": -5},
        {"rounding_base": 4},  # would show a 5 as 4
        {"rounding_base": 11},  # would show a 5 as 0
        {"confidence": 1.0},
        {"confidence": 0},
    ],
)
def test_thresholds_reject_unsafe_values(kwargs):
    with pytest.raises(ValueError):
        Thresholds(**kwargs)


@pytest.mark.parametrize("kwargs", [{"min_count": 5.0}, {"min_group_cross": True}])
def test_thresholds_want_integers(kwargs):
    with pytest.raises(TypeError):
        Thresholds(**kwargs)


def test_thresholds_accept_other_safe_values_and_are_frozen():
    assert Thresholds(rounding_base=0).cross_institution().rounding_base == 0
    assert Thresholds(rounding_base=10).cross_institution().rounding_base == 10
    assert Thresholds(min_count=10, rounding_base=5).cross_institution().min_count == 10
    with pytest.raises(FrozenInstanceError):
        DEFAULT.min_count = 3  # type: ignore[misc]


# --------------------------------------------------------------------------- protect_table: worked examples


def test_one_small_cell_hides_the_cheapest_rectangle():
    counts = pd.DataFrame(
        [[30, 20, 3], [25, 9, 12], [40, 15, 22]],
        index=pd.Index(["bakker", "kok", "monteur"], name="programme"),
        columns=pd.Index(["work", "study", "benefits"], name="activity"),
    )
    result = protect_table(counts, thresholds=DEFAULT, cross_institution=False)
    reasons = result.reasons
    assert reasons.loc["bakker", "benefits"] == Reason.PRIMARY
    # The 3 must move with a cell in its row, one in its column, and the cell that closes the
    # rectangle: the cheapest such rectangle is bakker/kok x study/benefits (3 + 20 + 9 + 12).
    hidden = {(r, c) for r in reasons.index for c in reasons.columns if reasons.loc[r, c]}
    assert hidden == {("bakker", "benefits"), ("bakker", "study"), ("kok", "study"), ("kok", "benefits")}
    assert (reasons.loc[["bakker", "kok"], ["study"]] == Reason.SECONDARY).all().all()
    assert result.counts.loc["bakker", "work"] == 30
    assert result.counts.loc[TOTAL].tolist() == [95, 44, 37, 176]  # totals all shown
    assert result.counts[TOTAL].tolist() == [53, 46, 77, 176]


def test_zero_is_shown_and_is_not_a_small_count():
    counts = pd.DataFrame({"work": [20, 30], "benefits": [0, 0], "study": [10, 12]})
    result = protect_table(counts, thresholds=DEFAULT, cross_institution=False)
    assert not result.suppressed.any(axis=None)
    assert result.counts["benefits"].tolist() == [0, 0, 0]
    assert result.shares["benefits"].tolist() == [0.0, 0.0, 0.0]
    assert result.ci_low.loc[0, "benefits"] == 0.0 and result.ci_high.loc[0, "benefits"] > 0


def test_hidden_cells_of_a_row_may_not_add_up_to_a_small_count():
    counts = pd.DataFrame([[2, 1, 30, 40], [20, 25, 30, 35], [10, 15, 20, 25]], columns=list("abcd"))
    result = protect_table(counts, thresholds=DEFAULT, cross_institution=False)
    row = result.suppressed.loc[0]
    assert row["a"] and row["b"]
    hidden_sum = counts.loc[0][row.iloc[:4]].sum()
    assert hidden_sum >= 5, "total minus the shown cells would reveal 2 + 1 = 3"


def test_small_group_depends_on_the_view():
    counts = pd.DataFrame(
        {"work": [10, 40, 43], "other": [5, 20, 27]}, index=pd.Index(["small", "big", "bigger"])
    )  # 'small' has 15 respondents: enough within one institution, not across institutions
    own = protect_table(counts, thresholds=DEFAULT, cross_institution=False)
    cross = protect_table(counts, thresholds=DEFAULT, cross_institution=True)
    assert not own.suppressed.any(axis=None)
    assert own.shares.loc["small", "work"] == percent(10, 15) == 0.67
    assert (cross.reasons.loc["small", ["work", "other"]] == Reason.SMALL_GROUP).all()
    assert cross.shares.loc["small"].isna().all() and cross.ci_low.loc["small"].isna().all()
    assert cross.counts.loc["small", TOTAL] == 15  # the denominator is still shown
    # Column totals would give the hidden counts away, so the cheaper of the other rows goes too.
    assert (cross.reasons.loc["big", ["work", "other"]] == Reason.SECONDARY).all()
    # across institutions the share is of the rounded counts: 45 of 70
    assert cross.shares.loc["bigger", "work"] == percent(45, 70) == 0.64


def test_small_group_with_one_category_keeps_the_denominators():
    # All 12 of 'tiny' work. Hiding the row is enough: the 12 cannot be derived exactly, because
    # the hidden zeros beside it could be anything to an attacker.
    counts = pd.DataFrame(
        {"work": [40, 3, 12, 50], "study": [10, 8, 0, 20], "benefits": [2, 1, 0, 6]},
        index=["a", "b", "tiny", "d"],
    )
    result = protect_table(counts, thresholds=DEFAULT, cross_institution=True)
    assert result.reasons.loc["tiny", "work"] == Reason.SMALL_GROUP
    assert not result.suppressed[TOTAL].any()
    hidden, table, _ = hidden_and_table(result, counts)
    low, high = attacker_ranges(table, hidden, zeros_known=False)[(2, 0)]
    assert high - low > 0.5


def test_a_group_of_one_to_four_hides_its_own_total_and_another():
    counts = pd.DataFrame({"work": [2, 30, 25, 40], "study": [1, 10, 12, 9]}, index=list("abcd"))
    result = protect_table(counts, thresholds=DEFAULT, cross_institution=False)
    assert result.reasons.loc["a", TOTAL] == Reason.PRIMARY
    # Grand total minus the shown row totals would give 3: one more row total must go,
    # and with it that row's shares (a share next to its count would give the total away).
    other = [row for row in "bcd" if result.suppressed.loc[row, TOTAL]]
    assert len(other) == 1
    assert result.shares.loc[other[0]].isna().all()
    assert result.counts.loc[TOTAL, TOTAL] == 129


def test_totals_row_is_a_group_too():
    counts = pd.DataFrame({"work": [6, 5], "study": [0, 5]})  # 16 respondents in all
    result = protect_table(counts, thresholds=DEFAULT, cross_institution=True)
    assert (result.reasons.loc[TOTAL, ["work", "study"]] == Reason.SMALL_GROUP).all()
    assert result.counts.loc[TOTAL, TOTAL] == 15  # rounded, still shown
    assert result.shares.isna().all(axis=None)


def test_cross_institution_shares_are_of_the_rounded_counts():
    counts = pd.DataFrame({"work": [41, 62, 27], "study": [13, 22, 18]}, index=list("abc"))
    result = protect_table(counts, thresholds=DEFAULT, cross_institution=True)
    assert not result.suppressed.any(axis=None)
    assert result.counts.to_numpy().tolist() == [[40, 15, 55], [60, 20, 85], [25, 20, 45], [130, 55, 185]]
    # Totals are rounded on their own: 40 + 60 + 25 = 125, but the total shows 130 (HESA).
    # The share is 40 of 55 (shown), not 41 of 54 (true): 76% would say the counts are 41 and 54.
    assert result.shares.loc["a", "work"] == percent(40, 55) == 0.73
    assert (result.ci_low.loc["a", "work"], result.ci_high.loc["a", "work"]) == tuple(
        two_decimals(wilson_interval(40, 55))
    )
    assert result.rules == DEFAULT.cross_institution()
    own = protect_table(counts, thresholds=DEFAULT, cross_institution=False)
    assert own.counts.loc["a"].tolist() == [41, 13, 54]


def test_thresholds_are_configurable():
    counts = pd.DataFrame({"work": [7, 40, 33], "other": [20, 25, 27]}, index=list("abc"))
    lenient = protect_table(counts, thresholds=DEFAULT, cross_institution=False)
    strict = protect_table(counts, thresholds=STRICTER, cross_institution=False)
    assert not lenient.suppressed.any(axis=None)
    assert strict.reasons.loc["a", "work"] == Reason.PRIMARY  # 7 < min_count 10
    strict = protect_table(counts, thresholds=Thresholds(min_group_within=28), cross_institution=False)
    assert (strict.reasons.loc["a", ["work", "other"]] == Reason.SMALL_GROUP).all()  # 27 < 28
    assert strict.rules.min_group == 28
    rounded = protect_table(counts, thresholds=STRICTER, cross_institution=True)
    shown = rounded.counts.to_numpy(dtype="float64", na_value=np.nan)
    assert np.all(np.isnan(shown) | (shown % 10 == 0))


def test_every_share_has_its_interval():
    counts = pd.DataFrame({"yes": [18, 50, 0], "no": [12, 5, 30]}, index=list("abc"))
    result = protect_table(counts, thresholds=DEFAULT, cross_institution=False)
    table = extended(counts)
    denominators = table[:, 2:3]
    low, high = wilson_intervals(table[:, :2], np.broadcast_to(denominators, (4, 2)))
    shown = result.shares.notna().to_numpy()
    assert shown.all()
    expected = [
        [percent(k, n) for k, n in zip(row, [d] * 2, strict=True)]
        for row, (d,) in zip(table[:, :2], denominators, strict=True)
    ]
    np.testing.assert_array_equal(result.shares.to_numpy(), expected)
    np.testing.assert_array_equal(result.ci_low.to_numpy(), two_decimals(low))
    np.testing.assert_array_equal(result.ci_high.to_numpy(), two_decimals(high))


def test_output_shape_labels_and_types():
    counts = pd.DataFrame(
        [[5, 7], [30, 3]],
        index=pd.MultiIndex.from_tuples([("bakker", 2024), ("kok", 2024)], names=["programme", "cohort"]),
        columns=pd.Index(["work", "study"], name="activity"),
    )
    result = protect_table(counts, thresholds=DEFAULT, cross_institution=False, total_label="All")
    assert result.counts.index.names == ["programme", "cohort"]
    assert result.counts.index[-1] == ("All", "")
    assert list(result.counts.columns) == ["work", "study", "All"]
    assert result.counts.columns.name == "activity"
    assert list(result.shares.columns) == ["work", "study"]
    assert result.counts.dtypes.eq("Int64").all()
    assert result.shares.dtypes.eq("float64").all()
    assert set(result.reasons.to_numpy().ravel()) <= {r.value for r in Reason}
    assert result.suppressed.equals(result.reasons != "")


def test_column_levels_are_kept():
    columns = pd.MultiIndex.from_tuples([("work", "<12h"), ("work", ">=12h"), ("study", "")])
    counts = pd.DataFrame([[5, 30, 12], [8, 25, 20]], columns=columns)
    result = protect_table(counts, thresholds=DEFAULT, cross_institution=False)
    assert result.shares.columns.equals(columns)
    assert result.counts.columns[-1] == (TOTAL, "")
    assert result.counts.loc[0, ("work", ">=12h")] == 30


def test_long_form_for_exports():
    counts = pd.DataFrame(
        [[30, 3, 20], [25, 12, 9]], index=pd.Index(["a", "b"], name="programme"), columns=list("xyz")
    )
    result = protect_table(counts, thresholds=DEFAULT, cross_institution=False)
    long = result.to_long()
    assert list(long.columns) == ["programme", "column", "count", "share", "ci_low", "ci_high", "mark"]
    assert len(long) == 3 * 4
    cell = long[(long["programme"] == "a") & (long["column"] == "y")].iloc[0]
    assert pd.isna(cell["count"]) and np.isnan(cell["share"])
    assert cell["mark"] == "suppressed"  # never "primary": that would say it holds 1..4 people
    assert set(long["mark"]) == {"", "suppressed"}
    total = long[(long["programme"] == TOTAL) & (long["column"] == TOTAL)].iloc[0]
    assert total["count"] == 99 and np.isnan(total["share"])
    shown = long[(long["programme"] == "a") & (long["column"] == "x")].iloc[0]
    assert shown["count"] == 30 and shown["share"] == percent(30, 53) and shown["mark"] == ""


def test_long_form_with_several_row_levels():
    counts = pd.DataFrame(
        [[12, 30], [20, 25]],
        index=pd.MultiIndex.from_tuples([("bakker", 2023), ("bakker", 2024)], names=["programme", "cohort"]),
    )
    long = protect_table(counts, thresholds=DEFAULT, cross_institution=True).to_long()
    assert list(long.columns[:3]) == ["programme", "cohort", "column"]
    assert len(long) == 3 * 3
    assert long["count"].tolist()[:3] == [10, 30, 40]


@pytest.mark.parametrize(
    ("counts", "error"),
    [
        (pd.DataFrame({"a": [1.0, np.nan]}), ValueError),
        (pd.DataFrame({"a": [1, -1]}), ValueError),
        (pd.DataFrame({"a": [1.5, 2]}), ValueError),
        (pd.DataFrame({"a": [1, np.inf]}), ValueError),
        (pd.DataFrame({"a": [1, 2], TOTAL: [1, 2]}), ValueError),
        (pd.DataFrame({"a": [1, 2]}, index=["x", TOTAL]), ValueError),
        (pd.DataFrame([[1, 2]], columns=["a", "a"]), ValueError),
        (pd.DataFrame({"a": ["1", "2"]}), TypeError),
        (pd.DataFrame({"a": [True, False]}), TypeError),
        (pd.Series([1, 2]), TypeError),
    ],
)
def test_protect_table_rejects_what_is_not_a_count_table(counts, error):
    with pytest.raises(error):
        protect_table(counts, thresholds=DEFAULT, cross_institution=False)


def test_protect_table_takes_integral_floats_and_nullable_integers_and_leaves_input_alone():
    counts = pd.DataFrame({"a": [10.0, 3.0], "b": [20, 30]}).astype({"b": "Int64"})
    before = counts.copy()
    result = protect_table(counts, thresholds=DEFAULT, cross_institution=False)
    assert result.reasons.loc[1, "a"] == Reason.PRIMARY
    pd.testing.assert_frame_equal(counts, before)
    again = protect_table(counts, thresholds=DEFAULT, cross_institution=False)
    pd.testing.assert_frame_equal(result.reasons, again.reasons)


def test_degenerate_tables():
    empty = protect_table(
        pd.DataFrame(np.zeros((0, 3), dtype=int)), thresholds=DEFAULT, cross_institution=False
    )
    assert empty.counts.shape == (1, 4) and empty.counts.loc[TOTAL, TOTAL] == 0
    no_columns = protect_table(pd.DataFrame(index=["a", "b"]), thresholds=DEFAULT, cross_institution=False)
    assert no_columns.counts[TOTAL].tolist() == [0, 0, 0]
    tiny = protect_table(pd.DataFrame([[3]]), thresholds=DEFAULT, cross_institution=False)
    assert tiny.suppressed.all(axis=None)
    zeros = protect_table(
        pd.DataFrame(np.zeros((2, 2), dtype=int)), thresholds=DEFAULT, cross_institution=False
    )
    assert zeros.counts[TOTAL].tolist() == [0, 0, 0] and zeros.shares.isna().all(axis=None)
    one_column = pd.DataFrame({"n": [3, 40, 25]})  # the cell is the row total
    result = protect_table(one_column, thresholds=DEFAULT, cross_institution=False)
    assert result.suppressed.loc[0].all()
    assert result.suppressed["n"].sum() >= 2 and result.suppressed[TOTAL].sum() >= 2


def test_a_chain_of_differences_defeats_the_two_per_line_rule():
    """Why protect_table asks for cycles, not just two hidden cells per row and column.

    Hidden cells form two rectangles joined by one cell. Every row and column
    with a hidden cell has two, yet subtracting the first two column totals
    from the first two row totals gives the joining cell exactly.
    """
    counts = np.array(
        [
            [10, 12, 0, 0, 30],
            [11, 13, 7, 0, 20],
            [0, 0, 14, 16, 30],
            [0, 0, 15, 17, 25],
            [20, 20, 20, 20, 20],
        ]
    )
    table = extended(counts)
    hidden = np.zeros(table.shape, dtype=bool)
    for cell in [(0, 0), (0, 1), (1, 0), (1, 1), (1, 2), (2, 2), (2, 3), (3, 2), (3, 3)]:
        hidden[cell] = True
    for i, j in zip(*np.nonzero(hidden), strict=True):
        assert hidden[i].sum() >= 2 and hidden[:, j].sum() >= 2
    low, high = attacker_ranges(table, hidden, zeros_known=False)[(1, 2)]
    assert low == pytest.approx(7) and high == pytest.approx(7)
    assert first_weak_cell(table, hidden, np.zeros_like(hidden)) == (1, 2)
    result = protect_table(pd.DataFrame(counts), thresholds=SMALL_GROUPS_ALLOWED, cross_institution=False)
    assert not result.suppressed.any(axis=None)  # and without a primary cell nothing is hidden at all


# --------------------------------------------------------------------------- protect_table: properties


def test_random_tables_never_show_a_count_of_one_to_four(corpus):
    for case in corpus:
        counts = case.result.counts.to_numpy(dtype="float64", na_value=np.nan)
        shown = counts[~np.isnan(counts)]
        assert np.all((shown == 0) | (shown >= case.thresholds.min_count)), case.counts
        assert np.all(case.hidden[(case.table >= 1) & (case.table < case.thresholds.min_count)])
        assert np.array_equal(case.hidden, np.isnan(counts))


def test_random_tables_round_only_across_institutions(corpus):
    for case in corpus:
        counts = case.result.counts.to_numpy(dtype="float64", na_value=np.nan)
        base = case.thresholds.rounding_base
        if case.cross:
            assert np.all(counts[~case.hidden] % base == 0)
            expected = round_to_base(case.table, base)
        else:
            expected = case.table
        assert np.array_equal(counts[~case.hidden], expected[~case.hidden])
        assert case.result.rules == case.thresholds.for_view(cross_institution=case.cross)


def test_random_tables_hidden_cells_cannot_be_recomputed_from_a_row_or_column_total(corpus):
    """For every hidden non-zero cell, its row and its column each hide another cell (or the total).

    Hidden zeros (only in rows below the minimum group size) are exempt: a zero
    is not disclosive and is shown everywhere else.
    """
    for case in corpus:
        hidden = case.hidden
        for i, j in zip(*np.nonzero(hidden & (case.table > 0)), strict=True):
            assert hidden[i].sum() >= 2, (case.counts, i, j)  # the row includes its total
            assert hidden[:, j].sum() >= 2, (case.counts, i, j)  # the column includes its total


def test_random_tables_hidden_cells_of_a_line_never_add_up_to_a_small_count(corpus):
    for case in corpus:
        table, hidden, min_count = case.table, case.hidden, case.thresholds.min_count
        m, n = table.shape[0] - 1, table.shape[1] - 1
        for i in range(m + 1):
            if not hidden[i, n]:
                assert not 1 <= table[i, :n][hidden[i, :n]].sum() < min_count, case.counts
        for j in range(n + 1):
            if not hidden[m, j]:
                assert not 1 <= table[:m, j][hidden[:m, j]].sum() < min_count, case.counts


def test_random_tables_show_shares_only_for_large_enough_groups(corpus):
    for case in corpus:
        table, hidden, reasons = case.table, case.hidden, case.reasons
        n = table.shape[1] - 1
        small = table[:, n] < case.thresholds.for_view(cross_institution=case.cross).min_group
        assert np.all(hidden[small, :n])
        assert np.all(reasons[small, :n] == Reason.SMALL_GROUP)
        expected = ~small[:, None] & ~hidden[:, n : n + 1] & ~hidden[:, :n]
        shares = case.result.shares.to_numpy()
        assert np.array_equal(~np.isnan(shares), expected), case.counts
        # of the counts as shown: rounded across institutions
        base = case.thresholds.for_view(cross_institution=case.cross).rounding_base
        published = round_to_base(table, base) if base > 1 else table
        for i, j in zip(*np.nonzero(expected), strict=True):
            assert shares[i, j] == percent(published[i, j], published[i, n]), case.counts
        assert np.array_equal(np.isnan(case.result.ci_low.to_numpy()), ~expected)
        assert np.array_equal(np.isnan(case.result.ci_high.to_numpy()), ~expected)


def test_random_tables_give_every_hidden_cell_a_reason_and_publish_only_neutral_marks(corpus):
    for case in corpus:
        reasons, n = case.reasons, case.table.shape[1] - 1
        assert np.array_equal(reasons != Reason.SHOWN, case.hidden)
        min_group = case.thresholds.for_view(cross_institution=case.cross).min_group
        small = np.zeros(reasons.shape, dtype=bool)
        small[:, :n] = (case.table[:, n] < min_group)[:, None]
        primary = (case.table >= 1) & (case.table < case.thresholds.min_count)
        assert np.array_equal(reasons == Reason.PRIMARY, primary & ~small)
        assert np.array_equal(reasons == Reason.SMALL_GROUP, small)
        marks = case.result.marks.to_numpy()
        assert set(marks.ravel()) <= {"", "small_group", "suppressed"}
        assert np.array_equal(marks == "small_group", small)
        assert np.array_equal(marks == "suppressed", case.hidden & ~small)


def test_random_tables_resist_an_attacker_with_linear_programming(corpus):
    """The strongest check: the exact range an attacker can derive for each hidden cell.

    Every hidden non-zero cell has a range wider than one point. Every hidden
    count of 1..4 lies strictly inside its range even if the attacker knew
    which hidden cells are 0, so "at most 3" or "at least 2" is never learnt
    at the true value.
    """
    for case in corpus[::16]:
        table, hidden, min_count = case.table, case.hidden, case.thresholds.min_count
        ranges = attacker_ranges(table, hidden, zeros_known=False, only=table > 0)
        for cell, (low, high) in ranges.items():
            assert high - low > 1e-6, (case.counts, cell, low, high)
        primary = attacker_ranges(table, hidden, zeros_known=True, only=(table >= 1) & (table < min_count))
        for cell, (low, high) in primary.items():
            assert low < table[cell] - 1e-6 and high > table[cell] + 1e-6, (case.counts, cell, low, high)


def test_random_tables_hide_no_secondary_cell_without_need(corpus):
    """Showing any one secondary cell again would break one of the rules (checked by the attacker)."""
    for case in corpus[5::24]:
        table, min_count = case.table, case.thresholds.min_count
        m, n = table.shape[0] - 1, table.shape[1] - 1
        for cell in zip(*np.nonzero(case.reasons == Reason.SECONDARY), strict=True):
            hidden = case.hidden.copy()
            hidden[cell] = False
            sums = [table[i, :n][hidden[i, :n]].sum() for i in range(m + 1) if not hidden[i, n]]
            sums += [table[:m, j][hidden[:m, j]].sum() for j in range(n + 1) if not hidden[m, j]]
            if any(1 <= total < min_count for total in sums):
                continue
            loose = attacker_ranges(table, hidden, zeros_known=False, only=table > 0)
            strict = attacker_ranges(table, hidden, zeros_known=True, only=table < min_count)
            assert any(high - low < 1e-6 for low, high in loose.values()) or any(
                not low < table[c] - 1e-6 < table[c] + 1e-6 < high for c, (low, high) in strict.items()
            ), (case.counts, cell)


def test_a_large_table_stays_consistent():
    rng = np.random.default_rng(99)
    values = rng.integers(0, 60, (50, 10))
    values[rng.random(values.shape) < 0.2] = rng.integers(1, 5)
    counts = pd.DataFrame(values)
    result = protect_table(counts, thresholds=DEFAULT, cross_institution=True)
    hidden, table, _ = hidden_and_table(result, counts)
    for i, j in zip(*np.nonzero(hidden & (table > 0)), strict=True):
        assert hidden[i].sum() >= 2 and hidden[:, j].sum() >= 2
    assert result.counts.loc[TOTAL, TOTAL] == round_to_base(int(values.sum()))


# --------------------------------------------------------------------------- means


def test_means_need_the_minimum_group():
    assert protect_mean(38, 10, thresholds=DEFAULT, cross_institution=False) == 3.8
    assert np.isnan(protect_mean(38, 10, thresholds=DEFAULT, cross_institution=True))
    assert protect_mean(80, 20, thresholds=DEFAULT, cross_institution=True) == pytest.approx(4.0)
    assert np.isnan(protect_mean(0, 0, thresholds=DEFAULT, cross_institution=False))
    sums = pd.Series([30.0, 95.0, np.nan], index=["a", "b", "c"], name="preparation")
    means = protect_mean(
        sums, pd.Series([9, 25, 30], index=["a", "b", "c"]), thresholds=DEFAULT, cross_institution=False
    )
    assert means.name == "preparation" and list(means.index) == ["a", "b", "c"]
    assert np.isnan(means["a"]) and means["b"] == pytest.approx(3.8) and np.isnan(means["c"])
    array = protect_mean(np.array([50, 50]), np.array([12, 15]), thresholds=STRICTER, cross_institution=False)
    assert np.isnan(array[0]) and array[1] == 3.3  # 50 / 15, one decimal
    with pytest.raises(ValueError):
        protect_mean(5, -1, thresholds=DEFAULT, cross_institution=False)


# --------------------------------------------------------------------------- institutions


@pytest.fixture
def regional():
    return pd.DataFrame(
        {
            "institution": ["Amstel", "Amstel", "IJ", "IJ", "Zaan", "Gooi", "Gooi"],
            "activity": ["work", "study", "work", "study", "work", "work", "study"],
            "n": [100, 40, 30, 10, 25, 60, 20],
            "score_sum": [380, 150, 100, 35, 90, 220, 70],
            "consent_to_be_named": [True, True, False, False, False, True, True],
        }
    )


def test_pooling_renames_and_adds_up(regional):
    pooled = pool_unconsented(regional, consent_column="consent_to_be_named")
    assert list(pooled.columns) == ["institution", "activity", "n", "score_sum"]
    assert pooled["institution"].tolist() == [
        "Amstel",
        "Amstel",
        "Gooi",
        "Gooi",
        OTHER_INSTITUTIONS,
        OTHER_INSTITUTIONS,
    ]
    other = pooled[pooled["institution"] == OTHER_INSTITUTIONS].set_index("activity")
    assert other.loc["work", "n"] == 55 and other.loc["study", "n"] == 10
    assert other.loc["work", "score_sum"] == 190
    assert pooled["n"].sum() == regional["n"].sum()


def test_pooling_from_a_list_of_consenting_institutions(regional):
    frame = regional.drop(columns="consent_to_be_named")
    pooled = pool_unconsented(frame, consented={"Amstel", "Gooi"}, values=["n"], label="Others")
    assert set(pooled["institution"]) == {"Amstel", "Gooi", "Others"}
    assert list(pooled.columns) == ["institution", "activity", "n", "score_sum"]  # score_sum is now a key
    by_consent = pool_unconsented(frame, consented={"Amstel", "Gooi"}, label="Others")
    assert by_consent.loc[by_consent["institution"] == "Others", "n"].sum() == 65


def test_a_pool_of_one_takes_in_the_smallest_named_institution(regional):
    regional.loc[regional["institution"] == "IJ", "consent_to_be_named"] = True  # only Zaan refuses
    pooled = pool_unconsented(regional, consent_column="consent_to_be_named")
    # Zaan alone under another name is still Zaan; IJ (40 respondents) is smaller than Gooi (80).
    assert set(pooled["institution"]) == {"Amstel", "Gooi", OTHER_INSTITUTIONS}
    assert pooled.loc[pooled["institution"] == OTHER_INSTITUTIONS, "n"].sum() == 65
    alone = pool_unconsented(regional, consent_column="consent_to_be_named", min_pool=1)
    assert set(alone["institution"]) == {"Amstel", "IJ", "Gooi", OTHER_INSTITUTIONS}


def test_pooling_with_everyone_consenting_changes_nothing(regional):
    regional["consent_to_be_named"] = True
    pooled = pool_unconsented(regional, consent_column="consent_to_be_named")
    expected = regional.drop(columns="consent_to_be_named").reset_index(drop=True)
    pd.testing.assert_frame_equal(pooled, expected, check_dtype=False)


def test_missing_or_mixed_consent_counts_as_no(regional):
    regional["consent_to_be_named"] = regional["consent_to_be_named"].astype(object)
    regional.loc[0, "consent_to_be_named"] = None  # one Amstel row unknown
    pooled = pool_unconsented(regional, consent_column="consent_to_be_named")
    assert "Amstel" not in set(pooled["institution"])


def test_institutions_to_pool():
    assert institutions_to_pool({"a": True, "b": True}) == set()
    assert institutions_to_pool({"a": True, "b": False, "c": False}) == {"b", "c"}
    assert institutions_to_pool({"a": True, "b": False, "c": True}, {"a": 5, "c": 3}) == {"b", "c"}
    assert institutions_to_pool({"a": False}) == {"a"}  # nobody left to pool with
    with pytest.raises(ValueError):
        institutions_to_pool({"a": True}, min_pool=0)


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"consent_column": "consent_to_be_named", "consented": {"Amstel"}},
        {"consented": {"Amstel"}, "institution": "school"},
        {"consented": {"Amstel"}, "label": "Gooi"},
        {"consented": {"Amstel"}, "values": []},
    ],
)
def test_pooling_rejects_unclear_requests(regional, kwargs):
    with pytest.raises((ValueError, KeyError)):
        pool_unconsented(regional, **kwargs)


def test_pooled_figures_still_go_through_protect_table(regional):
    pooled = pool_unconsented(regional, consent_column="consent_to_be_named", values=["n"])
    counts = pooled.pivot_table(
        index="institution", columns="activity", values="n", aggfunc="sum", fill_value=0
    )
    result = protect_table(counts, thresholds=DEFAULT, cross_institution=True)
    assert isinstance(result, ProtectedTable) and isinstance(result.rules, ViewRules)
    assert OTHER_INSTITUTIONS in result.counts.index
    assert result.counts.loc[OTHER_INSTITUTIONS, TOTAL] == 65
