"""The attacker model: could someone who sees every shown figure recompute a hidden cell?

Rows and columns (totals included) are the nodes of a graph and hidden
cells its edges; a hidden cell is safe when it lies on a cycle (an equal
amount can move around it without changing any shown total). These checks
are what :mod:`.secondary` repairs, and what the tests compare with a
linear-programming attacker.
"""

from __future__ import annotations

import heapq

import numpy as np


def first_weak_cell(table: np.ndarray, hidden: np.ndarray, primary: np.ndarray) -> tuple[int, int] | None:
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
        if primary[cell] or cheapest_detour(table, hidden, None, cell, strict=False)[0] == np.inf:
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


def cheapest_detour(
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
    # many small groups this runs many times per table; relaxing a node's
    # edges with numpy instead of a Python loop per edge is what makes that
    # affordable. The search is the same Dijkstra, edge for edge.
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
