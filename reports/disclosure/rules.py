"""The disclosure thresholds, the rules in force for one view, and why a cell is hidden.

Rounding to a base lives here too: it is a rule of the view (HESA's), and
:class:`Thresholds` checks that its base never rounds an allowed count away.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd


class Reason(StrEnum):
    """Why a cell is hidden ("" = shown).

    ``PRIMARY``, ``SMALL_GROUP`` and ``SECONDARY`` are the internal reasons
    (:attr:`ProtectedTable.reasons`, for audits and tests). **Never publish
    them per cell**: "primary" next to a hidden cell says it holds 1..4
    people, which is what hiding it was meant to conceal. What users see is
    :attr:`ProtectedTable.marks`, where primary, secondary and lone-pool are
    all ``SUPPRESSED`` and only ``SMALL_GROUP`` stays apart: it says no more
    than that the row's denominator is below the minimum group size.
    """

    SHOWN = ""
    PRIMARY = "primary"  # the count itself is 1..min_count-1
    SMALL_GROUP = "small_group"  # the row's denominator is below the minimum group size
    SECONDARY = "secondary"  # hidden so that another hidden cell cannot be recomputed
    LONE_POOL = "lone_pool"  # a pooled row that holds fewer than two institutions
    SUPPRESSED = "suppressed"  # the public mark for primary and secondary alike


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


SHARE_DECIMALS = 2
"""Shares are published as proportions with two decimals: whole percentages.

Why whole percentages and not one decimal: for the groups the platform shows
(10 to a few hundred respondents) one respondent is worth 0.3 to 10
percentage points, so a tenth of a percent adds no information about the
group, only about the exact count behind a rounded one. Intervals get the
same precision.
"""

MEAN_DECIMALS = 1
"""Means of a 1-5 scale are published with one decimal (a tenth of a scale point)."""


def round_shares(successes: Any, n: Any) -> np.ndarray:
    """``successes / n`` as whole percentages (proportions with :data:`SHARE_DECIMALS`), halves up.

    Exact for whole counts: the percentage is computed in integers, so 1/8
    is 13% (not 12% through a float that lands just below 12.5). NaN where
    ``n`` is 0. Non-integral input (weighted counts) is rounded as floats.
    """
    k = np.asarray(successes, dtype="float64")
    total = np.asarray(n, dtype="float64")
    scale = 10**SHARE_DECIMALS
    with np.errstate(divide="ignore", invalid="ignore"):
        if np.all((k == np.round(k)) | np.isnan(k)) and np.all((total == np.round(total)) | np.isnan(total)):
            percent = np.floor((2 * scale * k + total) / (2 * total))
        else:
            percent = np.floor(k / total * scale + 0.5)
        return np.where(total > 0, percent / scale, np.nan)


def round_proportions(values: Any) -> Any:
    """Proportions already computed (interval bounds, weighted shares) to :data:`SHARE_DECIMALS`."""
    if isinstance(values, pd.Series | pd.DataFrame):
        return values.round(SHARE_DECIMALS)
    return np.round(np.asarray(values, dtype="float64"), SHARE_DECIMALS)


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
