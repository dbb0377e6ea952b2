"""Protecting one count table: every disclosure rule applied, what may be shown returned.

:func:`protect_table` hides counts of 1..4 (primary) and rows below the
minimum group size, asks :mod:`.secondary` for the cells that must go with
them, rounds (cross-institution views) and adds shares with Wilson
intervals; :func:`protect_mean` applies the group-size rule to means.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .intervals import wilson_arrays
from .rules import (
    MEAN_DECIMALS,
    Reason,
    Thresholds,
    ViewRules,
    round_proportions,
    round_shares,
    round_to_base,
)
from .secondary import secondary_suppression

TOTAL = "Totaal"
"""Default label of the totals row and column that :func:`protect_table` adds."""


@dataclass(frozen=True)
class ProtectedTable:
    """What may be shown of one count table, and which cells are hidden.

    All frames carry the input's row and column labels plus a totals row
    (``total_label``); ``counts``, ``reasons`` and ``marks`` also a totals column.

    ``counts``: shown counts (nullable ``Int64``; ``<NA>`` = hidden), rounded in
    cross-institution views; the totals column is each row's denominator.
    ``shares``, ``ci_low``, ``ci_high``: share of the row total and its Wilson
    interval (float; NaN = not shown) at the published precision (whole
    percentages, :data:`.rules.SHARE_DECIMALS`), computed from the counts as
    shown: rounded ones in cross-institution views, so that a share never
    tells more than the rounded counts beside it.
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
            {
                Reason.PRIMARY.value: Reason.SUPPRESSED.value,
                Reason.SECONDARY.value: Reason.SUPPRESSED.value,
                Reason.LONE_POOL.value: Reason.SUPPRESSED.value,
            }
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


def _table_with_totals(raw: np.ndarray) -> np.ndarray:
    """``raw`` with each row's total as a last column, then the column totals as a last row."""
    with_row_totals = np.column_stack([raw, raw.sum(axis=1)])
    return np.vstack([with_row_totals, with_row_totals.sum(axis=0)])


def _with_total(index: pd.Index, total_label: Any) -> pd.Index:
    """``index`` plus the totals row (``(total_label, "", ...)`` for a MultiIndex).

    Built from the levels and codes: ``MultiIndex.append`` re-factorises
    every label, the slow part of a table with many rows.
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
    hide_rows: Any = None,
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
       :func:`.attacker.first_weak_cell`). A cell that does not is closed into a cycle
       along the cheapest path of shown non-zero cells (cost = their counts, so
       small cells first; totals only when no path through inner cells exists,
       the grand total last). Afterwards secondary cells that turn out not to
       be needed are shown again. Finding the fewest cells to hide is NP-hard;
       this heuristic is exact about (a)-(c), not about the cost.
    4. **Rounding** (cross-institution views): shown counts to ``rounding_base``.
    5. **Shares** (row share) with Wilson intervals, only where the count and the
       row total are shown and the row total reaches the minimum group size;
       a share next to a shown count would otherwise give away a hidden total.
       Shares and intervals are computed from the counts *as shown* (rounded
       in cross-institution views: HESA computes them from unrounded counts,
       but a share of 0.127 beside a rounded 5 of 55 says the count is 7)
       and published as whole percentages.

    ``hide_rows``: a boolean per row of ``counts`` (not the totals row); those
    rows are hidden whole, their total included (reason ``lone_pool``), and
    protected like any hidden cell by step 3. The caller uses it for a pooled
    row that holds only one institution (``reports.tables``): its figures
    would be that institution's under another name.
    """
    rules = thresholds.for_view(cross_institution=cross_institution)
    raw = _validated_counts(counts, total_label)
    n = raw.shape[1]
    table = _table_with_totals(raw)

    reasons = np.full(table.shape, Reason.SHOWN.value, dtype=object)
    primary = (table >= 1) & (table < rules.min_count)
    reasons[primary] = Reason.PRIMARY.value
    small_rows = table[:, n] < rules.min_group
    reasons[small_rows, :n] = Reason.SMALL_GROUP.value  # also over primary: the whole row goes anyway
    if hide_rows is not None:
        lone = np.append(np.asarray(hide_rows, dtype=bool), False)
        if lone.shape != (table.shape[0],):
            raise ValueError("hide_rows needs one value per row of counts")
        reasons[lone, :] = Reason.LONE_POOL.value
        small_rows = small_rows | lone
    first_pass = reasons != Reason.SHOWN.value
    hidden = secondary_suppression(table, first_pass, rules.min_count)
    reasons[hidden & ~first_pass] = Reason.SECONDARY.value

    shown = round_to_base(table, rules.rounding_base) if rules.rounding_base > 1 else table

    inner = shown[:, :n]
    denominators = np.broadcast_to(shown[:, n : n + 1], inner.shape)
    share_shown = (~small_rows & ~hidden[:, n])[:, None] & ~hidden[:, :n]
    shares = round_shares(inner, denominators)
    low, high = (round_proportions(b) for b in wilson_arrays(inner, denominators, rules.confidence))

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


def protect_mean(total: Any, n: Any, *, thresholds: Thresholds, cross_institution: bool) -> Any:
    """Mean ``total / n`` (e.g. of a 1-5 score), or NaN when ``n`` is below the minimum group size.

    Takes sums and counts rather than means so pooled groups can be re-averaged
    correctly. Works on numbers (returns a float), arrays and Series (same kind).
    Rounded to :data:`.rules.MEAN_DECIMALS`. ``n`` decides the group size; in
    cross-institution views the caller passes sums over rounded counts
    (``reports.tables``) so that the mean, too, tells no more than they do.
    """
    rules = thresholds.for_view(cross_institution=cross_institution)
    sums = np.asarray(total, dtype="float64")
    sizes = np.asarray(n, dtype="float64")
    with np.errstate(invalid="ignore"):
        if np.any(sizes < 0):
            raise ValueError("n must not be negative")
        passes = sizes >= rules.min_group
    with np.errstate(divide="ignore", invalid="ignore"):
        means = np.where(passes, np.round(sums / sizes, MEAN_DECIMALS), np.nan)
    if isinstance(total, pd.Series):
        return pd.Series(means, index=total.index, name=total.name)
    if isinstance(n, pd.Series):
        return pd.Series(means, index=n.index)
    if np.ndim(means) == 0:
        return float(means)
    return means
