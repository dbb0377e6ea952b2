"""Reading the cube: a report's counts, added up from the cells in scope and filter.

Reads the cube as it is and never refreshes it: the caller makes it fresh
first (``reports.report.build_report`` calls
``reports.cube.refresh.ensure_cube_fresh``), so reads do not depend on writes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from django.db.models import TextField
from django.db.models.functions import Cast

from .. import indicators as ind
from ..filters import Filters, Scope, dimension_expression
from .definition import INVITATIONS, RESPONSES
from .models import CubeCell, CubeState


def cube_counts(
    scope: Scope,
    filters: Filters,
    by: Sequence[str],
    indicators: Iterable[ind.Indicator],
    invitation_indicators: Iterable[ind.Indicator],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Response and invitation counts per group, added up from the report cube.

    Returns the ``by`` columns, then one column ``indicator:category`` per
    category (``reports.indicators.column_name``); a group appears only if it
    has a completed response (first frame) or a non-pending invitation
    (second). One query fetches the cells in scope and filter, with the
    labels joined at read time; pandas adds them up.
    """
    layout = CubeState.objects.filter(pk=1).values_list("columns", flat=True).first() or []
    position = {name: i for i, name in enumerate(layout)}
    dims = {f"d_{key}": dimension_expression(key, "", "wave__code") for key in by}
    rows = list(
        CubeCell.objects.filter(scope.q(""), filters.q("", "wave__code"))
        .annotate(**dims, counts_text=Cast("counts", TextField()))
        .values_list(*dims, "counts_text")
    )
    # One json.loads over all cells rather than one per cell: per-cell
    # decoding was a large share of a report's time (docs/benchmarks.md).
    decoded = json.loads("[" + ",".join(row[-1] for row in rows) + "]")
    matrix = np.array(decoded, dtype=np.int64).reshape(len(rows), len(layout))
    labels = pd.DataFrame([row[:-1] for row in rows], columns=list(by))
    frames = []
    for total, group in ((RESPONSES, indicators), (INVITATIONS, invitation_indicators)):
        names = [ind.column_name(i.key, c.key) for i in group for c in i.categories]
        values = pd.DataFrame(
            matrix[:, [position[total], *(position[n] for n in names)]], columns=[total, *names]
        )
        frame = pd.concat([labels, values], axis=1)
        if not frame.empty:
            frame = frame.groupby(list(by), sort=True, dropna=False, as_index=False).sum()
        frames.append(frame[frame[total] > 0].drop(columns=total).reset_index(drop=True))
    return frames[0], frames[1]
