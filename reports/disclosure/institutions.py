"""Institution names in cross-institution views: only with consent, the others pooled.

Pooling decides names, not cell sizes: the pooled table still goes through
``reports.disclosure.protect.protect_table``. :func:`institutions_to_pool`
makes the pool of a whole table hold two institutions; :func:`pool_rows`
also counts, per row, how many it holds (a programme only one pooled
institution offers is a pool of one), and the caller hides such a row.
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


def pool_rows(
    frame: pd.DataFrame,
    keys: Sequence[str],
    *,
    consented: Collection[Any],
    values: Sequence[str],
    tables: Mapping[str, Sequence[str]] | None = None,
    institution: str = "institution",
    relabel: Sequence[str] = ("location",),
    label: str = OTHER_INSTITUTIONS,
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Pool as :func:`pool_unconsented` does, add up to ``keys``, and count each pool row's members.

    ``frame`` has one row per institution and group (``institution`` may or
    may not be among ``keys``). The pooled institutions' ``relabel`` columns
    (their locations: a vestiging's name names its institution) become
    ``label`` too. ``tables`` maps a table's name to its value columns; the
    second result has, per pool row (``keys``) and table, the number of pooled
    institutions with a non-zero total in that table, or is None if nothing
    was pooled. A count of 1 means the row is one institution under another
    name: hide it (``protect_table(hide_rows=...)``). It is counted per table,
    because a pool of two in the "working" table can be a pool of one in the
    table of the self-employed.
    """
    names = frame[institution].astype(object)
    allowed = set(consented)
    consent = {name: name in allowed for name in pd.unique(names)}
    sizes = frame[values[0]].groupby(names, sort=False).sum().to_dict() if values else {}
    pooled = names.isin(institutions_to_pool(consent, sizes)).to_numpy()
    columns = [institution, *(c for c in relabel if c in frame.columns)]
    data = frame.assign(**{c: frame[c].astype(object).where(~pooled, label) for c in columns})
    keys = list(keys)
    members = None
    if pooled.any() and tables:
        part = data[pooled]
        present = pd.DataFrame(
            {name: part[list(cols)].sum(axis=1).to_numpy() > 0 for name, cols in tables.items()},
            index=part.index,
        )
        present[keys] = part[keys]
        present["_member"] = names[pooled].to_numpy()
        per_member = present.groupby([*keys, "_member"], sort=False, dropna=False).any()
        members = per_member.groupby(level=list(range(len(keys))), sort=False, dropna=False).sum()
        members = members.reset_index()
    # Named institutions first, in their original order; the pool last.
    data = data.iloc[np.argsort(pooled, kind="stable")]
    result = data.groupby(keys, sort=False, dropna=False, observed=True)[list(values)].sum().reset_index()
    return result[[*keys, *values]], members
