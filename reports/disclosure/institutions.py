"""Institution names in cross-institution views: only with consent, the others pooled.

Pooling decides names, not cell sizes: the pooled table still goes through
``reports.disclosure.protect.protect_table``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

OTHER_INSTITUTIONS = "Overige instellingen"
"""Default name of the pool of institutions that did not consent to be named."""


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
