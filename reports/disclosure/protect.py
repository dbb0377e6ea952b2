"""Disclosure control and uncertainty for every aggregate the platform shows or exports.

This module is deliberately *pure*: plain numbers and pandas objects in, plain
numbers and pandas objects out, no database and no Django settings. The
aggregation queries produce count tables; this module decides what of them may
be shown. Keeping the rules in one place, free of I/O, means they can be tested
exhaustively and every dashboard, export and print view applies the same rules
(reporting spec, "Uncertainty and disclosure control").

The rules, and where they come from
-----------------------------------
* **Wilson 90% interval** for every share (QILT publishes 90% intervals). Wilson
  rather than the textbook normal interval because it stays inside [0, 1] and
  behaves sensibly for 0/n and n/n, which are common in small programmes.
* **Minimum group size** for shares and means: 10 in an institution's own
  views, 20 in cross-institution and regional views (ROA: 20 unweighted
  respondents). Below it a share is too unreliable to publish.
* **Never show a count of 1..4** (``min_count`` = 5). A count of **0 is shown**:
  it is the convention of HESA (whose rounding maps 0, 1, 2 to 0, so a zero is
  publishable) and CBS, and a table that hid every zero would be unreadable. The
  residual risk of a zero ("nobody in this programme is unemployed") is a group
  statement the spec accepts: it only forbids 1..4.
* **Rounding** to the nearest multiple of 5 in cross-institution views (HESA).
  Rounding is presentation, not protection: shares are computed from unrounded
  counts (as HESA does), so a share next to a rounded count can undo the
  rounding; the suppression below therefore assumes the attacker sees exact,
  unrounded figures.
* **Secondary suppression**: once a cell is hidden, enough others are hidden
  that it cannot be recomputed from the totals shown (see :func:`protect_table`).
* **Institution names** in cross-institution views only with consent; the others
  are pooled (see :func:`pool_unconsented`).

Typical use (the caller reads the thresholds from a Django setting, whatever
it ends up being called)::

    thresholds = Thresholds.from_mapping(settings.DISCLOSURE_THRESHOLDS)
    rows = pool_unconsented(rows, consent_column="consent_to_be_named", values=["n"])
    counts = rows.pivot_table(index="institution", columns="activity", values="n",
                              aggfunc="sum", fill_value=0)   # empty cell = 0, not NaN
    shown = protect_table(counts, thresholds=thresholds, cross_institution=True)
    shown.counts, shown.shares, shown.ci_low, shown.ci_high   # NA / NaN = hidden
    shown.marks, shown.rules.as_dict()                        # for exports
    shown.to_long()                                           # one row per cell, for CSV

Limits the caller must know about
---------------------------------
* Protection is **per table**. Two tables cut from the same data (programme ×
  activity and programme × gender, or "all cohorts" next to "cohort 2023") can
  be subtracted from each other; filters that let a user take such differences
  need the same care one level up (e.g. only offer whole, pooled cohorts).
* Hidden **zero** cells (only in rows below the minimum group size) are not
  protected: deriving that a hidden cell is 0 reveals no individual, and a 0 is
  shown everywhere else anyway.
* Publish :attr:`ProtectedTable.marks`, never the internal reasons: a cell
  marked "primary" is a cell with 1..4 people in it.
* Secondary suppression is a heuristic (optimal cell suppression is NP-hard).
  It guarantees that no hidden non-zero cell can be derived exactly, that a
  hidden count of 1..4 is never an end of the range an attacker can derive,
  and that the hidden cells of a row or column never add up to 1..4. It does
  not enforce a minimum *width* of that range: in random tests about 1 in 30
  hidden counts of 1..4 had a derivable upper bound below 5 (the attacker
  learns "small", not the number). It may also hide more than an optimal
  method would.
* A row below the minimum group size hides its counts, and protecting those
  usually costs cells in another row (column totals would otherwise give them
  away). Merging tiny programmes or pooling cohorts before calling this
  module shows more.
"""

from __future__ import annotations

import heapq
from collections.abc import Collection, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from enum import StrEnum
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

TOTAL = "Totaal"
"""Default label of the totals row and column that :func:`protect_table` adds."""

OTHER_INSTITUTIONS = "Overige instellingen"
"""Default name of the pool of institutions that did not consent to be named."""


class Reason(StrEnum):
    """Why a cell is hidden ("" = shown).

    ``PRIMARY``, ``SMALL_GROUP`` and ``SECONDARY`` are the internal reasons
    (:attr:`ProtectedTable.reasons`, for audits and tests). **Never publish
    them per cell**: "primary" next to a hidden cell says it holds 1..4
    people, which is what hiding it was meant to conceal. What users see is
    :attr:`ProtectedTable.marks`, where primary and secondary are both
    ``SUPPRESSED`` and only ``SMALL_GROUP`` stays apart: it says no more than
    that the row's denominator is below the minimum group size.
    """

    SHOWN = ""
    PRIMARY = "primary"  # the count itself is 1..min_count-1
    SMALL_GROUP = "small_group"  # the row's denominator is below the minimum group size
    SECONDARY = "secondary"  # hidden so that another hidden cell cannot be recomputed
    SUPPRESSED = "suppressed"  # the public mark for primary and secondary alike


# --------------------------------------------------------------------------- thresholds


@dataclass(frozen=True)
class ViewRules:
    """The thresholds in force for one view; attach ``as_dict()`` to exports.

    Made by :meth:`Thresholds.for_view`, so a view can never mix the
    within-institution group size with cross-institution rounding by accident.
    ``rounding_base`` 0 means counts are shown unrounded.
    """

    cross_institution: bool
    min_group: int
    min_count: int
    rounding_base: int
    confidence: float

    def as_dict(self) -> dict[str, Any]:
        """Machine-readable record of the rules, for marking CSV/Excel exports."""
        return asdict(self)


@dataclass(frozen=True)
class Thresholds:
    """The configurable disclosure thresholds (one set for the whole platform).

    ``min_group_within`` / ``min_group_cross``: smallest denominator for which a
    share or mean is shown in an institution's own views / in cross-institution
    and regional views. ``min_count``: counts ``1 .. min_count-1`` are never
    shown. ``rounding_base``: counts in cross-institution views are rounded to
    a multiple of it (0 or 1 = no rounding). ``confidence``: of the Wilson
    interval.
    """

    min_group_within: int = 10
    min_group_cross: int = 20
    min_count: int = 5
    rounding_base: int = 5
    confidence: float = 0.90

    def __post_init__(self) -> None:
        for name in ("min_group_within", "min_group_cross", "min_count", "rounding_base"):
            value = getattr(self, name)
            if not isinstance(value, int | np.integer) or isinstance(value, bool):
                raise TypeError(f"{name} must be an integer, not {value!r}")
        for name in ("min_group_within", "min_group_cross", "min_count"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.rounding_base < 0:
            raise ValueError("rounding_base must be 0 (no rounding) or positive")
        # Rounding must never turn an allowed count into a forbidden one
        # (base 4 would show a 5 as 4) nor into 0 (base 11 would show a 5 as 0).
        if self.rounding_base > 1 and round_to_base(self.min_count, self.rounding_base) < self.min_count:
            raise ValueError(
                f"rounding_base {self.rounding_base} would round a count of {self.min_count} "
                f"to {round_to_base(self.min_count, self.rounding_base)}; "
                f"use a base that keeps counts >= min_count"
            )
        if not 0 < float(self.confidence) < 1:
            raise ValueError("confidence must be between 0 and 1, e.g. 0.90")

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any] | None) -> Thresholds:
        """Build from a settings dict; keys are the field names, in any case.

        Missing keys keep their defaults; unknown keys are an error, so a typo in
        settings cannot silently fall back to a default.
        """
        known = {f.name for f in fields(cls)}
        given = {str(key).lower(): value for key, value in (mapping or {}).items()}
        unknown = sorted(set(given) - known)
        if unknown:
            raise ValueError(f"unknown disclosure setting(s): {', '.join(unknown)}")
        return cls(**given)

    def for_view(self, *, cross_institution: bool) -> ViewRules:
        """The rules of an institution's own view, or of a cross-institution view."""
        if cross_institution:
            return ViewRules(True, self.min_group_cross, self.min_count, self.rounding_base, self.confidence)
        return ViewRules(False, self.min_group_within, self.min_count, 0, self.confidence)

    def own_institution(self) -> ViewRules:
        """Shorthand for ``for_view(cross_institution=False)``."""
        return self.for_view(cross_institution=False)

    def cross_institution(self) -> ViewRules:
        """Shorthand for ``for_view(cross_institution=True)``."""
        return self.for_view(cross_institution=True)


# --------------------------------------------------------------------------- intervals


def _z(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1, e.g. 0.90")
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def _wilson_arrays(successes: Any, n: Any, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    k = np.asarray(successes, dtype="float64")
    total = np.asarray(n, dtype="float64")
    with np.errstate(invalid="ignore"):
        if np.any(total < 0) or np.any(k < 0):
            raise ValueError("successes and n must not be negative")
        if np.any(k > total):
            raise ValueError("successes must not exceed n")
    z = _z(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / total
        z2n = z * z / total
        centre = (p + z2n / 2) / (1 + z2n)
        half = z / (1 + z2n) * np.sqrt(p * (1 - p) / total + z2n / (4 * total))
        low = np.clip(centre - half, 0.0, 1.0)
        high = np.clip(centre + half, 0.0, 1.0)
    # The formula gives exactly 0 and 1 at the edges; pin them against rounding noise.
    low = np.where(k == 0, 0.0, low)
    high = np.where(k == total, 1.0, high)
    empty = ~(total > 0)  # n == 0 or NaN: no interval
    return np.where(empty, np.nan, low), np.where(empty, np.nan, high)


def wilson_interval(successes: float, n: float, confidence: float = 0.90) -> tuple[float, float]:
    """Wilson score interval of ``successes / n`` as ``(low, high)``.

    ``n == 0`` gives ``(nan, nan)`` rather than an error: an empty group simply
    has no interval, and callers render NaN as "not shown". Counts may be
    non-integer (weighted), but then ``n`` should be the effective sample size.
    """
    low, high = _wilson_arrays(successes, n, confidence)
    return float(low), float(high)


def wilson_intervals(successes: Any, n: Any, confidence: float = 0.90) -> tuple[Any, Any]:
    """Vectorised :func:`wilson_interval` over arrays, Series or DataFrames.

    ``successes`` and ``n`` broadcast like numpy arrays. A pandas ``successes``
    gives pandas results with its index (and columns); otherwise numpy arrays.
    """
    low, high = _wilson_arrays(successes, n, confidence)
    if isinstance(successes, pd.Series):
        return (pd.Series(low, index=successes.index), pd.Series(high, index=successes.index))
    if isinstance(successes, pd.DataFrame):
        return (
            pd.DataFrame(low, index=successes.index, columns=successes.columns),
            pd.DataFrame(high, index=successes.index, columns=successes.columns),
        )
    return low, high


# --------------------------------------------------------------------------- rounding


def round_to_base(counts: Any, base: int = 5) -> Any:
    """Round counts to the nearest multiple of ``base``, halves upwards (HESA).

    HESA's convention for base 5: 0, 1 and 2 become 0, every other count goes to
    the nearest multiple of 5 (3..7 -> 5, 8..12 -> 10, ...). With an odd base an
    integer is never exactly halfway; with an even base halves go up. Every
    figure, totals included, is rounded on its own, so rounded cells need not
    add up to the rounded total (HESA does the same).

    Works on a number, a numpy array, a Series or a DataFrame and returns the
    same kind; NaN / NA stay missing. ``base`` 0 or 1 returns the input as is.
    """
    if not isinstance(base, int | np.integer) or isinstance(base, bool) or base < 0:
        raise ValueError("base must be a non-negative integer")
    if base <= 1:
        return counts
    if isinstance(counts, pd.Series | pd.DataFrame):
        if (counts < 0).any(axis=None):
            raise ValueError("counts must not be negative")
        return (2 * counts + base) // (2 * base) * base
    values = np.asarray(counts)
    with np.errstate(invalid="ignore"):
        if np.any(values < 0):
            raise ValueError("counts must not be negative")
    rounded = (2 * values + base) // (2 * base) * base
    if np.ndim(counts) == 0 and not isinstance(counts, np.ndarray):
        return rounded.item()
    return rounded


# --------------------------------------------------------------------------- tables


@dataclass(frozen=True)
class ProtectedTable:
    """What may be shown of one count table, and which cells are hidden.

    All frames carry the input's row and column labels plus a totals row
    (``total_label``); ``counts``, ``reasons`` and ``marks`` also a totals column.

    ``counts``: shown counts (nullable ``Int64``; ``<NA>`` = hidden), rounded in
    cross-institution views; the totals column is each row's denominator.
    ``shares``, ``ci_low``, ``ci_high``: share of the row total and its Wilson
    interval (float; NaN = not shown), computed from unrounded counts.
    ``reasons``: the internal :class:`Reason` per count cell ("" = shown), for
    audits; publish :attr:`marks` instead. ``rules``: the thresholds used, to
    print with every export.
    """

    counts: pd.DataFrame
    shares: pd.DataFrame
    ci_low: pd.DataFrame
    ci_high: pd.DataFrame
    reasons: pd.DataFrame
    rules: ViewRules

    @property
    def suppressed(self) -> pd.DataFrame:
        """Boolean mask of hidden count cells (same shape as ``counts``)."""
        return self.reasons != Reason.SHOWN.value

    @property
    def marks(self) -> pd.DataFrame:
        """The mark to publish per count cell: "", "small_group" or "suppressed".

        Primary and secondary both become "suppressed", so a published mark
        never tells a count of 1..4 from a cell hidden to protect one.
        """
        marks = self.reasons.replace(
            {Reason.PRIMARY.value: Reason.SUPPRESSED.value, Reason.SECONDARY.value: Reason.SUPPRESSED.value}
        )
        return marks.astype(object)

    def to_long(self) -> pd.DataFrame:
        """One row per cell, for CSV/Excel exports: labels, count, share, ci_low, ci_high, mark.

        Uses the public :attr:`marks`, never the internal reasons. Print
        :attr:`rules` with it (``rules.as_dict()``).
        """
        names = [name or "row" for name in self.counts.index.names]
        names.append(self.counts.columns.name or "column")

        def stack(frame: pd.DataFrame, name: str) -> pd.Series:
            series = frame.stack()  # pandas >= 3 keeps missing cells
            series.index = series.index.set_names(names)
            return series.rename(name)

        long = pd.concat(
            [
                stack(self.counts, "count"),
                stack(self.shares, "share"),
                stack(self.ci_low, "ci_low"),
                stack(self.ci_high, "ci_high"),
                stack(self.marks, "mark"),
            ],
            axis=1,
        )
        return long.reset_index()


def _validated_counts(counts: pd.DataFrame, total_label: Any) -> np.ndarray:
    if not isinstance(counts, pd.DataFrame):
        raise TypeError("counts must be a pandas DataFrame (rows = groups, columns = categories)")
    for dtype in counts.dtypes:
        if not pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
            raise TypeError(f"counts must be numeric, found a column of dtype {dtype}")
    if not counts.index.is_unique or not counts.columns.is_unique:
        raise ValueError("row and column labels must be unique")
    if total_label in counts.columns or total_label in counts.index:
        raise ValueError(
            f"counts already contain a {total_label!r} row or column; pass the table without totals, "
            "protect_table adds them (and must, to protect them)"
        )
    values = counts.to_numpy(dtype="float64", na_value=np.nan)
    if not np.all(np.isfinite(values)):
        raise ValueError("counts contain missing or infinite values; use 0 for empty cells")
    if np.any(values < 0) or np.any(values != np.round(values)):
        raise ValueError("counts must be non-negative whole numbers (unweighted respondents)")
    return values.astype(np.int64)


def _with_total(index: pd.Index, total_label: Any) -> pd.Index:
    """``index`` plus the totals row (``(total_label, "", ...)`` for a MultiIndex).

    Built from the levels and codes: ``MultiIndex.append`` re-factorises
    every label, which took most of the time of a table with many rows.
    """
    if isinstance(index, pd.MultiIndex):
        total = (total_label,) + ("",) * (index.nlevels - 1)
        levels, codes = [], []
        for level, code, value in zip(index.levels, index.codes, total, strict=True):
            found = np.flatnonzero(level.astype(object) == value) if len(level) else []
            if len(found):
                position = int(found[0])
            else:
                level = pd.Index([*level, value])  # dtype inferred as MultiIndex.append would
                position = len(level) - 1
            levels.append(level)
            codes.append(np.append(code, position))
        return pd.MultiIndex(levels=levels, codes=codes, names=index.names, verify_integrity=False)
    return pd.Index([*index, total_label], name=index.name)


def protect_table(
    counts: pd.DataFrame,
    *,
    thresholds: Thresholds,
    cross_institution: bool,
    total_label: Any = TOTAL,
) -> ProtectedTable:
    """Apply every disclosure rule to a 2-D table of respondent counts.

    ``counts``: rows are groups (programmes, institutions, cohorts), columns are
    mutually exclusive and exhaustive categories (main activity, contract type,
    answer 1..5), so that a row's total is its denominator. Pass a yes/no
    indicator as two columns (yes, no). Do not include totals: this function
    adds the totals row and column itself, because they must be protected too.

    Steps, all on the unrounded counts:

    1. **Primary**: every cell, total included, with a count ``1 .. min_count-1``.
    2. **Small group**: every cell of a row (the totals row included) whose
       total is below the view's minimum group size (reason ``small_group``,
       even where the count is also 1..4). The counts go too, since
       count / shown denominator would give the share anyway. The denominator
       itself stays visible (the spec wants it shown) unless it is 1..4 or
       step 3 needs it.
    3. **Secondary**: hide more cells until

       a. in every row and column whose total is shown, the hidden cells do not
          add up to ``1 .. min_count-1`` (total minus shown cells gives that sum);
       b. no hidden non-zero cell can be recomputed exactly by any chain of row
          and column differences, which is stronger than "two hidden cells in
          every row and column": that rule can be defeated by a chain;
       c. every primary cell can move both up and down even for an attacker who
          knows which hidden cells are 0, so its range never ends at its true
          value ("at most 3" would give it away).

       Rows and columns are nodes of a graph, hidden cells its edges; (b) and
       (c) ask for every such cell to lie on a cycle (see
       :func:`_first_weak_cell`). A cell that does not is closed into a cycle
       along the cheapest path of shown non-zero cells (cost = their counts, so
       small cells first; totals only when no path through inner cells exists,
       the grand total last). Afterwards secondary cells that turn out not to
       be needed are shown again. Finding the fewest cells to hide is NP-hard;
       this heuristic is exact about (a)-(c), not about the cost.
    4. **Rounding** (cross-institution views): shown counts to ``rounding_base``.
    5. **Shares** (row share) with Wilson intervals, only where the count and the
       row total are shown and the row total reaches the minimum group size;
       a share next to a shown count would otherwise give away a hidden total.
    """
    rules = thresholds.for_view(cross_institution=cross_institution)
    raw = _validated_counts(counts, total_label)
    m, n = raw.shape
    table = np.zeros((m + 1, n + 1), dtype=np.int64)
    table[:m, :n] = raw
    table[:m, n] = raw.sum(axis=1)
    table[m, :n] = raw.sum(axis=0)
    table[m, n] = raw.sum()

    reasons = np.full(table.shape, Reason.SHOWN.value, dtype=object)
    primary = (table >= 1) & (table < rules.min_count)
    reasons[primary] = Reason.PRIMARY.value
    small_rows = table[:, n] < rules.min_group
    reasons[small_rows, :n] = Reason.SMALL_GROUP.value  # also over primary: the whole row goes anyway
    first_pass = reasons != Reason.SHOWN.value
    hidden = _complementary_suppression(table, first_pass, rules.min_count)
    reasons[hidden & ~first_pass] = Reason.SECONDARY.value

    shown = round_to_base(table, rules.rounding_base) if rules.rounding_base > 1 else table

    inner = table[:, :n]
    denominators = table[:, n : n + 1]
    share_shown = (~small_rows & ~hidden[:, n])[:, None] & ~hidden[:, :n]
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = np.where(share_shown, inner / denominators, np.nan)
    low, high = _wilson_arrays(inner, np.broadcast_to(denominators, inner.shape), rules.confidence)

    row_labels = _with_total(counts.index, total_label)
    all_columns = _with_total(counts.columns, total_label)
    category_columns = counts.columns.copy()

    def share_frame(values: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(np.where(share_shown, values, np.nan), index=row_labels, columns=category_columns)

    shown_counts = pd.DataFrame(
        {k: pd.arrays.IntegerArray(shown[:, k].copy(), hidden[:, k].copy()) for k in range(n + 1)}
    )
    shown_counts.index, shown_counts.columns = row_labels, all_columns
    return ProtectedTable(
        counts=shown_counts,
        shares=share_frame(shares),
        ci_low=share_frame(low),
        ci_high=share_frame(high),
        reasons=pd.DataFrame(reasons, index=row_labels, columns=all_columns, dtype=object),
        rules=rules,
    )


def _complementary_suppression(table: np.ndarray, hidden: np.ndarray, min_count: int) -> np.ndarray:
    """Secondary suppression on a table with totals in its last row and column.

    ``hidden`` is the first pass (primary and small-group cells). Returns the
    new hidden mask, a superset of it. Each round repairs one short line or one
    weak cell (see :func:`_first_weak_cell`) and hides at least one more cell,
    so the loop ends. A final pass un-hides secondary cells, most expensive
    first, wherever the table stays protected without them: greedy repairs
    overshoot.
    """
    first_pass = hidden
    primary = (table >= 1) & (table < min_count)
    hidden = hidden.copy()
    rows, cols = table.shape
    m, n = rows - 1, cols - 1
    big = int(table[m, n]) + 1  # more than any path of inner cells can cost
    cost = table.astype(np.float64)
    cost[m, :] += big
    cost[:, n] += big
    cost[m, n] += big * (rows + cols)
    while True:
        line = next(_short_lines(table, hidden, min_count), None)
        if line is not None:
            hidden[_cheapest_addition(table, hidden, cost, line)] = True
            continue
        weak = _first_weak_cell(table, hidden, primary)
        if weak is None:
            break
        _, path = _cheapest_detour(table, hidden, cost, weak, strict=bool(primary[weak]))
        for cell in path:
            hidden[cell] = True
    secondary = list(zip(*np.nonzero(hidden & ~first_pass), strict=True))
    for cell in sorted(secondary, key=lambda cell: (-cost[cell], cell)):
        hidden[cell] = False
        if (
            next(_short_lines(table, hidden, min_count), None) is not None
            or _first_weak_cell(table, hidden, primary) is not None
        ):
            hidden[cell] = True
    return hidden


Line = tuple[np.ndarray, np.ndarray]


def _line(shape: tuple[int, int], number: int) -> Line:
    """Inner cells of line ``number``: rows 0..m (totals row last), then columns 0..n."""
    rows, cols = shape
    m, n = rows - 1, cols - 1
    if number <= m:
        return np.full(n, number), np.arange(n)
    j = number - m - 1
    return np.arange(m), np.full(m, j)


def _short_lines(table: np.ndarray, hidden: np.ndarray, min_count: int):
    """Lines whose total is shown and whose hidden cells add up to 1..min_count-1.

    Subtracting the shown cells from the shown total gives that sum, which
    would disclose a small group as surely as showing a cell of that size.
    Every row and column (totals included) is one line; their hidden sums
    are computed at once (this runs after every cell the loop hides).
    """
    rows, cols = table.shape
    m, n = rows - 1, cols - 1
    hidden_values = np.where(hidden, table, 0)
    row_sums = hidden_values[:, :n].sum(axis=1)  # line i: inner cells (i, 0..n-1), total (i, n)
    col_sums = hidden_values[:m, :].sum(axis=0)  # line j: inner cells (0..m-1, j), total (m, j)
    short_rows = ~hidden[:, n] & (row_sums >= 1) & (row_sums < min_count)
    short_cols = ~hidden[m, :] & (col_sums >= 1) & (col_sums < min_count)
    for number in np.flatnonzero(np.concatenate([short_rows, short_cols])):
        yield _line(table.shape, int(number))


def _cheapest_addition(
    table: np.ndarray, hidden: np.ndarray, cost: np.ndarray, inner: tuple[np.ndarray, np.ndarray]
) -> tuple[int, int]:
    """The shown non-zero cell of a short line that is cheapest to hide *and* protect.

    Looking one step ahead matters: the smallest cell may sit alone in its other
    line (say the only non-zero cell of a row), and protecting it would then
    cost that row's total. A candidate always exists: otherwise the shown total
    would equal the hidden sum, 1..min_count-1, and be primary-suppressed itself.
    """
    best: tuple[float, float, tuple[int, int]] | None = None
    candidates = [
        (float(cost[i, j]), (int(i), int(j)))
        for i, j in zip(*inner, strict=True)
        if not hidden[i, j] and table[i, j] > 0
    ]
    for own_cost, cell in sorted(candidates):
        if best is not None and own_cost > best[0]:
            break  # a detour costs >= 0, so no later (dearer) candidate can win
        hidden[cell] = True
        detour, _ = _cheapest_detour(table, hidden, cost, cell, strict=False)
        hidden[cell] = False
        option = (own_cost + detour, own_cost, cell)
        if best is None or option < best:
            best = option
    if best is None:  # pragma: no cover - see the docstring
        raise RuntimeError("no cell left to hide; the totals are inconsistent")
    return best[2]


def _first_weak_cell(table: np.ndarray, hidden: np.ndarray, primary: np.ndarray) -> tuple[int, int] | None:
    """The first hidden non-zero cell that is not protected well enough, or None.

    Think of the rows and columns (totals included) as nodes and of hidden
    cells as edges. Changing hidden cells without changing any shown total
    means moving an equal amount around a cycle, alternately up and down. So:

    * a *primary* cell (a count 1..4) must lie on a cycle of hidden **non-zero**
      cells: then it can move both up and down even for someone who somehow
      knew every hidden zero, and its true value is never an end of the range
      an attacker can derive ("at most 3" would give it away);
    * any other hidden non-zero cell (small group, secondary) must merely not
      be derivable exactly: a cycle through it may also use hidden zeros, each
      of which can only go up (a one-way step, see :func:`_arcs`).

    Cells that lie on a cycle of hidden non-zero cells satisfy both, so only
    the bridges of that graph (iterative Tarjan low-link) are looked at closer.
    """
    for cell in _bridges(table, hidden):
        if primary[cell] or _cheapest_detour(table, hidden, None, cell, strict=False)[0] == np.inf:
            return cell
    return None


def _bridges(table: np.ndarray, hidden: np.ndarray) -> list[tuple[int, int]]:
    """Hidden non-zero cells on no cycle of hidden non-zero cells, in (row, column) order."""
    rows, cols = table.shape
    adjacency: list[list[tuple[int, int]]] = [[] for _ in range(rows + cols)]
    cells = list(zip(*np.nonzero(hidden & (table > 0)), strict=True))
    for edge, (i, j) in enumerate(cells):
        adjacency[i].append((rows + j, edge))
        adjacency[rows + j].append((i, edge))
    discovered = [-1] * (rows + cols)
    low = [0] * (rows + cols)
    clock = 0
    bridges: list[tuple[int, int]] = []
    for root in range(rows + cols):
        if discovered[root] != -1 or not adjacency[root]:
            continue
        discovered[root] = low[root] = clock
        clock += 1
        stack = [(root, -1, iter(adjacency[root]))]
        while stack:
            node, via, neighbours = stack[-1]
            descended = False
            for other, edge in neighbours:
                if edge == via:
                    continue
                if discovered[other] == -1:
                    discovered[other] = low[other] = clock
                    clock += 1
                    stack.append((other, edge, iter(adjacency[other])))
                    descended = True
                    break
                low[node] = min(low[node], discovered[other])
            if descended:
                continue
            stack.pop()
            if stack:
                parent = stack[-1][0]
                low[parent] = min(low[parent], low[node])
                if low[node] > discovered[parent]:
                    i, j = cells[via]
                    bridges.append((int(i), int(j)))
    return sorted(bridges)


def _arcs(
    table: np.ndarray, hidden: np.ndarray, usable: np.ndarray, strict: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Which cells a cycle may cross from row to column, and from column to row.

    Nodes are rows 0..m, then columns. Non-zero cells work both ways. Unless
    ``strict``, a *hidden* zero works one way, because it can only go up: up on
    an inner cell (or the grand total) is crossing it from its row, on a row
    or column total from its column (a total sits on the other side of its
    line's equation, so its sign flips).
    """
    rows, cols = table.shape
    inner_like = (np.arange(rows)[:, None] == rows - 1) == (np.arange(cols)[None, :] == cols - 1)
    nonzero = table > 0
    one_way = hidden & ~nonzero if not strict else np.zeros_like(hidden)
    forward = usable & (nonzero | (one_way & inner_like))
    backward = usable & (nonzero | (one_way & ~inner_like))
    return forward, backward


def _cheapest_detour(
    table: np.ndarray, hidden: np.ndarray, cost: np.ndarray | None, cell: tuple[int, int], *, strict: bool
) -> tuple[float, list[tuple[int, int]]]:
    """Cheapest set of shown cells whose hiding puts ``cell`` on a cycle (Dijkstra).

    Hidden cells are free; shown non-zero cells cost ``cost`` (``None``: only
    hidden cells may be used, which tests whether ``cell`` is protected
    already); shown zeros are never used. Non-strict cycles may use hidden
    zeros one way (see :func:`_arcs`), so both directions around are tried.
    Returns ``(inf, [])`` when there is no such cycle; with ``cost`` given there
    always is one (cell -> its row total -> grand total -> its column total).
    """
    rows, cols = table.shape
    usable = hidden.copy() if cost is None else (hidden | (table > 0))
    usable[cell] = False
    forward, backward = _arcs(table, hidden, usable, strict)
    weight = np.zeros(table.shape) if cost is None else np.where(hidden, 0.0, cost)
    # The graph as arrays, edges grouped by their source node (rows 0..m, then
    # columns): a row's edges in column order, a column's in row order. With
    # many small groups this runs hundreds of times per table; relaxing a
    # node's edges with numpy instead of a Python loop per edge is what makes
    # that affordable. The search is the same Dijkstra, edge for edge.
    forward_i, forward_j = np.nonzero(forward)
    backward_i, backward_j = np.nonzero(backward)
    sources = np.concatenate([forward_i, rows + backward_j])
    order = np.argsort(sources, kind="stable")
    targets = np.concatenate([rows + forward_j, backward_i])[order]
    cell_i = np.concatenate([forward_i, backward_i])[order]
    cell_j = np.concatenate([forward_j, backward_j])[order]
    steps = weight[cell_i, cell_j]
    offsets = np.searchsorted(sources[order], np.arange(rows + cols + 1)).tolist()
    ends = [(cell[0], rows + cell[1])]
    if not strict:
        ends.append((rows + cell[1], cell[0]))
    best_distance, best_path = np.inf, []
    for start, goal in ends:
        distances = np.full(rows + cols, np.inf)
        distances[start] = 0.0
        previous = np.full(rows + cols, -1)  # the edge that reached each node
        done = np.zeros(rows + cols, dtype=bool)
        queue = [(0.0, start)]
        while queue:
            distance, node = heapq.heappop(queue)
            if done[node]:
                continue
            done[node] = True
            if node == goal:
                break
            low, high = offsets[node], offsets[node + 1]
            if low == high:
                continue
            reached = targets[low:high]
            candidates = distance + steps[low:high]
            better = (candidates < distances[reached]).nonzero()[0]
            if not len(better):
                continue
            improved, values = reached[better], candidates[better]
            distances[improved] = values
            previous[improved] = low + better
            for value, other in zip(values.tolist(), improved.tolist(), strict=True):
                heapq.heappush(queue, (value, other))
        if distances[goal] < best_distance:
            path, node = [], goal
            while node != start:
                edge = previous[node]
                step_cell = (int(cell_i[edge]), int(cell_j[edge]))
                node = int(cell_i[edge]) if node >= rows else rows + int(cell_j[edge])
                if not hidden[step_cell]:
                    path.append(step_cell)
            best_distance, best_path = float(distances[goal]), path
    return best_distance, best_path


# --------------------------------------------------------------------------- means


def protect_mean(total: Any, n: Any, *, thresholds: Thresholds, cross_institution: bool) -> Any:
    """Mean ``total / n`` (e.g. of a 1-5 score), or NaN when ``n`` is below the minimum group size.

    Takes sums and counts rather than means so pooled groups can be re-averaged
    correctly. Works on numbers (returns a float), arrays and Series (same kind).
    """
    rules = thresholds.for_view(cross_institution=cross_institution)
    sums = np.asarray(total, dtype="float64")
    sizes = np.asarray(n, dtype="float64")
    with np.errstate(invalid="ignore"):
        if np.any(sizes < 0):
            raise ValueError("n must not be negative")
        passes = sizes >= rules.min_group
    with np.errstate(divide="ignore", invalid="ignore"):
        means = np.where(passes, sums / sizes, np.nan)
    if isinstance(total, pd.Series):
        return pd.Series(means, index=total.index, name=total.name)
    if isinstance(n, pd.Series):
        return pd.Series(means, index=n.index)
    if np.ndim(means) == 0:
        return float(means)
    return means


# --------------------------------------------------------------------------- institutions


def institutions_to_pool(
    consent: Mapping[Any, bool], sizes: Mapping[Any, float] | None = None, *, min_pool: int = 2
) -> set[Any]:
    """Which institutions go into the "other institutions" pool.

    Every institution without consent; and, if that leaves a pool of fewer than
    ``min_pool`` institutions (but more than none), consented ones too, smallest
    first (by ``sizes``, ties by name), because a pool of one *is* that
    institution's figure under another name: anyone who knows the region's
    institutions can tell which it is. Consent allows naming; it does not
    require it. ``min_pool=1`` turns this off.
    """
    if min_pool < 1:
        raise ValueError("min_pool must be at least 1")
    pool = {name for name, agreed in consent.items() if not agreed}
    if 0 < len(pool) < min_pool:
        sizes = sizes or {}
        named = sorted(
            (name for name in consent if name not in pool), key=lambda name: (sizes.get(name, 0), str(name))
        )
        pool.update(named[: min_pool - len(pool)])
    return pool


def pool_unconsented(
    frame: pd.DataFrame,
    *,
    institution: str = "institution",
    consent_column: str | None = None,
    consented: Collection[Any] | None = None,
    values: Sequence[str] | None = None,
    label: str = OTHER_INSTITUTIONS,
    min_pool: int = 2,
) -> pd.DataFrame:
    """Rename institutions without consent to ``label`` and add their figures up.

    ``frame`` is long-format aggregates, e.g. columns institution, programme,
    activity, n. Consent comes either from a boolean ``consent_column`` (an
    institution counts as consenting only if all its rows say True; missing is
    no) or from the collection ``consented`` of institution names; give exactly
    one. ``values`` are the columns to add up (default: every numeric column);
    every other column is a grouping key. Pool sums and counts, never means or
    shares: recompute those after pooling. The consent column is dropped. Rows
    of the pool come after the named institutions. See
    :func:`institutions_to_pool` for ``min_pool``. The result still needs
    :func:`protect_table`: pooling decides names, not cell sizes.
    """
    if (consent_column is None) == (consented is None):
        raise ValueError("give exactly one of consent_column and consented")
    if institution not in frame.columns:
        raise KeyError(f"no column {institution!r}")
    names = frame[institution].astype(object)
    if consent_column is not None:
        agreed = frame[consent_column].astype(object).eq(True)
        consent = agreed.groupby(names, sort=False, dropna=False).all().to_dict()
        data = frame.drop(columns=[consent_column])
    else:
        allowed = set(consented or ())
        consent = {name: name in allowed for name in pd.unique(names)}
        data = frame
    if values is None:
        values = [
            column
            for column in data.columns
            if column != institution
            and pd.api.types.is_numeric_dtype(data[column])
            and not pd.api.types.is_bool_dtype(data[column])
        ]
    values = list(values)
    if not values:
        raise ValueError("no value columns to add up")
    sizes = data[values[0]].groupby(names, sort=False, dropna=False).sum().to_dict()
    pool = institutions_to_pool(consent, sizes, min_pool=min_pool)
    if label in consent:
        raise ValueError(f"an institution is already called {label!r}; choose another label")
    pooled = names.isin(pool)
    data = data.assign(**{institution: names.where(~pooled, label)})
    keys = [column for column in data.columns if column not in values]
    # Named institutions first, in their original order; the pool last.
    data = data.iloc[np.argsort(pooled.to_numpy(), kind="stable")]
    result = data.groupby(keys, sort=False, dropna=False, observed=True)[values].sum().reset_index()
    return result[[column for column in frame.columns if column in result.columns]]
