"""Optional non-response weights: raking to the cohort's margins (reporting.md).

Raking (iterative proportional fitting) adjusts one weight per respondent so
that the weighted respondents match the graduates due for the wave on each
margin separately — programme, pathway, gender, age band — without needing
the full cross-classification (which is far too sparse per programme). The
weight depends only on a respondent's cell (the combination of the margins),
so the database keeps counting per cell and weighted counts are
``sum(count x weight)`` (see ``reports.selectors.live_counts``).

HESA found weighting rarely changes estimates and publishes unweighted, so
unweighted stays the default; weighted shares are shown *beside* the
unweighted ones and only where those are shown (same suppression).
Intervals stay unweighted.

:func:`rake` is pure and tested on its own (tests/reports/test_weighting.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from . import indicators as ind
from .selectors import live_counts


def rake(
    sample: pd.DataFrame,
    targets: Mapping[str, pd.Series],
    *,
    count: str = "n",
    max_iterations: int = 100,
    tolerance: float = 1e-9,
) -> pd.Series:
    """Weight per sample cell so weighted margins match ``targets``.

    ``sample``: one row per cell, a column per margin and ``count``
    respondents. ``targets``: per margin, the population total per level.
    Levels of a target that no respondent has cannot be matched: their
    population is spread over the margin's other levels (target rescaled to
    the levels present), so the weights still add up to the population.
    Returns the per-respondent weight of each sample row (index as
    ``sample``); rows with a zero count get weight 0.
    """
    if sample.empty:
        return pd.Series(dtype="float64", index=sample.index)
    n = sample[count].to_numpy(dtype="float64")
    weights = np.ones(len(sample))
    population = None
    goals = {}
    for margin, target in targets.items():
        target = target.astype("float64")
        present = target[target.index.isin(sample[margin].unique())]
        total = float(target.sum())
        population = total if population is None else population
        if present.sum() <= 0:
            continue
        goals[margin] = present * (population / present.sum())
    for _ in range(max_iterations):
        worst = 0.0
        for margin, goal in goals.items():
            levels = sample[margin].to_numpy()
            current = pd.Series(n * weights).groupby(levels).sum()
            factor = (goal / current).reindex(current.index).fillna(1.0)
            factor = factor.replace([np.inf, -np.inf], 1.0)
            worst = max(worst, float(np.abs(factor.to_numpy() - 1.0).max()))
            weights = weights * pd.Series(levels).map(factor).to_numpy(dtype="float64")
        if worst < tolerance:
            break
    return pd.Series(np.where(n > 0, weights, 0.0), index=sample.index)


def weighted_counts(scope, filters, by: Sequence[str], indicators) -> pd.DataFrame:
    """Weighted counts per group, in the shape of ``reports.cube.read.cube_counts``' response frame."""
    indicators = list(indicators)
    cells = list(live_counts.WEIGHT_CELLS)
    per_cell = live_counts.response_counts_by_cell(scope, filters, by, indicators)
    value_columns = [ind.column_name(i.key, c.key) for i in indicators for c in i.categories]
    if per_cell.empty:
        return per_cell[[*by, *value_columns]]
    population = live_counts.population_cells(scope, filters)
    first = next(i for i in indicators if i.key == "activity")
    activity = [ind.column_name("activity", c.key) for c in first.categories]
    sample = per_cell.assign(n=per_cell[activity].sum(axis=1)).groupby(cells, as_index=False)["n"].sum()
    targets = {margin: population.groupby(margin)["n"].sum() for margin in cells}
    sample["weight"] = rake(sample, targets).to_numpy()
    merged = per_cell.merge(sample[[*cells, "weight"]], on=cells, how="left")
    values = merged[value_columns].to_numpy(dtype="float64") * merged["weight"].to_numpy()[:, None]
    weighted = pd.DataFrame(values, columns=value_columns)
    for key in by:
        weighted[key] = merged[key].to_numpy()
    return weighted.groupby(list(by), as_index=False, sort=False)[value_columns].sum()
