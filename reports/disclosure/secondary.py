"""Secondary suppression: which more cells to hide so that no hidden cell can be recomputed.

A greedy search on the table with its totals: repair the first short line
(hidden cells of a shown line adding up to 1..4) or weak cell (see
:mod:`.attacker`) along the cheapest path of shown cells, until none is
left; then show again the secondary cells that turn out not to be needed.
"""

from __future__ import annotations

import numpy as np

from .attacker import cheapest_detour, first_weak_cell


def secondary_suppression(table: np.ndarray, hidden: np.ndarray, min_count: int) -> np.ndarray:
    """Secondary suppression on a table with totals in its last row and column.

    ``hidden`` is the first pass (primary and small-group cells). Returns the
    new hidden mask, a superset of it. Each round repairs one short line or one
    weak cell (see :func:`.attacker.first_weak_cell`) and hides at least one more cell,
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
        weak = first_weak_cell(table, hidden, primary)
        if weak is None:
            break
        _, path = cheapest_detour(table, hidden, cost, weak, strict=bool(primary[weak]))
        for cell in path:
            hidden[cell] = True
    secondary = list(zip(*np.nonzero(hidden & ~first_pass), strict=True))
    for cell in sorted(secondary, key=lambda cell: (-cost[cell], cell)):
        hidden[cell] = False
        if (
            next(_short_lines(table, hidden, min_count), None) is not None
            or first_weak_cell(table, hidden, primary) is not None
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
        detour, _ = cheapest_detour(table, hidden, cost, cell, strict=False)
        hidden[cell] = False
        option = (own_cost + detour, own_cost, cell)
        if best is None or option < best:
            best = option
    if best is None:  # pragma: no cover - see the docstring
        raise RuntimeError("no cell left to hide; the totals are inconsistent")
    return best[2]
