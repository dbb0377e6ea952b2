"""Wilson score intervals for every share the platform shows (QILT publishes 90% intervals).

Wilson rather than the textbook normal interval because it stays inside
[0, 1] and behaves sensibly for 0/n and n/n, common in small programmes.
"""

from __future__ import annotations

from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd


def _z(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1, e.g. 0.90")
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def wilson_arrays(successes: Any, n: Any, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds as numpy arrays (NaN where ``n`` is 0): the one implementation."""
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
    low, high = wilson_arrays(successes, n, confidence)
    return float(low), float(high)


def wilson_intervals(successes: Any, n: Any, confidence: float = 0.90) -> tuple[Any, Any]:
    """Vectorised :func:`wilson_interval` over arrays, Series or DataFrames.

    ``successes`` and ``n`` broadcast like numpy arrays. A pandas ``successes``
    gives pandas results with its index (and columns); otherwise numpy arrays.
    """
    low, high = wilson_arrays(successes, n, confidence)
    if isinstance(successes, pd.Series):
        return (pd.Series(low, index=successes.index), pd.Series(high, index=successes.index))
    if isinstance(successes, pd.DataFrame):
        return (
            pd.DataFrame(low, index=successes.index, columns=successes.columns),
            pd.DataFrame(high, index=successes.index, columns=successes.columns),
        )
    return low, high
