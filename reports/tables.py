"""From grouped counts to protected, publishable tables (pandas, no queries).

The cube (``reports.cube.read``) returns one wide frame of counts per group; this module cuts it
into one count table per indicator, pools non-consenting institutions in
cross-institution views, applies ``disclosure.protect.protect_table`` and adds the
figures that come from a whole row (mean of a 1–5 scale, median wage band).
Dashboards, the JSON behind the charts, the CSV/XLSX exports and the export
command all render :class:`IndicatorTable` objects, so they cannot disagree.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.utils.translation import gettext as _

from . import indicators as ind
from .disclosure.institutions import pool_rows
from .disclosure.protect import TOTAL, ProtectedTable, protect_mean, protect_table
from .disclosure.rules import Thresholds, round_proportions, round_to_base

OTHER = "other"


@dataclass
class IndicatorTable:
    indicator: ind.Indicator
    table: ProtectedTable
    category_labels: dict[str, str]
    means: pd.Series | None = None
    medians: pd.Series | None = None
    weighted_shares: pd.DataFrame | None = None

    @property
    def key(self) -> str:
        return self.indicator.key

    @property
    def categories(self) -> list[str]:
        return list(self.table.shares.columns)

    def rows(self) -> list[dict]:
        """One dict per row (totals last), every cell as shown: None = hidden."""
        if getattr(self, "_rows", None) is not None:
            return self._rows
        t = self.table
        categories = self.categories
        counts = t.counts[categories].astype(object).to_numpy()
        totals = t.counts[TOTAL].astype(object).to_numpy()
        shares, lows, highs = (
            f[categories].to_numpy(dtype="float64") for f in (t.shares, t.ci_low, t.ci_high)
        )
        marks = t.marks
        cell_marks, total_marks = marks[categories].to_numpy(), marks[TOTAL].to_numpy()
        weighted = (
            self.weighted_shares[categories].to_numpy(dtype="float64")
            if self.weighted_shares is not None
            else None
        )
        means = self.means.to_numpy(dtype="float64") if self.means is not None else None
        medians = list(self.medians) if self.medians is not None else None
        out = []
        for i, label in enumerate(t.counts.index):
            cells = []
            for j, category in enumerate(categories):
                cell = {
                    "category": category,
                    "count": _int(counts[i, j]),
                    "share": _float(shares[i, j]),
                    "ci_low": _float(lows[i, j]),
                    "ci_high": _float(highs[i, j]),
                    "mark": cell_marks[i, j],
                }
                if weighted is not None:
                    cell["weighted_share"] = _float(weighted[i, j])
                cells.append(cell)
            row = {"label": _label(label), "n": _int(totals[i]), "n_mark": total_marks[i], "cells": cells}
            if means is not None:
                row["mean"] = _float(means[i])
            if medians is not None:
                value = medians[i]
                missing = value is None or (isinstance(value, float) and math.isnan(value))
                row["median"] = None if missing else self.category_labels.get(value, value)
            out.append(row)
        self._rows = out
        return out

    def as_json(self) -> dict:
        return {
            "key": self.key,
            "label": str(self.indicator.label),
            "base": str(self.indicator.base),
            "headline": self.indicator.headline,
            "chart": self.indicator.chart,
            "categories": [{"key": k, "label": self.category_labels.get(k, k)} for k in self.categories],
            "rows": self.rows(),
            "rules": self.table.rules.as_dict(),
        }

    def to_long(self) -> pd.DataFrame:
        """One row per cell, public marks only, labelled for CSV/XLSX."""
        long = self.table.to_long()
        row_columns = list(long.columns[:-6])
        category_column = long.columns[-6]
        long = long.rename(columns={category_column: "category"})
        long.insert(0, "indicator", self.key)
        long.insert(1, "indicator_label", str(self.indicator.label))
        long.insert(2, "base", str(self.indicator.base))
        long["category_label"] = long["category"].map(lambda k: self.category_labels.get(k, _("total")))
        if self.weighted_shares is not None:
            weighted = self.weighted_shares.stack()
            weighted.index = weighted.index.set_names([*row_columns, "category"])
            long = long.merge(
                weighted.rename("weighted_share").reset_index(), on=[*row_columns, "category"], how="left"
            )
        if self.means is not None:
            means = self.means.rename("mean")
            means.index = means.index.set_names(row_columns)
            long = long.merge(means.reset_index(), on=row_columns, how="left")
        if self.medians is not None:
            # the band's label, as on the page (a code means nothing to a reader)
            medians = self.medians.map(lambda v: self.category_labels.get(v, v)).rename("median_band")
            medians.index = medians.index.set_names(row_columns)
            long = long.merge(medians.reset_index(), on=row_columns, how="left")
        return long


def _int(value):
    return (
        None
        if value is pd.NA or value is None or (isinstance(value, float) and math.isnan(value))
        else int(value)
    )


def _float(value):
    return None if value is None or value is pd.NA or math.isnan(value) else round(float(value), 6)


def _label(label):
    if isinstance(label, tuple):
        return [str(part) for part in label]
    return str(label)


def _index(frame: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    frame = frame.copy()
    for key in by:
        frame[key] = frame[key].astype(str)  # uniform labels (cohort 2023 -> "2023")
    return frame.set_index(list(by)) if len(by) > 1 else frame.set_index(by[0])


def pool_institutions(
    frame: pd.DataFrame,
    by: Sequence[str],
    consented: Iterable[str],
    value_columns: Sequence[str],
    indicators: Sequence[ind.Indicator] = (),
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Cross-institution views: institutions without consent become one "other institutions" row.

    ``frame`` carries an ``institution`` column whenever rows are by
    institution or by location (``reports.report`` reads the cube one level
    finer then); a pooled institution's locations are pooled with it. Returns
    the frame added up to ``by`` and, per row and indicator, how many
    institutions with figures in that table the pool row holds
    (:func:`.disclosure.institutions.pool_rows`); :func:`build_tables` hides a
    pool row of one.
    """
    if "institution" not in frame.columns or frame.empty:
        return frame, None
    tables = {i.key: [ind.column_name(i.key, c.key) for c in i.categories] for i in indicators}
    return pool_rows(frame, by, consented=consented, values=value_columns, tables=tables)


def _lone_pool_rows(contributors: pd.DataFrame | None, by: Sequence[str]) -> pd.DataFrame | None:
    """Per row label (as :func:`_index` makes them) and indicator: does the pool row hold one institution?"""
    if contributors is None or contributors.empty:
        return None
    lone = _index(contributors, by)
    return lone.eq(1)


def _collapse_top(counts: pd.DataFrame, top: int, labels: dict[str, str]) -> pd.DataFrame:
    """Keep the ``top`` biggest columns (by table total), add the rest up as "other"."""
    order = counts.sum(axis=0).sort_values(ascending=False, kind="stable")
    keep = [key for key in order.index[:top] if order[key] > 0]
    rest = [key for key in counts.columns if key not in keep]
    result = counts[keep].copy()
    result[OTHER] = counts[rest].sum(axis=1) if rest else 0
    labels[OTHER] = _("other")
    return result


def _median_bands(full: pd.DataFrame) -> pd.Series:
    """Per row, the first band where the running count reaches half the row (None if empty)."""
    values = full.to_numpy(dtype="float64")
    total = values.sum(axis=1)
    position = (values.cumsum(axis=1) >= total[:, None] / 2.0).argmax(axis=1)
    labels = np.array([str(column) for column in full.columns], dtype=object)
    return pd.Series(np.where(total > 0, labels[position], None), index=full.index, dtype=object)


def build_tables(
    counts: pd.DataFrame,
    by: Sequence[str],
    indicators: Iterable[ind.Indicator],
    *,
    thresholds: Thresholds,
    cross_institution: bool,
    consented: Iterable[str] = (),
    weighted_counts: pd.DataFrame | None = None,
) -> list[IndicatorTable]:
    """One protected table per indicator, rows = the ``by`` groups (plus totals)."""
    indicators = list(indicators)
    value_columns = [ind.column_name(i.key, c.key) for i in indicators for c in i.categories]
    lone = None
    if cross_institution:
        counts, contributors = pool_institutions(counts, by, consented, value_columns, indicators)
        lone = _lone_pool_rows(contributors, by)
        if weighted_counts is not None:
            weighted_counts, _contributors = pool_institutions(weighted_counts, by, consented, value_columns)
    frame = _index(counts, by) if not counts.empty else counts
    weighted = (
        _index(weighted_counts, by) if weighted_counts is not None and not weighted_counts.empty else None
    )
    out = []
    for indicator in indicators:
        labels = {c.key: str(c.label) for c in indicator.categories}
        columns = [ind.column_name(indicator.key, c.key) for c in indicator.categories]
        if frame.empty:
            table_counts = pd.DataFrame(columns=indicator.keys, dtype="int64")
            table_counts.index.name = by[0] if len(by) == 1 else None
        else:
            table_counts = frame[columns].astype("int64")
            table_counts.columns = indicator.keys
        if indicator.top:
            table_counts = _collapse_top(table_counts, indicator.top, labels)
        table_counts.columns.name = "category"
        hide_rows = None
        if lone is not None and indicator.key in lone.columns:
            alone = lone[indicator.key]
            hide_rows = table_counts.index.isin(alone.index[alone.to_numpy()])
        protected = protect_table(
            table_counts, thresholds=thresholds, cross_institution=cross_institution, hide_rows=hide_rows
        )
        result = IndicatorTable(indicator, protected, labels)
        inner = table_counts.to_numpy(dtype="int64")
        full = pd.DataFrame(
            np.vstack([inner, inner.sum(axis=0, keepdims=True)]),
            index=protected.counts.index,
            columns=table_counts.columns,
        )
        row_hidden = protected.suppressed.any(axis=1)
        if indicator.scale:
            values = np.array([int(k) for k in table_counts.columns], dtype="float64")
            # Cross-institution views: the mean of the rounded counts, so that
            # it tells no more than they do (as the shares, see protect_table).
            basis = round_to_base(full, protected.rules.rounding_base) if cross_institution else full
            total = pd.Series(basis.to_numpy(dtype="float64") @ values, index=full.index)
            n = basis.sum(axis=1).astype("float64")
            means = protect_mean(total, n, thresholds=thresholds, cross_institution=cross_institution)
            # A mean next to a row with hidden cells is one more equation on
            # them (sum of k x count_k): it could undo the suppression. The
            # group size is the true one, not the rounded.
            big_enough = full.sum(axis=1) >= protected.rules.min_group
            result.means = means.where(~row_hidden & big_enough)
        if indicator.median:
            rules = protected.rules
            medians = _median_bands(full)
            shown_n = protected.counts[TOTAL].notna() & (full.sum(axis=1) >= rules.min_group)
            result.medians = medians.where(shown_n, None)
        if weighted is not None:
            wcounts = weighted[columns].astype("float64") if not weighted.empty else None
            if wcounts is not None:
                wcounts.columns = indicator.keys
                if indicator.top:
                    wcounts = _collapse_top_like(wcounts, table_counts.columns)
                wfull = pd.concat([wcounts, wcounts.sum(axis=0).to_frame().T])
                wfull.index = protected.counts.index
                wshares = round_proportions(wfull.div(wfull.sum(axis=1), axis=0))
                result.weighted_shares = wshares.where(protected.shares.notna())
        out.append(result)
    return out


def _collapse_top_like(frame: pd.DataFrame, columns: pd.Index) -> pd.DataFrame:
    keep = [c for c in columns if c != OTHER]
    result = frame[keep].copy()
    result[OTHER] = frame[[c for c in frame.columns if c not in keep]].sum(axis=1)
    return result[list(columns)]


def build_transitions(
    frame: pd.DataFrame, *, thresholds: Thresholds, cross_institution: bool
) -> IndicatorTable:
    """T1 -> T3 flows between grouped main activities; rows = T1, columns = T3."""
    groups = list(ind.ACTIVITY_GROUPS)
    labels = {key: str(label) for key, (label, _codes) in ind.ACTIVITY_GROUPS.items()}
    if frame.empty:
        table = pd.DataFrame(0, index=pd.Index(groups, name="t1"), columns=groups, dtype="int64")
    else:
        frame = frame.assign(
            t1=frame["t1"].map(ind.ACTIVITY_GROUP_OF), t3=frame["t3"].map(ind.ACTIVITY_GROUP_OF)
        )
        table = frame.pivot_table(index="t1", columns="t3", values="n", aggfunc="sum", fill_value=0)
        table = table.reindex(index=groups, columns=groups, fill_value=0).astype("int64")
    table.index = pd.Index([f"T1 {labels[g]}" for g in groups], name="t1")
    table.columns = pd.Index(groups, name="category")
    indicator = ind.Indicator(
        "transitions", _("T1 → T3 transitions (main activity)"), _("graduates who answered both waves"), ()
    )
    protected = protect_table(table, thresholds=thresholds, cross_institution=cross_institution)
    return IndicatorTable(indicator, protected, labels)


def headline_figures(tables: Mapping[str, IndicatorTable]) -> list[dict]:
    """The totals row's headline share of each indicator (for the one-page summary)."""
    out = []
    for key, table in tables.items():
        headline = table.indicator.headline
        if not headline or headline not in table.categories:
            continue
        total = table.rows()[-1]
        cell = next(c for c in total["cells"] if c["category"] == headline)
        out.append(
            {
                "key": key,
                "label": str(table.indicator.label),
                "category": table.category_labels.get(headline, headline),
                "n": total["n"],
                **cell,
            }
        )
    return out
